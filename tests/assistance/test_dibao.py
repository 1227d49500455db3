"""低保 (审核确认办法; 社会救助暂行办法 第9、12条), 单人保 (第8条), 边缘家庭, 刚性支出困难家庭."""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from minzheng.assistance.money import round_half_up

from .helpers import application, income, line, person, run, step, wage

STD = 85000


def family(*incomes_fen, **kw):
    """Applicant plus spouse and children; each income is a monthly business_net item."""
    relations = ["self", "spouse", "child", "child", "child", "child"]
    births = ["1980-01-01", "1981-01-01", "2012-01-01", "2014-01-01", "2016-01-01", "2018-01-01"]
    members = [
        person(relations[i], births[i], incomes=[income("business_net", fen)] if fen else [])
        for i, fen in enumerate(incomes_fen)
    ]
    return application(members=members, **kw)


def test_art9_income_below_standard_is_eligible_with_the_gap_as_amount():
    """暂行办法 第9条 and 第12条: the gap between per-capita income and the standard, × persons."""
    d = run(family(62000, 0, 124000))  # 3 persons, 1860.00 元 in total
    assert d.verdict == "eligible"
    assert line(d, "dibao.income").text == "家庭月人均收入 620.00 元 低于低保标准 850.00 元"
    assert step(d, "家庭月人均收入") == ("1860.00 ÷ 3 = 620.00", 62000)
    assert step(d, "月保障金额") == ("850.00 × 3 − 1860.00 = 690.00", 69000)
    assert d.amount_fen == 69000
    assert d.amount_text == "690.00 元/月"


def test_art9_income_equal_to_standard_is_not_below_it():
    d = run(family(85000, 85000))
    assert d.verdict == "ineligible"
    assert d.amount_fen == 0
    assert d.reasons == ["家庭月人均收入 850.00 元 不低于低保标准 850.00 元"]
    assert d.summary.startswith("不符合最低生活保障条件：")


def test_fractional_income_is_rounded_once_in_the_amount():
    d = run(family(0, 0, 0) | {"members": [person(incomes=[income("business_net", 100001, 3)])]})
    # 1000.01 ÷ 3 = 333.336… per month; 850.00 − 333.336… = 516.663… → 516.66
    assert d.amount_fen == 51666
    assert "（四舍五入）" in step(d, "月保障金额")[0]


def test_urban_and_rural_standards_are_separate_parameters():
    d = run(family(0, area="urban", parameter_overrides={"dibao_standard_urban_fen": 90000}))
    assert line(d, "dibao.standard").text == "本县城市低保标准 900.00 元/人·月"
    assert d.amount_fen == 90000


def test_whole_yuan_rounding_is_configurable():
    payload = family(0) | {"members": [person(incomes=[income("business_net", 100001, 3)])]}
    payload["parameter_overrides"] = {"rounding_unit_fen": 100}
    assert run(payload).amount_fen == 51700


def test_art4_hukou_elsewhere_is_refused():
    d = run(family(0, hukou_local=False))
    assert d.verdict == "ineligible"
    assert line(d, "common.hukou").article == "审核确认办法 第4条"


def test_art14_financial_assets_over_24_times_standard_per_head():
    limit = 24 * STD * 2
    ok = run(family(0, 0, assets=[{"type": "deposit", "value_fen": limit}]))
    assert ok.verdict == "eligible"
    over = run(family(0, 0, assets=[{"type": "deposit", "value_fen": limit + 2}]))
    assert over.verdict == "ineligible"
    assert line(over, "assets.financial").values["limit_fen"] == 24 * STD
    assert "超过 24 × 850.00 = 20400.00 元的限额" in over.reasons[0]


def test_art14_a_car_is_refused_but_a_disability_vehicle_is_not():
    car = run(family(0, assets=[{"type": "vehicle", "vehicle_kind": "car", "value_fen": 1}]))
    assert car.verdict == "ineligible"
    assert "小汽车" in car.reasons[0]
    mobility = {"type": "vehicle", "vehicle_kind": "disability_mobility", "value_fen": 1}
    assert run(family(0, assets=[mobility])).verdict == "eligible"


