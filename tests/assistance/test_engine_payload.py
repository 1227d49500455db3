"""The engine's payload built from the registry: members as they were on the application
date, and the benefits the system already pays them (enter once)."""

from __future__ import annotations

import datetime as dt

import pytest

from minzheng.assistance.models import Programme
from minzheng.assistance.workflow_selectors import assess_payload, engine_payload
from minzheng.registry.models import Membership, Person, Situation
from tests.assistance.dynamic_helpers import enroll
from tests.registry.factories import HouseholdFactory, PersonFactory, add_member

pytestmark = pytest.mark.django_db


def payload(household, on, programme="dibao"):
    return engine_payload(
        household=household,
        applicant=household.head,
        programme=programme,
        on=on,
        region_code=household.region_id,
    )


def test_a_child_born_after_the_application_date_is_not_a_member_yet():
    household = HouseholdFactory()
    baby = add_member(household, PersonFactory(birth_date=dt.date(2024, 3, 1)), relation="21")
    Membership.objects.filter(person=baby).update(started_on=dt.date(2024, 3, 1))

    before = payload(household, dt.date(2023, 6, 1))
    after = payload(household, dt.date(2024, 6, 1))

    assert len(before["members"]) == 1
    assert len(after["members"]) == 2
    assert after["members"][1]["birth_date"] == "2024-03-01"


def test_a_household_entered_after_the_application_date_keeps_its_members():
    household = HouseholdFactory()
    add_member(household, relation="10")
    Membership.objects.filter(household=household).update(started_on=dt.date(2024, 5, 1))

    assert len(payload(household, dt.date(2024, 4, 25))["members"]) == 2


def test_a_member_who_left_after_the_application_date_still_counts_for_it():
    household = HouseholdFactory()
    son = add_member(household, relation="21")
    Membership.objects.filter(person=son).update(ended_on=dt.date(2024, 1, 31))

    assert len(payload(household, dt.date(2023, 6, 1))["members"]) == 2
    assert len(payload(household, dt.date(2024, 6, 1))["members"]) == 1


def test_current_benefits_come_from_the_enrollments_the_system_holds():
    household = HouseholdFactory()
    wife = add_member(household, relation="10")
    enroll(
        programme=Programme.DIBAO,
        household=household,
        payee=household.head,
        covered=2,
        amount_fen=150000,
        start=dt.date(2023, 2, 1),
    )
    enroll(programme=Programme.GAOLING, payee=wife, amount_fen=5000, start=dt.date(2023, 3, 1))

    before = payload(household, dt.date(2023, 1, 15), programme="disability_living_subsidy")
    after = payload(household, dt.date(2023, 3, 15), programme="disability_living_subsidy")

    assert all("benefits" not in m for m in before["members"])
    head, spouse = after["members"]
    assert head["benefits"] == [{"type": "dibao", "monthly_fen": 75000}]
    assert sorted(spouse["benefits"], key=lambda b: b["type"]) == [
        {"type": "dibao", "monthly_fen": 75000},
        {"type": "gaoling", "monthly_fen": 5000},
    ]


def test_an_ended_enrollment_is_no_current_benefit():
    household = HouseholdFactory()
    enroll(
        programme=Programme.DIBAO,
        household=household,
        payee=household.head,
        start=dt.date(2023, 2, 1),
        end=dt.date(2023, 12, 1),
    )

    assert "benefits" in payload(household, dt.date(2023, 12, 20))["members"][0]
    assert "benefits" not in payload(household, dt.date(2024, 1, 5))["members"][0]


