"""困难残疾人生活补贴 and 重度残疾人护理补贴 (国发〔2015〕52号; 皖民务字〔2022〕116号)."""

import pytest

from .helpers import application, line, person, run


def living(applicant, *others, **kw):
    return application("disability_living_subsidy", members=[applicant, *others], **kw)


def care(applicant, **kw):
    return application("disability_care_subsidy", members=[applicant], **kw)


DIBAO = [{"type": "dibao", "monthly_fen": 40000}]


def disabled(grade=3, category="hearing", birth="1985-01-01", **kw):
    return person(birth=birth, disability={"category": category, "grade": grade}, **kw)


@pytest.mark.parametrize(("grade", "amount"), [(1, 12000), (2, 12000), (3, 8000), (4, 8000)])
def test_living_subsidy_grades_1_to_4_by_band(grade, amount):
    overrides = {
        "disability_living_subsidy_grade_1_2_fen": 12000,
        "disability_living_subsidy_grade_3_4_fen": 8000,
    }
    d = run(living(disabled(grade, benefits=DIBAO), parameter_overrides=overrides))
    assert d.amount_fen == amount


def test_living_subsidy_needs_a_certificate():
    no_card = person(
        birth="1985-01-01", disability={"category": "hearing", "grade": 1, "certificate": False}
    )
    d = run(living(no_card))
    assert d.reasons == ["申请人未持第二代残疾人证"]


def test_living_subsidy_group_dibao_household_member():
    parent_on_dibao = person("parent", "1955-01-01", benefits=DIBAO)
    assert run(living(disabled(), parent_on_dibao)).verdict == "eligible"
    d = run(living(disabled()))
    assert d.reasons == ["申请人不属低保家庭、脱贫人口成员"]


def test_living_subsidy_group_poverty_alleviated():
    d = run(living(disabled(poverty_alleviated=True)))
    assert line(d, "disability_living.group").values["group"] == "poverty_alleviated"


def test_living_subsidy_group_edge_household_when_configured():
    edge = disabled(incomes=[{"type": "business_net", "amount_fen": 100000}])
    payload = living(edge, parameter_overrides={"disability_living_subsidy_groups": ["dibao_edge"]})
    assert line(run(payload), "disability_living.group").values["group"] == "dibao_edge"


def test_tekun_person_gets_no_living_subsidy_unless_configured():
    tekun = disabled(benefits=[*DIBAO, {"type": "tekun", "monthly_fen": 1}])
    assert run(living(tekun)).verdict == "ineligible"
    payload = living(tekun, parameter_overrides={"disability_living_subsidy_excludes_tekun": False})
    assert run(payload).verdict == "eligible"


def test_orphan_gets_no_living_subsidy():
    d = run(
        living(
            disabled(birth="2015-01-01", benefits=[*DIBAO, {"type": "orphan", "monthly_fen": 1}])
        )
    )
    assert line(d, "disability_living.orphan").outcome == "failed"


def test_full_de_facto_orphan_allowance_excludes_the_living_subsidy_but_a_top_up_does_not():
    full = disabled(
        birth="2015-01-01", benefits=[*DIBAO, {"type": "de_facto_orphan", "monthly_fen": 145000}]
    )
    assert run(living(full)).verdict == "ineligible"
    top_up = disabled(
        birth="2015-01-01", benefits=[*DIBAO, {"type": "de_facto_orphan", "monthly_fen": 105000}]
    )
    assert run(living(top_up)).verdict == "eligible"


@pytest.mark.parametrize(("grade", "ok"), [(1, True), (2, True), (3, False), (4, False)])
def test_care_subsidy_for_grades_1_and_2(grade, ok):
    assert (run(care(disabled(grade, "physical"))).verdict == "eligible") is ok


@pytest.mark.parametrize(
    ("category", "grade", "birth", "ok"),
    [
        ("intellectual", 3, "2012-01-01", True),
        ("mental", 4, "2012-01-01", True),
        ("physical", 3, "2012-01-01", False),
        ("intellectual", 3, "2000-01-01", False),
    ],
)
def test_care_subsidy_anhui_extension_to_minors(category, grade, birth, ok):
    assert (run(care(disabled(grade, category, birth))).verdict == "eligible") is ok


def test_care_subsidy_minor_amount_is_its_own_parameter():
    payload = care(
        disabled(1, "physical", "2012-01-01"),
        parameter_overrides={"disability_care_subsidy_minor_fen": 9000},
    )
    assert run(payload).amount_fen == 9000


def test_care_subsidy_the_higher_allowance_is_kept():
    higher = disabled(1, "physical", benefits=[{"type": "work_injury_care", "monthly_fen": 20000}])
    d = run(care(higher))
    assert d.verdict == "ineligible"
    assert "择高享受" in d.reasons[0]
    lower = disabled(
        1, "physical", benefits=[{"type": "elderly_care_allowance", "monthly_fen": 5000}]
    )
    assert run(care(lower)).amount_fen == 10000


def test_orphans_may_receive_the_care_subsidy():
    child = disabled(
        1, "physical", "2015-01-01", benefits=[{"type": "orphan", "monthly_fen": 145000}]
    )
    assert run(care(child)).verdict == "eligible"