def test_art14_second_house_is_refused():
    houses = [{"type": "house"}, {"type": "house"}]
    d = run(family(0, assets=houses))
    assert d.reasons == ["拥有住房 2 套，超过 1 套的规定"]


def test_assets_of_excluded_members_do_not_count():
    members = [person(), person("spouse", status="imprisoned")]
    d = run(
        application(
            members=members, assets=[{"type": "vehicle", "vehicle_kind": "car", "owner": 1}]
        )
    )
    assert d.verdict == "eligible"


def test_operating_business_policy_refuse():
    payload = family(0, assets=[{"type": "business", "operating": True}])
    assert run(payload).verdict == "eligible"
    payload["parameter_overrides"] = {"operating_business_policy": "refuse"}
    assert run(payload).verdict == "ineligible"


def test_art13_3_illness_expenses_deducted_only_when_configured():
    payload = family(100000, rigid_expenses_12m={"medical_fen": 600000})
    d = run(payload)
    assert d.verdict == "ineligible"
    assert "未扣减" in line(d, "income.health_deduction").text
    payload["parameter_overrides"] = {"deduct_illness_disability_expenses": True}
    d = run(payload)  # 1000.00 − 6000.00 ÷ 12 = 500.00
    assert d.verdict == "eligible"
    assert d.amount_fen == 35000


def test_refusal_points_to_the_edge_household():
    d = run(family(100000))  # 1000 < 1.5 × 850 = 1275
    assert d.verdict == "ineligible"
    assert any("低保边缘家庭" in n for n in d.notes)


def test_art33_gradual_exit_for_a_working_household_on_dibao():
    members = [
        person(
            employment="employed",
            incomes=[wage(150000)],
            benefits=[{"type": "dibao", "monthly_fen": 1}],
        )
    ]
    d = run(application(members=members))
    assert d.verdict == "ineligible"
    assert line(d, "dibao.jiantui").values["max_months"] == 6


# --- 单人保 (第8条; 民发〔2022〕83号) ----------------------------------------------------------


def single(applicant, *others, **kw):
    return application(members=[applicant, *others], choices={"single_person": True}, **kw)


RICH_PARENT = person("parent", "1960-01-01", incomes=[income("business_net", 300000)])


def test_83_adult_unemployed_severely_disabled_applies_alone():
    applicant = person(
        birth="1990-01-01",
        disability={"category": "physical", "grade": 2},
        incomes=[income("support_received", 30000, payer_relation="sibling")],
    )
    d = run(single(applicant, RICH_PARENT))
    assert line(d, "dibao.single_unit")
    assert line(d, "income.exempted").article == "民发〔2022〕83号 一(四)"
    assert d.amount_fen == STD
    assert d.category == "单人户"


def test_support_from_a_parent_under_60_is_not_exempted():
    applicant = person(
        birth="1990-01-01",
        disability={"category": "physical", "grade": 1},
        incomes=[income("support_received", 30000, payer_relation="parent")],
    )
    assert run(single(applicant)).amount_fen == STD - 30000


def test_art8_1_severe_disability_in_an_edge_household():
    applicant = person(
        birth="1990-01-01", employment="employed", disability={"category": "mental", "grade": 3}
    )
    parent = person("parent", "1960-01-01", incomes=[income("business_net", 200000)])
    d = run(single(applicant, parent))  # whole household: 2000 ÷ 2 = 1000, between 850 and 1275
    assert d.verdict == "eligible"
    assert line(d, "dibao.single_person").article == "审核确认办法 第8条(一)(二)"
    assert d.amount_fen == STD


def test_art8_household_not_on_the_edge_cannot_apply_alone():
    applicant = person(birth="1990-01-01", employment="employed", serious_illness=True)
    parent = person("parent", "1960-01-01", incomes=[income("business_net", 400000)])
    d = run(single(applicant, parent))  # 4000 ÷ 2 = 2000 ≥ 1275
    assert d.verdict == "ineligible"
    assert "不属低保边缘家庭" in d.reasons[0]


def test_art8_no_ground_at_all():
    d = run(single(person(), RICH_PARENT))
    assert d.verdict == "ineligible"
    assert "不属于可单独提出申请的情形" in d.reasons[0]


