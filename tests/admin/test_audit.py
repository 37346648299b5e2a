"""The audit-log viewer: filters, paging, CSV export safe for spreadsheets, read-only."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest

from chunfeng.accounts.models import Role, User
from chunfeng.core.models import AuditEntry
from chunfeng.db import db
from chunfeng.exports import neutralise_cell


def _entry(app, action: str, at: datetime, actor_id: int | None = None, object_type: str = "projects",
           object_id: int | None = 1, **detail) -> None:
    with app.app_context():
        db.session.add(AuditEntry(action=action, at=at, actor_id=actor_id, object_type=object_type,
                                  object_id=object_id, detail=detail))
        db.session.commit()


@pytest.fixture
def entries(app, make_user):
    doctor = make_user(Role.CLINICIAN, name="李明医生")
    _entry(app, "project.submit", datetime(2026, 3, 1, 1, 0), doctor.id, object_id=7)   # 09:00 on 1 March, Beijing
    _entry(app, "project.withdraw", datetime(2026, 2, 28, 17, 0), doctor.id, object_id=7)  # 01:00 on 1 March
    _entry(app, "project.pass_formal_check", datetime(2026, 2, 28, 15, 0), None, object_id=8)  # 23:00, 28 Feb
    _entry(app, "account.approved", datetime(2026, 3, 2, 2, 0), None, object_type="users", object_id=doctor.id)
    return doctor


def _actions(page: str) -> list[str]:
    return [a for a in ("project.submit", "project.withdraw", "project.pass_formal_check", "account.approved")
            if f"<code>{a}</code>" in page]


def test_only_administrators_see_the_audit_log(client, login_as):
    login_as(Role.EXPERT)
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit.csv").status_code == 403


def test_filters_by_action_prefix_actor_object_and_beijing_dates(client, login_as, entries):
    login_as(Role.ADMIN)
    assert _actions(client.get("/admin/audit").get_data(as_text=True)) == [
        "project.submit", "project.withdraw", "project.pass_formal_check", "account.approved"]
    assert _actions(client.get("/admin/audit?action=project.").get_data(as_text=True)) == [
        "project.submit", "project.withdraw", "project.pass_formal_check"]
    assert _actions(client.get("/admin/audit?actor=李明").get_data(as_text=True)) == [
        "project.submit", "project.withdraw"]
    assert _actions(client.get(f"/admin/audit?actor={entries.id}").get_data(as_text=True)) == [
        "project.submit", "project.withdraw"]
    assert _actions(client.get("/admin/audit?object_type=projects&object_id=8").get_data(as_text=True)) == [
        "project.pass_formal_check"]
    one_day = client.get("/admin/audit?date_from=2026-03-01&date_to=2026-03-01").get_data(as_text=True)
    assert _actions(one_day) == ["project.submit", "project.withdraw"]


def test_a_reversed_date_range_is_explained_and_the_input_kept(client, login_as, entries):
    login_as(Role.ADMIN)
    page = client.get("/admin/audit?date_from=2026-03-05&date_to=2026-03-01&action=project.").get_data(as_text=True)
    assert "截止日期早于起始日期" in page
    assert 'value="project."' in page


def test_pages_of_fifty(app, client, login_as):
    with app.app_context():
        db.session.add_all(AuditEntry(action=f"test.n{i:03d}", object_type="x") for i in range(120))
        db.session.commit()
    login_as(Role.ADMIN)
    first = client.get("/admin/audit?action=test.").get_data(as_text=True)
    third = client.get("/admin/audit?action=test.&page=3").get_data(as_text=True)
    assert "test.n119" in first and "test.n070" in first and "test.n069" not in first
    assert "test.n019" in third and "test.n000" in third and "test.n020" not in third
    assert "第 3 页，共 3 页" in third


def test_csv_export_follows_the_filters_and_neutralises_formulas(app, client, login_as, entries):
    with app.app_context():
        user = db.session.get(User, entries.id)
        user.name = "=HYPERLINK(\"http://evil\")"
        db.session.commit()
    _entry(app, "project.submit", datetime(2026, 3, 3), entries.id, note="+cmd|' /C calc'!A0")
    login_as(Role.ADMIN)

    response = client.get("/admin/audit.csv?action=project.submit")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8", "the charset is named once"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][2] == "action"
    assert [row[2] for row in rows[1:]] == ["project.submit", "project.submit"]
    assert all(row[4] == "'=HYPERLINK(\"http://evil\")" for row in rows[1:])
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


@pytest.mark.parametrize("value,expected", [
    ("=1+1", "'=1+1"), ("+86 138", "'+86 138"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("李明", "李明"), (42, 42), (None, None),
])
def test_neutralise_cell(value, expected):
    assert neutralise_cell(value) == expected


def test_the_log_cannot_be_changed_through_the_viewer(client, login_as, entries):
    login_as(Role.ADMIN)
    assert client.post("/admin/audit").status_code == 405


def test_the_log_reads_in_words_and_beijing_time_with_the_offset(client, login_as, entries):
    login_as(Role.ADMIN)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "撤回项目" in page and "<code>project.withdraw</code>" in page, "the action in words, its code beside"
    assert "项目 #7" in page, "the object type in words"
    assert "2026-03-01 09:00:00+08:00" in page, "Beijing time with its offset, to the second"
    assert '<td class="text-nowrap"><a href=' in page, "names stay on one line"
    response = client.get("/admin/audit.csv?action=project.withdraw&readable=1")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["序号", "时间", "操作代码", "操作"], "headers in the reader's language"
    assert rows[1][1] == "2026-03-01 01:00:00+08:00" and rows[1][3] == "撤回项目" and rows[1][6] == "项目"
    raw = list(csv.reader(io.StringIO(client.get("/admin/audit.csv?action=project.withdraw")
                                      .get_data(as_text=True).lstrip("\ufeff"))))
    assert raw[1][1] == "2026-03-01 01:00:00+08:00", "the codes-only CSV has local times too"
