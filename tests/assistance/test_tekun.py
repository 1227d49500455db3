"""特困人员认定办法 (2021): 第4–9条 conditions, 第19条 standards, 第21–22条 self-care, amounts."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from .helpers import application, income, line, lines, person, run, step, wage

ITEMS = ["eating", "dressing", "bed_transfer", "toileting", "indoor_walking", "bathing"]


def tekun(applicant=None, obligors=(), mode="dispersed", **kw):
    return application(
        "tekun",
        members=[applicant or person(birth="1950-01-01")],
        obligors=list(obligors),
        choices={"care_mode": mode, **kw.pop("choices", {})},
        **kw,
    )


def test_art5_1_aged_60_has_no_work_ability_on_the_birthday():
    d = run(tekun(person(birth="1966-03-10")))
    assert line(d, "tekun.no_work_ability").article == "特困认定办法 第5条(一)"
    assert d.verdict == "eligible"
    younger = run(tekun(person(birth="1966-03-11")))
    assert younger.verdict == "ineligible"
    assert any("不属第5条规定的无劳动能力情形" in r for r in younger.reasons)


def test_art5_2_minor_age_limit_is_a_parameter():
    child = person(birth="2009-06-01")  # 16 on 2026-03-10
    assert run(tekun(child)).verdict == "ineligible"
    raised = run(tekun(child, parameter_overrides={"tekun_minor_max_age": 18}))
    assert line(raised, "tekun.no_work_ability").article == "特困认定办法 第5条(二)"
    assert raised.verdict == "eligible"


def test_art24_note_minor_already_supported_continues_to_18():
    child = person(birth="2009-06-01", benefits=[{"type": "tekun", "monthly_fen": 1}])
    assert run(tekun(child)).verdict == "eligible"


def test_art24_note_adult_still_in_high_school_continues():
    student = person(
        birth="2007-06-01",
        student_level="high_school",
        benefits=[{"type": "tekun", "monthly_fen": 1}],
    )
    assert run(tekun(student)).verdict == "eligible"


@pytest.mark.parametrize(
    ("category", "grade", "eligible"),
    [
        ("intellectual", 3, True),
        ("mental", 3, True),
        ("mental", 4, False),
        ("physical", 2, True),
        ("physical", 3, False),
        ("visual", 1, True),
        ("visual", 2, False),
        ("hearing", 1, False),
        ("speech", 1, False),
    ],
)
def test_art5_3_disability_categories_and_grades(category, grade, eligible):
    adult = person(birth="1980-01-01", disability={"category": category, "grade": grade})
    assert (run(tekun(adult)).verdict == "eligible") is eligible


def test_art5_multiple_disability_is_left_to_the_officer():
    adult = person(birth="1980-01-01", disability={"category": "multiple", "grade": 1})
    d = run(tekun(adult))
    assert d.verdict == "needs_review"
    assert d.amount_fen > 0


def test_art5_4_declared_unable_to_work_outside_the_listed_cases_goes_to_review():
    adult = person(
        birth="1980-01-01", disability={"category": "hearing", "grade": 1}, able_to_work=False
    )
    d = run(tekun(adult))
    assert d.verdict == "needs_review"
    assert line(d, "tekun.no_work_ability").article == "特困认定办法 第5条(四)"


def test_art4_working_age_adult_without_disability_is_not_in_the_groups():
    d = run(tekun(person(birth="1980-01-01")))
    assert line(d, "tekun.group").outcome == "failed"


def test_art6_income_must_be_below_the_dibao_standard():
    d = run(tekun(person(birth="1950-01-01", incomes=[income("pension", 85000)])))
    assert d.reasons == ["申请人月收入 850.00 元 不低于低保标准 850.00 元，不属无生活来源"]


def test_art6_2_base_pension_gaoling_and_medical_insurance_do_not_count():
    items = [
        income("resident_pension", 14300),
        income("gaoling_allowance", 5000),
        income("medical_insurance_reimbursement", 90000),
        income("preferential_pension", 90000),
    ]
    d = run(tekun(person(birth="1940-01-01", incomes=items)))
    assert step(d, "月收入") == ("0.00 = 0.00", 0)
    excluded = lines(d, "tekun.income.excluded")
    assert len(excluded) == 3
    assert all(x.article == "特困认定办法 第6条第2款" for x in excluded)
    assert line(d, "tekun.income.resident_pension").article == "特困认定办法 第6条第2款"


def test_art6_own_assets_over_the_limit():
    payload = tekun(assets=[{"type": "deposit", "value_fen": 24 * 85000 + 1, "owner": 0}])
    assert run(payload).verdict == "ineligible"


def test_art24_prisoner_is_not_recognised():
    d = run(tekun(person(birth="1950-01-01", status="imprisoned")))
    assert line(d, "tekun.status").outcome == "failed"


def test_art4_3_no_obligor():
    d = run(tekun())
    assert line(d, "tekun.obligors").text == "申请人无法定赡养、抚养、扶养义务人"


@pytest.mark.parametrize(
    ("obligor", "clause"),
    [
        (person("child", "1980-01-01", benefits=[{"type": "tekun", "monthly_fen": 1}]), "(一)"),
        (person("spouse", "1960-01-01", benefits=[{"type": "dibao", "monthly_fen": 1}]), "(二)"),
        (person("child", "1955-01-01", incomes=[income("pension", 400000)]), "(三)"),
        (person("child", "1980-01-01", disability={"category": "physical", "grade": 2}), "(四)"),
        (
            person("child", "1980-01-01", disability={"category": "intellectual", "grade": 3}),
            "(四)",
        ),
        (person("child", "1980-01-01", civil_capacity="none"), "(五)"),
        (person("child", "1980-01-01", status="declared_missing"), "(五)"),
        (person("child", "1980-01-01", status="imprisoned"), "(五)"),
    ],
)
def test_art8_obligor_unable_to_support(obligor, clause):
    d = run(tekun(obligors=[obligor]))
    assert line(d, "tekun.obligor[0]").article == f"特困认定办法 第8条{clause}"
    assert d.verdict == "eligible"


def test_art8_3_seventy_year_old_with_income_above_local_average_can_support():
    rich = person("child", "1955-01-01", incomes=[income("pension", 416667)])  # ≥ 50000 ÷ 12
    d = run(tekun(obligors=[rich]))
    assert d.verdict == "ineligible"
    assert line(d, "tekun.obligor[0]").values["income_limit_fen"] == 416667


def test_art8_5_missing_obligor_with_assets_beyond_low_income_rules_can_support():
    ob = person(
        "child", "1980-01-01", status="declared_missing", assets_within_low_income_rules=False
    )
    assert run(tekun(obligors=[ob])).verdict == "ineligible"


def test_art8_one_able_obligor_is_enough_to_refuse():
    able = person("child", "1980-01-01", employment="employed", incomes=[wage(500000)])
    unable = person("child", "1982-01-01", status="imprisoned")
    d = run(tekun(obligors=[unable, able]))
    assert line(d, "tekun.obligors").values == {"obligors": 2, "able": 1}
    assert d.verdict == "ineligible"


def test_art8_deceased_obligor_is_no_obligor():
    d = run(tekun(obligors=[person("child", "1980-01-01", status="deceased")]))
    assert d.verdict == "eligible"


def test_art9_minor_choosing_the_orphan_allowance_is_not_tekun():
    orphan = person(birth="2015-01-01")
    d = run(tekun(orphan, choices={"orphan_or_tekun": "orphan"}))
    assert line(d, "tekun.orphan_choice").outcome == "failed"
    assert run(tekun(orphan, choices={"orphan_or_tekun": "tekun"})).verdict == "eligible"


def test_art19_contracted_land_gets_the_rural_standard_and_relocation_the_urban():
    overrides = {"dibao_standard_urban_fen": 100000}
    land = run(
        tekun(
            person(birth="1950-01-01", holds_contracted_land=True),
            area="urban",
            parameter_overrides=overrides,
        )
    )
    assert line(land, "tekun.area").values["area"] == "rural"
    assert line(land, "tekun.dibao_standard").values["standard_fen"] == 85000
    moved = run(
        tekun(person(birth="1950-01-01", relocated_to_town=True), parameter_overrides=overrides)
    )
    assert line(moved, "tekun.dibao_standard").values["standard_fen"] == 100000
    # 1.3 × 1000 = 1300 元 > the configured 1105 元
    assert step(moved, "基本生活标准")[1] == 130000


@pytest.mark.parametrize(
    ("mode", "failed", "level", "care_fen"),
    [
        ("dispersed", 0, "全自理", 4950),  # 1650 × 3%  = 49.50
        ("dispersed", 3, "半护理", 33000),  # 1650 × 20% = 330.00
        ("dispersed", 4, "全护理", 57750),  # 1650 × 35% = 577.50
        ("centralized", 0, "全自理", 6600),  # 1650 × 4%  = 66.00
        ("centralized", 1, "半护理", 49500),  # 1650 × 30% = 495.00
        ("centralized", 6, "全护理", 82500),  # 1650 × 50% = 825.00
    ],
)
def test_art22_self_care_level_and_care_standard(mode, failed, level, care_fen):
    d = run(tekun(person(birth="1950-01-01", self_care_failed=ITEMS[:failed]), mode=mode))
    assert line(d, "tekun.self_care").values == {
        "failed_items": failed,
        "level": {"全自理": "self", "半护理": "partial", "全护理": "full"}[level],
    }
    assert step(d, "照料护理标准")[1] == care_fen
    assert d.amount_fen == 110500 + care_fen
    assert step(d, "特困供养月标准") == (
        f"1105.00 + {care_fen // 100}.{care_fen % 100:02d} = {(110500 + care_fen) // 100}.{(110500 + care_fen) % 100:02d}",
        110500 + care_fen,
    )
    assert d.category.endswith(level)


def test_self_care_amount_capped_by_the_care_subsidy():
    payload = tekun(mode="centralized", parameter_overrides={"disability_care_subsidy_fen": 5000})
    d = run(payload)
    assert step(d, "全自理照料护理标准不高于重度残疾人护理补贴")[1] == 5000
    assert d.amount_fen == 110500 + 5000


def test_whole_yuan_rounding_of_the_care_standard():
    payload = tekun(
        person(birth="1950-01-01", self_care_failed=ITEMS),
        parameter_overrides={"rounding_unit_fen": 100},
    )
    assert step(run(payload), "照料护理标准")[1] == 57800


@given(st.sets(st.sampled_from(ITEMS)))
def test_art22_level_follows_the_count_of_failed_items(failed):
    d = run(tekun(person(birth="1950-01-01", self_care_failed=sorted(failed))))
    level = line(d, "tekun.self_care").values["level"]
    expected = "self" if not failed else "partial" if len(failed) <= 3 else "full"
    assert level == expected
