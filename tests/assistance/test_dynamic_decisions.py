"""Suspension, reduction, termination (with 公示 for 特困), 渐退 and a member's share after
refused job referrals — each with its written reason, and only for those who may decide."""

import datetime as dt

import pytest

from minzheng.assistance import dynamic
from minzheng.assistance.models import (
    Enrollment,
    EnrollmentDecision,
    JobReferral,
    ReviewTask,
)
from minzheng.assistance.rules.people import add_months, month_start, next_month
from minzheng.assistance.selectors import amount_for_month, entitled_enrollments
from minzheng.core.exceptions import DomainError, NotFoundOrNotYours, PermissionDeniedError
from tests.assistance.dynamic_helpers import dibao_household, enroll, months_from_now, today

pytestmark = pytest.mark.django_db
REASON = "入户核查发现家庭收入增加"


def _owed(month):
    return {e.pk: e.amount_fen for e in entitled_enrollments(month)}


# --- suspension ---------------------------------------------------------------------------------


def test_suspended_months_are_not_paid_and_resuming_pays_again(officer_a):
    e = enroll()
    d = dynamic.enrollment_suspend(
        actor=officer_a, enrollment=e, from_month=months_from_now(1), reason="多次联系不上本人"
    )
    assert d.kind == "suspend"
    assert e.pk in _owed(months_from_now(0))
    assert e.pk not in _owed(months_from_now(1))
    assert e.pk not in _owed(months_from_now(5))
    dynamic.enrollment_resume(
        actor=officer_a,
        enrollment=e,
        from_month=months_from_now(3),
        reason="已联系上本人，核实无误",
    )
    assert e.pk not in _owed(months_from_now(2))
    assert _owed(months_from_now(3))[e.pk] == 90000
    e.refresh_from_db()
    assert e.status == Enrollment.Status.ACTIVE


def test_a_suspension_needs_a_written_reason(officer_a):
    e = enroll()
    with pytest.raises(DomainError, match="书面理由") as exc:
        dynamic.enrollment_suspend(
            actor=officer_a, enrollment=e, from_month=months_from_now(1), reason="  "
        )
    assert exc.value.field == "reason"
    assert not e.suspensions.exists()


def test_resuming_an_enrollment_that_is_not_suspended_is_refused(officer_a):
    e = enroll()
    with pytest.raises(DomainError, match="没有暂停"):
        dynamic.enrollment_resume(
            actor=officer_a, enrollment=e, from_month=months_from_now(1), reason="恢复发放测试"
        )


# --- reduction ----------------------------------------------------------------------------------


def test_a_reduction_takes_effect_from_next_month_with_its_reason(officer_a):
    e = enroll(amount_fen=90000)
    d = dynamic.enrollment_amount_change(
        actor=officer_a,
        enrollment=e,
        from_month=months_from_now(1),
        amount_fen=60000,
        reason=REASON,
    )
    assert (d.kind, d.amount_before_fen, d.amount_after_fen) == ("reduce", 90000, 60000)
    assert d.reason == REASON
    assert "第三十二条" in d.basis
    assert _owed(months_from_now(0))[e.pk] == 90000
    assert _owed(months_from_now(1))[e.pk] == 60000


def test_a_reduction_cannot_reach_back_into_this_month(officer_a):
    e = enroll()
    with pytest.raises(DomainError, match="次月起") as exc:
        dynamic.enrollment_amount_change(
            actor=officer_a,
            enrollment=e,
            from_month=months_from_now(0),
            amount_fen=1,
            reason=REASON,
        )
    assert exc.value.field == "from_month"
    assert amount_for_month(e, months_from_now(0)) == 90000


def test_a_raise_is_recorded_as_a_raise(officer_a):
    e = enroll(amount_fen=50000)
    d = dynamic.enrollment_amount_change(
        actor=officer_a,
        enrollment=e,
        from_month=months_from_now(2),
        amount_fen=70000,
        reason=REASON,
    )
    assert d.kind == "raise"


# --- termination --------------------------------------------------------------------------------


def test_ending_dibao_pays_this_month_and_stops_from_the_next(officer_a):
    e = enroll()
    d = dynamic.enrollment_end(
        actor=officer_a, enrollment=e, ground="income_above", reason="儿子务工，人均收入超过标准"
    )
    e.refresh_from_db()
    assert e.end_month == months_from_now(0)
    assert e.status == Enrollment.Status.ENDED
    assert e.end_reason.startswith("家庭收入、财产状况不再符合条件：")
    assert d.effective_month == months_from_now(1)
    assert e.pk in _owed(months_from_now(0))
    assert e.pk not in _owed(months_from_now(1))


