"""Dynamic management (动态管理) of enrollments: reviews, suspension, reduction, 渐退,
a member's share stopped after refused job referrals, termination with 公示 where the rules
require it, and what a death recorded in the registry ends — in one step.

Every function is keyword-only, runs in one transaction, checks the actor's permission and
region, writes the audit event in that transaction and raises a ``DomainError`` in plain
Chinese when a rule refuses. Decisions (暂停、减发、渐退、终止) are the county's, or a
township's where delegated (民发〔2022〕83号): village cadres record job referrals and carry
out review visits, but do not decide.

Months are first-of-month dates and ``end_month`` is inclusive (the contract with payments,
see ``models``). A change decided today takes effect from the next month (审核确认办法
第21条, 特困认定办法 第25条); only a death reaches back, and what was paid for months after
it becomes a ``RecoveryClaim``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from minzheng.accounts.roles import Perm
from minzheng.accounts.scoping import region_allowed, region_prefix, require_perm
from minzheng.core import audit
from minzheng.core.exceptions import DomainError, NotFoundOrNotYours, PermissionDeniedError
from minzheng.geo.models import Region
from minzheng.registry.models import Household, Membership, Person
from minzheng.workdays.selectors import add_workdays

from . import dynamic_rules as rules
from . import dynamic_selectors as sel
from .models import (
    Enrollment,
    EnrollmentAmount,
    EnrollmentDecision,
    JobReferral,
    Programme,
    RecoveryClaim,
    ReviewTask,
    Suspension,
)
from .parameters import AgeBand
from .rules.people import add_months, add_years, month_start, next_month
from .selectors import amount_for_month

Kind = EnrollmentDecision.Kind
#: Programmes whose entitlement depends on income: a registry change raises a re-check.
INCOME_TESTED = frozenset(
    {Programme.DIBAO, Programme.DIBAO_EDGE, Programme.RIGID_EXPENSE, Programme.TEKUN}
)
#: programmes whose entitlement rests on a member's situation (a parent in prison, lost …)
SITUATION_TESTED = frozenset({Programme.DE_FACTO_ORPHAN})
OPEN_TASK = ReviewTask.Status.OPEN


class EndGround:
    """Why support ends: the grounds of 特困认定办法 第24条 and 审核确认办法 第29、32条."""

    CHOICES = (
        ("income_above", "家庭收入、财产状况不再符合条件"),
        ("ability_regained", "恢复劳动能力"),
        ("imprisoned", "被判处有期徒刑且在监狱服刑"),
        ("obligor_capable", "法定义务人具有了履行义务能力或新增具有履行义务能力的法定义务人"),
        ("moved_out", "户籍迁出本县"),
        ("refused_cooperation", "无正当理由拒不配合复核"),
        ("voluntary", "本人申请退出"),
        ("other", "其他情形"),
    )
    LABELS = dict(CHOICES)


# --- helpers ----------------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


def can_decide(user: Any) -> bool:
    """May this user decide changes (suspend, reduce, 渐退, end)? County or town staff with
    the edit permission; not village cadres, not read-only roles."""
    return (
        getattr(user, "is_authenticated", False)
        and user.has_perm_code(Perm.REGISTRY_EDIT)
        and region_prefix(user) is not None
        and user.region.level not in (Region.Level.VILLAGE, Region.Level.COMMUNITY)
    )


def _require_own(actor: Any, region_code: str) -> None:
    if not region_allowed(actor, region_code):
        raise NotFoundOrNotYours()


def _require_worker(actor: Any, region_code: str) -> None:
    require_perm(actor, Perm.REGISTRY_EDIT)
    _require_own(actor, region_code)


def _require_decider(actor: Any, region_code: str) -> None:
    _require_worker(actor, region_code)
    if not can_decide(actor):
        raise PermissionDeniedError(
            "暂停、调整金额、渐退和终止保障由县民政局或受委托的乡镇作出决定；"
            "村（社区）干部可以登记就业介绍、办理复核任务"
        )


def _reason(text: str | None, field: str = "reason") -> str:
    text = " ".join((text or "").split())
    if len(text) < 4:
        raise DomainError("请写明书面理由（至少4个字），理由将写入告知书", field=field)
    if len(text) > 1000:
        raise DomainError("理由不能超过1000字", field=field)
    return text


def _month(value: dt.date | None, field: str, label: str) -> dt.date:
    if value is None:
        raise DomainError(f"请选择{label}", field=field)
    return month_start(value)


def _lock(enrollment: Enrollment) -> Enrollment:
    return (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("payee")
        .get(pk=enrollment.pk)
    )


def _ended(e: Enrollment, month: dt.date) -> bool:
    return e.end_month is not None and e.end_month < month


def _pending_end(e: Enrollment) -> EnrollmentDecision | None:
    return e.decisions.filter(
        status__in=[EnrollmentDecision.Status.PUBLICITY, EnrollmentDecision.Status.OBJECTION]
    ).first()


def _bump(e: Enrollment, *fields: str) -> None:
    e.version += 1
    e.save(update_fields=[*fields, "version", "updated_at"])


def _decide(
    *,
    actor: Any,
    enrollment: Enrollment,
    kind: str,
    effective_month: dt.date,
    reason: str,
    basis: str,
    before: int | None = None,
    after: int | None = None,
    person: Person | None = None,
    ground: str = "",
    status: str = EnrollmentDecision.Status.IN_EFFECT,
    publicity: tuple[dt.date, dt.date] | None = None,
) -> EnrollmentDecision:
    """The decision row (the notice) and its audit event."""
    decision = EnrollmentDecision.objects.create(
        enrollment=enrollment,
        kind=kind,
        person=person,
        effective_month=effective_month,
        amount_before_fen=before,
        amount_after_fen=after,
        reason=reason,
        basis=basis[:300],
        ground=ground,
        status=status,
        publicity_from=publicity[0] if publicity else None,
        publicity_to=publicity[1] if publicity else None,
        decided_on=_today(),
        decided_by=actor if getattr(actor, "is_authenticated", False) else None,
        region_id=enrollment.region_id,
        county_code=enrollment.county_code,
    )
    audit.record(
        actor=actor,
        action=f"assistance.decision.{kind}",
        obj=enrollment,
        region_code=enrollment.region_id,
        changes={
            "end_month": [None, enrollment.end_month],
            "amount_fen": [before, after],
        }
        if kind in (Kind.END, Kind.DEATH_END, Kind.AGE_END)
        else {"amount_fen": [before, after]},
        detail={
            "decision": str(decision.public_id),
            "effective_month": effective_month,
            "reason": reason[:200],
            "status": status,
            "person": person.pk if person else None,
        },
    )
    return decision


def _task(
    *,
    kind: str,
    region_id: str,
    due_on: dt.date,
    triggered_on: dt.date,
    reason: str,
    enrollment: Enrollment | None = None,
    household: Household | None = None,
    person: Person | None = None,
) -> tuple[ReviewTask, bool]:
    """An open task, once per (enrollment, kind, due date): scans can run again."""
    triggered_on = min(triggered_on, due_on)
    if enrollment is not None:
        existing = ReviewTask.objects.filter(
            enrollment=enrollment, kind=kind, due_on=due_on
        ).first()
        if existing is not None:
            return existing, False
    task = ReviewTask.objects.create(
        kind=kind,
        enrollment=enrollment,
        household=household or (enrollment.household if enrollment else None),
        person=person,
        region_id=region_id,
        county_code=region_id[:6],
        triggered_on=triggered_on,
        due_on=due_on,
        reason=reason[:300],
    )
    return task, True


def _close_tasks(e: Enrollment, *, actor: Any, note: str, kinds: Sequence[str] = ()) -> int:
    """Open tasks of an enrollment that an end or a decision makes moot."""
    qs = ReviewTask.objects.filter(enrollment=e, status=OPEN_TASK)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return qs.update(
        status=ReviewTask.Status.CANCELLED,
        outcome_note=note[:300],
        done_on=_today(),
        done_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _set_amount_from(
    e: Enrollment, month: dt.date, amount: int, reason: str, actor: Any
) -> EnrollmentAmount:
    """The amount row at ``month``: a new row, or the row already planned for that month."""
    row = EnrollmentAmount.objects.filter(enrollment=e, from_month=month).first()
    user = actor if getattr(actor, "is_authenticated", False) else None
    if row is None:
        return EnrollmentAmount.objects.create(
            enrollment=e, from_month=month, amount_fen=amount, reason=reason[:200], decided_by=user
        )
    row.amount_fen, row.reason, row.decided_by = amount, reason[:200], user
    row.save(update_fields=["amount_fen", "reason", "decided_by"])
    return row


def _remove_shares(
    e: Enrollment, *, from_month: dt.date, removed: int, reason: str, actor: Any
) -> tuple[int, int]:
    """Take ``removed`` persons' equal shares out of the amount from ``from_month`` on, in the
    row of that month and in every row planned after it (a 渐退 schedule, say); returns the
    amount before and after in ``from_month``."""
    unit = sel.rounding_unit(e.county_code, from_month)
    covered = e.covered_persons
    before = amount_for_month(e, from_month) or 0
    later = list(e.amounts.filter(from_month__gt=from_month))
    after = rules.amount_without_shares(before, covered, removed, unit)
    _set_amount_from(e, from_month, after, reason, actor)
    for row in later:
        row.amount_fen = rules.amount_without_shares(row.amount_fen, covered, removed, unit)
        row.save(update_fields=["amount_fen"])
    e.covered_persons = covered - removed
    return before, after


# --- suspension, amount, end ------------------------------------------------------------------


@transaction.atomic
def enrollment_suspend(
    *,
    actor: Any,
    enrollment: Enrollment,
    from_month: dt.date,
    reason: str,
    to_month: dt.date | None = None,
) -> EnrollmentDecision:
    """Stop paying for a while (失联、待核实) without ending the enrollment."""
    _require_decider(actor, enrollment.region_id)
    e = _lock(enrollment)
    reason = _reason(reason)
    start = _month(from_month, "from_month", "暂停起始月份")
    end = month_start(to_month) if to_month else None
    if start < month_start(_today()):
        raise DomainError("暂停起始月份不能早于本月", field="from_month")
    if end is not None and end < start:
        raise DomainError("暂停终止月份不能早于起始月份", field="to_month")
    if e.status == Enrollment.Status.ENDED or _ended(e, start):
        raise DomainError("该保障已终止，不能暂停", field="from_month")
    overlapping = e.suspensions.filter(Q(to_month__isnull=True) | Q(to_month__gte=start))
    if end is not None:
        overlapping = overlapping.filter(from_month__lte=end)
    if overlapping.exists():
        raise DomainError("该期间已有暂停记录；如需改变，请先恢复发放", field="from_month")
    Suspension.objects.create(enrollment=e, from_month=start, to_month=end, reason=reason[:200])
    e.status = Enrollment.Status.SUSPENDED
    _bump(e, "status")
    current = amount_for_month(e, start)
    return _decide(
        actor=actor,
        enrollment=e,
        kind=Kind.SUSPEND,
        effective_month=start,
        reason=reason,
        basis=rules.BASIS["suspend"],
        before=current,
        after=0,
    )


@transaction.atomic
def enrollment_resume(
    *, actor: Any, enrollment: Enrollment, from_month: dt.date, reason: str
) -> EnrollmentDecision:
    """Pay again from ``from_month``: the open suspension ends the month before."""
    _require_decider(actor, enrollment.region_id)
    e = _lock(enrollment)
    reason = _reason(reason)
    start = _month(from_month, "from_month", "恢复发放月份")
    s = (
        e.suspensions.filter(Q(to_month__isnull=True) | Q(to_month__gte=start))
        .filter(from_month__lt=start)
        .order_by("-from_month")
        .first()
    )
    if s is None:
        raise DomainError("该保障在所选月份没有暂停，无需恢复", field="from_month")
    s.to_month = add_months(start, -1)
    s.save(update_fields=["to_month"])
    e.status = Enrollment.Status.ACTIVE
    _bump(e, "status")
    return _decide(
        actor=actor,
        enrollment=e,
        kind=Kind.RESUME,
        effective_month=start,
        reason=reason,
        basis=rules.BASIS["suspend"],
        before=0,
        after=amount_for_month(e, start),
    )


@transaction.atomic
def enrollment_amount_change(
    *, actor: Any, enrollment: Enrollment, from_month: dt.date, amount_fen: int, reason: str
) -> EnrollmentDecision:
    """A new monthly amount from ``from_month`` (no earlier than next month): a reduction or
    a raise, with the written reason of 审核确认办法 第32条."""
    _require_decider(actor, enrollment.region_id)
    e = _lock(enrollment)
    reason = _reason(reason)
    start = _month(from_month, "from_month", "调整起始月份")
    if start < next_month(_today()):
        raise DomainError(
            "金额调整自作出决定的次月起执行，请选择下月或以后的月份", field="from_month"
        )
    if e.status == Enrollment.Status.ENDED or _ended(e, start):
        raise DomainError("该保障在所选月份已终止，不能调整金额", field="from_month")
    if amount_fen is None or amount_fen < 0:
        raise DomainError("请填写不小于0的月金额", field="amount")
    if e.amounts.filter(from_month=start).exists():
        raise DomainError("该月份已有金额安排，请选择其他月份", field="from_month")
    before = amount_for_month(e, start)
    if before == amount_fen:
        raise DomainError("新金额与现行金额相同，无需调整", field="amount")
    user = actor if getattr(actor, "is_authenticated", False) else None
    EnrollmentAmount.objects.create(
        enrollment=e, from_month=start, amount_fen=amount_fen, reason=reason[:200], decided_by=user
    )
    _bump(e)
    raising = before is not None and amount_fen > before
    return _decide(
        actor=actor,
        enrollment=e,
        kind=Kind.RAISE if raising else Kind.REDUCE,
        effective_month=start,
        reason=reason,
        basis=rules.BASIS["raise" if raising else "reduce"],
        before=before,
        after=amount_fen,
    )


def _apply_end(e: Enrollment, *, end_month: dt.date, why: str) -> None:
    if end_month < e.start_month:
        raise DomainError(
            f"终止月份不能早于保障起始月份（{rules.month_label(e.start_month)}）", field="end_month"
        )
    e.end_month = end_month
    e.status = Enrollment.Status.ENDED
    e.end_reason = why[:200]
    _bump(e, "end_month", "status", "end_reason")


@transaction.atomic
def enrollment_end(
    *,
    actor: Any,
    enrollment: Enrollment,
    ground: str,
    reason: str,
    end_month: dt.date | None = None,
) -> EnrollmentDecision:
    """End support with a written reason. 特困 support is first published for 7 days
    (特困认定办法 第25条): the decision waits in 公示 and ends support from the month after
    the publicity closes without objection. Other programmes end after ``end_month`` (this
    month by default: paid through it, stopped from the next)."""
    _require_decider(actor, enrollment.region_id)
    e = _lock(enrollment)
    reason = _reason(reason)
    if ground not in EndGround.LABELS:
        raise DomainError("请选择终止情形", field="ground")
    if e.status == Enrollment.Status.ENDED:
        raise DomainError("该保障已终止", field="ground")
    if _pending_end(e) is not None:
        raise DomainError("该保障已有公示中的终止决定，请先办结公示", field="ground")
    today = _today()
    label = EndGround.LABELS[ground]
    if e.programme == Programme.TEKUN:
        until = today + dt.timedelta(days=rules.PUBLICITY_DAYS - 1)
        return _decide(
            actor=actor,
            enrollment=e,
            kind=Kind.END,
            effective_month=next_month(until + dt.timedelta(days=1)),
            reason=reason,
            basis=rules.BASIS["end_tekun"],
            before=amount_for_month(e, today),
            after=0,
            ground=ground,
            status=EnrollmentDecision.Status.PUBLICITY,
            publicity=(today, until),
        )
    last = month_start(end_month) if end_month else month_start(today)
    if last < month_start(today):
        raise DomainError("终止月份不能早于本月", field="end_month")
    if e.end_month is not None and last > e.end_month:
        raise DomainError(
            f"该保障已定于{rules.month_label(e.end_month)}后停止，终止月份不能更晚",
            field="end_month",
        )
    before = amount_for_month(e, last)
    _apply_end(e, end_month=last, why=f"{label}：{reason}")
    _close_tasks(e, actor=actor, note="保障已终止")
    return _decide(
        actor=actor,
        enrollment=e,
        kind=Kind.END,
        effective_month=next_month(last),
        reason=reason,
        basis=rules.BASIS["end_dibao"],
        before=before,
        after=0,
        ground=ground,
    )


def _lock_decision(decision: EnrollmentDecision) -> EnrollmentDecision:
    return EnrollmentDecision.objects.select_for_update().get(pk=decision.pk)


@transaction.atomic
def decision_publicity_close(
    *, actor: Any, decision: EnrollmentDecision, objection: bool, note: str = ""
) -> EnrollmentDecision:
    """Close the 7-day publicity. No objection: support ends from the next month. An
    objection: it is investigated and decided within 15 working days (a task), then
    published again or withdrawn."""
    _require_decider(actor, decision.region_id)
    d = _lock_decision(decision)
    if d.status != EnrollmentDecision.Status.PUBLICITY:
        raise DomainError("该决定不在公示中")
    today = _today()
    assert d.publicity_to is not None
    if today <= d.publicity_to:
        raise DomainError(
            f"公示期至 {d.publicity_to.isoformat()}，期满后方可办结", field="objection"
        )
    e = _lock(d.enrollment)
    if objection:
        text = _reason(note, "note")
        d.status = EnrollmentDecision.Status.OBJECTION
        d.save(update_fields=["status", "updated_at"])
        _task(
            kind=ReviewTask.Kind.OBJECTION,
            enrollment=e,
            person=e.payee,
            region_id=e.region_id,
            triggered_on=today,
            due_on=add_workdays(today, rules.OBJECTION_WORKDAYS),
            reason=f"终止公示有异议：{text}；15个工作日内调查核实并作出决定",
        )
        audit.record(
            actor=actor,
            action="assistance.decision.objection",
            obj=e,
            region_code=e.region_id,
            detail={"decision": str(d.public_id), "note": text[:200]},
        )
        return d
    last = month_start(today)
    d.amount_before_fen = amount_for_month(e, last)
    _apply_end(e, end_month=last, why=f"{EndGround.LABELS.get(d.ground, '')}：{d.reason}")
    _close_tasks(e, actor=actor, note="保障已终止")
    d.status = EnrollmentDecision.Status.IN_EFFECT
    d.effective_month = next_month(last)
    d.save(update_fields=["status", "effective_month", "amount_before_fen", "updated_at"])
    audit.record(
        actor=actor,
        action="assistance.decision.publicity_closed",
        obj=e,
        region_code=e.region_id,
        changes={"end_month": [None, last]},
        detail={"decision": str(d.public_id), "objection": False},
    )
    return d


@transaction.atomic
def decision_republish(
    *, actor: Any, decision: EnrollmentDecision, reason: str
) -> EnrollmentDecision:
    """After investigating an objection: publish the termination again for 7 days."""
    _require_decider(actor, decision.region_id)
    d = _lock_decision(decision)
    if d.status != EnrollmentDecision.Status.OBJECTION:
        raise DomainError("只有公示有异议的决定才能重新公示")
    text = _reason(reason)
    today = _today()
    until = today + dt.timedelta(days=rules.PUBLICITY_DAYS - 1)
    d.status = EnrollmentDecision.Status.PUBLICITY
    d.publicity_from, d.publicity_to = today, until
    d.effective_month = next_month(until + dt.timedelta(days=1))
    d.reason = f"{d.reason}\n经调查核实后重新公示：{text}"
    d.save(update_fields=["status", "publicity_from", "publicity_to", "effective_month", "reason"])
    ReviewTask.objects.filter(
        enrollment=d.enrollment, kind=ReviewTask.Kind.OBJECTION, status=OPEN_TASK
    ).update(
        status=ReviewTask.Status.DONE,
        outcome=ReviewTask.Outcome.CHANGED,
        outcome_note=f"调查后重新公示：{text}"[:300],
        done_on=today,
        done_by=actor,
    )
    audit.record(
        actor=actor,
        action="assistance.decision.republish",
        obj=d.enrollment,
        region_code=d.region_id,
        detail={"decision": str(d.public_id), "reason": text[:200]},
    )
    return d


@transaction.atomic
def decision_withdraw(
    *, actor: Any, decision: EnrollmentDecision, reason: str
) -> EnrollmentDecision:
    """Withdraw a termination still in publicity or under objection: support goes on."""
    _require_decider(actor, decision.region_id)
    d = _lock_decision(decision)
    if d.status not in (EnrollmentDecision.Status.PUBLICITY, EnrollmentDecision.Status.OBJECTION):
        raise DomainError("只有尚未生效的终止决定可以撤回")
    text = _reason(reason)
    d.status = EnrollmentDecision.Status.WITHDRAWN
    d.reason = f"{d.reason}\n撤回：{text}"
    d.save(update_fields=["status", "reason", "updated_at"])
    ReviewTask.objects.filter(
        enrollment=d.enrollment, kind=ReviewTask.Kind.OBJECTION, status=OPEN_TASK
    ).update(
        status=ReviewTask.Status.DONE,
        outcome=ReviewTask.Outcome.UNCHANGED,
        outcome_note=f"终止决定已撤回：{text}"[:300],
        done_on=_today(),
        done_by=actor,
    )
    audit.record(
        actor=actor,
        action="assistance.decision.withdraw",
        obj=d.enrollment,
        region_code=d.region_id,
        detail={"decision": str(d.public_id), "reason": text[:200]},
    )
    return d


# --- 渐退 -------------------------------------------------------------------------------------


def jiantui_schedule(
    enrollment: Enrollment, *, first_month: dt.date, months: int
) -> list[tuple[dt.date, int]]:
    """The (month, amount) steps a 渐退 plan would write, for the preview on the page."""
    first = month_start(first_month)
    current = amount_for_month(enrollment, first) or 0
    unit = sel.rounding_unit(enrollment.county_code, first)
    steps = rules.jiantui_steps(current, months, unit)
    return [(add_months(first, k), amount) for k, amount in enumerate(steps)]


@transaction.atomic
def jiantui_plan(
    *, actor: Any, enrollment: Enrollment, first_month: dt.date, months: int, reason: str
) -> EnrollmentDecision:
    """A 渐退期 for a 低保 household whose income rose above the standard through work
    (审核确认办法 第33条): the amount steps down over ``months`` months (at most the county's
    ``jiantui_max_months``, 6 by 民发〔2022〕83号), then support ends."""
    _require_decider(actor, enrollment.region_id)
    e = _lock(enrollment)
    reason = _reason(reason)
    if e.programme != Programme.DIBAO:
        raise DomainError("渐退期只适用于因就业收入超过标准的低保家庭", field="months")
    first = _month(first_month, "first_month", "渐退起始月份")
    if first < next_month(_today()):
        raise DomainError("渐退自作出决定的次月起执行，请选择下月或以后的月份", field="first_month")
    if e.status == Enrollment.Status.ENDED or e.end_month is not None:
        raise DomainError("该保障已定终止月份，不能再安排渐退", field="first_month")
    limit = int(sel.parameter(e.county_code, "jiantui_max_months", first))
    if not 1 <= months <= limit:
        raise DomainError(f"渐退期为1至{limit}个月（本县参数）", field="months")
    if e.amounts.filter(from_month__gte=first).exists():
        raise DomainError("所选月份以后已有金额安排，不能再安排渐退", field="first_month")
    before = amount_for_month(e, first)
    if not before:
        raise DomainError("该保障在所选月份没有可发放的金额", field="first_month")
    steps = jiantui_schedule(e, first_month=first, months=months)
    user = actor if getattr(actor, "is_authenticated", False) else None
    for k, (month, amount) in enumerate(steps, start=1):
        EnrollmentAmount.objects.create(
            enrollment=e,
            from_month=month,
            amount_fen=amount,
            reason=f"渐退第{k}个月（共{months}个月）"[:200],
            decided_by=user,
        )
    last = steps[-1][0]
    e.end_month = last
    e.end_reason = f"渐退期满：{reason}"[:200]
    _bump(e, "end_month", "end_reason")
    plan = "，".join(f"{rules.month_label(m)} {a / 100:.2f}元" for m, a in steps)
    return _decide(
        actor=actor,
        enrollment=e,
        kind=Kind.JIANTUI,
        effective_month=first,
        reason=f"{reason}\n渐退安排：{plan}；{rules.month_label(next_month(last))}起停止发放。",
        basis=rules.BASIS["jiantui"],
        before=before,
        after=steps[0][1],
    )


# --- job referrals and a member's share -------------------------------------------------------


def _check_member(e: Enrollment, person: Person) -> None:
    if e.programme in rules.HOUSEHOLD_PROGRAMMES:
        if not sel.is_current_member(e.household_id, person):
            raise DomainError(f"{person.name} 不是该保障家庭的现有成员", field="person")
    elif person.pk != e.payee_id:
        raise DomainError(f"{person.name} 不是该保障的对象", field="person")


@dataclass
class ReferralResult:
    referral: JobReferral
    refusals_in_a_row: int
    task: ReviewTask | None


@transaction.atomic
def job_referral_record(
    *,
    actor: Any,
    enrollment: Enrollment,
    person: Person,
    referred_on: dt.date,
    job: str,
    response: str,
    note: str = "",
) -> ReferralResult:
    """Record a job offered to a member and the answer. A third refusal in a row without good
    reason raises a task to decide on his or her own share (审核确认办法 第34条)."""
    _require_worker(actor, enrollment.region_id)
    e = _lock(enrollment)
    _check_member(e, person)
    if response not in JobReferral.Response.values:
        raise DomainError("请选择本人意见", field="response")
    job = " ".join((job or "").split())
    if not job:
        raise DomainError("请填写介绍的工作岗位", field="job")
    if referred_on is None or referred_on > _today():
        raise DomainError("介绍日期不能晚于今天", field="referred_on")
    if response == JobReferral.Response.REFUSED_WITH_REASON and not (note or "").strip():
        raise DomainError("请写明未接受的正当理由", field="note")
    referral = JobReferral.objects.create(
        enrollment=e,
        person=person,
        referred_on=referred_on,
        job=job[:200],
        response=response,
        note=(note or "").strip()[:200],
        recorded_by=actor,
        county_code=e.county_code,
    )
    n = rules.consecutive_refusals(sel.referral_responses(e, person))
    task = None
    if n >= rules.JOB_REFUSALS_LIMIT:
        task, _ = _task(
            kind=ReviewTask.Kind.JOB_REFUSAL,
            enrollment=e,
            person=person,
            region_id=e.region_id,
            triggered_on=referred_on,
            due_on=referred_on + dt.timedelta(days=rules.CHANGE_RECHECK_DAYS),
            reason=f"{person.name} 连续{n}次无正当理由拒绝介绍的工作，"
            "可减发或停发其本人的保障金（不影响其他家庭成员）",
        )
    audit.record(
        actor=actor,
        action="assistance.job_referral.record",
        obj=e,
        region_code=e.region_id,
        detail={"person": person.pk, "response": response, "in_a_row": n},
    )
    return ReferralResult(referral=referral, refusals_in_a_row=n, task=task)


@transaction.atomic
def enrollment_share_stop(
    *,
    actor: Any,
    enrollment: Enrollment,
    person: Person,
    reason: str,
    from_month: dt.date | None = None,
) -> EnrollmentDecision:
    """Stop one member's share after three refused referrals: the household amount falls by
    one person's share and one fewer person is covered; the others keep theirs."""
    _require_decider(actor, enrollment.region_id)
    e = _lock(enrollment)
    reason = _reason(reason)
    if e.programme not in rules.HOUSEHOLD_PROGRAMMES:
        raise DomainError("只有按户保障的项目可以停发个人份额", field="person")
    _check_member(e, person)
    n = rules.consecutive_refusals(sel.referral_responses(e, person))
    if n < rules.JOB_REFUSALS_LIMIT:
        raise DomainError(
            f"{person.name} 连续无正当理由拒绝介绍的工作{n}次，未满{rules.JOB_REFUSALS_LIMIT}次，"
            "不能停发其本人的保障金（审核确认办法第34条）",
            field="person",
        )
    if e.decisions.filter(
        kind=Kind.SHARE_STOP, person=person, status=EnrollmentDecision.Status.IN_EFFECT
    ).exists():
        raise DomainError(f"{person.name} 的个人份额已停发", field="person")
    if e.covered_persons <= 1:
        raise DomainError(
            "该户只有1人在保，停发本人份额即停发全户：请使用“终止保障”并写明理由", field="person"
        )
    start = month_start(from_month) if from_month else next_month(_today())
    if start < next_month(_today()):
        raise DomainError("停发自作出决定的次月起执行", field="from_month")
    if e.status == Enrollment.Status.ENDED or _ended(e, start):
        raise DomainError("该保障在所选月份已终止", field="from_month")
    before, after = _remove_shares(
        e,
        from_month=start,
        removed=1,
        reason=f"停发{person.name}个人份额（连续拒绝就业介绍）",
        actor=actor,
    )
    _bump(e, "covered_persons")
    ReviewTask.objects.filter(
        enrollment=e, kind=ReviewTask.Kind.JOB_REFUSAL, person=person, status=OPEN_TASK
    ).update(
        status=ReviewTask.Status.DONE,
        outcome=ReviewTask.Outcome.CHANGED,
        outcome_note="已停发其个人份额",
        done_on=_today(),
        done_by=actor,
    )
    return _decide(
        actor=actor,
        enrollment=e,
        kind=Kind.SHARE_STOP,
        person=person,
        effective_month=start,
        reason=reason,
        basis=rules.BASIS["share_stop"],
        before=before,
        after=after,
    )


