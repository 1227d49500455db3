"""Reads for dynamic management: task lists, an enrollment's page, a death's outcome, notices,
and the registry facts that set a household's review rhythm. Every read for a user goes
through ``accounts.scoping``; a record outside the user's region looks like a missing one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from minzheng.accounts.scoping import get_scoped, region_prefix, scope
from minzheng.core.exceptions import DomainError
from minzheng.geo.models import Region
from minzheng.registry.models import Employment, Household, IncomeItem, Membership, Person

from . import dynamic_rules as rules
from .models import (
    Enrollment,
    EnrollmentAmount,
    EnrollmentDecision,
    JobReferral,
    ParameterValue,
    Programme,
    RecoveryClaim,
    ReviewTask,
    Suspension,
)
from .selectors import amount_for_month, month_start

PAGE_SIZE = 20


# --- parameters -------------------------------------------------------------------------------


def parameter(county_code: str, key: str, on: dt.date) -> Any:
    """The value of one dated parameter of a county on a day (the bureau's table)."""
    row = (
        ParameterValue.objects.filter(county_code=county_code, key=key, effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .order_by("-effective_from")
        .first()
    )
    if row is None or row.value is None:
        raise DomainError(
            f"县级区划代码 {county_code} 在 {on.isoformat()} 没有设置参数“{key}”，"
            "请县局业务管理员先在救助参数中设置"
        )
    return row.value


def rounding_unit(county_code: str, on: dt.date) -> int:
    return int(parameter(county_code, "rounding_unit_fen", on))


# --- registry facts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HouseholdFacts:
    irregular_income: bool
    member_able_to_work: bool


def household_review_facts(household_ids: Iterable[int], on: dt.date) -> dict[int, HouseholdFacts]:
    """Per household: irregular income, and a member able to work — three queries in all."""
    ids = list(household_ids)
    members: dict[int, list[Person]] = defaultdict(list)
    for m in Membership.objects.filter(household_id__in=ids, ended_on__isnull=True).select_related(
        "person"
    ):
        members[m.household_id].append(m.person)
    person_ids = [p.pk for ps in members.values() for p in ps]
    latest: dict[int, Employment] = {}
    for e in Employment.objects.filter(person_id__in=person_ids, ended_on__isnull=True).order_by(
        "started_on", "id"
    ):
        latest[e.person_id] = e  # the latest open record wins
    categories: dict[int, list[str]] = defaultdict(list)
    for hid, cat in (
        IncomeItem.objects.filter(household_id__in=ids, started_on__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))
        .values_list("household_id", "category")
    ):
        categories[hid].append(cat)
    out = {}
    for hid in ids:
        persons = members.get(hid, [])
        statuses = [latest[p.pk].status for p in persons if p.pk in latest]
        able = any(
            rules.able_to_work(
                birth=p.birth_date,
                work_ability=latest[p.pk].work_ability if p.pk in latest else None,
                on=on,
            )
            for p in persons
        )
        out[hid] = HouseholdFacts(
            irregular_income=rules.irregular_income(
                statuses=statuses, income_categories=categories.get(hid, [])
            ),
            member_able_to_work=able,
        )
    return out


def review_rule_for(enrollment: Enrollment, on: dt.date) -> rules.ReviewRule | None:
    facts = (
        household_review_facts([enrollment.household_id], on).get(enrollment.household_id)
        if enrollment.household_id
        else None
    )
    return rules.review_rule(
        enrollment.programme,
        irregular_income=bool(facts and facts.irregular_income),
        member_able_to_work=bool(facts and facts.member_able_to_work),
    )


def household_at(person: Person, on: dt.date) -> Household | None:
    """The household the person belonged to on ``on`` (the day of death: the membership
    ended that day)."""
    m = (
        Membership.objects.filter(person=person, started_on__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))
        .select_related("household")
        .order_by("-started_on", "-id")
        .first()
    )
    return m.household if m else None


def is_current_member(household_id: int | None, person: Person) -> bool:
    return (
        household_id is not None
        and Membership.objects.filter(
            household_id=household_id, person=person, ended_on__isnull=True
        ).exists()
    )


def referral_responses(enrollment: Enrollment, person: Person) -> list[str]:
    return list(
        JobReferral.objects.filter(enrollment=enrollment, person=person)
        .order_by("referred_on", "id")
        .values_list("response", flat=True)
    )


# --- tasks ------------------------------------------------------------------------------------

