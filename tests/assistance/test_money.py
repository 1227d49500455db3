from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minzheng.assistance.money import ceil_to, fraction, percent_text, round_half_up, yuan


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (Fraction(1, 2), 1, 1),  # half a fen rounds up (policy-rules §12 Rounding: half-up)
        (Fraction(49, 100), 1, 0),
        (Fraction(-1, 2), 1, -1),  # half away from zero
        (Fraction(57750), 100, 57800),  # 577.50 元 to whole 元 → 578
        (Fraction(57749), 100, 57700),
        (12345, 1, 12345),
    ],
)
def test_round_half_up(value, unit, expected):
    assert round_half_up(value, unit) == expected


def test_ceil_to_whole_yuan():
    assert ceil_to(Fraction(110500), 100) == 110500
    assert ceil_to(Fraction(102310), 100) == 102400  # 1.3 × 787 元 = 1023.10 → 1024 元


def test_yuan_shows_two_decimals_and_rounds_fractions():
    assert yuan(62000) == "620.00"
    assert yuan(5) == "0.05"
    assert yuan(Fraction(50000, 12)) == "41.67"
    assert yuan(-30000) == "-300.00"


def test_rates_are_exact_decimals():
    assert fraction("0.35") * 165000 == 57750
    assert percent_text(fraction("0.35")) == "35%"


@given(st.fractions(min_value=-(10**9), max_value=10**9), st.sampled_from([1, 10, 100]))
def test_rounding_error_is_at_most_half_a_unit(value, unit):
    rounded = round_half_up(value, unit)
    assert rounded % unit == 0
    assert abs(rounded - value) <= Fraction(unit, 2)
    if abs(rounded - value) == Fraction(unit, 2):  # a tie goes away from zero
        assert abs(rounded) > abs(value)
