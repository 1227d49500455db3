"""Who counts as a household member: 审核确认办法 第7条."""

import pytest

from .helpers import application, line, person, run


def member_line(members, index):
    return line(run(application(members=members)), f"household.member[{index}]")


def size(members, **kw):
    return line(run(application(members=members, **kw)), "household.size").values["members"]


def test_art7_1_spouse_counts_even_living_apart():
    ln = member_line([person(), person("spouse", lives_with_household=False)], 1)
    assert ln.values["included"] is True
    assert ln.article == "审核确认办法 第7条第1款(一)"


def test_art7_2_minor_child_counts():
    ln = member_line([person(), person("child", "2010-03-11")], 1)  # 15 on 2026-03-10
    assert ln.values["included"] is True
    assert "未成年子女（15周岁）" in ln.text


def test_art7_3_adult_undergraduate_child_counts():
    ln = member_line(
        [
            person(),
            person(
                "child", "2003-01-01", student_level="undergraduate", lives_with_household=False
            ),
        ],
        1,
    )
    assert ln.values["included"] is True
    assert ln.article.endswith("第1款(三)")


def test_art7_3_postgraduate_living_away_does_not_count():
    ln = member_line(
        [
            person(),
            person("child", "2000-01-01", student_level="postgraduate", lives_with_household=False),
        ],
        1,
    )
    assert ln.values["included"] is False
    assert "研究生" in ln.text


def test_art7_3_adult_child_who_cannot_live_independently_counts():
    ln = member_line(
        [
            person(),
            person(
                "child", "1995-01-01", cannot_live_independently=True, lives_with_household=False
            ),
        ],
        1,
    )
    assert ln.values["included"] is True


def test_art7_4_parent_living_together_counts_but_not_living_apart():
    assert member_line([person(), person("parent", "1945-01-01")], 1).values["included"] is True
    apart = member_line([person(), person("parent", "1945-01-01", lives_with_household=False)], 1)
    assert apart.values["included"] is False
    assert "未与申请人长期共同居住" in apart.text


def test_art7_4_in_law_has_no_legal_duty():
    ln = member_line([person(), person("child_in_law", "1990-01-01")], 1)
    assert ln.values["included"] is False
    assert "没有法定赡养" in ln.text


@pytest.mark.parametrize("status", ["imprisoned", "compulsory_detox", "declared_missing"])
def test_art7_excl_2_prison_detox_missing_do_not_count(status):
    ln = member_line([person(), person("spouse", status=status)], 1)
    assert ln.values["included"] is False
    assert ln.article == "审核确认办法 第7条第2款(二)"


def test_art7_excl_1_clergy_apart_three_years_inclusive():
    three_years = person("spouse", status="clergy_apart", status_since="2023-03-10")
    assert member_line([person(), three_years], 1).values["included"] is False
    almost = person("spouse", status="clergy_apart", status_since="2023-03-11")
    assert member_line([person(), almost], 1).values["included"] is True


def test_art7_excl_3_provincial_extra_status_is_a_parameter():
    members = [person(), person("spouse", status="in_army")]
    assert size(members) == 2
    assert (
        size(members, parameter_overrides={"household_extra_excluded_statuses": ["in_army"]}) == 1
    )


def test_deceased_do_not_count():
    assert size([person(), person("spouse", status="deceased")]) == 1
