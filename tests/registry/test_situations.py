"""Situations (服刑在押, 羁押, 强制隔离戒毒, 限制人身自由, 失联, 宣告失踪): services and pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from minzheng.core.exceptions import DomainError, NotFoundOrNotYours, PermissionDeniedError
from minzheng.core.models import AuditEvent
from minzheng.registry import services
from minzheng.registry.models import ChangeEntry, Situation

from .factories import HouseholdFactory, PersonFactory, SituationFactory, add_member

pytestmark = pytest.mark.django_db

IMPRISONED = Situation.Kind.IMPRISONED
LOST_CONTACT = Situation.Kind.LOST_CONTACT


def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def family():
    """王大明's household in town A with his son 王小明 (born 1995)."""
    household = HouseholdFactory(head__name="王大明")
    son = add_member(household, PersonFactory(name="王小明", birth_date=dt.date(1995, 6, 1)))
    return household, son


# --- situation_add --------------------------------------------------------------------------


def test_add_records_the_situation_with_an_audit_event_and_a_history_entry(officer_a, family):
    household, son = family

    s = services.situation_add(
        actor=officer_a,
        person=son,
        kind=IMPRISONED,
        since="2023-03-01",
        until="2099-02-28",
        basis=" （2023）皖0521刑初12号 ",
    )

    assert (s.kind, s.since, s.until) == (IMPRISONED, dt.date(2023, 3, 1), dt.date(2099, 2, 28))
    assert s.basis == "（2023）皖0521刑初12号"
    assert s.county_code == "340521"
    event = AuditEvent.objects.get(action="registry.situation.add")
    assert event.actor_id == officer_a.pk
    assert event.changes["kind"] == [None, "imprisoned"]
    entry = ChangeEntry.objects.get(action="registry.situation.add")
    assert entry.household_id == household.pk
    assert entry.person_id == son.pk
    assert "服刑在押" in entry.summary
    assert ["情形", "", "服刑在押"] in entry.changes


def test_an_expected_end_in_the_future_is_accepted_and_the_situation_is_in_force(officer_a, family):
    _, son = family

    s = services.situation_add(
        actor=officer_a, person=son, kind=IMPRISONED, since="2023-03-01", until="2099-01-01"
    )

    assert s.in_force(today())
    assert not services.situation_ended(s)


@pytest.mark.parametrize("kind", ["", "orphaned", "服刑在押"])
def test_an_unknown_kind_is_refused(officer_a, family, kind):
    _, son = family
    with pytest.raises(DomainError, match="请选择特殊情形") as exc:
        services.situation_add(actor=officer_a, person=son, kind=kind, since="2023-03-01")
    assert exc.value.field == "kind"
    assert not Situation.objects.exists()


def test_an_end_before_the_start_is_refused(officer_a, family):
    _, son = family
    with pytest.raises(DomainError, match="结束日期不能早于起始日期") as exc:
        services.situation_add(
            actor=officer_a, person=son, kind=IMPRISONED, since="2023-03-01", until="2023-02-28"
        )
    assert exc.value.field == "until"


@pytest.mark.parametrize("kind", [LOST_CONTACT, Situation.Kind.DECLARED_MISSING])
def test_lost_contact_and_declared_missing_need_a_start_date(officer_a, family, kind):
    _, son = family
    with pytest.raises(DomainError, match="请填写失联（宣告失踪）的起始日期") as exc:
        services.situation_add(actor=officer_a, person=son, kind=kind)
    assert exc.value.field == "since"


def test_custody_may_be_recorded_without_a_known_start(officer_a, family):
    _, son = family
    s = services.situation_add(actor=officer_a, person=son, kind=Situation.Kind.DETAINED)
    assert s.since is None
    assert s.in_force(today())


def test_a_start_before_birth_is_refused(officer_a, family):
    _, son = family
    with pytest.raises(DomainError, match="出生日期 1995-06-01"):
        services.situation_add(actor=officer_a, person=son, kind=IMPRISONED, since="1995-05-31")


def test_a_start_after_today_is_refused(officer_a, family):
    _, son = family
    tomorrow = today() + dt.timedelta(days=1)
    with pytest.raises(DomainError, match="起始日期不能晚于今天"):
        services.situation_add(actor=officer_a, person=son, kind=IMPRISONED, since=tomorrow)


def test_a_malformed_date_is_refused_with_the_expected_format(officer_a, family):
    _, son = family
    with pytest.raises(DomainError, match="2024-01-31") as exc:
        services.situation_add(actor=officer_a, person=son, kind=IMPRISONED, since="2023/3/1")
    assert exc.value.field == "since"


def test_a_second_open_situation_of_the_same_kind_is_refused(officer_a, family):
    _, son = family
    services.situation_add(actor=officer_a, person=son, kind=LOST_CONTACT, since="2022-01-01")

    with pytest.raises(DomainError, match="重叠") as exc:
        services.situation_add(actor=officer_a, person=son, kind=LOST_CONTACT, since="2023-05-01")

    assert "失联" in exc.value.message
    assert Situation.objects.count() == 1
    assert AuditEvent.objects.filter(action="registry.situation.add").count() == 1