# --- review tasks -----------------------------------------------------------------------------


def _schedule_periodic(
    e: Enrollment, since: dt.date, rule: rules.ReviewRule
) -> tuple[ReviewTask, bool]:
    return _task(
        kind=ReviewTask.Kind.PERIODIC,
        enrollment=e,
        person=e.payee,
        region_id=e.region_id,
        triggered_on=since,
        due_on=add_months(since, rule.months),
        reason=f"{rule.reason}（{rule.basis}）",
    )


@transaction.atomic
def review_task_complete(*, actor: Any, task: ReviewTask, outcome: str, note: str) -> ReviewTask:
    """Record the review's result. If nothing changed materially the amount stays as it is
    (第31条); a periodic review schedules the next one from today."""
    _require_worker(actor, task.region_id)
    t = ReviewTask.objects.select_for_update().get(pk=task.pk)
    if t.status != OPEN_TASK:
        raise DomainError("该任务已办结或已取消")
    if outcome not in (ReviewTask.Outcome.UNCHANGED, ReviewTask.Outcome.CHANGED):
        raise DomainError("请选择办理结果", field="outcome")
    note = _reason(note, "note")
    today = _today()
    t.status, t.outcome, t.outcome_note = ReviewTask.Status.DONE, outcome, note[:300]
    t.done_on, t.done_by = today, actor
    t.save(update_fields=["status", "outcome", "outcome_note", "done_on", "done_by", "updated_at"])
    audit.record(
        actor=actor,
        action="assistance.review.complete",
        obj=t,
        region_code=t.region_id,
        changes={"status": [ReviewTask.Status.OPEN, ReviewTask.Status.DONE]},
        detail={"outcome": outcome, "note": note[:200]},
    )
    e = t.enrollment
    if t.kind == ReviewTask.Kind.PERIODIC and e is not None and e.status != Enrollment.Status.ENDED:
        rule = sel.review_rule_for(e, today)
        if rule is not None:
            _schedule_periodic(e, today, rule)
    return t