DUE_FILTERS = {
    "overdue": "已逾期",
    "30": "30天内到期",
    "90": "90天内到期",
    "all": "全部",
}
TASK_SORTS = {
    "due": ("due_on", "id"),
    "-due": ("-due_on", "-id"),
    "village": ("region_id", "due_on", "id"),
    "kind": ("kind", "due_on", "id"),
}


def tasks_for_user(
    user: Any,
    *,
    status: str = ReviewTask.Status.OPEN,
    due: str = "all",
    kind: str = "",
    programme: str = "",
    village: str = "",
    q: str = "",
    sort: str = "due",
    today: dt.date | None = None,
) -> QuerySet[ReviewTask]:
    today = today or timezone.localdate()
    qs = scope(ReviewTask.objects.all(), user, via="region__code")
    if status:
        qs = qs.filter(status=status)
    if due == "overdue":
        qs = qs.filter(due_on__lt=today)
    elif due in ("30", "90"):
        qs = qs.filter(due_on__lte=today + dt.timedelta(days=int(due)))
    if kind:
        qs = qs.filter(kind=kind)
    if programme:
        qs = qs.filter(enrollment__programme=programme)
    if village:
        qs = qs.filter(region__code__startswith=village)
    if q:
        qs = qs.filter(Q(person__name__contains=q) | Q(enrollment__payee__name__contains=q))
    return qs.select_related(
        "region__parent", "person", "enrollment__payee", "household__head", "done_by"
    ).order_by(*TASK_SORTS.get(sort, TASK_SORTS["due"]))


def task_for_user(user: Any, public_id: Any) -> ReviewTask:
    return get_scoped(
        ReviewTask.objects.select_related(
            "region__parent", "person", "enrollment__payee", "household__head", "done_by"
        ),
        user,
        via="region__code",
        public_id=public_id,
    )


def task_counts(user: Any, today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    qs = scope(ReviewTask.objects.filter(status=ReviewTask.Status.OPEN), user, via="region__code")
    return {
        "open": qs.count(),
        "overdue": qs.filter(due_on__lt=today).count(),
        "soon": qs.filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=30)).count(),
    }


def villages_for_user(user: Any) -> QuerySet[Region]:
    return (
        scope(
            Region.objects.filter(level__in=[Region.Level.VILLAGE, Region.Level.COMMUNITY]),
            user,
            via="code",
        )
        .select_related("parent")
        .order_by("code")
    )


TASK_EXPORT_COLUMNS = (
    "任务类型",
    "对象",
    "救助项目",
    "乡镇",
    "村（社区）",
    "触发日期",
    "办理期限",
    "状态",
    "事由",
    "办理结果",
    "办理情况",
)


def task_export_rows(qs: QuerySet[ReviewTask]) -> list[tuple[Any, ...]]:
    rows = []
    for t in qs:
        who = t.person or (t.enrollment.payee if t.enrollment else None)
        rows.append(
            (
                t.get_kind_display(),
                who.name if who else "",
                t.enrollment.get_programme_display() if t.enrollment else "",
                t.region.parent.name if t.region.parent else "",
                t.region.name,
                t.triggered_on,
                t.due_on,
                t.get_status_display(),
                t.reason,
                t.get_outcome_display() if t.outcome else "",
                t.outcome_note,
            )
        )
    return rows


# --- enrollments ------------------------------------------------------------------------------


def enrollments_for_user(
    user: Any,
    *,
    programme: str = "",
    status: str = "",
    village: str = "",
    q: str = "",
) -> QuerySet[Enrollment]:
    qs = scope(Enrollment.objects.all(), user, via="region__code")
    if programme:
        qs = qs.filter(programme=programme)
    if status:
        qs = qs.filter(status=status)
    if village:
        qs = qs.filter(region__code__startswith=village)
    if q:
        qs = qs.filter(payee__name__contains=q)
    return qs.select_related("payee", "region__parent", "household").order_by(
        "region_id", "programme", "id"
    )


def enrollment_for_user(user: Any, public_id: Any) -> Enrollment:
    return get_scoped(
        Enrollment.objects.select_related("payee", "region__parent", "household__head"),
        user,
        via="region__code",
        public_id=public_id,
    )


def decision_for_user(user: Any, public_id: Any) -> EnrollmentDecision:
    return get_scoped(
        EnrollmentDecision.objects.select_related(
            "enrollment__payee", "enrollment__household", "person", "region__parent", "decided_by"
        ),
        user,
        via="region__code",
        public_id=public_id,
    )


def person_for_user(user: Any, public_id: Any) -> Person:
    return get_scoped(
        Person.objects.select_related("region__parent"),
        user,
        via="region__code",
        public_id=public_id,
    )


