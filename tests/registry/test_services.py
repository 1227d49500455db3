"""Registry services: rules, constraints, concurrency, audit and history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from minzheng.core.exceptions import (
    ConcurrentEditError,
    DomainError,
    NotFoundOrNotYours,
    PermissionDeniedError,
)
from minzheng.core.models import AuditEvent
from minzheng.registry import services
from minzheng.registry.models import (
    ChangeEntry,
    Disability,
    Household,
    IncomeItem,
    Membership,
    Person,
)

from .factories import (
    VILLAGE_A,
    VILLAGE_B,
    HouseholdFactory,
    IncomeFactory,
    PersonFactory,
    add_member,
    resident_id,
)

pytestmark = pytest.mark.django_db

ID_MAN_1950 = "340521195001010017"


def _create(actor, number=ID_MAN_1950, name="张三", region=VILLAGE_A, **kw):
    return services.person_create(
        actor=actor, id_number=number, name=name, region_code=region, hukou="rural", **kw
    )


# --- person_create --------------------------------------------------------------------------


def test_person_create_takes_sex_and_birth_date_from_the_id_number(officer_a):
    person = _create(officer_a, "340521200501010025", name="李梅")
    assert person.sex == "2"
    assert person.birth_date == dt.date(2005, 1, 1)
    assert person.county_code == "340521"
    assert person.id_warnings == []


def test_unknown_address_code_is_a_warning_not_a_refusal(officer_a):
    number = resident_id(dt.date(1980, 3, 3), 11, address="110105")  # Beijing, not in our table
    person = _create(officer_a, number)
    assert person.pk
    assert any("110105" in w for w in person.id_warnings)


def test_invalid_id_number_is_refused_with_its_reason(officer_a):
    with pytest.raises(DomainError, match="校验码错误") as exc:
        _create(officer_a, "340521195001010018")
    assert exc.value.field == "id_number"


def test_duplicate_id_number_is_refused_naming_the_existing_household(officer_a):
    household = HouseholdFactory(head__name="王大明", head__id_number=ID_MAN_1950)
    with pytest.raises(DomainError) as exc:
        _create(officer_a, ID_MAN_1950, name="王大明")
    assert "已登记为 王大明" in exc.value.message
    assert "王大明户" in exc.value.message
    assert "桃元村" in exc.value.message
    assert ID_MAN_1950 not in exc.value.message  # masked
    assert Person.objects.count() == 1
    assert household.pk


def test_duplicate_in_another_town_names_only_the_town(officer_b):
    PersonFactory(name="王大明", id_number=ID_MAN_1950, region_id=VILLAGE_A)
    with pytest.raises(DomainError) as exc:
        _create(officer_b, ID_MAN_1950, region=VILLAGE_B)
    assert "塘南镇" in exc.value.message
    assert "王大明" not in exc.value.message


def test_database_refuses_a_second_person_with_the_same_id_number():
    PersonFactory(id_number=ID_MAN_1950)
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(id_number=ID_MAN_1950)


def test_person_create_outside_the_users_region_is_refused(officer_b):
    with pytest.raises(PermissionDeniedError):
        _create(officer_b, region=VILLAGE_A)
    assert not Person.objects.exists()


def test_person_must_be_registered_in_a_village_not_a_town(officer_a):
    with pytest.raises(DomainError, match="村（社区）"):
        _create(officer_a, region="340521104")


def test_read_only_auditor_cannot_register_a_person(auditor):
    with pytest.raises(PermissionDeniedError):
        _create(auditor)


# --- membership -----------------------------------------------------------------------------


def test_database_allows_only_one_current_household_per_person():
    household = HouseholdFactory()
    other = HouseholdFactory(head__name="李四")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            person=household.head,
            household=other,
            relation="20",
            started_on=dt.date(2020, 1, 1),
            county_code="340521",
        )


def test_database_allows_a_new_household_after_the_old_membership_ended():
    household = HouseholdFactory()
    other = HouseholdFactory(head__name="李四")
    Membership.objects.filter(person=household.head).update(ended_on=dt.date(2020, 1, 1))
    Membership.objects.create(
        person=household.head,
        household=other,
        relation="20",
        started_on=dt.date(2020, 1, 1),
        county_code="340521",
    )
    assert Membership.objects.filter(person=household.head).count() == 2


def test_member_add_refuses_a_person_of_another_household(officer_a):
    first = HouseholdFactory(head__name="王大明")
    second = HouseholdFactory(head__name="李四")
    with pytest.raises(DomainError) as exc:
        services.member_add(actor=officer_a, household=second, person=first.head, relation="20")
    assert "已属于王大明户" in exc.value.message
    assert "迁入本户" in exc.value.message


def test_member_add_refuses_a_deceased_person(officer_a):
    household = HouseholdFactory()
    dead = PersonFactory(name="赵六", status=Person.Status.DECEASED, died_on=dt.date(2023, 1, 1))
    with pytest.raises(DomainError, match="已故"):
        services.member_add(actor=officer_a, household=household, person=dead, relation="20")
    assert not Membership.objects.filter(person=dead).exists()


def test_member_add_counts_the_member_and_writes_history(officer_a):
    household = HouseholdFactory()
    child = PersonFactory(name="张小红", birth_date=dt.date(2010, 7, 1))
    services.member_add(actor=officer_a, household=household, person=child, relation="30")
    household.refresh_from_db()
    assert household.member_count == 2
    entry = ChangeEntry.objects.get(household=household, action="registry.member.add")
    assert "张小红 加入本户（女）" in entry.summary
    assert entry.actor_id == officer_a.pk


def test_member_move_ends_the_old_membership_and_keeps_it(officer_a):
    old = HouseholdFactory(head__name="王大明")
    son = add_member(old)
    new = HouseholdFactory(head__name="李四")
    services.member_move(
        actor=officer_a, person=son, to_household=new, relation="28", moved_on="2024-05-01"
    )
    past = Membership.objects.get(person=son, household=old)
    assert past.ended_on == dt.date(2024, 5, 1)
    assert Membership.objects.get(person=son, ended_on__isnull=True).household == new
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.member_count, new.member_count) == (1, 2)
    assert ChangeEntry.objects.filter(household=old, action="registry.member.move").exists()
    assert ChangeEntry.objects.filter(household=new, action="registry.member.move").exists()


def test_a_head_with_other_members_cannot_move_away(officer_a):
    old = HouseholdFactory()
    add_member(old)
    new = HouseholdFactory(head__name="李四")
    with pytest.raises(DomainError, match="户主"):
        services.member_move(actor=officer_a, person=old.head, to_household=new, relation="10")


def test_household_create_refuses_a_head_already_in_a_household(officer_a):
    household = HouseholdFactory()
    with pytest.raises(DomainError, match="已属于"):
        services.household_create(actor=officer_a, head=household.head)
    assert Household.objects.count() == 1


def test_household_create_makes_the_head_its_first_member(officer_a):
    head = _create(officer_a)
    household = services.household_create(actor=officer_a, head=head, address="桃元村5组")
    m = Membership.objects.get(household=household)
    assert (m.person, m.relation, household.member_count) == (head, "02", 1)


def test_mark_deceased_ends_the_membership(officer_a):
    household = HouseholdFactory()
    member = add_member(household)
    services.person_mark_deceased(actor=officer_a, person=member, version=1, died_on="2024-03-01")
    member.refresh_from_db()
    assert member.status == Person.Status.DECEASED
    assert member.died_on == dt.date(2024, 3, 1)
    assert Membership.objects.get(person=member).ended_on == dt.date(2024, 3, 1)
    household.refresh_from_db()
    assert household.member_count == 1


def test_death_date_before_birth_is_refused(officer_a):
    person = PersonFactory(birth_date=dt.date(1970, 5, 1))
    with pytest.raises(DomainError, match="出生日期"):
        services.person_mark_deceased(
            actor=officer_a, person=person, version=1, died_on="1960-01-01"
        )


# --- versions -------------------------------------------------------------------------------


def test_a_save_based_on_an_old_version_is_refused_and_names_the_other_change(officer_a, make_user):
    colleague = make_user("officer_a2", "town_officer", "340521104", full_name="刘晓")
    person = PersonFactory(name="张三")
    # both open the edit form at version 1; the colleague saves first
    services.person_update(actor=colleague, person=person, version=1, changes={"name": "张山"})
    with pytest.raises(ConcurrentEditError) as exc:
        services.person_update(actor=officer_a, person=person, version=1, changes={"name": "张珊"})
    assert "刘晓" in exc.value.message
    assert "姓名：张三 → 张山" in exc.value.message
    person.refresh_from_db()
    assert (person.name, person.version) == ("张山", 2)


def test_income_update_with_an_old_version_is_refused(officer_a):
    income = IncomeFactory(monthly_amount_fen=100000)
    services.income_update(
        actor=officer_a, income=income, version=1, changes={"monthly_amount_fen": 120000}
    )
    with pytest.raises(ConcurrentEditError, match=r"1,200\.00元"):
        services.income_update(
            actor=officer_a, income=income, version=1, changes={"monthly_amount_fen": 90000}
        )
    income.refresh_from_db()
    assert income.monthly_amount_fen == 120000


def test_a_save_with_the_current_version_goes_through(officer_a):
    person = PersonFactory(name="张三")
    services.person_update(actor=officer_a, person=person, version=1, changes={"name": "张山"})
    services.person_update(actor=officer_a, person=person, version=2, changes={"name": "张珊"})
    person.refresh_from_db()
    assert (person.name, person.version) == ("张珊", 3)


# --- incomes, assets, disabilities ----------------------------------------------------------


def test_income_cannot_start_before_the_person_was_born(officer_a):
    household = HouseholdFactory(head__birth_date=dt.date(1990, 6, 15))
    with pytest.raises(DomainError, match="出生日期") as exc:
        services.income_add(
            actor=officer_a,
            household=household,
            person=household.head,
            category="wage",
            monthly_amount_fen=100000,
            started_on="1990-01-01",
        )
    assert exc.value.field == "started_on"


def test_negative_income_is_refused_by_the_service(officer_a):
    household = HouseholdFactory()
    with pytest.raises(DomainError, match="负数"):
        services.income_add(
            actor=officer_a,
            household=household,
            category="wage",
            monthly_amount_fen=-1,
            started_on="2024-01-01",
        )


def test_database_refuses_negative_amounts_and_reversed_dates():
    household = HouseholdFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        IncomeFactory(household=household, monthly_amount_fen=-5)
    with pytest.raises(IntegrityError), transaction.atomic():
        IncomeFactory(
            household=household, started_on=dt.date(2024, 5, 1), ended_on=dt.date(2024, 4, 1)
        )


def test_database_refuses_a_disability_grade_outside_one_to_four():
    person = PersonFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Disability.objects.create(person=person, category="4", grade=5, county_code="340521")


def test_disability_grade_is_checked_by_the_service(officer_a):
    person = PersonFactory()
    with pytest.raises(DomainError, match="一级至四级"):
        services.disability_add(actor=officer_a, person=person, category="4", grade=0)


def test_income_in_another_town_cannot_be_edited(officer_b):
    income = IncomeFactory()
    with pytest.raises(NotFoundOrNotYours):
        services.income_update(actor=officer_b, income=income, version=1, changes={"note": "x"})
    income.refresh_from_db()
    assert income.note == ""


# --- audit and history ----------------------------------------------------------------------


def test_person_update_writes_an_audit_event_with_old_and_new_values(officer_a):
    person = PersonFactory(name="张三", phone="13912345678")
    services.person_update(
        actor=officer_a,
        person=person,
        version=1,
        changes={"name": "张山", "phone": "13800001111"},
    )
    event = AuditEvent.objects.get(action="registry.person.update")
    assert event.actor_id == officer_a.pk
    assert event.object_id == str(person.public_id)
    assert event.changes["name"] == ["张三", "张山"]
    assert event.changes["phone"] == ["139****5678", "138****1111"]  # masked
    assert event.changes["version"] == [1, 2]


def test_person_update_writes_a_history_entry_on_the_household(officer_a):
    household = HouseholdFactory(head__name="张三")
    services.person_update(
        actor=officer_a, person=household.head, version=1, changes={"ethnicity": "03"}
    )
    entry = ChangeEntry.objects.get(household=household, action="registry.person.update")
    assert entry.actor_name == "officer_a"
    assert entry.changes == [["民族", "汉族", "回族"]]
    assert entry.version == 2


def test_a_refused_write_leaves_no_audit_event_or_history(officer_a):
    household = HouseholdFactory()
    before = AuditEvent.objects.count()
    with pytest.raises(DomainError):
        services.income_add(
            actor=officer_a,
            household=household,
            category="wage",
            monthly_amount_fen=100,
            started_on="2024-02-01",
            ended_on="2024-01-01",
        )
    assert AuditEvent.objects.count() == before
    assert not IncomeItem.objects.exists()
    assert not ChangeEntry.objects.filter(action="registry.income.add").exists()


def test_an_edit_without_a_version_is_refused_not_applied(officer_a):
    income = IncomeFactory(monthly_amount_fen=100000)
    with pytest.raises(DomainError, match="缺少版本信息"):
        services.income_update(
            actor=officer_a, income=income, version=None, changes={"monthly_amount_fen": 1}
        )
    income.refresh_from_db()
    assert income.monthly_amount_fen == 100000


def test_history_shows_code_labels_and_grades_in_chinese(officer_a):
    person = PersonFactory(name="单秀兰")
    d = services.disability_add(actor=officer_a, person=person, category="4", grade=2)
    services.disability_update(actor=officer_a, disability=d, version=1, changes={"grade": 1})
    entry = ChangeEntry.objects.get(action="registry.disability.update")
    assert entry.changes == [["残疾等级", "二级", "一级"]]