def test_a_grandchild_applicant_sees_the_parents_who_died_as_members():
    from minzheng.assistance.workflow_selectors import engine_payload as build

    household = HouseholdFactory()  # the grandfather is the head
    child = add_member(household, PersonFactory(birth_date=dt.date(2015, 4, 1)), relation="41")
    son = add_member(household, PersonFactory(birth_date=dt.date(1988, 1, 1)), relation="22")
    wife = add_member(household, PersonFactory(birth_date=dt.date(1990, 1, 1)), relation="38")
    add_member(household, PersonFactory(birth_date=dt.date(1986, 1, 1)), relation="21")
    for p in (son, wife):
        Person.objects.filter(pk=p.pk).update(
            status=Person.Status.DECEASED, died_on=dt.date(2021, 5, 1)
        )
        Membership.objects.filter(person=p).update(
            ended_on=dt.date(2021, 5, 1), end_reason="死亡注销"
        )

    payload = build(
        household=household,
        applicant=child,
        programme="orphan",
        on=dt.date(2023, 3, 1),
        region_code=household.region_id,
        choices={"orphan_care_mode": "scattered"},
    )

    parents = [m for m in payload["members"] if m["relation"] == "parent"]
    assert [(m["birth_date"], m["status"]) for m in parents] == [
        ("1988-01-01", "deceased"),
        ("1990-01-01", "deceased"),
    ]
    # the living uncle is no parent; the head's own application lists no dead "parents"
    (uncle_row,) = [m for m in payload["members"] if m["birth_date"] == "1986-01-01"]
    assert uncle_row["relation"] != "parent"
    assert all(m["relation"] != "parent" for m in payload_of_head(household)["members"])


def payload_of_head(household):
    return payload(household, dt.date(2023, 3, 1))


# --- situations of the parents (事实无人抚养儿童) ------------------------------------------------


def _grandchild_with_parents(son_situation, wife_situation):
    """Grandfather's household: a grandchild born 2015, her father (22) and mother (38) as
    members, each with the given (kind, since, until) situation or none."""
    household = HouseholdFactory()
    child = add_member(household, PersonFactory(birth_date=dt.date(2015, 4, 1)), relation="41")
    son = add_member(household, PersonFactory(birth_date=dt.date(1988, 1, 1)), relation="22")
    wife = add_member(household, PersonFactory(birth_date=dt.date(1990, 1, 1)), relation="38")
    for person, situation in ((son, son_situation), (wife, wife_situation)):
        if situation:
            kind, since, until = situation
            Situation.objects.create(
                person=person, kind=kind, since=since, until=until, county_code="340521"
            )
    return household, child


def _de_facto_payload(household, child, on=dt.date(2023, 3, 1)):
    return engine_payload(
        household=household,
        applicant=child,
        programme="de_facto_orphan",
        on=on,
        region_code=household.region_id,
    )


def test_parents_in_prison_and_lost_contact_reach_the_engine_and_qualify_the_child():
    household, child = _grandchild_with_parents(
        ("imprisoned", dt.date(2022, 3, 1), dt.date(2027, 2, 28)),
        ("lost_contact", dt.date(2022, 6, 1), None),
    )

    data = _de_facto_payload(household, child)

    parents = sorted(
        (m for m in data["members"] if m["relation"] == "parent"), key=lambda m: m["birth_date"]
    )
    assert [(m["status"], m.get("status_since"), m.get("status_until")) for m in parents] == [
        ("imprisoned", "2022-03-01", "2027-02-28"),
        ("lost_contact", "2022-06-01", None),
    ]
    decision = assess_payload(data)
    assert decision.verdict == "eligible", decision.reasons
    assert decision.amount_fen > 0


def test_a_situation_that_ended_before_the_application_is_not_sent():
    household, child = _grandchild_with_parents(
        ("imprisoned", dt.date(2020, 3, 1), dt.date(2022, 2, 28)),
        ("lost_contact", dt.date(2022, 6, 1), None),
    )

    data = _de_facto_payload(household, child)

    father = next(m for m in data["members"] if m["birth_date"] == "1988-01-01")
    assert "status" not in father
    decision = assess_payload(data)
    assert decision.verdict == "ineligible"
    assert any("不符合事实无人抚养儿童认定条件" in r for r in decision.reasons)


def test_without_any_recorded_situation_the_child_is_not_de_facto_unsupported():
    household, child = _grandchild_with_parents(None, None)

    decision = assess_payload(_de_facto_payload(household, child))

    assert decision.verdict == "ineligible"


def test_an_imprisoned_member_is_not_counted_in_the_dibao_household():
    household = HouseholdFactory()
    son = add_member(household, PersonFactory(birth_date=dt.date(1988, 1, 1)), relation="21")
    Situation.objects.create(
        person=son,
        kind="imprisoned",
        since=dt.date(2022, 1, 1),
        until=dt.date(2026, 12, 31),
        county_code="340521",
    )

    decision = assess_payload(payload(household, dt.date(2023, 3, 1)))

    assert any("服刑" in line.text for line in decision.lines), [
        line.text for line in decision.lines
    ]
