"""The open data API: every answer is checked against the OpenAPI 3.1 document the API serves itself."""

from __future__ import annotations

from datetime import date

import pytest
from jsonschema import Draft202012Validator

from chunfeng.accounts.models import Role, User
from chunfeng.db import db
from chunfeng.reviews import services as reviews
from chunfeng.reviews.models import Outcome
from chunfeng.submissions.models import Pathway
from tests.admin.test_authorization_matrix import STENT, _round, _submitted_project
from tests.incubation.test_success_and_figures import _consent, _walk


@pytest.fixture
def spec(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    return document


def check(spec: dict, path: str, response) -> dict:
    """The response's body is valid against the schema the document gives for this path and status."""
    answer = spec["paths"][path]["get"]["responses"][str(response.status_code)]
    schema = answer["content"]["application/json"]["schema"]
    body = response.get_json()
    Draft202012Validator({**schema, "components": spec["components"]}).validate(body)
    return body


def test_catalogue_pages_filters_and_links(client, spec, make_listing, company):
    for n in range(3):
        make_listing(owner=company(organization=f"公司{n}"), name=f"产品{n}", registration_no=f"R{n}",
                     province="浙江省" if n else "江苏省")
    make_listing(status="applied", owner=company(organization="未上目录"), name="草稿", registration_no="R9")
    body = check(spec, "/catalogue", client.get("/api/v1/catalogue?per_page=2"))
    assert body["total"] == 3 and len(body["items"]) == 2 and body["pages"] == 2
    assert body["links"]["prev"] is None and "page=2" in body["links"]["next"]
    second = check(spec, "/catalogue", client.get(body["links"]["next"]))
    assert len(second["items"]) == 1 and second["links"]["next"] is None
    assert {i["name"] for i in body["items"] + second["items"]} == {"产品0", "产品1", "产品2"}
    zhejiang = check(spec, "/catalogue", client.get("/api/v1/catalogue?province=浙江省"))
    assert zhejiang["total"] == 2 and "province=" in zhejiang["links"]["self"]
    one = body["items"][0]
    assert check(spec, "/catalogue/{listing_id}", client.get(f"/api/v1/catalogue/{one['id']}"))["name"] == one["name"]


def test_bad_parameters_answer_400_in_chinese_and_hidden_products_404(client, spec, make_listing):
    applied = make_listing(status="applied")
    for query in ("per_page=101", "per_page=0", "page=0", "page=x", "approved_from=2026-02-30", "device_class=I"):
        response = client.get(f"/api/v1/catalogue?{query}")
        assert response.status_code == 400, query
        assert any("\u4e00" <= ch <= "\u9fff" for ch in check(spec, "/catalogue", response)["message"])
    assert "1 到 100" in client.get("/api/v1/results?per_page=500").get_json()["message"]
    response = client.get(f"/api/v1/catalogue/{applied}")
    assert response.status_code == 404 and check(spec, "/catalogue/{listing_id}", response)["error"] == "not_found"


def test_rate_limit_answers_429_with_retry_after(app, client, spec):
    app.config["CATALOGUE_API_PER_MINUTE"] = 3
    for _ in range(3):
        assert client.get("/api/v1/success-stories").status_code == 200
    refused = client.get("/api/v1/success-stories")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    check(spec, "/success-stories", refused)
    assert client.get("/api/v1/catalogue/1").status_code == 429


def test_published_results_and_success_stories(app, client, spec, make_user, start):
    owner = make_user(Role.CLINICIAN, name="李明", organization="测试医院")
    admin = make_user(Role.ADMIN)
    with app.test_request_context():
        admin_, owner_ = db.session.get(User, admin.id), db.session.get(User, owner.id)
        project = _submitted_project(owner_, STENT)
        round_ = _round(admin_, "2025年秋季批次")
        reviews.pass_formal_check(project, admin_, round_)
        reviews.change_round_status(round_, "close_intake", admin_)
        reviews.decide(round_, reviews.entry_for(round_, project), reviews.DecisionInput(
            Outcome.SELECTED, [Pathway.PRE_REVIEW.value], override_reason="临床需求明确"), admin_)
        reviews.publish(round_, admin_)
        db.session.commit()
    results = check(spec, "/results", client.get("/api/v1/results"))
    assert results["total"] == 1 and results["items"][0]["title"] == STENT["title"]
    assert results["items"][0]["outcome"] == "selected" and "李明" not in str(results)
    assert "机密" not in str(results)

    started = start()
    _walk(app, started, {"product_technical_requirements": (date(2026, 3, 2), date(2026, 3, 20))}, approve=True)
    assert check(spec, "/success-stories", client.get("/api/v1/success-stories"))["total"] == 0
    _consent(client, started, True)
    stories = check(spec, "/success-stories", client.get("/api/v1/success-stories"))
    assert stories["total"] == 1 and stories["items"][0]["approved_on"] == "2026-03-20"
