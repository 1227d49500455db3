"""Likely duplicates: the three signs, region scope, merge and its undo, dismissal."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction
from django.utils import timezone

from minzheng.core.exceptions import DomainError, NotFoundOrNotYours
from minzheng.core.models import AuditEvent
from minzheng.registry import duplicates
from minzheng.registry.bulkload import NewHousehold, NewPerson, write_households
from minzheng.registry.models import Disability, Household, Membership, Person, PersonSearchKey

from .datafiles import SHIQIAO_VILLAGE, TAOYUAN, make_id

pytestmark = pytest.mark.django_db
BORN = date(1950, 1, 1)


def add(region: str, *members: tuple[str, str, str | None], born: date = BORN) -> list[Person]:
    """One household; members are (name, ID number, phone); the first is the head."""
    hh = NewHousehold(
        region,
        "测试地址",
        [
            NewPerson(
                name=name,
                id_number=number,
                sex="1",
                birth_date=born,
                relation="02" if i == 0 else "20",
                phone=phone,
            )
            for i, (name, number, phone) in enumerate(members)
        ],
    )
    with transaction.atomic():
        [written] = write_households([hh])
    return [Person.objects.get(pk=pk) for pk in written.person_ids]


def kinds(user) -> list[str]:
    return sorted(g.kind for g in duplicates.duplicate_candidates(user))


def test_same_name_and_birth_date_in_two_households_is_reported(county_admin):
    a = add(TAOYUAN, ("王建国", make_id(1), None))[0]
    b = add(TAOYUAN, ("王建国", make_id(2), None))[0]
    [group] = duplicates.duplicate_candidates(county_admin)
    assert group.kind == duplicates.KIND_NAME_BIRTH
    assert {p.pk for p in group.persons} == {a.pk, b.pk}


def test_same_name_and_birth_date_in_one_household_is_not_reported(county_admin):
    add(TAOYUAN, ("王建国", make_id(1), None), ("王建国", make_id(2), None))
    assert kinds(county_admin) == []


def test_same_phone_in_two_households_is_reported(county_admin):
    add(TAOYUAN, ("王建国", make_id(1), "13912345678"))
    add(TAOYUAN, ("李秀英", make_id(2), "139 1234 5678"))
    assert kinds(county_admin) == [duplicates.KIND_PHONE]


def test_15_and_18_digit_forms_of_one_number_are_reported(county_admin):
    number = make_id(1)
    add(TAOYUAN, ("王建国", number, None))
    add(TAOYUAN, ("王建囯", number[:6] + number[8:17], None))  # another spelling, old number
    [group] = duplicates.duplicate_candidates(county_admin)
    assert group.kind == duplicates.KIND_ID_15_18


def test_report_shows_only_the_users_region(officer_a, officer_b):
    add(TAOYUAN, ("王建国", make_id(1), None))
    add(TAOYUAN, ("王建国", make_id(2), None))
    assert kinds(officer_a) == [duplicates.KIND_NAME_BIRTH]
    assert kinds(officer_b) == []


def test_dismissed_group_is_no_longer_reported(county_admin):
    add(TAOYUAN, ("王建国", make_id(1), None))
    add(SHIQIAO_VILLAGE, ("王建国", make_id(2), None))
    [group] = duplicates.duplicate_candidates(county_admin)
    with pytest.raises(DomainError):
        duplicates.duplicate_dismiss(actor=county_admin, group=group, reason=" ")
    duplicates.duplicate_dismiss(actor=county_admin, group=group, reason="同名同生日的两个人")
    assert duplicates.duplicate_candidates(county_admin) == []
    assert len(duplicates.duplicate_candidates(county_admin, include_dismissed=True)) == 1


def test_merge_retires_the_duplicate_and_undo_restores_it(county_admin):
    keep = add(
        TAOYUAN, ("王建国", make_id(1), None), ("王小明", make_id(2, born=date(1980, 1, 1)), None)
    )[0]
    dup = add(SHIQIAO_VILLAGE, ("王建国", make_id(3), None))[0]
    Disability.objects.create(person=dup, category="4", grade=3, county_code="340521")
    dup_household = Membership.objects.get(person=dup).household
    keys_before = set(PersonSearchKey.objects.filter(person=dup).values_list("key", flat=True))

    event = duplicates.persons_merge(
        actor=county_admin, keep=keep.public_id, duplicate=dup.public_id, reason="同一人两处登记"
    )

    dup.refresh_from_db()
    assert dup.status == Person.Status.MOVED_OUT
    assert Disability.objects.get().person_id == keep.pk
    assert not Membership.objects.filter(person=dup, ended_on__isnull=True).exists()
    assert Household.objects.get(pk=dup_household.pk).member_count == 0
    assert not PersonSearchKey.objects.filter(person=dup).exists()
    assert duplicates.duplicate_candidates(county_admin) == []

    duplicates.persons_merge_undo(actor=county_admin, merge_seq=event.seq)

    dup.refresh_from_db()
    assert dup.status == Person.Status.LIVING
    assert dup.moved_out_on is None
    assert Disability.objects.get().person_id == dup.pk
    assert (
        Membership.objects.get(person=dup, ended_on__isnull=True).household_id == dup_household.pk
    )
    assert Household.objects.get(pk=dup_household.pk).member_count == 1
    assert (
        set(PersonSearchKey.objects.filter(person=dup).values_list("key", flat=True)) == keys_before
    )
    with pytest.raises(DomainError, match="已经撤销"):
        duplicates.persons_merge_undo(actor=county_admin, merge_seq=event.seq)
    assert AuditEvent.objects.filter(action__startswith="registry.person_merge").count() == 2


def test_merge_into_a_person_without_household_moves_the_membership(county_admin):
    keep = add(TAOYUAN, ("王建国", make_id(1), None))[0]
    Membership.objects.filter(person=keep).update(ended_on=timezone.localdate())
    dup = add(SHIQIAO_VILLAGE, ("王建国", make_id(2), None))[0]
    household = Membership.objects.get(person=dup).household
    event = duplicates.persons_merge(
        actor=county_admin, keep=keep.public_id, duplicate=dup.public_id
    )
    assert Household.objects.get(pk=household.pk).head_id == keep.pk
    assert Membership.objects.get(household=household, ended_on__isnull=True).person_id == keep.pk
    duplicates.persons_merge_undo(actor=county_admin, merge_seq=event.seq)
    assert Household.objects.get(pk=household.pk).head_id == dup.pk


def test_merge_refuses_a_head_whose_household_has_other_members(county_admin):
    keep = add(TAOYUAN, ("王建国", make_id(1), None))[0]
    dup = add(SHIQIAO_VILLAGE, ("王建国", make_id(2), None), ("王小明", make_id(3), None))[0]
    with pytest.raises(DomainError, match="先变更户主"):
        duplicates.persons_merge(actor=county_admin, keep=keep.public_id, duplicate=dup.public_id)
    assert Person.objects.get(pk=dup.pk).status == Person.Status.LIVING


def test_merge_outside_the_users_region_looks_like_missing(officer_a):
    keep = add(TAOYUAN, ("王建国", make_id(1), None))[0]
    dup = add(SHIQIAO_VILLAGE, ("王建国", make_id(2), None))[0]
    with pytest.raises(NotFoundOrNotYours):
        duplicates.persons_merge(actor=officer_a, keep=keep.public_id, duplicate=dup.public_id)


def test_generated_county_contains_each_kind_of_planted_duplicate(county_admin):
    from minzheng.registry.generator import generate_county

    generate_county(6000, 11, as_of=date(2026, 6, 30))
    found = set(kinds(county_admin))
    assert found == {duplicates.KIND_ID_15_18, duplicates.KIND_NAME_BIRTH, duplicates.KIND_PHONE}
