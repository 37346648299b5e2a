"""The demo shows the providers: three approved providers, the lab's accepted request on the demo incubation, and
a matchmaking day with a proposed schedule."""

from __future__ import annotations

from sqlalchemy import select

from chunfeng.db import db
from chunfeng.demo import run
from chunfeng.providers.models import MatchmakingEvent, ProviderProfile, RequestStatus, ServiceRequest


def test_the_demo_seeds_providers_an_accepted_request_and_a_scheduled_day(app):
    with app.app_context():
        assert run()
        kinds = {p.kind.value for p in db.session.scalars(select(ProviderProfile)) if p.is_approved}
        assert kinds == {"lab", "trial_site", "cdmo"}
        [request] = db.session.scalars(select(ServiceRequest)).all()
        assert request.status == RequestStatus.ACCEPTED and request.provider.kind.value == "lab"
        assert request.incubation.officer is not None
        [event] = db.session.scalars(select(MatchmakingEvent)).all()
        assert event.scheduled_at is not None and event.meetings
        people = [(m.slot, person) for m in event.meetings for person in (m.first_id, m.second_id)]
        assert len(people) == len(set(people)), "nobody is booked twice in a slot"
