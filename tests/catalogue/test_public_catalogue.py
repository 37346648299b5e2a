"""The public catalogue: only listed products, found by search and filters; a bad filter answers 400 in Chinese."""

from __future__ import annotations

from datetime import date


def _names(client, query: str = "") -> set[str]:
    body = client.get(f"/catalogue{query}").get_data(as_text=True)
    return {name for name in ("取栓支架", "骨科螺钉", "监护仪", "草稿产品") if name in body}


def test_filters_by_specialty_class_province_pathway_and_approval_dates(client, make_listing, company):
    make_listing(name="取栓支架", registration_no="A1", specialty="神经介入", device_class="III", province="浙江省",
                 pathway="innovation", approved_on=date(2026, 1, 10))
    make_listing(owner=company(organization="骨科公司"), name="骨科螺钉", registration_no="A2", specialty="骨科",
                 device_class="II", province="江苏省", pathway="priority", approved_on=date(2025, 6, 1))
    make_listing(owner=company(organization="监护公司"), name="监护仪", registration_no="A3", specialty="重症",
                 device_class="II", province="浙江省", pathway="regular", approved_on=date(2025, 12, 1))
    make_listing(status="applied", owner=company(organization="草稿公司"), name="草稿产品", registration_no="A4")
    assert _names(client) == {"取栓支架", "骨科螺钉", "监护仪"}
    assert _names(client, "?specialty=骨科") == {"骨科螺钉"}
    assert _names(client, "?device_class=II") == {"骨科螺钉", "监护仪"}
    assert _names(client, "?province=浙江省") == {"取栓支架", "监护仪"}
    assert _names(client, "?pathway=regular") == {"监护仪"}
    assert _names(client, "?approved_from=2025-11-01&approved_to=2025-12-31") == {"监护仪"}
    assert _names(client, "?q=螺钉") == {"骨科螺钉"}


def test_a_bad_filter_answers_400_in_chinese(client):
    response = client.get("/catalogue?approved_from=2026-13-40")
    assert response.status_code == 400 and "日期格式为 YYYY-MM-DD" in response.get_data(as_text=True)
    assert client.get("/catalogue?device_class=IV").status_code == 400


def test_search_words_are_not_patterns(client, make_listing):
    make_listing(name="取栓支架", registration_no="A1")
    assert _names(client, "?q=%25") == set()  # "%" matches only a product whose text holds a "%"
    assert _names(client, "?q=支架") == {"取栓支架"}
