"""Which income counts: 审核确认办法 第13条; 特困认定办法 第6条."""

import pytest

from .helpers import application, income, line, lines, person, run, step, wage


def monthly_income(items, **kw):
    decision = run(application(members=[person(incomes=items, **kw)]))
    return step(decision, "月收入")[1], decision


def test_art13_1_wage_net_of_employment_cost():
    fen, decision = monthly_income([wage(200000)])
    assert fen == 200000 - 30000
    deduction = line(decision, "income.employment_cost")
    assert deduction.values == {"deduction_fen": 30000, "wage_fen": 200000, "limit_fen": 30000}


def test_employment_cost_never_exceeds_the_wage():
    fen, decision = monthly_income([wage(20000)])
    assert fen == 0
    assert line(decision, "income.employment_cost").values["deduction_fen"] == 20000


def test_yearly_business_income_is_averaged_per_month():
    fen, decision = monthly_income([income("business_net", 1200000, 12)])
    assert fen == 100000
    assert (
        "近12个月经营净收入 12000.00 元，月均 1000.00 元" in line(decision, "income.counted").text
    )


def test_art13_1_4_transfer_expenditure_is_subtracted():
    fen, _ = monthly_income([income("pension", 150000), income("social_insurance_paid", 20000)])
    assert fen == 130000


@pytest.mark.parametrize(
    ("kind", "article"),
    [
        ("preferential_pension", "第13条第2款(一)"),
        ("family_planning_reward", "第13条第2款(一)"),
        ("scholarship", "第13条第2款(一)"),
        ("reward", "第13条第2款(一)"),
        ("social_assistance", "第13条第2款(二)"),
        ("disability_subsidy", "国发〔2015〕52号"),
        ("de_facto_orphan_allowance", "民发〔2019〕62号"),
    ],
)
def test_art13_2_excluded_income(kind, article):
    fen, decision = monthly_income([income(kind, 50000)])
    assert fen == 0
    excluded = line(decision, "income.excluded")
    assert article in excluded.article
    assert "不计入收入" in excluded.text


def test_art13_2_3_only_the_central_base_pension_is_excluded():
    fen, decision = monthly_income([income("resident_pension", 20000)])  # 2026: base 143 元
    assert fen == 20000 - 14300
    assert line(decision, "income.resident_pension").values["central_base_fen"] == 14300
    assert lines(decision, "income.pension_period")  # after 十四五: flagged


def test_base_pension_in_2024_uses_that_years_base():
    decision = run(
        application(members=[person(incomes=[income("resident_pension", 20000)])], day="2024-06-01")
    )
    assert step(decision, "月收入")[1] == 20000 - 12300
    assert not lines(decision, "income.pension_period")


def test_gaoling_allowance_counts_for_dibao_unless_the_city_excludes_it():
    fen, _ = monthly_income([income("gaoling_allowance", 5000)])
    assert fen == 5000
    decision = run(
        application(
            members=[person(incomes=[income("gaoling_allowance", 5000)])],
            parameter_overrides={"dibao_extra_excluded_income_types": ["gaoling_allowance"]},
        )
    )
    assert step(decision, "月收入")[1] == 0


def test_income_never_below_zero():
    fen, decision = monthly_income([income("tax_paid", 10000)])
    assert fen == 0
    assert lines(decision, "income.floor")


def test_excluded_members_income_is_not_counted():
    decision = run(
        application(
            members=[person(), person("spouse", status="imprisoned", incomes=[wage(900000)])]
        )
    )
    assert step(decision, "月收入")[1] == 0