# --- the scan: periodic reviews, 18th birthdays, 高龄 bands ------------------------------------


@dataclass
class ScanResult:
    periodic: int = 0
    age_18_tasks: int = 0
    age_ends: int = 0
    age_bands: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.periodic + self.age_18_tasks + self.age_ends + self.age_bands


def _open_in(prefix: str, on: dt.date) -> Any:
    month = month_start(on)
    return (
        Enrollment.objects.filter(region__code__startswith=prefix, start_month__lte=month)
        .exclude(status=Enrollment.Status.ENDED)
        .filter(Q(end_month__isnull=True) | Q(end_month__gte=month))
        .select_related("payee")
    )


def _scan_periodic(prefix: str, on: dt.date, result: ScanResult) -> None:
    enrollments = list(
        _open_in(prefix, on)
        .filter(programme__in=[Programme.DIBAO, Programme.TEKUN])
        .exclude(review_tasks__kind=ReviewTask.Kind.PERIODIC, review_tasks__status=OPEN_TASK)
    )
    facts = sel.household_review_facts({e.household_id for e in enrollments if e.household_id}, on)
    last_done = dict(
        ReviewTask.objects.filter(
            enrollment__in=enrollments,
            kind=ReviewTask.Kind.PERIODIC,
            status=ReviewTask.Status.DONE,
        )
        .order_by("enrollment_id", "done_on")
        .values_list("enrollment_id", "done_on")
    )
    for e in enrollments:
        f = facts.get(e.household_id) if e.household_id else None
        rule = rules.review_rule(
            e.programme,
            irregular_income=bool(f and f.irregular_income),
            member_able_to_work=bool(f and f.member_able_to_work),
        )
        if rule is None:
            continue
        _, created = _schedule_periodic(e, last_done.get(e.pk) or e.start_month, rule)
        result.periodic += created


