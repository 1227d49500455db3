"""Statistical tables: areas × the figures that exist, a total computed on the whole region,
and the catalogue with every figure's status."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from minzheng.reports.exports import to_xlsx

pytestmark = pytest.mark.django_db


def sheet_rows(ws):
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_a_county_table_has_one_row_per_town_and_a_total(county, report_of):
    wb = load_workbook(io.BytesIO(to_xlsx(report_of(county.code))))
    rows = sheet_rows(wb["分区域统计"])
    assert rows[0][0] == "试验县2023年1—9月民政统计表（按乡镇（园区））"
    header = rows[3]
    assert header[:2] == ["区划代码", "名称"]
    geo = ["乡镇（含园区）（个）", "行政村（个）", "社区（个）"]
    assert header[-3:] == geo  # the region figures come last
    assert {"社会救助资金发放总额（万元）", "分项目社会救助资金（万元）"} <= set(header)
    cols = [header.index(h) for h in geo]
    body = {r[1]: [r[i] for i in cols] for r in rows[4:7]}
    assert body == {
        "甲镇": [1, county.town_a_villages, county.town_a_communities],
        "乙镇": [1, county.town_b_villages, county.town_b_communities],
        "合计（试验县）": [county.towns, county.villages, county.communities],
    }
    assert [r[0] for r in rows[4:7]] == [county.town_a, county.town_b, county.code]


def test_only_figures_that_exist_become_columns(county, report_of):
    wb = load_workbook(io.BytesIO(to_xlsx(report_of(county.code))))
    header = " ".join(str(v) for v in sheet_rows(wb["分区域统计"])[3])
    assert "社会救助资金发放总额" in header  # connected by payments
    assert "注册志愿者" not in header and "未接入" not in header


def test_the_catalogue_sheet_lists_every_figure_with_its_status(county, report_of):
    report = report_of(county.code)
    wb = load_workbook(io.BytesIO(to_xlsx(report)))
    rows = sheet_rows(wb["指标目录"])
    assert rows[0][:6] == ["指标键", "名称", "单位", "业务", "状态", "试验县数值"]
    by_key = {r[0]: r for r in rows[1:]}
    assert set(by_key) == set(report.figures)
    assert by_key["geo.villages"][4:6] == ["已接入", county.villages]
    assert by_key["assistance.funds_total_wan"][2:6] == ["万元", "社会救助", "已接入", 0]
    assert by_key["volunteers.registered_wan"][4:6] == ["未接入", "【未接入】"]


def test_a_town_table_goes_down_to_villages_and_communities(county, report_of):
    wb = load_workbook(io.BytesIO(to_xlsx(report_of(county.town_b))))
    rows = sheet_rows(wb["分区域统计"])
    assert "按村（社区）" in rows[0][0]
    names = [r[1] for r in rows[4:] if r[1]]
    assert names[:4] == ["乙东社区", "乙西社区", "乙一村", "乙二村"]
    villages_col = rows[3].index("行政村（个）")
    assert rows[8][1] == "合计（乙镇）" and rows[8][villages_col] == county.town_b_villages