def test_ending_tekun_waits_for_seven_days_of_publicity(officer_a):
    e = enroll(programme="tekun", amount_fen=110500)
    d = dynamic.enrollment_end(
        actor=officer_a, enrollment=e, ground="imprisoned", reason="被判处有期徒刑三年，在监狱服刑"
    )
    # 特困认定办法 第25条: published for 7 days before support ends
    assert d.status == EnrollmentDecision.Status.PUBLICITY
    assert (d.publicity_from, d.publicity_to) == (today(), today() + dt.timedelta(days=6))
    e.refresh_from_db()
    assert e.end_month is None
    with pytest.raises(DomainError, match="期满后方可办结"):
        dynamic.decision_publicity_close(actor=officer_a, decision=d, objection=False)
    # seven days later, without objection, support ends from the next month
    EnrollmentDecision.objects.filter(pk=d.pk).update(
        publicity_from=today() - dt.timedelta(days=8), publicity_to=today() - dt.timedelta(days=2)
    )
    d = dynamic.decision_publicity_close(actor=officer_a, decision=d, objection=False)
    e.refresh_from_db()
    assert d.status == EnrollmentDecision.Status.IN_EFFECT
    assert e.end_month == months_from_now(0)
    assert d.effective_month == months_from_now(1)


def test_an_objection_to_the_publicity_is_investigated_within_15_working_days(officer_a):
    e = enroll(programme="tekun")
    d = dynamic.enrollment_end(
        actor=officer_a, enrollment=e, ground="ability_regained", reason="经鉴定已恢复劳动能力"
    )
    EnrollmentDecision.objects.filter(pk=d.pk).update(publicity_to=today() - dt.timedelta(days=1))
    d = dynamic.decision_publicity_close(
        actor=officer_a, decision=d, objection=True, note="村民反映其仍卧床不起"
    )
    assert d.status == EnrollmentDecision.Status.OBJECTION
    task = ReviewTask.objects.get(enrollment=e, kind="objection")
    assert today() + dt.timedelta(days=19) <= task.due_on <= today() + dt.timedelta(days=30)
    e.refresh_from_db()
    assert e.end_month is None
    dynamic.decision_withdraw(actor=officer_a, decision=d, reason="复查确认仍无劳动能力")
    d.refresh_from_db()
    task.refresh_from_db()
    assert d.status == EnrollmentDecision.Status.WITHDRAWN
    assert task.status == ReviewTask.Status.DONE


def test_a_second_termination_during_publicity_is_refused(officer_a):
    e = enroll(programme="tekun")
    dynamic.enrollment_end(
        actor=officer_a, enrollment=e, ground="voluntary", reason="本人书面申请退出"
    )
    with pytest.raises(DomainError, match="公示中"):
        dynamic.enrollment_end(
            actor=officer_a, enrollment=e, ground="voluntary", reason="本人书面申请退出"
        )


def test_an_ending_needs_a_ground(officer_a):
    e = enroll()
    with pytest.raises(DomainError, match="终止情形"):
        dynamic.enrollment_end(actor=officer_a, enrollment=e, ground="", reason=REASON)


# --- 渐退 ----------------------------------------------------------------------------------------


def test_jiantui_steps_the_amount_down_then_ends(officer_a):
    # Given a 低保 household paid 900 元 whose son found work
    _hh, e, _ = dibao_household(3, amount_fen=90000)
    first = months_from_now(1)

    d = dynamic.jiantui_plan(
        actor=officer_a,
        enrollment=e,
        first_month=first,
        months=3,
        reason="儿子就业后人均收入超过低保标准",
    )

    assert [_owed(add_months(first, k)).get(e.pk) for k in range(4)] == [67500, 45000, 22500, None]
    e.refresh_from_db()
    assert e.end_month == add_months(first, 2)
    assert d.kind == "jiantui"
    assert "渐退安排" in d.reason
    assert (d.amount_before_fen, d.amount_after_fen) == (90000, 67500)


def test_jiantui_longer_than_the_county_maximum_is_refused(officer_a):
    _hh, e, _ = dibao_household(2)
    with pytest.raises(DomainError, match="1至6个月") as exc:
        dynamic.jiantui_plan(
            actor=officer_a, enrollment=e, first_month=months_from_now(1), months=7, reason=REASON
        )
    assert exc.value.field == "months"


def test_jiantui_is_only_for_dibao(officer_a):
    e = enroll(programme="tekun")
    with pytest.raises(DomainError, match="低保家庭"):
        dynamic.jiantui_plan(
            actor=officer_a, enrollment=e, first_month=months_from_now(1), months=3, reason=REASON
        )


# --- job referrals and one person's share ---------------------------------------------------------


def _refer(actor, e, person, response="refused", days_ago=10, note=""):
    return dynamic.job_referral_record(
        actor=actor,
        enrollment=e,
        person=person,
        referred_on=today() - dt.timedelta(days=days_ago),
        job="县工业园区装配工",
        response=response,
        note=note,
    )


