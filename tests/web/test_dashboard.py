"""The dashboard's assistance figures: recipients by programme and area, money by month and
programme from the ledger, and the same period a year before, each for the user's region.

The world (a period of January–March 2025, compared with January–March 2024):

- 塘南镇 (town A, 桃元村): 低保 E1 open since 2024-01 covering 3 persons; 特困 E2 from 2025-02;
  低保 E3 from 2023-06 to 2024-12 (a recipient a year ago, not now); a 低保边缘 status (no money,
  not a recipient).
- 石桥镇 (town B, 沛东村): 低保 E4 open since 2023-01.
- Ledger: E1 paid 500.00 in January and February 2025, the February payment reversed; E2 paid
  800.00 in March 2025; E4 paid 600.00 in January 2025; E3 paid 400.00 in January 2024; and
  E1 paid 500.00 in April 2025, outside the period.
"""

from __future__ import annotations

import datetime as dt

import pytest

from minzheng.accounts.scoping import region_prefix
from minzheng.assistance.models import Enrollment
from minzheng.web import selectors
from tests.conftest import TOWN_A, TOWN_B
from tests.payments.factories import enroll, ledger_entry
from tests.registry.factories import VILLAGE_A, VILLAGE_B

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 6, 15)
Q1 = selectors.period_for(
    "custom", today=TODAY, from_month=dt.date(2025, 1, 1), to_month=dt.date(2025, 3, 1)
)


@pytest.fixture
def world():
    e1 = enroll("dibao", start=dt.date(2024, 1, 1), account=False)
    Enrollment.objects.filter(pk=e1.pk).update(covered_persons=3)
    e2 = enroll("tekun", start=dt.date(2025, 2, 1), account=False)
    e3 = enroll("dibao", start=dt.date(2023, 6, 1), end=dt.date(2024, 12, 1), account=False)
    enroll("dibao_edge", start=dt.date(2024, 1, 1), account=False)
    e4 = enroll("dibao", region=VILLAGE_B, start=dt.date(2023, 1, 1), account=False)
    ledger_entry(e1, dt.date(2025, 1, 10), 50000)
    feb = ledger_entry(e1, dt.date(2025, 2, 10), 50000)
    ledger_entry(e1, dt.date(2025, 2, 20), -50000, reverses=feb)
    ledger_entry(e2, dt.date(2025, 3, 10), 80000)
    ledger_entry(e4, dt.date(2025, 1, 10), 60000)
    ledger_entry(e3, dt.date(2024, 1, 10), 40000)
    ledger_entry(e1, dt.date(2025, 4, 10), 50000)


def _by_programme(result):
    return {p.programme: p for p in result["programmes"]}


def _dates(p):
    return (p.start, p.end, p.as_of)


def test_presets_cover_the_periods_they_name():
    assert _dates(selectors.period_for("ytd", today=TODAY)) == (
        dt.date(2025, 1, 1),
        TODAY,
        TODAY,
    )
    assert _dates(selectors.period_for("last_year", today=TODAY)) == (
        dt.date(2024, 1, 1),
        dt.date(2024, 12, 31),
        dt.date(2024, 12, 31),
    )
    last12 = selectors.period_for("last12", today=TODAY)
    assert (last12.start, last12.end, len(last12.months())) == (dt.date(2024, 7, 1), TODAY, 12)
    # this year runs to December; the current figures are taken today
    this_year = selectors.period_for("this_year", today=TODAY)
    assert (this_year.end, this_year.as_of) == (dt.date(2025, 12, 31), TODAY)
    assert _dates(Q1.year_before()) == (
        dt.date(2024, 1, 1),
        dt.date(2024, 3, 31),
        dt.date(2024, 3, 31),
    )
    # a custom range that runs backwards is not a period: this year to date instead
    backwards = selectors.period_for(
        "custom", today=TODAY, from_month=dt.date(2025, 3, 1), to_month=dt.date(2025, 1, 1)
    )
    assert backwards.preset == "ytd"