def _scan_age_18(
    actor: Any, prefix: str, on: dt.date, horizon: dt.date, result: ScanResult
) -> None:
    # turned (or turn) 18 by the horizon, and were minors within the last 12 years: an
    # enrollment that began before the 18th birthday
    candidates = (
        _open_in(prefix, on)
        .filter(programme__in=[*rules.CHILD_PROGRAMMES, Programme.TEKUN])
        .filter(
            payee__birth_date__lte=add_years(horizon, -rules.ADULT_AGE),
            payee__birth_date__gt=add_years(on, -rules.ADULT_AGE - 12),
        )
    )
    for e in candidates:
        birthday = rules.adult_on(e.payee.birth_date)
        if birthday > horizon or birthday < e.start_month:
            continue
        if e.programme in rules.CHILD_PROGRAMMES:
            last = max(month_start(birthday), month_start(on), e.start_month)
            if e.end_month is not None and e.end_month <= last:
                continue
            before = amount_for_month(e, last)
            _apply_end(e, end_month=last, why=f"年满18周岁（{birthday.isoformat()}）")
            _decide(
                actor=actor,
                enrollment=e,
                kind=Kind.AGE_END,
                person=e.payee,
                effective_month=next_month(last),
                reason=f"{e.payee.name} 于 {birthday.isoformat()} 年满18周岁，"
                f"{e.get_programme_display()}发放至{rules.month_label(last)}，次月起停止。",
                basis=rules.BASIS["age_end"],
                before=before,
                after=0,
            )
            result.age_ends += 1
            reason = (
                f"{e.payee.name} 年满18周岁，{e.get_programme_display()}"
                f"自{rules.month_label(next_month(last))}起终止：请送达终止告知书"
            )
        else:
            reason = (
                f"{e.payee.name} 年满18周岁：仍在义务教育、普通高中或中职就读的可继续供养，"
                "否则终止特困供养，仍符合条件的转入低保或临时救助"
            )
        _, created = _task(
            kind=ReviewTask.Kind.AGE_18,
            enrollment=e,
            person=e.payee,
            region_id=e.region_id,
            triggered_on=on,
            due_on=birthday,
            reason=reason,
        )
        result.age_18_tasks += created


