"""Exact figures: integer fen to 万元 with 2 decimals, shares to % with 1 decimal."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minzheng.reports.figures import (
    NOT_CONNECTED,
    Status,
    convert,
    count_to_wan,
    fen_to_wan,
    figure_from_raw,
    figure_not_connected,
    ratio_to_percent,
)
from minzheng.reports.registry import Definition, Kind, Ratio


@pytest.mark.parametrize(
    ("fen", "wan"),
    [
        (0, "0.00"),
        (1_000_000, "1.00"),  # 10 000 元
        (123_456_789, "123.46"),  # 1 234 567.89 元
        (4_999, "0.00"),  # 49.99 元
        (5_000, "0.01"),  # 50 元: half rounds up
        (-5_000, "-0.01"),  # a reversal rounds the same way
        (10**20 + 5_000, "100000000000000.01"),  # far beyond float precision
    ],
)
def test_fen_become_wan_with_two_decimals(fen, wan):
    assert str(fen_to_wan(fen)) == wan


@given(st.integers(min_value=-(10**24), max_value=10**24))
def test_fen_to_wan_equals_exact_decimal_rounding(fen):
    with localcontext() as ctx:
        ctx.prec = 60
        expected = (Decimal(fen) / Decimal(1_000_000)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert fen_to_wan(fen) == expected


def test_person_counts_in_wan():
    assert str(count_to_wan(12_345)) == "1.23"
    assert str(count_to_wan(12_350)) == "1.24"


def test_shares_are_exact_percentages_with_one_decimal():
    assert str(ratio_to_percent(Ratio(1, 3))) == "33.3"
    assert str(ratio_to_percent(Ratio(2, 3))) == "66.7"
    assert str(ratio_to_percent(Ratio(1, 8))) == "12.5"
    assert ratio_to_percent(Ratio(0, 0)) is None


@pytest.mark.parametrize("raw", [1.5, True, "12"])
def test_money_from_anything_but_whole_fen_is_refused(raw):
    with pytest.raises(TypeError):
        convert(Kind.MONEY, raw)


def test_a_share_without_base_is_shown_as_a_dash():
    d = Definition("charity.mutual_aid_coverage_pct", "覆盖率", "%", "charity", Kind.PERCENT)
    f = figure_from_raw(d, Ratio(0, 0), has_drilldown=False)
    assert f.status == Status.NO_BASE and f.text == "—" and f.with_unit == "—"


def test_a_money_mapping_is_written_out_per_program():
    d = Definition(
        "assistance.funds_by_program_wan", "分项目", "万元", "assistance", Kind.MONEY_MAP
    )
    f = figure_from_raw(d, {"城乡低保": 12_345_678, "特困供养": 500_000}, has_drilldown=False)
    assert f.text == "城乡低保12.35万元、特困供养0.50万元"
    assert f.json_value() == {"城乡低保": "12.35", "特困供养": "0.50"}


def test_a_figure_not_connected_has_no_value_and_says_so():
    d = Definition("marriage.marriages", "结婚登记", "对", "marriage", Kind.COUNT)
    f = figure_not_connected(d)
    assert (f.value, f.text, f.with_unit, f.connected) == (
        None,
        NOT_CONNECTED,
        NOT_CONNECTED,
        False,
    )


def test_a_connected_money_figure_carries_its_unit():
    d = Definition("funeral.waiver_wan", "减免金额", "万元", "funeral", Kind.MONEY)
    f = figure_from_raw(d, 2_500_000, has_drilldown=False)
    assert (f.text, f.with_unit, f.json_value()) == ("2.50", "2.50万元", "2.50")
