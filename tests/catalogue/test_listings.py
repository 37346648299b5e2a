"""Listing in the catalogue: applying (own product or from an approved incubation), the administrator's review
against the published criteria, returning with reasons and applying again, and withdrawal."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from chunfeng.accounts.models import Role, User
from chunfeng.catalogue import listings
from chunfeng.catalogue.errors import CatalogueError
from chunfeng.catalogue.models import Listing, ListingStatus
from chunfeng.catalogue.views_listings import result_offer
from chunfeng.core.models import AuditEntry
from chunfeng.db import db
from chunfeng.matching.models import ShareGrant
from chunfeng.submissions.models import Project
from tests.catalogue.conftest import PRODUCT
from tests.conftest import login
from tests.incubation.conftest import MONDAY, at
from tests.incubation.test_success_and_figures import _consent, _walk

FORM = {**PRODUCT, "approved_on": "2026-02-10"}


def test_company_applies_sees_the_criteria_and_sends_the_draft(app, client, company):
    owner = company()
    login(client, owner.email)
    page = client.get("/catalogue/apply").get_data(as_text=True)
    assert "公开的入选标准" in page and "注册证" in page
    response = client.post("/catalogue/apply", data=FORM)
    assert response.status_code == 302
    with app.app_context():
        listing = db.session.scalar(select(Listing))
        assert listing.status == ListingStatus.DRAFT and listing.organization_id == owner.organization_id
        listing_id = listing.id
    client.post(f"/catalogue/listing/{listing_id}/submit")
    with app.app_context():
        assert db.session.get(Listing, listing_id).status == ListingStatus.APPLIED


def test_bad_input_is_refused_in_chinese_with_400(app, client, company):
    login(client, company().email)
    response = client.post("/catalogue/apply", data={**FORM, "device_class": "I", "registration_no": ""})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "请填写注册证号" in body and "不是有效的选择" in body  # class I is not listed
    response = client.post("/catalogue/apply", data={**FORM, "approved_on": "2099-01-01"})
    assert response.status_code == 400 and "批准日期不能晚于今天" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Listing)) is None


def test_a_registration_number_applies_once(app, client, company, make_listing):
    make_listing(status="draft")
    login(client, company(organization="另一家公司").email)
    response = client.post("/catalogue/apply", data=FORM)
    assert response.status_code == 400 and "该注册证号的产品已提交过申请" in response.get_data(as_text=True)


def test_review_lists_or_returns_with_reasons_and_the_company_applies_again(app, client, make_listing, admin,
                                                                              company):
    owner = company()
    listing_id = make_listing(status="applied", owner=owner)
    login(client, admin.email)
    page = client.get(f"/catalogue/review/{listing_id}").get_data(as_text=True)
    assert "公开的入选标准" in page
    refused = client.post(f"/catalogue/review/{listing_id}", data={"reason": " "})
    assert refused.status_code == 400 and "请说明退回的理由" in refused.get_data(as_text=True)
    assert client.post(f"/catalogue/review/{listing_id}", data={"reason": "缺少注册证扫描件"}).status_code == 302
    with app.app_context():
        listing = db.session.get(Listing, listing_id)
        assert listing.status == ListingStatus.RETURNED and listing.return_reason == "缺少注册证扫描件"
    assert client.get("/catalogue").get_data(as_text=True).count("可调节直径颅内取栓支架") == 0
    client.post("/account/logout")

    login(client, owner.email)
    assert "缺少注册证扫描件" in client.get(f"/catalogue/listing/{listing_id}").get_data(as_text=True)
    assert client.post(f"/catalogue/listing/{listing_id}/edit", data={**FORM, "summary": "补充后的说明"}
                       ).status_code == 302
    client.post(f"/catalogue/listing/{listing_id}/submit")
    client.post("/account/logout")

    login(client, admin.email)
    assert client.post(f"/catalogue/review/{listing_id}/list").status_code == 302
    with app.app_context():
        listing = db.session.get(Listing, listing_id)
        assert listing.status == ListingStatus.LISTED and listing.listed_on is not None
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == listing_id,
                                                                     AuditEntry.object_type == "catalogue_listings"))
        assert {"listing.apply", "listing.return", "listing.list"} <= set(actions)
    assert "补充后的说明" in client.get("/catalogue").get_data(as_text=True)


def test_listing_twice_or_editing_a_listed_product_is_refused(app, client, make_listing, admin, company):
    owner = company()
    listing_id = make_listing(owner=owner)
    login(client, admin.email)
    response = client.post(f"/catalogue/review/{listing_id}/list")
    assert response.status_code == 409 and "当前状态下无法执行此操作" in response.get_data(as_text=True)
    client.post("/account/logout")
    login(client, owner.email)
    assert client.get(f"/catalogue/listing/{listing_id}/edit").status_code == 404
    assert client.post(f"/catalogue/listing/{listing_id}/withdraw").status_code == 302
    with app.app_context():
        assert db.session.get(Listing, listing_id).status == ListingStatus.WITHDRAWN
    assert "可调节直径颅内取栓支架" not in client.get("/catalogue").get_data(as_text=True)
    assert client.get(f"/catalogue/product/{listing_id}").status_code == 404


def test_others_get_404_for_a_listing_that_is_not_theirs(client, make_listing, company, login_as):
    listing_id = make_listing(status="applied")
    login(client, company(organization="别家公司").email)
    assert client.get(f"/catalogue/listing/{listing_id}").status_code == 404
    assert client.post(f"/catalogue/listing/{listing_id}/withdraw").status_code == 404
    assert client.get(f"/catalogue/product/{listing_id}").status_code == 404  # applied: not public yet
    client.post("/account/logout")
    login_as(Role.CLINICIAN)
    assert client.get("/catalogue/apply").status_code == 403
    assert client.get(f"/catalogue/review/{listing_id}").status_code == 403


def test_an_approved_incubation_prefills_the_application_and_tells_its_story(app, client, start, company):
    started = start()
    _walk(app, started, {"product_technical_requirements": (MONDAY, date(2026, 3, 20))}, approve=True)
    owner, stranger = company(), company(organization="没有授权的公司")
    with app.app_context():
        db.session.add(ShareGrant(project_id=started.project_id, organization_id=owner.organization_id))
        db.session.commit()
    with app.test_request_context():  # the offer on the project's public result page
        project = db.session.get(Project, started.project_id)
        offers = result_offer(None, user=db.session.get(User, owner.id), project=project)
        assert offers[0][1]["incubation"].id == started.incubation_id and offers[0][1]["listing"] is None
        assert result_offer(None, user=db.session.get(User, stranger.id), project=project) == []
    login(client, stranger.email)
    assert client.get(f"/catalogue/apply?incubation={started.incubation_id}").status_code == 404
    client.post("/account/logout")
    login(client, owner.email)
    assert f"incubation={started.incubation_id}" in client.get("/catalogue/mine").get_data(as_text=True)
    page = client.get(f"/catalogue/apply?incubation={started.incubation_id}").get_data(as_text=True)
    assert 'value="可调节直径的颅内取栓支架"' in page and 'value="神经介入"' in page and "2026-03-20" in page
    client.post(f"/catalogue/apply?incubation={started.incubation_id}",
                data={**FORM, "name": "取栓支架", "registration_no": "国械注准20263130099"})
    with app.app_context():
        listing = db.session.scalar(select(Listing))
        assert listing.incubation_id == started.incubation_id
        assert listings.origin_story(listing) is None  # the clinician has not consented
        listings.submit(listing, db.session.get(User, owner.id))
        with at(date(2026, 4, 2)):
            listings.list_product(listing, None)
        db.session.commit()
    client.post("/account/logout")
    assert "可调节直径的颅内取栓支架" not in client.get("/catalogue").get_data(as_text=True)
    _consent(client, started, True)
    body = client.get("/catalogue").get_data(as_text=True)
    assert "可调节直径的颅内取栓支架" in body  # the origin story, shown with the clinician's consent
    login(client, started.clinician.email)  # the clinician's project page links to the listed product
    page = client.get(f"/projects/{started.project_id}").get_data(as_text=True)
    assert "已列入新优药械目录" in page and "/catalogue/product/" in page


def test_a_second_application_from_the_same_incubation_is_refused(app, start, company):
    started = start()
    _walk(app, started, {"product_technical_requirements": (MONDAY, date(2026, 3, 20))}, approve=True)
    owner = company()
    with app.app_context():
        db.session.add(ShareGrant(project_id=started.project_id, organization_id=owner.organization_id))
        db.session.commit()
        user = db.session.get(User, owner.id)
        incubation = listings.eligible_incubations(user)[0]
        with at(date(2026, 4, 1)):
            listings.create_listing(user, PRODUCT, incubation)
            db.session.commit()
            try:
                listings.create_listing(user, {**PRODUCT, "registration_no": "X2"}, incubation)
            except CatalogueError as error:
                assert error.field == "incubation"
            else:
                raise AssertionError("a second application from one incubation was accepted")
