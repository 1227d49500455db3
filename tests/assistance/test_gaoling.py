"""高龄补贴: age bands, paid from the month after the birthday (policy-rules §5, §12)."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minzheng.assistance.parameters import default_table
from minzheng.assistance.rules.gaoling import band_for_month
from minzheng.assistance.rules.people import age_on

from .helpers import application, line, person, run

PARAMS = default_table("340521").snapshot(date(2026, 1, 1)).values


def gaoling(birth, day="2026-03-10", **kw):
    return application("gaoling", members=[person(birth=birth)], day=day, **kw)


@pytest.mark.parametrize(
    ("birth", "amount"),
    [("1946-03-01", 5000), ("1936-01-01", 10000), ("1925-12-31", 30000)],
)
def test_bands_80_90_100(birth, amount):
    assert run(gaoling(birth)).amount_fen == amount


def test_under_80_is_refused_with_the_date_to_come_back():
    d = run(gaoling("1946-03-11"))
    assert d.verdict == "ineligible"
    assert "将于 2026-03-11 年满80周岁，自2026年4月起可申请" in d.reasons[0]


def test_from_the_month_after_the_80th_birthday():
    d = run(gaoling("1946-03-10"))
    assert d.verdict == "eligible"
    assert line(d, "gaoling.band").values["first_month"] == "2026-04"


def test_new_band_from_the_month_after_the_90th_birthday():
    d = run(gaoling("1936-03-05"))  # 90 on 2026-03-05
    assert d.amount_fen == 5000  # March is still paid at 80–89
    assert any("自2026年4月起按90–99周岁档 100.00 元/月" in n for n in d.notes)
    april = run(gaoling("1936-03-05", day="2026-04-01"))
    assert april.amount_fen == 10000


def test_birthday_month_start_is_a_parameter():
    d = run(gaoling("1936-03-05", parameter_overrides={"gaoling_start": "birthday_month"}))
    assert d.amount_fen == 10000


def test_leap_day_birthday_falls_on_1_march():
    d = run(gaoling("1936-02-29"))  # 90 on 2026-03-01 (2026 has no 29 February)
    assert d.amount_fen == 5000
    assert any("将于 2026-03-01 年满90周岁" in n for n in d.notes)


def test_hukou_elsewhere_is_refused():
    assert run(gaoling("1930-01-01", hukou_local=False)).verdict == "ineligible"


days = st.dates(min_value=date(2023, 1, 1), max_value=date(2040, 12, 31))
births = st.dates(min_value=date(1900, 1, 1), max_value=date(1960, 12, 31))


@given(births, days, days)
def test_amount_never_falls_as_time_passes(birth, a, b):
    early, late = sorted((a, b))
    amount = [band_for_month(birth, d, PARAMS) for d in (early, late)]
    fen = [band.amount_fen if band else 0 for band in amount]
    assert fen[0] <= fen[1]


@given(births, days)
def test_band_is_the_age_at_the_end_of_the_previous_month(birth, day):
    band = band_for_month(birth, day, PARAMS)
    first = day.replace(day=1)
    age = age_on(birth, date.fromordinal(first.toordinal() - 1))
    expected = [b for b in PARAMS.gaoling_bands if b.min_age <= age]
    assert band == (expected[-1] if expected else None)
