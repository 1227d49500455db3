"""The synthetic county: determinism, distributions, consistency of what is written."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q

from minzheng.core.exceptions import DomainError
from minzheng.core.idnumber import parse_resident_id
from minzheng.core.models import AuditEvent
from minzheng.registry.generator import generate_county, plan_households
from minzheng.registry.models import (
    Disability,
    Household,
    IncomeItem,
    Membership,
    Person,
    PersonSearchKey,
    Situation,
)

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 6, 30)


def _fingerprint(plans):
    return [
        (
            hh.region_code,
            hh.address,
            [(m.name, m.id_number, m.relation, m.phone, m.status) for m in hh.members],
        )
        for hh, _ in plans
    ]


def _age(birth: date) -> int:
    return AS_OF.year - birth.year - ((AS_OF.month, AS_OF.day) < (birth.month, birth.day))


@pytest.fixture(scope="module")
def county(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        plans, counts = plan_households(20_000, 42, as_of=AS_OF)
    people = [(hh, p, m) for hh, members in plans for p, m in zip(hh.members, members, strict=True)]
    return plans, counts, people


def test_same_seed_gives_the_same_county_and_another_seed_another():
    first, _ = plan_households(2000, 7, as_of=AS_OF)
    again, _ = plan_households(2000, 7, as_of=AS_OF)
    other, _ = plan_households(2000, 8, as_of=AS_OF)
    assert _fingerprint(first) == _fingerprint(again)
    assert _fingerprint(first) != _fingerprint(other)


def test_exactly_the_requested_number_of_persons(county):
    _, _, people = county
    assert len(people) == 20_000


def test_population_is_ageing_like_rural_anhui(county):
    _, _, people = county
    living = [p for _, p, _ in people if p.status == "living"]
    ages = [_age(p.birth_date) for p in living]
    assert sum(a >= 60 for a in ages) / len(ages) >= 0.20
    assert sum(a >= 80 for a in ages) / len(ages) >= 0.03
    assert 0.10 <= sum(a < 16 for a in ages) / len(ages) <= 0.22


def test_every_id_number_is_valid_unique_and_mostly_of_the_county(county):
    _, counts, people = county
    numbers = [p.id_number for _, p, _ in people]
    assert len(set(numbers)) == len(numbers)
    eighteen = [n for n in numbers if len(n) == 18]
    for n in eighteen:
        assert parse_resident_id(n, today=AS_OF).number == n
    prefixes = Counter(n[:6] for n in eighteen)
    assert prefixes["340521"] / len(eighteen) >= 0.95
    assert len(prefixes) >= 5  # neighbours and older codes appear too
    assert counts["id_unknown_prefix"] > 0


def test_id_numbers_agree_with_birth_date_and_sex(county):
    _, _, people = county
    for _, p, _ in people:
        if len(p.id_number) == 18:
            parsed = parse_resident_id(p.id_number, today=AS_OF)
            assert (parsed.birth_date, parsed.sex) == (p.birth_date, p.sex)


def test_households_have_one_head_and_sensible_ages(county):
    plans, _, _ = county
    sizes = []
    for hh, _ in plans:
        heads = [m for m in hh.members if m.relation == "02"]
        assert len(heads) == 1
        head = heads[0]
        sizes.append(len(hh.members))
        for m in hh.members:
            if m.relation in {"10", "11", "12"}:  # spouse of similar age
                assert abs(_age(m.birth_date) - _age(head.birth_date)) <= 12
            if m.relation[0] in "23" and m.relation != "38":  # children: born to adults
                assert _age(head.birth_date) - _age(m.birth_date) >= 18
            if m.relation in {"41", "42"}:  # grandchildren
                assert _age(head.birth_date) - _age(m.birth_date) >= 36
            if m.relation in {"51", "52"}:
                assert _age(m.birth_date) - _age(head.birth_date) >= 18
    mean = sum(sizes) / len(sizes)
    assert 2.4 <= mean <= 3.5
    assert max(sizes) <= 9


def test_disability_left_behind_children_and_statuses_occur(county):
    _, counts, people = county
    living = [m for _, p, m in people if p.status == "living"]
    disabled = sum(1 for m in living if m.disability)
    assert 0.05 <= disabled / len(living) <= 0.075
    categories = Counter(m.disability[0] for m in living if m.disability)
    ranked = [c for c, _ in categories.most_common()]
    assert set(ranked[:2]) == {"4", "2"}  # 肢体 and 听力 lead (GB/T 26341 codes)
    assert ranked[-1] == "3"  # 言语残疾 is the rarest
    assert counts["left_behind_children"] > 100
    deceased = [p for _, p, _ in people if p.status == "deceased"]
    moved = [p for _, p, _ in people if p.status == "moved_out"]
    assert deceased
    assert moved
    assert all(p.died_on and p.left_on == p.died_on for p in deceased)
    assert all(p.moved_out_on and p.left_on for p in moved)


def test_some_grandchildren_have_parents_who_cannot_care_for_them(county):
    """事实无人抚养儿童: the head's son and daughter-in-law are members, in prison, in
    rehabilitation or out of contact (or one of them dead), with no work or income."""
    plans, counts, _ = county
    households = [members for _, members in plans if any(m.situation for m in members)]
    assert counts["de_facto_unsupported_children"] >= 10
    assert len(households) >= 5
    for members in households:
        assert any(m.new.relation.startswith("4") and m.age < 18 for m in members)
        absent = [m for m in members if m.situation]
        assert {m.new.relation for m in absent} <= {"22", "38"}
        for m in absent:
            kind, since, until = m.situation
            assert kind in Situation.Kind.values
            assert since <= AS_OF
            assert until is None or until > since
            assert m.income is None
            assert not m.new.living_together
            assert m.new.status == "living"


def test_urban_hukou_lives_mostly_in_communities(county):
    _, _, people = county
    from minzheng.geo.models import Region

    communities = set(Region.objects.filter(level="community").values_list("code", flat=True))
    urban = [hh.region_code in communities for hh, p, _ in people if p.hukou == "urban"]
    assert 0.2 <= len(urban) / len(people) <= 0.45
    assert sum(urban) / len(urban) >= 0.8


def test_incomes_are_whole_yuan_in_fen_and_plausible(county):
    _, _, people = county
    wages = [m.income[1] for _, _, m in people if m.income and m.income[0] == "wage"]
    assert all(w % 100 == 0 and w > 0 for w in wages)
    median = sorted(wages)[len(wages) // 2]
    assert 250_000 <= median <= 700_000  # 2 500 – 7 000 yuan a month


def test_generate_county_writes_a_consistent_registry():
    result = generate_county(3000, 3, as_of=AS_OF)
    assert Person.objects.count() == result.persons == 3000
    assert Household.objects.count() == result.households
    bad = Household.objects.annotate(
        current=Count("memberships", filter=Q(memberships__ended_on__isnull=True))
    ).exclude(current=F("member_count"))
    assert not bad.exists()
    heads = Membership.objects.filter(relation="02").values_list("person_id", flat=True)
    assert set(Household.objects.values_list("head_id", flat=True)) == set(heads)
    assert PersonSearchKey.objects.values("person").distinct().count() == 3000
    assert IncomeItem.objects.exists()
    assert Disability.objects.exists()
    assert Person.objects.filter(id_number_index__isnull=True).count() == 0
    event = AuditEvent.objects.get(action="registry.generate")
    assert event.detail["persons"] == 3000
    with pytest.raises(DomainError, match="空的档案库"):
        generate_county(10, 3, as_of=AS_OF)


def test_generate_command_and_if_empty(capsys):
    call_command("generate", persons=300, seed=2, as_of=AS_OF)
    call_command("generate", persons=300, seed=2, if_empty=True)
    out = capsys.readouterr().out
    assert "已生成 300 人" in out
    assert "跳过" in out
    assert Person.objects.count() == 300