def test_county_sees_recipients_and_money_of_every_town_against_last_year(world, county_admin):
    result = selectors.assistance_dashboard(county_admin, Q1)

    by = _by_programme(result)
    assert set(by) == {"dibao", "tekun"}  # 低保边缘 is a status, not a recipient
    assert (by["dibao"].recipients, by["dibao"].recipients_before) == (2, 3)
    assert (by["tekun"].recipients, by["tekun"].recipients_before) == (1, 0)
    assert (result["recipients"], result["recipients_before"], result["persons"]) == (3, 3, 5)
    # the reversal cancels February's 低保; April is outside the period
    assert (by["dibao"].disbursed_fen, by["dibao"].disbursed_before_fen) == (110000, 40000)
    assert by["tekun"].disbursed_fen == 80000
    assert (result["disbursed_fen"], result["disbursed_before_fen"]) == (190000, 40000)


def test_money_chart_stacks_programmes_by_month_of_booking(world, county_admin):
    charts = selectors.assistance_dashboard(county_admin, Q1)["charts"]

    assert charts["money"]["months"] == ["2025-01", "2025-02", "2025-03"]
    assert charts["money"]["series"] == [
        {"name": "最低生活保障", "data": [110000, 0, 0]},
        {"name": "特困人员救助供养", "data": [0, 0, 80000]},
    ]
    assert charts["compare"]["current"] == [110000, 0, 80000]
    assert charts["compare"]["before"] == [40000, 0, 0]


def test_county_areas_are_towns(world, county_admin):
    result = selectors.assistance_dashboard(county_admin, Q1)

    assert result["area_level"] == "town"
    assert result["charts"]["areas"] == {
        "names": ["石桥镇", "塘南镇"],
        "codes": [TOWN_B, TOWN_A],
        "recipients": [1, 2],
    }


def test_town_officer_sees_only_the_town_by_village(world, officer_a):
    result = selectors.assistance_dashboard(officer_a, Q1)

    assert result["area_level"] == "village"
    assert result["charts"]["areas"]["codes"] == [VILLAGE_A]
    assert result["charts"]["areas"]["recipients"] == [2]
    assert (result["recipients"], result["disbursed_fen"]) == (2, 130000)
    assert result["disbursed_before_fen"] == 40000


def test_other_town_sees_none_of_town_a(world, officer_b):
    result = selectors.assistance_dashboard(officer_b, Q1)

    assert (result["recipients"], result["disbursed_fen"]) == (1, 60000)
    assert set(_by_programme(result)) == {"dibao"}


def test_the_figures_take_a_fixed_number_of_queries(world, county_admin, django_assert_num_queries):
    region_prefix(county_admin)  # the user's roles and region: loaded once per request
    with django_assert_num_queries(4):
        selectors.assistance_dashboard(county_admin, Q1)


def test_change_against_last_year():
    assert selectors.change_pct(190000, 40000) == 375.0
    assert selectors.change_pct(30, 40) == -25.0
    assert selectors.change_pct(5, 0) is None


# --- the page ---------------------------------------------------------------------------------


def test_dashboard_shows_the_period_figures_with_their_drill_downs(world, login_as, county_admin):
    body = login_as(county_admin).get("/?period=custom&start=2025-01&end=2025-03").content.decode()

    assert (
        'data-testid="fig-disbursed"><a class="mz-figure-link" href="/payments/stats/?start=2025-01&amp;end=2025-03&amp;region=340521&amp;by=month">1,900.00</a>'
        in body
    )
    assert "比上年同期增长 375.0%" in body
    assert 'data-testid="fig-recipients">3<' in body
    assert (
        'href="/payments/stats/entries/?start=2025-01&amp;end=2025-03&amp;region=340521'
        '&amp;by=programme&amp;cell_programme=tekun">800.00</a>'
    ) in body
    assert (
        'href="/reports/drilldown/assistance.dibao_households/?from=2025-01-01&amp;to=2025-03-31'
        '&amp;region=340521">2</a>'
    ) in body
    assert 'id="chart-money"' in body
    assert "chart-money-empty" not in body


def test_a_period_without_data_says_so(world, login_as, county_admin):
    body = login_as(county_admin).get("/?period=custom&start=2020-01&end=2020-12").content.decode()

    assert 'data-testid="chart-money-empty"' in body
    assert 'data-testid="chart-areas-empty"' in body
    assert 'id="chart-money"' not in body
    assert 'region=340521&amp;by=month">0.00</a>' in body


def test_a_backwards_custom_period_is_refused_with_a_message(login_as, county_admin):
    body = login_as(county_admin).get("/?period=custom&start=2025-03&end=2025-01").content.decode()

    assert "截止月份不能早于起始月份" in body