def test_art8_3_clergy_living_apart_three_years():
    applicant = person(status="clergy_apart", status_since="2020-01-01")
    d = run(single(applicant, RICH_PARENT))
    assert line(d, "dibao.single_person").article == "审核确认办法 第8条(三)"
    assert d.verdict == "eligible"


# --- 低保边缘家庭 and 刚性支出困难家庭 -----------------------------------------------------------


def test_art8_edge_household_between_1_and_1_5_times_the_standard():
    d = run(family(100000, 100000, programme="dibao_edge"))
    assert d.verdict == "eligible"
    assert d.category == "低保边缘家庭"
    assert d.amount_period == "none"
    assert line(d, "dibao_edge.income").values["edge_limit_fen"] == 127500


def test_edge_refuses_a_dibao_household_and_a_richer_one():
    poor = run(family(50000, programme="dibao_edge"))
    assert poor.reasons == ["家庭月人均收入 500.00 元 低于低保标准 850.00 元，应按低保认定"]
    rich = run(family(127500, programme="dibao_edge"))
    assert rich.reasons == ["家庭月人均收入 1275.00 元 不低于 1.5 × 850.00 = 1275.00 元"]


def test_rigid_expense_needs_review_while_the_share_is_unset():
    d = run(
        family(300000, 0, programme="rigid_expense", rigid_expenses_12m={"medical_fen": 3000000})
    )
    assert d.verdict == "needs_review"
    assert line(d, "rigid_expense.expenses").outcome == "review"


def test_rigid_expense_art4_with_a_configured_share():
    payload = family(
        300000,
        0,
        programme="rigid_expense",
        rigid_expenses_12m={"medical_fen": 3600000},
        parameter_overrides={"rigid_expense_income_share": "1"},
    )
    d = run(payload)  # income 3000 × 12 = 36000; expenses 36000 are not above it
    assert d.verdict == "ineligible"
    assert line(d, "rigid_expense.expenses").values["threshold_fen"] == 3600000
    payload["rigid_expenses_12m"] = {"medical_fen": 3600001}
    d = run(payload)
    assert d.verdict == "eligible"
    assert any("2027-03-10" in n for n in d.notes)  # 第10条: 12 months at most


def test_rigid_expense_art4_1_excludes_dibao_and_edge_households():
    d = run(family(100000, programme="rigid_expense"))
    assert "应认定为低保边缘家庭" in d.reasons[0]


def test_rigid_expense_art4_2_income_below_local_disposable_income():
    d = run(family(450000, programme="rigid_expense"))  # 4500 × 12 = 54000 ≥ 50000
    assert any("不低于上年度当地居民人均可支配收入" in r for r in d.reasons)


# --- properties --------------------------------------------------------------------------------

incomes = st.lists(st.integers(min_value=0, max_value=300000), min_size=1, max_size=6)


@settings(max_examples=60, deadline=None)
@given(incomes, st.integers(min_value=1, max_value=12))
def test_amount_is_standard_times_members_minus_income(fens, months):
    members = [
        person(
            "self" if i == 0 else "child",
            "1980-01-01" if i == 0 else "2015-01-01",
            incomes=[income("business_net", fen, months)],
        )
        for i, fen in enumerate(fens)
    ]
    d = run(application(members=members))
    total = Fraction(sum(fens), months)
    gap = STD * len(fens) - total
    if gap > 0:
        assert d.verdict == "eligible"
        assert d.amount_fen == round_half_up(gap)
        assert abs(d.amount_fen - gap) <= Fraction(1, 2)
    else:
        assert d.verdict == "ineligible"
        assert d.amount_fen == 0


@settings(max_examples=60, deadline=None)
@given(incomes, st.integers(min_value=0, max_value=200000), st.data())
def test_more_income_never_raises_eligibility_or_amount(fens, extra, data):
    who = data.draw(st.integers(min_value=0, max_value=len(fens) - 1))
    before = run(family(*fens))
    more = list(fens)
    more[who] += extra
    after = run(family(*more))
    assert after.amount_fen <= before.amount_fen
    if after.verdict == "eligible":
        assert before.verdict == "eligible"
    assert after.amount_fen >= 0
