"""One search box: exact ID and phone through blind indexes, name parts, pinyin, initials."""

from __future__ import annotations

import datetime as dt

import pytest

from minzheng.registry.models import PersonSearchKey
from minzheng.registry.selectors import classify_query, person_search

from .factories import VILLAGE_B, PersonFactory

pytestmark = pytest.mark.django_db


def names(persons):
    return sorted(p.name for p in persons)


@pytest.fixture
def zhang_san():
    return PersonFactory(name="张三", id_number="340521195001010017", phone="13912345678")


def test_exact_id_number_finds_the_person(officer_a, zhang_san):
    PersonFactory(name="李四")
    assert person_search(officer_a, "340521195001010017") == [zhang_san]


def test_id_number_lookup_uses_the_blind_index_not_the_ciphertext(officer_a, zhang_san):
    q = classify_query(" 340521 1950 0101 0017 ")
    assert (q.kind, q.text) == ("id", "340521195001010017")
    assert person_search(officer_a, "340521195001010017".lower()) == [zhang_san]


def test_a_partial_id_number_finds_nothing(officer_a, zhang_san):
    assert person_search(officer_a, "34052119500101") == []


def test_phone_number_finds_the_person(officer_a, zhang_san):
    assert person_search(officer_a, "139 1234 5678") == [zhang_san]


def test_any_part_of_the_name_finds_the_person(officer_a):
    PersonFactory(name="张三丰")
    PersonFactory(name="李四")
    assert names(person_search(officer_a, "三丰")) == ["张三丰"]
    assert names(person_search(officer_a, "三")) == ["张三丰"]
    assert names(person_search(officer_a, "张")) == ["张三丰"]


@pytest.mark.parametrize("query", ["zhangsan", "ZhangSan", "zhang san", "zs", "zhangs", "zhang"])
def test_full_pinyin_and_initials_find_zhang_san(officer_a, zhang_san, query):
    PersonFactory(name="李四")
    assert person_search(officer_a, query) == [zhang_san]


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("曾国藩", "zengguofan"),
        ("曾国藩", "zgf"),
        ("解晓东", "xiexiaodong"),
        ("单田芳", "shantianfang"),
        ("仇英", "qiuying"),
        ("区志华", "ouzhihua"),
        ("查良镛", "zhaliangyong"),
        ("朴正熙", "piaozhengxi"),
        ("盖聪", "gecong"),
        ("覃晓", "qinxiao"),
        ("员伟", "yunwei"),
        ("乐嘉", "yuejia"),
        ("翟志刚", "zhaizhigang"),
        ("欧阳修", "ouyangxiu"),
        ("欧阳修", "oyx"),
        ("尉迟恭", "yuchigong"),
    ],
)
def test_polyphonic_surnames_are_found_by_their_surname_reading(officer_a, name, query):
    PersonFactory(name=name)
    assert names(person_search(officer_a, query)) == [name]


def test_zeng_finds_the_surname_but_ceng_does_not(officer_a):
    PersonFactory(name="曾国藩")
    assert names(person_search(officer_a, "zeng")) == ["曾国藩"]
    assert person_search(officer_a, "ceng") == []


@pytest.mark.parametrize("query", ["wangchangle", "wangzhangle", "wangchangyue", "wcl", "wzl"])
def test_a_polyphonic_given_name_is_found_by_any_of_its_readings(officer_a, query):
    PersonFactory(name="王长乐")
    assert names(person_search(officer_a, query)) == ["王长乐"]


def test_search_is_limited_to_the_users_region(officer_a, officer_b, county_admin, zhang_san):
    other = PersonFactory(name="张三", region_id=VILLAGE_B)
    assert person_search(officer_a, "张三") == [zhang_san]
    assert person_search(officer_b, "张三") == [other]
    assert person_search(officer_b, "340521195001010017") == []
    assert person_search(officer_b, "13912345678") == []
    assert names(person_search(county_admin, "zs")) == ["张三", "张三"]


def test_village_cadre_sees_only_the_village(cadre_a):
    PersonFactory(name="张三", region_id="340521104202")  # another village of the same town
    assert person_search(cadre_a, "张三") == []


def test_administrators_find_no_business_records(admins, zhang_san):
    assert person_search(admins["system_admin"], "张三") == []


def test_search_keys_carry_the_region_of_the_person(zhang_san):
    regions = set(
        PersonSearchKey.objects.filter(person=zhang_san).values_list("region_code", flat=True)
    )
    assert regions == {zhang_san.region_id}


def test_renaming_a_person_replaces_the_keys(officer_a, zhang_san):
    from minzheng.registry import services

    services.person_update(actor=officer_a, person=zhang_san, version=1, changes={"name": "曾三"})
    assert person_search(officer_a, "zhangsan") == []
    assert names(person_search(officer_a, "zengsan")) == ["曾三"]


def test_moving_a_person_to_another_village_moves_the_keys(county_admin, zhang_san):
    from minzheng.registry import services

    services.person_update(
        actor=county_admin, person=zhang_san, version=1, changes={"region": VILLAGE_B}
    )
    assert set(
        PersonSearchKey.objects.filter(person=zhang_san).values_list("region_code", flat=True)
    ) == {VILLAGE_B}


def test_search_results_are_capped(officer_a):
    for i in range(8):
        PersonFactory(name="张三", birth_date=dt.date(1970, 1, 1 + i))
    assert len(person_search(officer_a, "zs", limit=5)) == 5


def test_an_exact_key_comes_before_longer_ones_when_the_limit_cuts(officer_a):
    for i in range(4):
        PersonFactory(name="张三丰", birth_date=dt.date(1970, 1, 1 + i))  # zsf
    PersonFactory(name="张三")  # zs

    assert "张三" in names(person_search(officer_a, "zs", limit=2))


def test_a_name_with_many_readings_counts_once_and_the_limit_still_fills(officer_a):
    PersonFactory(name="王长乐")  # eight keys under "w": four full readings, four initials
    PersonFactory(name="魏一")
    PersonFactory(name="吴二")

    found = person_search(officer_a, "w", limit=3)

    assert names(found) == ["吴二", "王长乐", "魏一"]


def test_search_rows_carry_what_the_page_shows_without_further_queries(
    officer_a, django_assert_num_queries
):
    from django.template.loader import render_to_string

    from minzheng.registry import codes

    from .factories import HouseholdFactory, add_member

    household = HouseholdFactory(head__name="张大山", head__phone="13912345678")
    add_member(household, PersonFactory(name="张小山"), relation="20")
    rows = person_search(officer_a, "zhang")
    assert names(rows) == ["张大山", "张小山"]
    codes.choices("sex"), codes.choices("relation")  # the code tables are cached per process

    with django_assert_num_queries(0):  # no deferred field or relation read row by row
        html = render_to_string(
            "registry/_search_results.html",
            {"q": "zhang", "results": rows, "kind": "pinyin", "limit": 50},
        )

    assert "张大山户" in html
    assert "340521********" in html  # the masked ID number
    assert "子" in html


def test_search_reads_a_fixed_number_of_queries(officer_a, django_assert_max_num_queries):
    from .factories import HouseholdFactory

    for i in range(12):
        HouseholdFactory(head__name="张三", head__birth_date=dt.date(1960, 1, 1 + i))

    person_search(officer_a, "zs")  # the user's region is read once, then kept on the user

    with django_assert_max_num_queries(3):  # key range, persons, current households
        rows = person_search(officer_a, "zs")
    assert len(rows) == 12