def _bands(county_code: str, month: dt.date) -> tuple[list[AgeBand], str]:
    bands = [AgeBand.model_validate(b) for b in sel.parameter(county_code, "gaoling_bands", month)]
    start_rule = str(sel.parameter(county_code, "gaoling_start", month))
    return sorted(bands, key=lambda b: b.min_age), start_rule


def _scan_age_bands(
    actor: Any, prefix: str, on: dt.date, horizon: dt.date, result: ScanResult
) -> None:
    horizon_month = month_start(horizon)
    enrollments = list(
        _open_in(prefix, on).filter(programme=Programme.GAOLING).prefetch_related("amounts")
    )
    for e in enrollments:
        bands, start_rule = _bands(e.county_code, month_start(on))
        planned = {a.from_month for a in e.amounts.all()}
        for band in bands[1:]:
            month = rules.band_start_month(e.payee.birth_date, band.min_age, start_rule)
            if month <= e.start_month or month > horizon_month or month in planned:
                continue
            if _ended(e, month):
                continue
            # the amount of the band as the parameters in force in that month say
            now_bands, _ = _bands(e.county_code, month)
            amount = next((b.amount_fen for b in now_bands if b.min_age == band.min_age), None)
            if amount is None:
                result.warnings.append(
                    f"{e.payee.name}：{rules.month_label(month)}的参数中没有{band.label()}档"
                )
                continue
            before = amount_for_month(e, month)
            why = f"年满{band.min_age}周岁，自{rules.month_label(month)}起按{band.label()}档发放"
            _set_amount_from(e, month, amount, why, actor)
            planned.add(month)
            _decide(
                actor=actor,
                enrollment=e,
                kind=Kind.AGE_BAND if amount != before else Kind.RAISE,
                person=e.payee,
                effective_month=month,
                reason=f"{e.payee.name} {why}，月补贴由 {(before or 0) / 100:.2f} 元调整为 {amount / 100:.2f} 元。",
                basis=rules.BASIS["age_band"],
                before=before,
                after=amount,
            )
            _task(
                kind=ReviewTask.Kind.AGE_BAND,
                enrollment=e,
                person=e.payee,
                region_id=e.region_id,
                triggered_on=on,
                due_on=month,
                reason=f"{e.payee.name} {why}：已按新标准安排，请核对并告知本人",
            )
            result.age_bands += 1


