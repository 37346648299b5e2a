"""First purchase and first use, the company's insurance code and price listing, and who sees amounts (audited for
anyone but the hospital and the company)."""

from __future__ import annotations

from sqlalchemy import select

from chunfeng.accounts.models import Role, User
from chunfeng.catalogue import admission
from chunfeng.catalogue.models import Assessment, Listing
from chunfeng.core.clock import local_today
from chunfeng.core.models import AuditEntry
from chunfeng.db import db
from tests.conftest import login


def _admit(app, got):
    with app.app_context():
        admission.change(db.session.get(Assessment, got.assessment_id), "admit", db.session.get(User, got.office.id))
        db.session.commit()


def _amount_views(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.actor_id).where(
            AuditEntry.action == "assessment.amounts_viewed")))


def test_orders_and_first_use_only_after_admission(app, client, receive):
    got = receive()
    url = f"/catalogue/assessment/{got.assessment_id}"
    login(client, got.office.email)
    early = client.post(f"{url}/order", data={"ordered_on": "2026-03-10", "quantity": "5"})
    assert early.status_code == 400 and "只有已准入的产品才能登记采购和使用" in early.get_data(as_text=True)
    _admit(app, got)
    bad = client.post(f"{url}/order", data={"ordered_on": "2026-03-10", "quantity": "0"})
    assert bad.status_code == 400 and "数量至少为 1" in bad.get_data(as_text=True)
    negative = client.post(f"{url}/order", data={"ordered_on": "2026-03-10", "quantity": "2", "amount": "-1"})
    assert negative.status_code == 400 and "金额不能为负数" in negative.get_data(as_text=True)
    assert client.post(f"{url}/order", data={"ordered_on": "2099-03-10", "quantity": "2"}).status_code == 400
    # an order dated before the admission is refused
    assert client.post(f"{url}/order", data={"ordered_on": "2026-01-10", "quantity": "2"}).status_code == 400
    with app.app_context():
        day = local_today().isoformat()
    assert client.post(f"{url}/order", data={"ordered_on": day, "quantity": "20", "amount": "38000.50"}
                       ).status_code == 302
    assert client.post(f"{url}/first-use", data={"first_use_on": day}).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "38000.50" in page and "首购" in page
    with app.app_context():
        found = db.session.get(Assessment, got.assessment_id)
        assert found.orders[0].quantity == 20 and found.first_use_on.isoformat() == day


def test_amounts_are_shown_to_few_and_audited_for_regulators_and_administrators(app, client, receive, login_as):
    got = receive()
    _admit(app, got)
    with app.app_context():
        day = local_today().isoformat()
    url = f"/catalogue/assessment/{got.assessment_id}"
    login(client, got.office.email)
    client.post(f"{url}/order", data={"ordered_on": day, "quantity": "3", "amount": "9999.00"})
    assert "9999.00" in client.get(url).get_data(as_text=True)
    client.post("/account/logout")
    login(client, got.company.email)
    assert "9999.00" in client.get(url).get_data(as_text=True)
    assert "9999.00" not in client.get(f"/catalogue/listing/{got.listing_id}").get_data(as_text=True)
    client.post("/account/logout")
    assert _amount_views(app) == []  # the hospital and the company are not audited
    regulator = login_as(Role.REGULATOR)
    assert "9999.00" in client.get(url).get_data(as_text=True)
    assert _amount_views(app) == [regulator.id]


def test_company_records_insurance_code_and_price_listing(app, client, make_listing, company):
    owner = company()
    listing_id = make_listing(owner=owner)
    login(client, owner.email)
    url = f"/catalogue/listing/{listing_id}/market"
    missing_date = client.post(url, data={"insurance_code": "C1234567890"})
    assert missing_date.status_code == 400 and "请填写医保编码的获得日期" in missing_date.get_data(as_text=True)
    assert client.post(url, data={"insurance_code": "C1234567890", "insurance_coded_on": "2026-03-05",
                                  "price_listed_on": "2026-03-20"}).status_code == 302
    with app.app_context():
        listing = db.session.get(Listing, listing_id)
        assert listing.insurance_code == "C1234567890" and listing.price_listed_on.isoformat() == "2026-03-20"
    client.post("/account/logout")
    login(client, company(organization="别的企业").email)
    assert client.post(url, data={"insurance_code": "X"}).status_code == 404
