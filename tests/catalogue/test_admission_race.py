"""Two people of one hospital's equipment office declare interest in the same product at the same moment: one
assessment, and the other is told the hospital is already assessing it (never an error page)."""

from __future__ import annotations

from sqlalchemy import func, select

from chunfeng.catalogue import admission
from chunfeng.catalogue.models import Assessment
from chunfeng.db import db
from tests.concurrency import in_parallel, on_postgres, signed_in


def _assessments(app, listing_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Assessment)
                                 .where(Assessment.listing_id == listing_id))



def test_a_declaration_that_loses_the_race_is_told_so(app, make_listing, hospital_staff, monkeypatch):
    """The second one checked before the first was stored: the database refuses it, the office is told."""
    listing_id = make_listing()
    first, second = hospital_staff(), hospital_staff(email="second.office@example.cn")
    url = f"/catalogue/product/{listing_id}/interest"
    assert signed_in(app, first).post(url).status_code == 302
    monkeypatch.setattr(admission, "assessment_of", lambda *_args: None)
    response = signed_in(app, second).post(url, follow_redirects=True)
    assert response.status_code in (200, 400) and "本院已在评估该产品" in response.get_data(as_text=True)
    assert _assessments(app, listing_id) == 1


@on_postgres
def test_declarations_at_the_same_moment_end_in_one_assessment(app, make_listing, hospital_staff):
    listing_id = make_listing()
    offices = [hospital_staff(email=f"office{n}@example.cn") for n in range(4)]
    clients = [signed_in(app, office) for office in offices]
    url = f"/catalogue/product/{listing_id}/interest"
    codes = in_parallel([lambda c=client: c.post(url) for client in clients])
    assert all(code in (302, 400) for code in codes), codes
    assert _assessments(app, listing_id) == 1
