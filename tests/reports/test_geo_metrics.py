"""Region figures on a hand-made county: counts known by construction, and the drill-down
lists the very records that were counted."""

from __future__ import annotations

import datetime as dt

import pytest

from minzheng.reports.registry import registry
from minzheng.reports.selectors import drilldown_rows

from .conftest import END, START

pytestmark = pytest.mark.django_db


def test_county_figures_count_regions_in_force_at_the_end_of_the_period(county, report_of):
    r = report_of(county.code)
    assert r.figures["geo.towns"].value == county.towns
    assert r.figures["geo.villages"].value == county.villages
    assert r.figures["geo.communities"].value == county.communities


def test_a_town_covers_only_its_own_subtree(county, report_of):
    a, b = report_of(county.town_a), report_of(county.town_b)
    assert a.figures["geo.villages"].value == county.town_a_villages
    assert b.figures["geo.villages"].value == county.town_b_villages
    assert a.figures["geo.communities"].value == county.town_a_communities
    assert a.figures["geo.towns"].value == 1  # the town itself


def test_as_of_figures_follow_the_end_date(county, report_of):
    # 甲四村 was abolished on 2023-06-30; 甲五村 created on 2023-12-01
    assert report_of(county.code, START, dt.date(2023, 6, 29)).figures["geo.villages"].value == 6
    assert report_of(county.code, START, dt.date(2023, 12, 31)).figures["geo.villages"].value == 6
    assert report_of(county.code, START, END).figures["geo.villages"].value == 5


def test_a_figure_follows_the_records_it_is_no_constant(county, report_of):
    from minzheng.geo.models import Region

    before = report_of(county.town_b).figures["geo.villages"].value
    Region.objects.create(
        code=county.town_b + "203", name="乙三村", level="village", parent_id=county.town_b
    )
    assert report_of(county.town_b).figures["geo.villages"].value == before + 1


def test_the_drilldown_lists_exactly_the_counted_records(county, report_of):
    r = report_of(county.code)
    metric = registry.get("geo.villages")
    rows = list(drilldown_rows(metric, r.scope))
    assert len(rows) == r.figures["geo.villages"].value
    names = {row[1] for row in rows}
    assert names == {"甲一村", "甲二村", "甲三村", "乙一村", "乙二村"}
    assert [c.label for c in metric.columns][:4] == ["区划代码", "名称", "层级", "上级区划"]
    assert {row[2] for row in rows} == {"村"}
    assert {row[3] for row in rows} == {"甲镇", "乙镇"}


def test_the_real_county_is_counted_from_the_shipped_region_table(report_of):
    from minzheng.geo.models import Region

    r = report_of("340521")
    assert (
        r.figures["geo.villages"].value
        == Region.objects.filter(code__startswith="340521", level="village").count()
    )
    assert r.figures["geo.villages"].value > 100


def test_seed_figures_stay_not_connected_in_every_report(county, report_of):
    r = report_of(county.code)
    missing = r.missing()
    assert "volunteers.registered_wan" in missing
    assert not any(k.startswith("geo.") for k in missing)
    assert "assistance.funds_total_wan" not in missing  # payments computes it
    assert len(missing) == 36
