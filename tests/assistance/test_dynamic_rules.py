"""The pure rules of dynamic management, each from the text it encodes (no database)."""

import datetime as dt

import pytest

from minzheng.assistance import dynamic_rules as rules


# 审核确认办法 第31条; 改革意见 item 7
@pytest.mark.parametrize(
    ("programme", "irregular", "able", "months"),
    [
        ("tekun", False, False, 12),  # 特困人员: once a year
        ("tekun", True, True, 12),  # … whatever the income
        ("dibao", True, True, 6),  # irregular income and a member able to work
        ("dibao", True, False, 12),  # irregular income but nobody able to work
        ("dibao", False, True, 12),  # stable income
    ],
)
def test_review_interval_follows_article_31(programme, irregular, able, months):
    rule = rules.review_rule(programme, irregular_income=irregular, member_able_to_work=able)
    assert rule is not None
    assert rule.months == months
    assert "第三十一条" in rule.basis or programme == "tekun"


def test_programmes_without_periodic_review_get_none():
    assert rules.review_rule("gaoling", irregular_income=True, member_able_to_work=True) is None


def test_able_to_work_needs_working_age_and_a_record_saying_so():
    on = dt.date(2026, 6, 1)
    assert rules.able_to_work(birth=dt.date(1990, 1, 1), work_ability="full", on=on)
    assert not rules.able_to_work(birth=dt.date(1990, 1, 1), work_ability="partial", on=on)
    assert not rules.able_to_work(birth=dt.date(1966, 5, 31), work_ability="full", on=on)  # 60
    assert not rules.able_to_work(birth=dt.date(2010, 6, 2), work_ability="full", on=on)  # 15


def test_irregular_income_from_flexible_work_or_business_income():
    assert rules.irregular_income(statuses=["flexible"], income_categories=[])
    assert rules.irregular_income(statuses=[], income_categories=["business"])
    assert not rules.irregular_income(statuses=["employed", "retired"], income_categories=["wage"])


def test_jiantui_steps_down_evenly_to_zero():
    # three months from 900 元: 675, 450, 225, then support ends
    assert rules.jiantui_steps(90000, 3, 1) == [67500, 45000, 22500]


def test_jiantui_of_six_months_never_pays_the_full_amount_and_rounds_per_unit():
    steps = rules.jiantui_steps(100000, 6, 100)
    assert steps == [85700, 71400, 57100, 42900, 28600, 14300]
    assert all(s < 100000 for s in steps)
    assert steps == sorted(steps, reverse=True)


def test_removing_one_share_of_three_leaves_two_thirds():
    assert rules.amount_without_shares(180000, 3, 1, 1) == 120000
    assert rules.amount_without_shares(100000, 3, 1, 1) == 66667  # half-up to the fen


def test_removing_more_shares_than_covered_is_an_error():
    with pytest.raises(ValueError, match="covered"):
        rules.amount_without_shares(100000, 1, 2, 1)


def test_only_refusals_at_the_end_of_the_run_count():
    assert rules.consecutive_refusals(["refused", "refused", "refused"]) == 3
    assert rules.consecutive_refusals(["refused", "refused", "accepted", "refused"]) == 1
    # a refusal with good reason breaks the run too (第34条: "无正当理由")
    assert rules.consecutive_refusals(["refused", "refused_with_reason", "refused"]) == 1
    assert rules.consecutive_refusals([]) == 0


def test_age_band_starts_the_month_after_the_birthday():
    birth = dt.date(1936, 5, 20)
    assert rules.band_start_month(birth, 90, "month_after_birthday") == dt.date(2026, 6, 1)
    assert rules.band_start_month(birth, 90, "birthday_month") == dt.date(2026, 5, 1)


def test_a_birthday_on_the_last_day_of_december_starts_the_band_in_january():
    assert rules.band_start_month(dt.date(1936, 12, 31), 90, "month_after_birthday") == dt.date(
        2027, 1, 1
    )


def test_death_is_owed_through_its_month_and_rechecked_within_three_months():
    assert rules.death_months(dt.date(2026, 3, 31)) == (dt.date(2026, 3, 1), dt.date(2026, 4, 1))
    assert rules.death_recheck_due(dt.date(2026, 11, 30)) == dt.date(2027, 2, 28)
