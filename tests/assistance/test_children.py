"""孤儿 (国办发〔2010〕54号) and 事实无人抚养儿童 (民发〔2019〕62号 一、三(一))."""

import pytest

from .helpers import application, line, lines, person, run, step

CHILD = person(birth="2015-05-05")


def orphan(mode="scattered", parents=None, day="2026-03-10", child=CHILD):
    parents = (
        parents
        if parents is not None
        else [
            person("parent", "1985-01-01", status="deceased"),
            person("parent", "1986-01-01", status="deceased"),
        ]
    )
    return application(
        "orphan", members=[child, *parents], choices={"orphan_care_mode": mode}, day=day
    )


@pytest.mark.parametrize(
    ("mode", "day", "amount"),
    [
        ("institutional", "2023-04-30", 156500),
        ("institutional", "2023-05-01", 186500),
        ("scattered", "2023-04-30", 115000),
        ("scattered", "2026-03-10", 145000),
    ],
)
def test_orphan_allowance_by_mode_and_date(mode, day, amount):
    d = run(orphan(mode, day=day))
    assert d.verdict == "eligible"
    assert d.amount_fen == amount


def test_orphan_needs_both_parents_dead_or_unknown():
    one = [person("parent", "1985-01-01", status="deceased"), person("parent", "1986-01-01")]
    d = run(orphan(parents=one))
    assert d.verdict == "ineligible"
    assert "事实无人抚养儿童" in d.reasons[0]
    unknown = person(birth="2015-05-05", parents_unknown=True)
    assert run(orphan(parents=[], child=unknown)).verdict == "eligible"


def test_orphan_must_be_under_18():
    d = run(orphan(child=person(birth="2008-03-10")))
    assert line(d, "children.age").outcome == "failed"


def de_facto(father, mother, child=CHILD):
    return application("de_facto_orphan", members=[child, father, mother])


ABLE = person("parent", "1985-01-01")
DEAD = person("parent", "1985-01-01", status="deceased")


@pytest.mark.parametrize(
    ("parent", "ok"),
    [
        (person("parent", "1985-01-01", disability={"category": "physical", "grade": 2}), True),
        (person("parent", "1985-01-01", disability={"category": "mental", "grade": 4}), True),
        (person("parent", "1985-01-01", disability={"category": "physical", "grade": 3}), False),
        (person("parent", "1985-01-01", serious_illness=True), True),
        (
            person(
                "parent",
                "1985-01-01",
                status="imprisoned",
                status_since="2025-12-01",
                status_until="2026-06-01",
            ),
            True,
        ),
        (
            person(
                "parent",
                "1985-01-01",
                status="imprisoned",
                status_since="2025-12-01",
                status_until="2026-05-31",
            ),
            False,
        ),
        (
            person(
                "parent",
                "1985-01-01",
                status="compulsory_detox",
                status_since="2025-06-01",
                status_until="2027-06-01",
            ),
            True,
        ),
        (person("parent", "1985-01-01", status="lost_contact", status_since="2025-09-10"), True),
        (person("parent", "1985-01-01", status="lost_contact", status_since="2025-09-11"), False),
    ],
)
def test_art1_other_parent_dead_and_this_one_in_a_listed_situation(parent, ok):
    """民发〔2019〕62号 一: one parent dead or missing, the other severely disabled, ill, … 6 months."""
    d = run(de_facto(DEAD, parent))
    assert (d.verdict == "eligible") is ok


def test_art1_both_parents_in_listed_situations():
    ill = person("parent", "1985-01-01", serious_illness=True)
    assert run(de_facto(ill, ill)).verdict == "eligible"
    assert run(de_facto(ill, ABLE)).verdict == "ineligible"


def test_a_sentence_already_served_does_not_count():
    released = person(
        "parent",
        "1985-01-01",
        status="imprisoned",
        status_since="2020-01-01",
        status_until="2025-12-31",
    )
    d = run(de_facto(DEAD, released))
    assert d.verdict == "ineligible"
    assert "已于 2025-12-31 结束" in line(d, "de_facto.parent[2]").text


def test_art1_term_not_given_is_left_to_the_officer():
    unknown = person("parent", "1985-01-01", status="detained", status_since="2026-01-01")
    d = run(de_facto(DEAD, unknown))
    assert d.verdict == "needs_review"


def test_both_parents_dead_is_an_orphan_not_de_facto():
    d = run(de_facto(DEAD, DEAD))
    assert d.reasons == ["儿童父母均已死亡或查找不到，应按孤儿认定"]


def test_art3_1_full_allowance_without_other_benefits():
    d = run(de_facto(DEAD, person("parent", "1985-01-01", serious_illness=True)))
    assert d.amount_fen == 145000
    assert d.category == "全额发放"


def test_art3_1_top_up_over_dibao_tekun_and_living_subsidy():
    child = person(
        birth="2015-05-05",
        benefits=[
            {"type": "dibao", "monthly_fen": 60000},
            {"type": "disability_living", "monthly_fen": 10000},
        ],
    )
    d = run(de_facto(DEAD, person("parent", "1985-01-01", serious_illness=True), child=child))
    assert step(d, "补差金额") == ("1450.00 − 700.00 = 750.00", 75000)
    assert d.amount_fen == 75000
    assert d.category == "补差发放"


def test_art3_1_no_top_up_when_benefits_reach_the_standard():
    child = person(birth="2015-05-05", benefits=[{"type": "tekun", "monthly_fen": 145000}])
    d = run(de_facto(DEAD, person("parent", "1985-01-01", serious_illness=True), child=child))
    assert d.verdict == "ineligible"
    assert lines(d, "de_facto.top_up")[0].values["received_fen"] == 145000
