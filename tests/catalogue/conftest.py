"""Companies, listings, hospitals and their assessments, built through the catalogue's real services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from chunfeng.accounts.models import Role, User
from chunfeng.catalogue import admission, listings
from chunfeng.catalogue.models import HospitalFunction, Listing
from chunfeng.db import db
from tests.incubation.conftest import MONDAY, at, make_project, start  # noqa: F401 - fixtures used here

LISTED_ON = MONDAY  # listings in these tests are listed on Monday 2 March 2026

PRODUCT = {
    "name": "可调节直径颅内取栓支架", "registration_no": "国械注准20263130001", "device_class": "III",
    "approved_on": date(2026, 2, 10), "pathway": "innovation", "specialty": "神经介入", "province": "浙江省",
    "summary": "术中可调节直径，贴合粗细不一的血管，提高首次再通率。",
}


@pytest.fixture(autouse=True)
def _quick_password_hashes(fast_password_hashes):
    """These tests are not about passwords: a cheap hash keeps the many accounts they create fast."""


@pytest.fixture
def company(make_user):
    def make(organization: str = "杭州启明医疗器械有限公司", **kw) -> User:
        return make_user(Role.ENTERPRISE, organization=organization, **kw)
    return make


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, name="平台管理员")


@pytest.fixture
def make_listing(app, company, admin):
    """A company's listing, taken as far as `status` (draft, applied, listed or returned)."""
    def make(status: str = "listed", owner: User | None = None, on: date = LISTED_ON, **fields) -> int:
        owner = owner or company()
        with at(on), app.app_context():
            user = db.session.get(User, owner.id)
            reviewer = db.session.get(User, admin.id)
            listing = listings.create_listing(user, {**PRODUCT, **fields})
            if status != "draft":
                listings.submit(listing, user)
            if status == "listed":
                listings.list_product(listing, reviewer)
            elif status == "returned":
                listings.return_listing(listing, reviewer, "注册证号与证书不符")
            db.session.commit()
            return listing.id
    return make


@pytest.fixture
def hospital_staff(app, make_user):
    """A member of a hospital's equipment office or device committee."""
    def make(function: HospitalFunction = HospitalFunction.EQUIPMENT_OFFICE,
             organization: str = "浙江大学医学院附属第二医院", **kw) -> User:
        user = make_user(Role.HOSPITAL, organization=organization, **kw)
        with app.app_context():
            admission.set_function(db.session.get(User, user.id), function)
            db.session.commit()
        return user
    return make


@dataclass
class Admission:
    listing_id: int
    assessment_id: int
    office: User
    company: User


@pytest.fixture
def receive(app, make_listing, company, hospital_staff):
    """A listed product received by a hospital's equipment office on `on`."""
    def do(on: date = MONDAY, office: User | None = None, owner: User | None = None, **product) -> Admission:
        owner = owner or company()
        listing_id = make_listing(owner=owner, **product)
        office = office or hospital_staff()
        with at(on), app.app_context():
            assessment = admission.declare_interest(db.session.get(Listing, listing_id),
                                                    db.session.get(User, office.id), on)
            db.session.commit()
            return Admission(listing_id, assessment.id, office, owner)
    return do