@transaction.atomic
def dynamic_scan(
    *,
    actor: Any,
    as_of: dt.date | None = None,
    region_code: str | None = None,
    horizon_days: int = 62,
) -> ScanResult:
    """Raise what the calendar makes due, for the actor's region (or ``region_code`` within
    it): the next periodic review of each 低保 and 特困 enrollment, 18th birthdays (孤儿 and
    事实无人抚养儿童 support ends, 特困 minors are re-checked) and 高龄 age bands (the new
    amount from the month the parameters say), for events up to ``horizon_days`` ahead.
    Safe to run again: nothing is raised twice. ``actor=None`` is the scheduled system run
    and then needs ``region_code``."""
    if actor is None:
        if not region_code:
            raise DomainError("系统运行须指定区划")
        prefix = Region.objects.get(code=region_code).prefix
    else:
        prefix = region_prefix(actor) or ""
        _require_decider(actor, region_code or prefix)
        if region_code:
            prefix = Region.objects.get(code=region_code).prefix
    on = as_of or _today()
    horizon = on + dt.timedelta(days=horizon_days)
    result = ScanResult()
    _scan_periodic(prefix, on, result)
    _scan_age_18(actor, prefix, on, horizon, result)
    _scan_age_bands(actor, prefix, on, horizon, result)
    audit.record(
        actor=actor,
        action="assistance.dynamic.scan",
        object_type="assistance.reviewtask",
        region_code=prefix,
        detail={
            "as_of": on,
            "horizon": horizon,
            "periodic": result.periodic,
            "age_18": result.age_18_tasks,
            "age_end": result.age_ends,
            "age_band": result.age_bands,
        },
        username="system" if actor is None else "",
    )
    return result


