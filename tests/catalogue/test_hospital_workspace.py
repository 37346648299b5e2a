"""The hospital's workspace panel: the assessments under way at the hospital and those overdue among them, read
once however many there are."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.conftest import login
from tests.incubation.conftest import MONDAY, at
from tests.main.test_workspace_statements import workspace_statements

FIGURE = r'{}</dt><dd class="col-4 text-end[^"]*">(\d+)</dd>'


def _figures(client) -> tuple[int, int]:
    page = client.get("/dashboard?lang=en").get_data(as_text=True)
    under_way = re.search(FIGURE.format("Assessments under way"), page)
    overdue = re.search(FIGURE.format("Overdue assessments"), page)
    assert under_way and overdue, "the admission panel's figures"
    return int(under_way.group(1)), int(overdue.group(1))


def test_the_hospitals_workspace_counts_assessments_under_way_and_overdue_from_one_read(
        app, client, receive, hospital_staff):
    office = hospital_staff()
    receive(on=MONDAY, office=office, registration_no="国械注准20263130001")
    later = MONDAY + timedelta(days=40)
    with at(later):
        assert login(client, office.email).status_code == 302
        one = len(workspace_statements(app, client))
        assert _figures(client) == (1, 1)
    receive(on=MONDAY, office=office, registration_no="国械注准20263130002")
    receive(on=MONDAY + timedelta(days=35), office=office, registration_no="国械注准20263130003")  # not overdue
    receive(on=MONDAY, office=hospital_staff(organization="浙江省人民医院"),  # another hospital's
            registration_no="国械注准20263130004")
    with at(later):
        assert len(workspace_statements(app, client)) == one
        assert _figures(client) == (3, 2)