@dataclass
class EnrollmentPage:
    enrollment: Enrollment
    amount_now: int | None
    amounts: list[EnrollmentAmount]
    suspensions: list[Suspension]
    decisions: list[EnrollmentDecision]
    tasks: list[ReviewTask]
    claims: list[RecoveryClaim]
    referrals: list[JobReferral]
    members: list[Person]
    pending_end: EnrollmentDecision | None
    is_household: bool
    can_jiantui: bool


def enrollment_page(enrollment: Enrollment, today: dt.date | None = None) -> EnrollmentPage:
    today = today or timezone.localdate()
    decisions = list(
        enrollment.decisions.select_related("person", "decided_by").order_by("-decided_on", "-id")
    )
    members = (
        [
            m.person
            for m in Membership.objects.filter(
                household_id=enrollment.household_id, ended_on__isnull=True
            )
            .select_related("person")
            .order_by("relation", "id")
        ]
        if enrollment.household_id
        else []
    )
    return EnrollmentPage(
        enrollment=enrollment,
        amount_now=amount_for_month(enrollment, today),
        amounts=list(enrollment.amounts.select_related("decided_by").order_by("from_month")),
        suspensions=list(enrollment.suspensions.order_by("from_month")),
        decisions=decisions,
        tasks=list(enrollment.review_tasks.select_related("person").order_by("-due_on")),
        claims=list(enrollment.recovery_claims.select_related("person")),
        referrals=list(enrollment.job_referrals.select_related("person").order_by("-referred_on")),
        members=members,
        pending_end=next(
            (
                d
                for d in decisions
                if d.status
                in (EnrollmentDecision.Status.PUBLICITY, EnrollmentDecision.Status.OBJECTION)
            ),
            None,
        ),
        is_household=enrollment.programme in rules.HOUSEHOLD_PROGRAMMES,
        can_jiantui=enrollment.programme == Programme.DIBAO and enrollment.end_month is None,
    )


def enrollments_of_person(user: Any, person: Person) -> QuerySet[Enrollment]:
    """Every enrollment the person receives (payee) in the user's region."""
    return scope(Enrollment.objects.filter(payee=person), user, via="region__code").order_by(
        "programme", "start_month"
    )


# --- death ------------------------------------------------------------------------------------


@dataclass
class DeathOutcome:
    """What recording one death did, read back from the records it wrote."""

    person: Person
    decisions: list[EnrollmentDecision] = field(default_factory=list)
    tasks: list[ReviewTask] = field(default_factory=list)
    claims: list[RecoveryClaim] = field(default_factory=list)

    @property
    def ended(self) -> list[EnrollmentDecision]:
        return [d for d in self.decisions if d.kind == EnrollmentDecision.Kind.DEATH_END]

    @property
    def reduced(self) -> list[EnrollmentDecision]:
        return [d for d in self.decisions if d.kind == EnrollmentDecision.Kind.DEATH_REDUCE]


def death_outcome(user: Any, person: Person) -> DeathOutcome:
    prefix = region_prefix(user) or "\x00"
    decisions = list(
        EnrollmentDecision.objects.filter(
            person=person,
            kind__in=[EnrollmentDecision.Kind.DEATH_END, EnrollmentDecision.Kind.DEATH_REDUCE],
            region__code__startswith=prefix,
        ).select_related("enrollment__payee", "enrollment__household__head")
    )
    tasks = list(
        ReviewTask.objects.filter(
            person=person, kind=ReviewTask.Kind.DEATH, region__code__startswith=prefix
        ).select_related("enrollment__payee", "household__head")
    )
    claims = list(
        RecoveryClaim.objects.filter(
            person=person, enrollment__region__code__startswith=prefix
        ).select_related("enrollment__payee")
    )
    return DeathOutcome(person=person, decisions=decisions, tasks=tasks, claims=claims)


# --- notices ----------------------------------------------------------------------------------


def county_name(county_code: str) -> str:
    return Region.objects.filter(code=county_code).values_list("name", flat=True).first() or ""


def months_paid_in_decision(decision: EnrollmentDecision) -> list[tuple[dt.date, int]]:
    """A 渐退 decision's schedule (month, amount) as the amount rows now say."""
    rows = decision.enrollment.amounts.filter(from_month__gte=decision.effective_month).order_by(
        "from_month"
    )
    end = decision.enrollment.end_month
    return [(r.from_month, r.amount_fen) for r in rows if end is None or r.from_month <= end]


def month_of(value: dt.date) -> dt.date:
    return month_start(value)