# --- registry hooks: a change, a death ---------------------------------------------------------


def registry_change_noted(
    *,
    actor: Any,
    subject: Person | Household,
    what: str,
    programmes: frozenset[str] = INCOME_TESTED,
    check: str = "请核实家庭收入和人口变化",
) -> list[ReviewTask]:
    """A registry change that may alter income or household size (an income row, employment,
    a member joining or leaving): each income-tested enrollment it touches gets a re-check
    task (审核确认办法 第30条), or its open one is annotated. Called by the registry through
    ``registry.hooks`` inside the registry's transaction."""
    if actor is not None:
        require_perm(actor, Perm.REGISTRY_EDIT)
    today = _today()
    if isinstance(subject, Household):
        household: Household | None = subject
        payees = list(
            Membership.objects.filter(household=subject, ended_on__isnull=True).values_list(
                "person_id", flat=True
            )
        )
    else:
        household = sel.household_at(subject, today)
        payees = [subject.pk]
    month = month_start(today)
    qs = (
        Enrollment.objects.filter(programme__in=programmes)
        .exclude(status=Enrollment.Status.ENDED)
        .filter(Q(end_month__isnull=True) | Q(end_month__gte=month))
        .filter(
            Q(payee_id__in=payees) | Q(household=household) if household else Q(payee_id__in=payees)
        )
        .select_related("payee")
    )
    out = []
    for e in qs:
        open_task = ReviewTask.objects.filter(
            enrollment=e, kind=ReviewTask.Kind.CHANGE, status=OPEN_TASK
        ).first()
        if open_task is not None:
            if what not in open_task.reason:
                open_task.reason = f"{open_task.reason}；{what}"[:300]
                open_task.save(update_fields=["reason", "updated_at"])
            out.append(open_task)
            continue
        task, _ = _task(
            kind=ReviewTask.Kind.CHANGE,
            enrollment=e,
            person=subject if isinstance(subject, Person) else None,
            region_id=e.region_id,
            triggered_on=today,
            due_on=today + dt.timedelta(days=rules.CHANGE_RECHECK_DAYS),
            reason=f"档案变更：{what}；{check}，确定是否调整待遇",
        )
        audit.record(
            actor=actor,
            action="assistance.review.raise",
            obj=task,
            region_code=e.region_id,
            detail={"enrollment": str(e.public_id), "what": what[:100]},
        )
        out.append(task)
    return out


def situation_noted(*, actor: Any, subject: Person, what: str) -> list[ReviewTask]:
    """A person's situation was recorded, ended or deleted (registry ``situation_changed``):
    the household's income-tested enrollments (a member in prison no longer counts) and its
    children's 事实无人抚养儿童 enrollments (the recognition rests on the parents'
    situations, 民发〔2019〕62号 一; a parent back from prison may care for them again) get a
    re-check task, or their open one is annotated."""
    return registry_change_noted(
        actor=actor,
        subject=subject,
        what=what,
        programmes=INCOME_TESTED | SITUATION_TESTED,
        check="请核实家庭人口和儿童父母的情况",
    )


#: ``paid_months(enrollments, from_month) -> {enrollment pk: [months paid ≥ from_month]}``.
PaidMonths = Callable[[Sequence[Enrollment], dt.date], dict[int, list[dt.date]]]
_paid_months_provider: PaidMonths | None = None


def set_paid_months_provider(provider: PaidMonths | None) -> None:
    """Payments registers the function that reads its ledger (from its ``AppConfig.ready``)."""
    global _paid_months_provider
    _paid_months_provider = provider


def paid_months(enrollments: Sequence[Enrollment], from_month: dt.date) -> dict[int, list[dt.date]]:
    """Months from ``from_month`` on already paid, per enrollment. Without a payments ledger
    every month up to the current one counts as possibly paid: a claim is then recorded and
    payments, reading its ledger, finds what (if anything) is to be recovered."""
    if _paid_months_provider is not None:
        return _paid_months_provider(enrollments, from_month)
    this_month = month_start(_today())
    out: dict[int, list[dt.date]] = {}
    for e in enrollments:
        months, m = [], from_month
        last = (
            min(this_month, e.end_month)
            if e.end_month and e.end_month >= from_month
            else this_month
        )
        while m <= last:
            months.append(m)
            m = next_month(m)
        if months:
            out[e.pk] = months
    return out