def test_a_period_overlapping_an_ended_one_of_the_same_kind_is_refused(officer_a, family):
    _, son = family
    SituationFactory(person=son, since=dt.date(2015, 1, 1), until=dt.date(2018, 12, 31))
    with pytest.raises(DomainError, match="重叠"):
        services.situation_add(actor=officer_a, person=son, kind=IMPRISONED, since="2018-06-01")


def test_a_later_period_of_the_same_kind_and_another_kind_at_once_are_accepted(officer_a, family):
    _, son = family
    SituationFactory(person=son, since=dt.date(2015, 1, 1), until=dt.date(2018, 12, 31))

    services.situation_add(actor=officer_a, person=son, kind=IMPRISONED, since="2021-01-01")
    services.situation_add(
        actor=officer_a, person=son, kind=Situation.Kind.COMPULSORY_DETOX, since="2021-01-01"
    )

    assert Situation.objects.filter(person=son).count() == 3


def test_an_officer_of_another_town_cannot_add(officer_b, family):
    _, son = family
    with pytest.raises(NotFoundOrNotYours):
        services.situation_add(actor=officer_b, person=son, kind=IMPRISONED, since="2023-03-01")
    assert not Situation.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="registry.situation").exists()


def test_the_read_only_auditor_cannot_add(auditor, family):
    _, son = family
    with pytest.raises(PermissionDeniedError):
        services.situation_add(actor=auditor, person=son, kind=IMPRISONED, since="2023-03-01")


# --- situation_end --------------------------------------------------------------------------


def test_end_sets_the_end_date_and_is_audited(officer_a, family):
    _, son = family
    s = SituationFactory(person=son, kind=LOST_CONTACT, since=dt.date(2022, 1, 1))

    services.situation_end(actor=officer_a, situation=s, until=today())

    s.refresh_from_db()
    assert s.until == today()
    event = AuditEvent.objects.get(action="registry.situation.end")
    assert event.changes["until"] == [None, today().isoformat()]
    assert ChangeEntry.objects.get(action="registry.situation.end").person_id == son.pk


def test_ending_twice_is_refused_with_a_chinese_message(officer_a, family):
    _, son = family
    s = SituationFactory(person=son, since=dt.date(2023, 3, 1))
    services.situation_end(actor=officer_a, situation=s, until="2024-06-30")

    with pytest.raises(DomainError, match="已于 2024-06-30 结束，不能再次登记结束"):
        services.situation_end(actor=officer_a, situation=s, until=today())

    s.refresh_from_db()
    assert s.until == dt.date(2024, 6, 30)
    assert AuditEvent.objects.filter(action="registry.situation.end").count() == 1


def test_a_sentence_with_an_expected_end_can_end_earlier(officer_a, family):
    _, son = family
    s = SituationFactory(person=son, since=dt.date(2023, 3, 1), until=dt.date(2099, 1, 1))

    services.situation_end(actor=officer_a, situation=s, until="2024-01-15")

    s.refresh_from_db()
    assert s.until == dt.date(2024, 1, 15)


def test_ending_in_the_future_is_refused(officer_a, family):
    _, son = family
    s = SituationFactory(person=son)
    with pytest.raises(DomainError, match="结束日期不能晚于今天"):
        services.situation_end(actor=officer_a, situation=s, until=today() + dt.timedelta(days=1))


def test_ending_before_the_start_is_refused(officer_a, family):
    _, son = family
    s = SituationFactory(person=son, since=dt.date(2023, 3, 1))
    with pytest.raises(DomainError, match="结束日期不能早于起始日期 2023-03-01"):
        services.situation_end(actor=officer_a, situation=s, until="2023-02-01")


def test_an_officer_of_another_town_cannot_end(officer_b, family):
    _, son = family
    s = SituationFactory(person=son)
    with pytest.raises(NotFoundOrNotYours):
        services.situation_end(actor=officer_b, situation=s, until=today())
    s.refresh_from_db()
    assert s.until is None


# --- situation_delete -----------------------------------------------------------------------


def test_delete_removes_the_entry_and_keeps_it_in_the_audit(officer_a, family):
    _, son = family
    s = SituationFactory(person=son)

    services.situation_delete(actor=officer_a, situation=s)

    assert not Situation.objects.exists()
    event = AuditEvent.objects.get(action="registry.situation.delete")
    assert event.changes["kind"] == ["imprisoned", None]
    assert "删除特殊情形" in ChangeEntry.objects.get(action="registry.situation.delete").summary


def test_an_officer_of_another_town_cannot_delete(officer_b, family):
    _, son = family
    s = SituationFactory(person=son)
    with pytest.raises(NotFoundOrNotYours):
        services.situation_delete(actor=officer_b, situation=s)
    assert Situation.objects.filter(pk=s.pk).exists()
