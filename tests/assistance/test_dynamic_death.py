"""A death recorded in the registry ends every enrollment of the person from the next month,
on every programme, in one step (民发〔2022〕83号; 特困认定办法 第24条; the payroll contract:
``end_month`` inclusive)."""

import datetime as dt

import pytest

from minzheng.assistance import dynamic
from minzheng.assistance.models import (
    Enrollment,
    EnrollmentDecision,
    RecoveryClaim,
    ReviewTask,
)
from minzheng.assistance.rules.people import add_months, month_start, next_month
from minzheng.assistance.selectors import amount_for_month, entitled_enrollments
from minzheng.core.exceptions import DomainError
from minzheng.registry import services as registry
from minzheng.registry.models import Person
from tests.assistance.dynamic_helpers import dibao_household, enroll, months_from_now, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def nothing_paid():
    """Payments reports no month paid after the death."""
    previous = dynamic._paid_months_provider
    dynamic.set_paid_months_provider(lambda enrollments, from_month: {})
    yield
    dynamic.set_paid_months_provider(previous)


@pytest.fixture
def paid_through():
    """A minimal stand-in for the payments ledger: every enrollment paid through ``month``."""
    state = {}

    def provider(enrollments, from_month):
        out = {}
        for e in enrollments:
            months, m = [], from_month
            while m <= state["month"]:
                months.append(m)
                m = next_month(m)
            if months:
                out[e.pk] = months
        return out

    def set_month(month):
        state["month"] = month

    previous = dynamic._paid_months_provider
    dynamic.set_paid_months_provider(provider)
    yield set_month
    dynamic.set_paid_months_provider(previous)


def _die(actor, person, died_on):
    person.refresh_from_db()
    return registry.person_mark_deceased(
        actor=actor, person=person, version=person.version, died_on=died_on
    )


def _owed(month):
    return {e.pk for e in entitled_enrollments(month)}


def test_death_ends_every_programme_of_the_person_from_the_next_month(officer_a, nothing_paid):
    # Given an old man who is the payee of his 低保 household, and receives 高龄补贴 and the
    # 重度残疾人护理补贴 in his own name
    _hh, dibao, (old, _wife) = dibao_household(2, amount_fen=120000)
    gaoling = enroll(programme="gaoling", payee=old, amount_fen=5000)
    care = enroll(programme="disability_care_subsidy", payee=old, amount_fen=10000)
    died_on = today() - dt.timedelta(days=3)
    death_month = month_start(died_on)

    # When the registry records his death (one call)
    _die(officer_a, old, died_on)

    # Then each enrollment is paid through the month of death and not after
    for e in (dibao, gaoling, care):
        e.refresh_from_db()
        assert e.end_month == death_month
        assert e.status == Enrollment.Status.ENDED
        assert e.end_reason == f"死亡（{died_on.isoformat()}）"
    assert {dibao.pk, gaoling.pk, care.pk} <= _owed(death_month)
    assert not {dibao.pk, gaoling.pk, care.pk} & _owed(next_month(died_on))
    # and each end is a decision with its reason, effective the next month
    ends = EnrollmentDecision.objects.filter(kind="death_end", person=old)
    assert ends.count() == 3
    assert {d.effective_month for d in ends} == {next_month(died_on)}
    assert all("死亡" in d.reason for d in ends)


def test_a_death_rolls_back_with_its_consequences_when_the_registry_refuses(officer_a):
    _hh, dibao, (_head, child) = dibao_household(2)
    with pytest.raises(DomainError, match="不能晚于今天"):
        _die(officer_a, child, today() + dt.timedelta(days=1))
    dibao.refresh_from_db()
    assert dibao.end_month is None
    assert dibao.covered_persons == 2
    assert not EnrollmentDecision.objects.exists()


def test_a_members_death_removes_one_share_not_the_household(officer_a, nothing_paid):
    # Given a 低保 household of 3 paid 1800 元 a month to the head
    hh, dibao, (_head, _wife, son) = dibao_household(3, amount_fen=180000)
    died_on = today() - dt.timedelta(days=1)

    # When the son dies
    _die(officer_a, son, died_on)

    # Then the household keeps its 低保 with two covered persons and two shares
    dibao.refresh_from_db()
    assert dibao.end_month is None
    assert dibao.covered_persons == 2
    assert amount_for_month(dibao, month_start(died_on)) == 180000
    assert amount_for_month(dibao, next_month(died_on)) == 120000
    d = EnrollmentDecision.objects.get(enrollment=dibao)
    assert d.kind == "death_reduce"
    assert (d.amount_before_fen, d.amount_after_fen) == (180000, 120000)
    # and the household is re-checked within 3 months of the death
    task = ReviewTask.objects.get(enrollment=dibao, kind="death")
    assert task.due_on == add_months(died_on, 3)
    assert task.household == hh
    assert "3个月内复核" in task.reason