@dataclass
class DeathResult:
    ended: list[EnrollmentDecision] = field(default_factory=list)
    reduced: list[EnrollmentDecision] = field(default_factory=list)
    tasks: list[ReviewTask] = field(default_factory=list)
    claims: list[RecoveryClaim] = field(default_factory=list)


def person_death_recorded(*, actor: Any, person: Person, died_on: dt.date) -> DeathResult:
    """Everything a death ends, in the registry's transaction (``registry.hooks``):

    * each enrollment of which the person is the payee, on every programme, ends after the
      month of death (paid through it, stopped from the next month);
    * each household enrollment (低保) that covered the person as a member loses one share
      from the next month and one covered person, and the household is re-checked within
      3 months (民发〔2022〕83号);
    * months already paid after the death become a ``RecoveryClaim`` for payments;
    * open tasks about the person's ended enrollments are cancelled.

    No 公示 precedes an end by death: publicity serves objections to a judgement, and a
    death recorded in the registry is a fact (the registry checks it).
    """
    last, stop_from = rules.death_months(died_on)
    result = DeathResult()
    touched: list[Enrollment] = []
    why = f"死亡（{died_on.isoformat()}）"
    own = list(
        Enrollment.objects.select_for_update(of=("self",))  # household is an outer join
        .filter(payee=person)
        .filter(Q(end_month__isnull=True) | Q(end_month__gte=stop_from))
        .select_related("payee", "household")
    )
    for e in own:
        before = amount_for_month(e, last)
        if e.start_month > last:  # approved, never owed: ends at its start and is not paid
            Suspension.objects.create(
                enrollment=e, from_month=e.start_month, to_month=e.start_month, reason=why
            )
            end = e.start_month
        else:
            end = last
        _apply_end(e, end_month=end, why=why)
        _close_tasks(e, actor=actor, note=f"对象已于 {died_on.isoformat()} 死亡，保障已终止")
        result.ended.append(
            _decide(
                actor=actor,
                enrollment=e,
                kind=Kind.DEATH_END,
                person=person,
                effective_month=stop_from,
                reason=f"{person.name} 于 {died_on.isoformat()} 死亡，"
                f"{e.get_programme_display()}发放至{rules.month_label(last)}，次月起终止。",
                basis=rules.BASIS["death_end"],
                before=before,
                after=0,
            )
        )
        touched.append(e)
        if e.programme in rules.HOUSEHOLD_PROGRAMMES and e.covered_persons > 1 and e.household:
            task, _ = _task(
                kind=ReviewTask.Kind.DEATH,
                enrollment=e,
                household=e.household,
                person=person,
                region_id=e.region_id,
                triggered_on=died_on,
                due_on=rules.death_recheck_due(died_on),
                reason=f"领款人（户主）{person.name} 死亡，本户{e.get_programme_display()}已终止；"
                "请在3个月内复核其他成员，仍符合条件的另行办理",
            )
            result.tasks.append(task)
    household = sel.household_at(person, died_on)
    if household is not None:
        shared = list(
            Enrollment.objects.select_for_update(of=("self",))
            .filter(household=household, programme__in=rules.HOUSEHOLD_PROGRAMMES)
            .exclude(payee=person)
            .exclude(status=Enrollment.Status.ENDED)
            .filter(Q(end_month__isnull=True) | Q(end_month__gte=stop_from))
            .select_related("payee", "household")
        )
        for e in shared:
            if e.covered_persons <= 1:
                before = amount_for_month(e, last)
                _apply_end(e, end_month=max(last, e.start_month), why=why)
                kind, after = Kind.DEATH_END, 0
                text = f"保障人员 {person.name} 于 {died_on.isoformat()} 死亡，本户已无在保人员，次月起终止。"
            else:
                before, after = _remove_shares(
                    e,
                    from_month=stop_from,
                    removed=1,
                    reason=f"成员{person.name}{why}",
                    actor=actor,
                )
                _bump(e, "covered_persons")
                kind = Kind.DEATH_REDUCE
                text = (
                    f"家庭成员 {person.name} 于 {died_on.isoformat()} 死亡，"
                    f"自{rules.month_label(stop_from)}起减去其本人份额，保障人数减为{e.covered_persons}人。"
                )
            d = _decide(
                actor=actor,
                enrollment=e,
                kind=kind,
                person=person,
                effective_month=stop_from,
                reason=text,
                basis=rules.BASIS["death"],
                before=before,
                after=after,
            )
            (result.ended if kind == Kind.DEATH_END else result.reduced).append(d)
            touched.append(e)
            task, _ = _task(
                kind=ReviewTask.Kind.DEATH,
                enrollment=e,
                household=household,
                person=person,
                region_id=e.region_id,
                triggered_on=died_on,
                due_on=rules.death_recheck_due(died_on),
                reason=f"家庭成员 {person.name} 于 {died_on.isoformat()} 死亡：3个月内复核本户（民发〔2022〕83号）",
            )
            result.tasks.append(task)
    paid = paid_months(touched, stop_from)
    for e in touched:
        if not paid.get(e.pk):
            continue
        claim, _ = RecoveryClaim.objects.get_or_create(
            enrollment=e,
            person=person,
            from_month=stop_from,
            defaults={
                "reason": f"{person.name} 于 {died_on.isoformat()} 死亡，"
                f"{rules.month_label(stop_from)}起已发放的资金应予追回",
                "county_code": e.county_code,
            },
        )
        result.claims.append(claim)
    ReviewTask.objects.filter(person=person, status=OPEN_TASK).exclude(
        kind=ReviewTask.Kind.DEATH
    ).update(
        status=ReviewTask.Status.CANCELLED,
        outcome_note=f"对象已于 {died_on.isoformat()} 死亡",
        done_on=_today(),
    )
    audit.record(
        actor=actor,
        action="assistance.death.processed",
        obj=person,
        region_code=person.region_id,
        detail={
            "died_on": died_on,
            "ended": [str(d.enrollment.public_id) for d in result.ended],
            "reduced": [str(d.enrollment.public_id) for d in result.reduced],
            "recovery_claims": len(result.claims),
        },
    )
    return result
