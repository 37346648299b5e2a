"""The dashboard over a period: the figures count what happened between two days (Beijing time), each chart
downloads as a CSV in the reader's language, a bad period is refused with a clear message, and recent activity
reads as sentences."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from chunfeng.accounts.models import Role

BEIJING = ZoneInfo("Asia/Shanghai")
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


def beijing(*moment: int):
    return time_machine.travel(datetime(*moment, tzinfo=BEIJING), tick=False)


@pytest.fixture
def spring(make_user, make_project):
    """Two projects submitted in March (one in its last half hour, Beijing time), one just after midnight on
    1 April (still 31 March in UTC) and one in May."""
    doctor = make_user(Role.CLINICIAN, name="张医生")
    with beijing(2026, 3, 5, 10):
        make_project(doctor, "submitted", specialty="心血管内科", title="可降解冠脉支架")
    with beijing(2026, 3, 31, 23, 30):
        make_project(doctor, "accepted", specialty="心血管内科", title="经导管主动脉瓣")
    with beijing(2026, 4, 1, 0, 30):
        make_project(doctor, "submitted", specialty="眼科", title="眼底相机")
    with beijing(2026, 5, 20, 9):
        make_project(doctor, "submitted", specialty="神经内科", title="颅内取栓支架")
    return doctor


def _chart(page: str, first_label: str) -> dict:
    configs = [json.loads(raw.replace("&#34;", '"')) for raw in re.findall(r"data-chart='([^']*)'", page)]
    return next(c for c in configs if c["labels"][0] == first_label)


def _specialties(page: str) -> dict[str, int]:
    table = page[page.index('id="table-by-specialty"'):]
    table = table[:table.index("</table>")]
    rows = re.findall(r'<th scope="row" class="fw-normal">([^<]+)</th><td class="text-end">(\d+)</td>', table)
    return {name: int(count) for name, count in rows}


def test_a_period_limits_the_figures_to_what_happened_in_it(client, login_as, spring):
    login_as(Role.ADMIN)
    everything = client.get("/admin").get_data(as_text=True)
    assert _chart(everything, "已提交")["datasets"][0]["data"][0] == 4
    assert _specialties(everything) == {"心血管内科": 2, "眼科": 1, "神经内科": 1}
    answer = client.get("/admin", query_string=MARCH)
    march = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "统计区间：2026-03-01 至 2026-03-31" in march
    assert _chart(march, "已提交")["datasets"][0]["data"][:2] == [2, 1]
    assert _specialties(march) == {"心血管内科": 2}  # 00:30 on 1 April in Beijing is April, whatever UTC says
    spring_on = client.get("/admin", query_string={"from": "2026-04-01"}).get_data(as_text=True)
    assert _specialties(spring_on) == {"眼科": 1, "神经内科": 1}


def test_each_chart_downloads_as_a_csv_in_the_readers_language(client, login_as, spring):
    with beijing(2026, 4, 2, 9, 15):
        login_as(Role.ADMIN)
        page = client.get("/admin", query_string=MARCH).get_data(as_text=True)
        assert "/admin/dashboard/funnel.csv?from=2026-03-01&amp;to=2026-03-31" in page
        answer = client.get("/admin/dashboard/funnel.csv", query_string=MARCH)
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert 'filename=funnel-2026-03-01-2026-03-31.csv' in answer.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    assert rows[0] == ["从提交到培育的转化漏斗"]
    assert rows[1] == ["统计区间", "2026-03-01 至 2026-03-31"]
    assert rows[2] == ["导出时间", "2026-04-02 09:15:00+08:00"]
    assert rows[4] == ["类别", "项目数"]
    assert rows[5] == ["已提交", "2"] and rows[6] == ["形式审查通过", "1"]
    with beijing(2026, 4, 2, 9, 20):
        whole = client.get("/admin/dashboard/by-specialty.csv")
    rows = list(csv.reader(io.StringIO(whole.data.decode("utf-8-sig"))))
    assert rows[1] == ["统计区间", "全部时间"] and ["眼科", "1"] in rows
    assert "by-specialty-all.csv" in whole.headers["Content-Disposition"]


def test_an_unknown_chart_is_not_found(client, login_as, spring):
    login_as(Role.ADMIN)
    assert client.get("/admin/dashboard/no-such-chart.csv").status_code == 404


@pytest.mark.parametrize(("query", "message"), [
    ({"from": "2026-13-45"}, "请按“年-月-日”格式填写日期"),
    ({"to": "三月"}, "请按“年-月-日”格式填写日期"),
    ({"from": "2026-03-31", "to": "2026-03-01"}, "截止日期早于起始日期"),
])
def test_a_bad_period_is_refused_with_a_clear_message(client, login_as, spring, query, message):
    login_as(Role.ADMIN)
    page = client.get("/admin", query_string=query)
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and message in text
    assert "统计区间有误，下方显示的是全部时间的数据" in text
    download = client.get("/admin/dashboard/funnel.csv", query_string=query)
    assert download.status_code == 400 and message in download.get_data(as_text=True)


def test_recent_activity_reads_as_sentences_not_codes(client, login_as, spring):
    login_as(Role.ADMIN, name="平台管理员")
    page = client.get("/admin").get_data(as_text=True)
    activity = page[page.index('id="activity-title"'):]
    activity = activity[:activity.index("</section>")]
    assert "张医生提交项目《颅内取栓支架》" in activity
    assert "张医生形式审查通过《经导管主动脉瓣》" in activity
    assert "project.submit" not in activity and "<code>" not in activity