def test_the_payees_death_ends_the_household_enrollment_and_raises_a_recheck(
    officer_a, nothing_paid
):
    _hh, dibao, (head, _wife) = dibao_household(2)
    _die(officer_a, head, today())
    dibao.refresh_from_db()
    assert dibao.status == Enrollment.Status.ENDED
    task = ReviewTask.objects.get(enrollment=dibao, kind="death")
    assert "其他成员" in task.reason


def test_months_paid_after_the_death_become_a_recovery_claim(officer_a, paid_through):
    # Given a 高龄补贴 paid through this month, and a death two months ago
    died_on = add_months(today(), -2)
    old = enroll(programme="gaoling", amount_fen=5000).payee
    other = enroll(programme="disability_care_subsidy", payee=old, amount_fen=10000)
    paid_through(month_start(today()))

    _die(officer_a, old, died_on)

    claims = RecoveryClaim.objects.filter(person=old).order_by("enrollment_id")
    assert claims.count() == 2
    assert {c.from_month for c in claims} == {next_month(died_on)}
    assert {c.enrollment_id for c in claims} >= {other.pk}
    assert "应予追回" in claims[0].reason


def test_no_claim_when_nothing_was_paid_after_the_death(officer_a, paid_through):
    died_on = today()
    old = enroll(programme="gaoling").payee
    paid_through(month_start(died_on))  # paid through the month of death: owed
    _die(officer_a, old, died_on)
    assert Enrollment.objects.get(payee=old).end_month == month_start(died_on)
    assert not RecoveryClaim.objects.exists()


def test_a_members_share_paid_after_the_death_is_claimed_on_the_household(officer_a, paid_through):
    died_on = add_months(today(), -1)
    _hh, dibao, (_head, _wife, son) = dibao_household(3)
    paid_through(month_start(today()))
    _die(officer_a, son, died_on)
    claim = RecoveryClaim.objects.get(enrollment=dibao)
    assert claim.person == son
    assert claim.from_month == next_month(died_on)


@pytest.fixture
def no_ledger():
    """As if the payments app were not installed: no provider of paid months."""
    previous = dynamic._paid_months_provider
    dynamic.set_paid_months_provider(None)
    yield
    dynamic.set_paid_months_provider(previous)


def test_without_a_payments_ledger_months_up_to_now_count_as_possibly_paid(officer_a, no_ledger):
    died_on = add_months(today(), -1)
    old = enroll(programme="gaoling").payee
    _die(officer_a, old, died_on)
    assert RecoveryClaim.objects.filter(person=old, from_month=next_month(died_on)).exists()


def test_an_enrollment_due_to_start_after_the_death_is_never_paid(officer_a, nothing_paid):
    old = enroll(programme="gaoling", start=months_from_now(1)).payee
    _die(officer_a, old, today())
    e = Enrollment.objects.get(payee=old)
    assert e.status == Enrollment.Status.ENDED
    assert e.pk not in _owed(months_from_now(1))


def test_open_tasks_about_the_person_are_cancelled(officer_a, nothing_paid):
    e = enroll(programme="tekun")
    ReviewTask.objects.create(
        kind="periodic",
        enrollment=e,
        person=e.payee,
        region_id=e.region_id,
        county_code="340521",
        triggered_on=today(),
        due_on=today() + dt.timedelta(days=30),
        reason="特困人员每年复核一次",
    )
    _die(officer_a, e.payee, today())
    t = ReviewTask.objects.get(kind="periodic")
    assert t.status == ReviewTask.Status.CANCELLED
    assert "死亡" in t.outcome_note


def test_ended_enrollments_of_others_are_left_alone(officer_a, nothing_paid):
    _hh, dibao, (_head, son) = dibao_household(2)
    old_end = enroll(programme="gaoling", payee=son, end=months_from_now(-3))
    _die(officer_a, son, today())
    old_end.refresh_from_db()
    assert old_end.end_month == months_from_now(-3)
    assert not EnrollmentDecision.objects.filter(enrollment=old_end).exists()
    assert EnrollmentDecision.objects.filter(enrollment=dibao, kind="death_reduce").exists()


def test_an_officer_of_another_town_cannot_record_the_death(officer_b):
    _hh, dibao, (head,) = dibao_household(1)
    with pytest.raises(DomainError):
        _die(officer_b, head, today())
    assert Person.objects.get(pk=head.pk).status == Person.Status.LIVING
    dibao.refresh_from_db()
    assert dibao.end_month is None