def test_three_refusals_in_a_row_raise_a_task(cadre_a):
    _hh, e, (_head, _wife, son) = dibao_household(3)
    assert _refer(cadre_a, e, son, days_ago=30).task is None
    assert _refer(cadre_a, e, son, days_ago=20).task is None
    result = _refer(cadre_a, e, son, days_ago=10)
    assert result.refusals_in_a_row == 3
    assert result.task is not None
    assert result.task.kind == "job_refusal"
    assert "不影响其他家庭成员" in result.task.reason


def test_an_accepted_referral_breaks_the_run(cadre_a, officer_a):
    _hh, e, (_head, son) = dibao_household(2)
    _refer(cadre_a, e, son, days_ago=40)
    _refer(cadre_a, e, son, days_ago=30)
    _refer(cadre_a, e, son, response="accepted", days_ago=20)
    _refer(cadre_a, e, son, days_ago=10)
    with pytest.raises(DomainError, match="未满3次"):
        dynamic.enrollment_share_stop(actor=officer_a, enrollment=e, person=son, reason=REASON)


def test_stopping_a_share_reduces_the_amount_by_one_persons_share_only(cadre_a, officer_a):
    # Given a household of 3 paid 1800 元, whose son refused three referrals
    _hh, e, (_head, _wife, son) = dibao_household(3, amount_fen=180000)
    for days in (30, 20, 10):
        _refer(cadre_a, e, son, days_ago=days)

    d = dynamic.enrollment_share_stop(
        actor=officer_a, enrollment=e, person=son, reason="连续三次无正当理由拒绝介绍的工作"
    )

    # Then the household is paid for two from next month: 1800 − 600 = 1200 元
    assert _owed(months_from_now(0))[e.pk] == 180000
    assert _owed(months_from_now(1))[e.pk] == 120000
    e.refresh_from_db()
    assert e.covered_persons == 2
    assert e.end_month is None
    assert (d.kind, d.person, d.amount_after_fen) == ("share_stop", son, 120000)
    assert ReviewTask.objects.get(kind="job_refusal").status == ReviewTask.Status.DONE


def test_a_share_cannot_be_stopped_twice(cadre_a, officer_a):
    _hh, e, (_head, _wife, son) = dibao_household(3)
    for days in (30, 20, 10):
        _refer(cadre_a, e, son, days_ago=days)
    dynamic.enrollment_share_stop(actor=officer_a, enrollment=e, person=son, reason=REASON)
    with pytest.raises(DomainError, match="已停发"):
        dynamic.enrollment_share_stop(actor=officer_a, enrollment=e, person=son, reason=REASON)


def test_a_refusal_with_good_reason_needs_the_reason(cadre_a):
    _hh, e, (_head, son) = dibao_household(2)
    with pytest.raises(DomainError, match="正当理由"):
        _refer(cadre_a, e, son, response="refused_with_reason")
    assert not JobReferral.objects.exists()


def test_a_referral_for_someone_outside_the_household_is_refused(cadre_a):
    _hh, e, _ = dibao_household(2)
    _, _, (stranger,) = dibao_household(1)
    with pytest.raises(DomainError, match="不是该保障家庭的现有成员"):
        _refer(cadre_a, e, stranger)


# --- who may decide --------------------------------------------------------------------------------


def test_an_officer_of_another_town_sees_nothing(officer_b):
    e = enroll()
    with pytest.raises(NotFoundOrNotYours):
        dynamic.enrollment_suspend(
            actor=officer_b, enrollment=e, from_month=months_from_now(1), reason=REASON
        )
    assert not e.suspensions.exists()


def test_a_village_cadre_may_not_decide(cadre_a):
    e = enroll()
    with pytest.raises(PermissionDeniedError, match="县民政局或受委托的乡镇"):
        dynamic.enrollment_end(actor=cadre_a, enrollment=e, ground="other", reason=REASON)
    e.refresh_from_db()
    assert e.end_month is None


def test_the_auditor_may_not_decide(auditor):
    e = enroll()
    with pytest.raises(PermissionDeniedError):
        dynamic.enrollment_amount_change(
            actor=auditor, enrollment=e, from_month=months_from_now(1), amount_fen=1, reason=REASON
        )


def test_the_county_may_decide_anywhere(county_admin):
    e = enroll()
    d = dynamic.enrollment_end(
        actor=county_admin, enrollment=e, ground="moved_out", reason="户籍已迁往外省"
    )
    assert d.decided_by == county_admin
    assert month_start(today()) == Enrollment.objects.get(pk=e.pk).end_month
    assert next_month(today()) == d.effective_month
