"""The demo county's assistance history, made by the real services.

From the go-live month (January 2023 by default) to today, households and persons of the
synthetic registry apply for the programmes, and town officers and county staff take each
application through the workflow of ``assistance.workflow`` (submission, acceptance,
investigation, 初审, 公示, 审核确认 or 不予确认) with dates in the past; the engine decides who
is eligible and for how much. Every month the county's payroll is generated, reviewed, approved
by a second person and exported through ``payments.services``, which posts it to the ledger.

Nothing is written to the assistance or payment tables directly: the simulator only chooses
who applies and when, and what the staff do. Who applies is drawn from the registry with one
seeded random generator, so the same registry and seed give the same history. See
docs/synthetic-county.md ("Assistance history").
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q, Sum
from django.test.utils import override_settings
from django.utils import timezone

from minzheng.accounts import services as account_services
from minzheng.accounts.models import User
from minzheng.accounts.roles import Role
from minzheng.assistance import workflow
from minzheng.assistance.models import Application, Channel, Enrollment, Programme
from minzheng.core.exceptions import DomainError
from minzheng.geo.models import Region
from minzheng.payments import services as payment_services
from minzheng.payments.models import BankLayout, PayeeAccount, PaymentRun
from minzheng.registry.models import (
    Disability,
    Household,
    IncomeItem,
    Membership,
    Person,
    Situation,
)
from minzheng.rescue import services as rescue_services
from minzheng.rescue.models import RescueCase, RescueService
from minzheng.workdays.selectors import add_workdays

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]

GO_LIVE = dt.date(2023, 1, 1)
PAYDAY = 10  # the county's payroll is exported on this day of the month

# Share of the registry's living persons who apply, by programme (the county's caseload). For
# 低保 it counts the applicants' whole households; the engine covers fewer persons (members
# living apart, …) and refuses some: 3.5 % applying gave 2.8 % covered (10,000 persons).
TARGET_SHARE = {
    Programme.DIBAO: 0.035,  # persons in households applying for 低保
    Programme.TEKUN: 0.005,
    Programme.DISABILITY_CARE: 0.008,
    Programme.GAOLING: 0.012,
}
# who is taken to apply (the simulation's choice, not a rule: the engine decides with the
# county's own standards)
POOR_PER_HEAD_FEN = 90_000  # 低保 applicants: monthly income per head below 900 yuan
NEAR_PER_HEAD_FEN = 150_000  # ... and some between that and 1,500 yuan (mostly refused)
TEKUN_INCOME_FEN = 60_000  # 特困 applicants: old, alone, with less than 600 yuan a month
OPENING_SHARE = 0.7  # of the caseload applies in the go-live month (re-registration)
CENTRALIZED_SHARE = 0.25  # 特困 persons who choose care in an institution
TEMPORARY_PER_MONTH_PER_10K = 1.5  # 临时救助 applications a month per 10,000 persons
NEAR_MISS_SHARE_PCT = 12  # further 低保 applications from households just above the line
EDGE_SHARE_PCT = 10  # 低保边缘 recognition requests, from the same band
DISABILITY_LIVING_SHARE = 0.8  # disabled members of 低保 households who then apply
RESCUES_PER_MONTH_PER_10K = 0.4  # persons received by the county's rescue station (≥ 1 a month)


@dataclass
class Staff:
    county_officer: User
    county_admin: User
    town_officer: dict[str, User]


@dataclass(frozen=True, order=True)
class Plan:
    submitted_on: dt.date
    order: int
    programme: str = field(compare=False)
    household_id: int = field(compare=False)
    applicant_id: int = field(compare=False)
    choices: dict[str, Any] = field(compare=False, default_factory=dict)


@dataclass
class HistoryResult:
    applications: Counter[str] = field(default_factory=Counter)
    approved: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    open_cases: int = 0
    rescue_cases: int = 0
    runs: int = 0
    lines: int = 0
    paid_fen: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "applications": {str(k): v for k, v in sorted(self.applications.items())},
            "approved": {str(k): v for k, v in sorted(self.approved.items())},
            "refused": {str(k): v for k, v in sorted(self.refused.items())},
            "open_cases": self.open_cases,
            "rescue_cases": self.rescue_cases,
            "runs": self.runs,
            "lines": self.lines,
            "paid_fen": self.paid_fen,
            "seconds": round(self.seconds, 1),
        }


# --- staff ------------------------------------------------------------------------------------


def _user(username: str, full_name: str, role: str, region: Region) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user, _ = account_services.user_create(
            actor=None,
            username=username,
            full_name=full_name,
            region=region,
            must_change_password=False,
        )
        account_services.user_set_roles(actor=None, user=user, roles={role})
        # these accounts act in the simulated past only; nobody logs in with them
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def ensure_staff(county: Region) -> Staff:
    """The county's staff: the demo accounts where they exist, and one 民政办 officer for each
    town that has no town officer yet."""
    officers: dict[str, User] = {}
    for town in Region.objects.filter(parent=county).order_by("code"):
        existing = (
            User.objects.filter(
                region=town, is_active=True, role_assignments__role=Role.TOWN_OFFICER
            )
            .order_by("date_joined", "id")
            .first()
        )
        officers[town.code] = existing or _user(
            f"zhen{town.code[-3:]}", f"{town.name}民政办", Role.TOWN_OFFICER, town
        )
    return Staff(
        county_officer=_user("xian_jingban", "李秀英", Role.PROGRAMME_OFFICER, county),
        county_admin=_user("xian_admin", "王建国", Role.COUNTY_ADMIN, county),
        town_officer=officers,
    )


# --- who applies --------------------------------------------------------------------------------


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _spread(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, max((last - first).days, 0)))


def _household_income_per_head(county_code: str) -> dict[int, tuple[int, int]]:
    """Household id -> (monthly income in fen in force at go-live, current member count)."""
    income = dict(
        IncomeItem.objects.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=GO_LIVE))
        .filter(county_code=county_code)
        .filter(started_on__lte=GO_LIVE)
        .values("household_id")
        .annotate(total=Sum("monthly_amount_fen"))
        .values_list("household_id", "total")
    )
    return {
        hid: (income.get(hid, 0) or 0, size)
        for hid, size in Household.objects.filter(
            member_count__gt=0, county_code=county_code
        ).values_list("pk", "member_count")
    }


def _grandchildren(households: Iterable[int]) -> list[tuple[int, int, dt.date]]:
    """(person, household, birth date) of the living grandchildren of the head in these
    households, in a stable order."""
    return sorted(
        Membership.objects.filter(
            household_id__in=list(households),
            ended_on__isnull=True,
            relation__startswith="4",
            person__status=Person.Status.LIVING,
        ).values_list("person_id", "household_id", "person__birth_date")
    )


def plan_applications(
    rng: random.Random,
    *,
    start: dt.date,
    end: dt.date,
    persons: int,
    county_code: str = "340521",
) -> list[Plan]:
    """Who applies for what, and when: low-income households for 低保, old persons living alone
    with little income for 特困, severely disabled persons for the care subsidy, the very old
    for 高龄补贴, and a trickle of emergencies for 临时救助."""
    plans: list[Plan] = []
    opening_last = min(dt.date(start.year, start.month, 25), end)
    counter = iter(range(10**9))

    def when(share_opening: float = OPENING_SHARE) -> dt.date:
        if rng.random() < share_opening:
            return _spread(rng, start + dt.timedelta(days=2), opening_last)
        return _spread(rng, opening_last + dt.timedelta(days=1), end)

    living = Person.objects.filter(status=Person.Status.LIVING, county_code=county_code)
    heads = dict(
        Household.objects.filter(
            county_code=county_code, head__status=Person.Status.LIVING
        ).values_list("pk", "head_id")
    )
    income = _household_income_per_head(county_code)
    member_of = dict(
        Membership.objects.filter(ended_on__isnull=True, county_code=county_code).values_list(
            "person_id", "household_id"
        )
    )

    # 低保: households whose income per head is low (the engine applies the real test)
    poor = sorted(
        (
            hid
            for hid, (total, size) in income.items()
            if hid in heads and total < POOR_PER_HEAD_FEN * size
        ),
        key=lambda _: rng.random(),
    )
    want = TARGET_SHARE[Programme.DIBAO] * persons
    covered = 0
    chosen_dibao: set[int] = set()
    for hid in poor:
        if covered >= want:
            break
        chosen_dibao.add(hid)
        covered += income[hid][1]
        plans.append(Plan(when(), next(counter), Programme.DIBAO, hid, heads[hid]))

    # and some whose income turns out above the standard: the engine refuses them
    near = [
        hid
        for hid, (total, size) in income.items()
        if hid in heads
        and hid not in chosen_dibao
        and POOR_PER_HEAD_FEN * size <= total < NEAR_PER_HEAD_FEN * size
    ]
    rng.shuffle(near)
    for hid in near[: max(1, len(chosen_dibao) * NEAR_MISS_SHARE_PCT // 100)]:
        plans.append(Plan(when(0.3), next(counter), Programme.DIBAO, hid, heads[hid]))
    # others in that band ask to be recognised as 低保边缘家庭 (no money; other help follows)
    for hid in near[len(near) - max(1, len(chosen_dibao) * EDGE_SHARE_PCT // 100) :]:
        plans.append(Plan(when(0.3), next(counter), Programme.DIBAO_EDGE, hid, heads[hid]))

    # 特困: old persons living alone, not in a 低保 household of this plan
    alone = [
        (pid, hid)
        for pid, hid in member_of.items()
        if hid not in chosen_dibao and income.get(hid, (0, 0))[1] == 1 and heads.get(hid) == pid
    ]
    old_alone = set(
        living.filter(
            pk__in=[pid for pid, _ in alone], birth_date__lte=dt.date(start.year - 62, 1, 1)
        ).values_list("pk", flat=True)
    )
    candidates = [
        (pid, hid) for pid, hid in alone if pid in old_alone and income[hid][0] < TEKUN_INCOME_FEN
    ]
    rng.shuffle(candidates)
    chosen_tekun: set[int] = set()
    for pid, hid in candidates[: int(TARGET_SHARE[Programme.TEKUN] * persons)]:
        mode = "centralized" if rng.random() < CENTRALIZED_SHARE else "dispersed"
        chosen_tekun.add(pid)
        plans.append(Plan(when(), next(counter), Programme.TEKUN, hid, pid, {"care_mode": mode}))

    # 重度残疾人护理补贴: grade 1–2 certificates
    severe = list(
        Disability.objects.filter(
            grade__lte=2, person__status=Person.Status.LIVING, county_code=county_code
        )
        .values_list("person_id", flat=True)
        .distinct()
        .order_by("person_id")
    )
    rng.shuffle(severe)
    for pid in severe[: int(TARGET_SHARE[Programme.DISABILITY_CARE] * persons)]:
        if pid in member_of and pid not in chosen_tekun:
            plans.append(
                Plan(when(), next(counter), Programme.DISABILITY_CARE, member_of[pid], pid)
            )

    # 高龄补贴: the oldest first (a person applies once the engine's age band is reached)
    very_old = list(
        living.filter(birth_date__lte=dt.date(start.year - 80, start.month, 1))
        .order_by("birth_date", "pk")
        .values_list("pk", flat=True)[: int(TARGET_SHARE[Programme.GAOLING] * persons)]
    )
    for pid in very_old:
        if pid in member_of:
            plans.append(Plan(when(), next(counter), Programme.GAOLING, member_of[pid], pid))

    # 困难残疾人生活补贴: disabled members of the planned 低保 households, a month or two later
    disabled = dict(
        Disability.objects.filter(
            person__status=Person.Status.LIVING, county_code=county_code
        ).values_list("person_id", "grade")
    )
    dibao_dates = {p.household_id: p.submitted_on for p in plans if p.programme == Programme.DIBAO}
    for pid, hid in member_of.items():
        if hid in dibao_dates and pid in disabled and rng.random() < DISABILITY_LIVING_SHARE:
            day = dibao_dates[hid] + dt.timedelta(days=rng.randint(50, 90))
            if day <= end:
                plans.append(Plan(day, next(counter), Programme.DISABILITY_LIVING, hid, pid))

    # 孤儿: children brought up by their grandparents after both parents died
    dead_parents = (
        Membership.objects.filter(
            county_code=county_code,
            person__status=Person.Status.DECEASED,
            relation__in=["20", "21", "22", "23", "24", "25", "28", "30", "31", "32", "33", "38"],
        )
        .values("household_id")
        .annotate(n=Count("id"), last=Max("person__died_on"))
        .filter(n__gte=2)
    )
    orphaned = {row["household_id"]: row["last"] for row in dead_parents}
    for pid, hid, birth in _grandchildren(orphaned):
        day = max(when(), orphaned[hid] + dt.timedelta(days=rng.randint(20, 60)))
        if day <= end and _age(birth, day) < 18:
            plans.append(
                Plan(
                    day,
                    next(counter),
                    Programme.ORPHAN,
                    hid,
                    pid,
                    {"orphan_care_mode": "scattered"},
                )
            )

    # 事实无人抚养儿童: grandchildren whose parents are members in prison, in rehabilitation
    # or out of contact (or one of them dead), six months after the later parent's
    # situation began, when the rules can first recognise it
    absent = (
        Situation.objects.filter(county_code=county_code)
        .filter(person__memberships__relation__in=["22", "38"])
        .values("person__memberships__household_id")
        .annotate(last=Max("since"))
    )
    unsupported = {
        row["person__memberships__household_id"]: row["last"] for row in absent if row["last"]
    }
    # a parent who died: the child qualifies only once both parents' situations hold
    for hid, died in Membership.objects.filter(
        household_id__in=list(unsupported),
        relation__in=["22", "38"],
        person__status=Person.Status.DECEASED,
    ).values_list("household_id", "person__died_on"):
        if died is not None:
            unsupported[hid] = max(unsupported[hid], died)
    for pid, hid, birth in _grandchildren(unsupported):
        earliest = unsupported[hid] + dt.timedelta(days=190 + rng.randint(0, 60))
        day = max(when(), earliest)
        if day <= end and _age(birth, day) < 18:
            plans.append(Plan(day, next(counter), Programme.DE_FACTO_ORPHAN, hid, pid))

    # 流浪乞讨: persons the rescue station receives, found in the county's towns
    towns = list(
        Region.objects.filter(parent__code=county_code, level=Region.Level.TOWN)
        .order_by("code")
        .values_list("code", flat=True)
    )
    month = start
    while towns and month <= end:
        expected = max(1.0, RESCUES_PER_MONTH_PER_10K * persons / 10_000)
        count = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
        for _ in range(count):
            day = _spread(rng, month, min(_next_month(month) - dt.timedelta(days=1), end))
            town = rng.choice(towns)
            plans.append(Plan(day, next(counter), Programme.VAGRANT, 0, 0, {"town": town}))
        month = _next_month(month)

    # 临时救助: emergencies and heavy expenses of low-income households, month by month
    monthly = max(1, round(TEMPORARY_PER_MONTH_PER_10K * persons / 10_000))
    pool = [hid for hid in poor if hid not in chosen_dibao] or list(chosen_dibao)
    month = start
    while pool and month <= end:
        # early in the month: first aid is paid in the month it is given, so before payday
        last = min(month + dt.timedelta(days=4), end)
        for _ in range(monthly):
            hid = rng.choice(pool)
            day = _spread(rng, month, last)
            kind = rng.choice(["emergency", "expenditure"])
            cause = (
                rng.choice(["fire", "traffic_accident", "sudden_illness", "natural_disaster"])
                if kind == "emergency"
                else rng.choice(["medical", "medical", "education"])
            )
            incident = {
                "kind": kind,
                "cause": cause,
                "date": (day - dt.timedelta(days=rng.randint(3, 20))).isoformat(),
                "need_fen": rng.randrange(200000, 1500000, 10000),
            }
            plans.append(
                Plan(
                    day, next(counter), Programme.TEMPORARY, hid, heads[hid], {"incident": incident}
                )
            )
        month = _next_month(month)
    return sorted(plans)


def _next_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


# --- one application through the workflow -----------------------------------------------------


class _Stop(Exception):
    """The next step would fall after today: the case stays open where it is."""


def _on(day: dt.date, today: dt.date) -> dt.date:
    if day > today:
        raise _Stop
    return day


def run_application(plan: Plan, staff: Staff, today: dt.date, result: HistoryResult) -> None:
    if plan.programme == Programme.VAGRANT:
        run_rescue(plan, staff, today, result)
        return
    household = Household.objects.select_related("region").get(pk=plan.household_id)
    applicant = Person.objects.get(pk=plan.applicant_id)
    if applicant.status != Person.Status.LIVING or applicant.birth_date >= plan.submitted_on:
        return  # nobody applies before being born
    programme = plan.programme
    if Application.objects.filter(
        household=household,
        programme=programme,
        applicant=applicant,
        submitted_on=plan.submitted_on,
    ).exists():
        return  # made by an earlier, interrupted simulation
    town = staff.town_officer.get(household.region_id[:9])
    if town is None:
        return
    day = plan.submitted_on
    try:
        app = workflow.application_submit(
            actor=town,
            household=household,
            applicant=applicant,
            programme=programme,
            channel=Channel.IN_PERSON,
            commitment_signed_on=day,
            authorisation_signed_on=day,
            submitted_on=day,
            choices=plan.choices or None,
        )
    except DomainError as exc:
        log.info("history: %s not submitted: %s", programme, exc)
        return
    result.applications[programme] += 1
    try:
        _take_through(app, staff, town, day, today, result)
    except _Stop:
        result.open_cases += 1


def _take_through(
    app: Application, staff: Staff, town: User, day: dt.date, today: dt.date, result: HistoryResult
) -> None:
    programme = app.programme
    day = _on(add_workdays(day, 1), today)
    app = workflow.application_accept(
        actor=town, application=app, version=app.version, accepted_on=day
    )
    emergency = (app.choices or {}).get("incident", {}).get("kind") == "emergency"
    if programme == Programme.TEMPORARY and emergency:
        # 急难型: the township helps at once and completes the file afterwards; above its
        # first-aid limit the service refuses, and the case goes the whole way below
        try:
            workflow.temporary_first_aid(actor=town, application=app, version=app.version, on=day)
        except DomainError as exc:
            log.info("history: no first aid, full procedure: %s", exc)
            app.refresh_from_db()
        else:
            result.approved[programme] += 1
            _ensure_account(app, staff)
            return
    day = _on(add_workdays(day, 1), today)
    app = workflow.investigation_start(
        actor=town, application=app, version=app.version, started_on=day
    )
    day = _on(add_workdays(day, 2), today)
    workflow.investigation_record(
        actor=town,
        application=app,
        version=app.version,
        kind="home_visit",
        visited_on=day,
        investigators=[town.full_name or town.username, "村（居）委会委员"],
        findings="入户核实家庭成员、收入和财产情况，与申请一致",
        household_signed=True,
    )
    app.refresh_from_db()
    eligible = (app.assessment or {}).get("verdict") != "ineligible"
    day = _on(add_workdays(day, 3), today)
    app = workflow.town_review(
        actor=town,
        application=app,
        version=app.version,
        opinion="agree" if eligible else "disagree",
        text="经调查核实，符合条件，同意上报" if eligible else "经调查核实，不符合条件",
        reviewed_on=day,
        publicity_from=day,
    )
    if app.status == Application.Status.PUBLICITY:
        day = _on(day + dt.timedelta(days=8), today)
        app = workflow.publicity_close(actor=town, application=app, version=app.version, on=day)
    day = _on(add_workdays(day, 3), today)
    decider = staff.county_officer
    if eligible:
        try:
            workflow.application_approve(
                actor=decider, application=app, version=app.version, decided_on=day
            )
        except DomainError as exc:
            app.refresh_from_db()
            _refuse(app, decider, town, day, today, str(exc), result)
            return
        result.approved[programme] += 1
        _ensure_account(app, staff)
    else:
        _refuse(app, decider, town, day, today, _reasons(app), result)


RESCUE_PLACES = ("汽车站候车室", "集贸市场", "桥洞下", "加油站旁", "公园长椅", "镇政府门口")
HOMETOWNS = ("安徽阜阳", "河南周口", "江苏盐城", "湖北黄冈", "山东临沂", "四川南充", "不详")


def run_rescue(plan: Plan, staff: Staff, today: dt.date, result: HistoryResult) -> None:
    """A person found in a town is received, fed and lodged for a few days, and escorted home
    (or transferred, or leaves); every service is booked with its cost."""
    town_code = plan.choices["town"]
    officer = staff.town_officer.get(town_code)
    if officer is None:
        return
    rng = random.Random(plan.order)  # noqa: S311 — synthetic data, not security
    day = plan.submitted_on
    place = f"{Region.objects.get(code=town_code).name}{rng.choice(RESCUE_PLACES)}"
    if RescueCase.objects.filter(received_on=day, found_place=place, region_id=town_code).exists():
        return  # made by an earlier, interrupted simulation
    case = rescue_services.case_receive(
        actor=officer,
        received_on=day,
        found_place=place,
        region_code=town_code,
        source=rng.choice(list(RescueCase.Source.values)),
        stated_name=rng.choice(("", "老王", "小李", "张某")),
        apparent_sex=rng.choice(("1", "1", "1", "2")),
        apparent_age=rng.randint(25, 75),
        description="衣着破旧，自述外出务工无果，身无分文",
        hometown_stated=rng.choice(HOMETOWNS),
    )
    result.rescue_cases += 1
    days = rng.randint(1, 4)
    leave = day + dt.timedelta(days=days)
    costs = [
        (RescueService.Kind.MEAL, 3000 * days, days),
        (RescueService.Kind.LODGING, 4000 * days, days),
    ]
    if rng.random() < 0.2:
        costs.append((RescueService.Kind.MEDICAL, rng.randrange(10000, 80000, 100), 1))
    escorted = rng.random() < 0.7
    if escorted:
        costs.append((RescueService.Kind.TICKET, rng.randrange(5000, 40000, 100), 1))
    for kind, fen, quantity in costs:
        if day > today:
            break
        rescue_services.service_add(
            actor=officer,
            case=case,
            kind=kind,
            provided_on=day,
            amount_fen=fen,
            quantity=quantity,
        )
    if leave > today:
        return  # still at the station
    outcome = RescueCase.Status.ESCORTED if escorted else RescueCase.Status.LEFT
    rescue_services.case_close(
        actor=officer,
        case=case,
        outcome=outcome,
        outcome_on=leave,
        destination=case.hometown_stated if escorted else "",
    )


def _reasons(app: Application) -> str:
    failed = [
        line.get("explanation") or line.get("text") or line.get("rule", "")
        for line in (app.assessment or {}).get("lines", [])
        if line.get("passed") is False
    ]
    return "；".join(str(f) for f in failed[:3] if f) or "经审核不符合条件"


def _refuse(
    app: Application,
    actor: User,
    town: User,
    day: dt.date,
    today: dt.date,
    reasons: str,
    result: HistoryResult,
) -> None:
    notice = workflow.application_refuse(
        actor=actor, application=app, version=app.version, reasons=reasons[:500], decided_on=day
    )
    result.refused[app.programme] += 1
    # the township hands the 不予确认通知书 over within the 3 working days it has
    delivered = add_workdays(day, 2)
    if delivered <= today:
        workflow.notice_delivered(actor=town, notice=notice, delivered_on=delivered)


def _ensure_account(app: Application, staff: Staff) -> None:
    enrollment = Enrollment.objects.filter(application=app).select_related("payee").first()
    if (
        enrollment is None
        or PayeeAccount.objects.filter(person=enrollment.payee, active=True).exists()
    ):
        return
    payee = enrollment.payee
    rural = payee.hukou != Person.Hukou.URBAN
    digits = f"{payee.pk:012d}"
    payment_services.payee_account_set(
        actor=staff.county_officer,
        person=payee,
        account_type=PayeeAccount.Type.YIKATONG if rural else PayeeAccount.Type.SOCIAL_SECURITY,
        bank_name="当涂农村商业银行" if rural else "中国农业银行当涂支行",
        account_number=f"6230{digits}",
        holder_name=payee.name,
    )


# --- monthly payroll ----------------------------------------------------------------------------


@contextmanager
def _tasks_inline() -> Iterator[None]:
    """Run the payroll generation task inside the simulator rather than on the worker."""
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    ):
        yield


def run_payroll(month: dt.date, staff: Staff, county: Region, result: HistoryResult) -> None:
    """The month's county run, prepared, reviewed, approved by a second person and exported.
    A run left half-way by an interrupted simulation is taken on from where it stopped."""
    S = PaymentRun.Status
    booked = month.replace(day=PAYDAY)
    with _tasks_inline():
        start = payment_services.payroll_run_start(
            actor=staff.county_officer, programme="", month=month, region=county
        )
    run = PaymentRun.objects.get(pk=start.run.pk)
    if run.status == S.GENERATING:  # its generation was interrupted: run the task body again
        payment_services.payroll_run_generate(run_id=run.pk)
        run.refresh_from_db()
    if run.status == S.DRAFT and run.line_count == 0:
        payment_services.payroll_run_cancel(
            actor=staff.county_officer, run=run, reason="本月无应发人员"
        )
        return
    if run.status == S.DRAFT:
        run = payment_services.payroll_run_review(actor=staff.county_officer, run=run)
    if run.status == S.REVIEWED:
        run = payment_services.payroll_run_approve(actor=staff.county_admin, run=run)
    if run.status == S.APPROVED:
        layout = BankLayout.objects.filter(is_default=True).first() or BankLayout.objects.first()
        assert layout is not None, "payments migration 0003 installs the bank layouts"
        payment_services.payroll_run_export(
            actor=staff.county_officer, run=run, layout=layout, fmt="csv", booked_on=booked
        )
        run.refresh_from_db()
    result.runs += 1
    result.lines += run.line_count
    result.paid_fen += run.total_fen


# --- the whole history --------------------------------------------------------------------------


def simulate_history(
    *,
    county_code: str = "340521",
    seed: int = 340521,
    start: dt.date = GO_LIVE,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> HistoryResult:
    """Applications and payrolls from ``start`` to ``today``, in date order."""
    began = time.monotonic()
    today = today or timezone.localdate()
    county = Region.objects.get(code=county_code)
    rng = random.Random(seed)  # noqa: S311 — synthetic data, not security
    result = HistoryResult()
    persons = Person.objects.filter(status=Person.Status.LIVING, county_code=county_code).count()
    staff = ensure_staff(county)
    plans = plan_applications(rng, start=start, end=today, persons=persons, county_code=county_code)
    months = []
    m = _next_month(start)
    while m.replace(day=PAYDAY) <= today:
        months.append(m)
        m = _next_month(m)
    total = len(plans) + len(months)
    done = 0
    pending = iter(months)
    next_pay = next(pending, None)
    for plan in plans:
        while next_pay is not None and next_pay.replace(day=PAYDAY) <= plan.submitted_on:
            run_payroll(next_pay, staff, county, result)
            done += 1
            if progress:
                progress(done, total, f"{next_pay:%Y年%m月}发放")
            next_pay = next(pending, None)
        run_application(plan, staff, today, result)
        done += 1
        if progress and done % 25 == 0:
            progress(done, total, f"{plan.submitted_on:%Y年%m月}的申请")
    while next_pay is not None:
        run_payroll(next_pay, staff, county, result)
        done += 1
        if progress:
            progress(done, total, f"{next_pay:%Y年%m月}发放")
        next_pay = next(pending, None)
    result.seconds = time.monotonic() - began
    return result
