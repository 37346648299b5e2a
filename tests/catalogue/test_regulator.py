"""The regulator's funnel: counts per stage in the province, median days, overdue counts, a table behind each chart
and a CSV export; regulators and administrators only."""

from __future__ import annotations

from datetime import date, timedelta

from chunfeng.accounts.models import Role, User
from chunfeng.catalogue import admission, purchases
from chunfeng.catalogue.models import Assessment
from chunfeng.db import db
from tests.conftest import login
from tests.incubation.conftest import MONDAY, at


def _admit_and_buy(app, got, decided: date, ordered: date):
    with app.app_context():
        assessment = db.session.get(Assessment, got.assessment_id)
        office = db.session.get(User, got.office.id)
        with at(decided):
            admission.change(assessment, "admit", office)
        with at(ordered):
            purchases.record_order(assessment, office, ordered, 10)
        db.session.commit()


def test_funnel_counts_medians_overdue_and_csv(app, client, receive, hospital_staff, make_user, company):
    zhejiang = hospital_staff(organization="浙江省人民医院", province="浙江省")
    got = receive(on=MONDAY, office=zhejiang)
    _admit_and_buy(app, got, MONDAY + timedelta(days=12), MONDAY + timedelta(days=20))
    late = receive(on=MONDAY, office=hospital_staff(organization="宁波市第一医院", province="浙江省"),
                   owner=company(organization="第二家公司"), registration_no="国械注准20263130002")
    elsewhere = hospital_staff(organization="江苏省人民医院", province="江苏省")
    with app.app_context():
        admission.declare_interest(db.session.get(Assessment, late.assessment_id).listing,
                                   db.session.get(User, elsewhere.id), MONDAY)
        db.session.commit()
    regulator = make_user(Role.REGULATOR, organization="浙江省卫生健康委员会", province="浙江省")
    login(client, regulator.email)
    page = client.get("/catalogue/regulator").get_data(as_text=True)
    assert 'id="table-funnel"' in page and 'id="table-medians"' in page and "data-chart=" in page
    csv = client.get("/catalogue/regulator.csv").get_data(as_text=True).splitlines()
    rows = {line.split(",")[0]: line.split(",")[1:] for line in csv[1:]}
    assert rows["首购"] == ["1", "8", ""]  # one hospital bought, 8 days after admission
    assert rows["医院准入"] == ["1", "12", ""]
    # listed in 浙江省 (the product's province); the Zhejiang assessment still open is overdue, Jiangsu's is not counted
    assert rows["已入目录"][0] == "2" and rows["已入目录"][2] == "1"
    everywhere = client.get("/catalogue/regulator.csv?province=").get_data(as_text=True).splitlines()
    assert {line.split(",")[0]: line.split(",")[1:] for line in everywhere[1:]}["已入目录"][2] == "2"


def test_only_regulators_and_administrators(client, login_as):
    login_as(Role.HOSPITAL)
    assert client.get("/catalogue/regulator").status_code == 403
    client.post("/account/logout")
    login_as(Role.ADMIN)
    assert client.get("/catalogue/regulator.csv").status_code == 200
