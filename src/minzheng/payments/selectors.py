"""Payments reads, always scoped to the user's region (``accounts.scoping``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Window,
)
from django.db.models.functions import Cast, Substr

from minzheng.accounts.scoping import get_scoped, scope
from minzheng.assistance.models import Programme
from minzheng.geo.models import Region
from minzheng.registry.models import Person

from . import payroll
from .models import (
    LedgerEntry,
    PayeeAccount,
    PaymentException,
    PaymentLine,
    PaymentRun,
    RecoveryDecision,
    StandardChange,
)

L = PaymentLine.Status
LIVE = (L.PENDING, L.POSTED, L.PAID)
SAMPLE = 50
PROGRAMME_LABELS = dict(Programme.choices)
RUN_SORTS = {
    "month": ("month", "created_at"),
    "-month": ("-month", "-created_at"),
    "total": ("total_fen",),
    "-total": ("-total_fen",),
    "count": ("line_count",),
    "-count": ("-line_count",),
    "status": ("status", "-month"),
    "-status": ("-status", "-month"),
    "created": ("created_at",),
    "-created": ("-created_at",),
}


def programme_label(code: str) -> str:
    return PROGRAMME_LABELS.get(code, code) if code else "全部项目"


# --- runs ------------------------------------------------------------------------------------


def runs_for_user(
    user: Any,
    *,
    programme: str = "",
    status: str = "",
    month: date | None = None,
    region: str = "",
    sort: str = "-month",
) -> QuerySet[PaymentRun]:
    qs = scope(PaymentRun.objects.select_related("region", "prepared_by"), user)
    if programme:
        qs = qs.filter(programme=programme)
    if status:
        qs = qs.filter(status=status)
    if month:
        qs = qs.filter(month=payroll.month_start(month))
    if region:
        qs = qs.filter(region__code__startswith=region)
    return qs.order_by(*RUN_SORTS.get(sort, RUN_SORTS["-month"]), "-id")


def run_for_user(user: Any, public_id: Any) -> PaymentRun:
    return get_scoped(
        PaymentRun.objects.select_related(
            "region", "prepared_by", "reviewed_by", "approved_by", "layout", "job"
        ),
        user,
        public_id=public_id,
    )


def run_lines(run: PaymentRun, *, status: str = "", kind: str = "") -> QuerySet[PaymentLine]:
    qs = PaymentLine.objects.filter(run=run).select_related("payee", "region", "account")
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("region_id", "id")


def _previous_lines(run: PaymentRun, month: date) -> QuerySet[PaymentLine]:
    """Last month's payroll in the run's scope: what was paid or is on its way, and what the
    bank returned (the person was on last month's payroll all the same)."""
    qs = PaymentLine.objects.filter(
        month=month,
        kind__in=[PaymentLine.Kind.REGULAR, PaymentLine.Kind.REISSUE],
        status__in=[*LIVE, L.FAILED],
        region__code__startswith=run.region.prefix,
    )
    return qs.filter(programme=run.programme) if run.programme else qs


def _sample(qs: QuerySet[Any], *fields: str) -> list[dict[str, Any]]:
    return [dict(zip(fields, row, strict=True)) for row in qs.values_list(*fields)[:SAMPLE]]


def run_summary_compute(run: PaymentRun) -> dict[str, Any]:
    """What the approver looks at: totals by town and programme, and the differences from the
    previous month in the same scope (new, stopped, changed amounts), plus who is entitled
    but not in this run and why. Stored on the run when it is generated."""
    lines = PaymentLine.objects.filter(run=run).exclude(status=L.CANCELLED)
    by_town = list(
        lines.annotate(town=Substr("region_id", 1, 9))
        .values("town", "programme", "kind")
        .annotate(count=Count("id"), total_fen=Sum("amount_fen"))
        .order_by("town", "programme", "kind")
    )
    prev_month = payroll.add_months(run.month, -1)
    current = lines.filter(kind__in=[PaymentLine.Kind.REGULAR, PaymentLine.Kind.REISSUE])
    prev = _previous_lines(run, prev_month)
    same_prev = prev.filter(payee_id=OuterRef("payee_id"), programme=OuterRef("programme"))
    new = current.exclude(Exists(same_prev))
    now_any = PaymentLine.objects.filter(
        month=run.month,
        status__in=LIVE,
        payee_id=OuterRef("payee_id"),
        programme=OuterRef("programme"),
    )
    stopped = prev.exclude(Exists(now_any))
    changed = (
        current.annotate(
            prev_amount=Subquery(same_prev.values("amount_fen")[:1], output_field=IntegerField())
        )
        .filter(prev_amount__isnull=False)
        .exclude(prev_amount=F("amount_fen"))
    )
    fields = ("payee_id", "programme", "amount_fen", "region_id")

    def block(qs: QuerySet[Any], *extra: str) -> dict[str, Any]:
        # one pass: the count and total ride along each sample row as window aggregates
        # over the whole set (computed before the LIMIT), so the set is evaluated once
        rows = list(
            qs.annotate(n_all=Window(Count("id")), total_all=Window(Sum("amount_fen")))
            .order_by("region_id", "id")
            .values_list(*fields, *extra, "n_all", "total_all")[:SAMPLE]
        )
        width = len(fields) + len(extra)
        return {
            "count": rows[0][width] if rows else 0,
            "total_fen": rows[0][width + 1] if rows else 0,
            "sample": [dict(zip((*fields, *extra), r[:width], strict=True)) for r in rows],
        }

    # entitled in scope but without a line in this run: held elsewhere, or recovered
    excluded_count = 0
    excluded_sample: list[dict[str, Any]] = []
    in_run = PaymentLine.objects.filter(run=run, enrollment_id=OuterRef("pk"), month=run.month)
    for programme, group in payroll.payable_programmes(run.programme):
        owed = payroll.entitled_enrollments(run.month).filter(
            programme=programme, region__code__startswith=run.region.prefix
        )
        missing = owed.exclude(Exists(in_run))
        room = SAMPLE - len(excluded_sample)
        if not room:
            excluded_count += missing.count()
            continue
        # one pass per programme: the sample rows carry the programme's count
        rows = list(
            missing.annotate(
                held_by=Subquery(
                    PaymentLine.objects.filter(
                        payee_id=OuterRef("payee_id"), programme_group=group, held_month=run.month
                    ).values("programme")[:1]
                ),
                recovered=payroll.recovery_covers(run.month),
                n_all=Window(Count("id")),
            )
            .order_by("programme", "region_id", "id")  # the enrollment's own ordering
            .values_list(
                "payee_id", "programme", "amount_fen", "region_id", "held_by", "recovered", "n_all"
            )[:room]
        )
        excluded_count += rows[0][-1] if rows else 0
        for payee_id, prog, amount, region_id, held_by, recovered, _ in rows:
            if recovered:
                why = "已有追回决定"
            elif held_by == prog:
                why = "本月已在其他批次发放"
            elif held_by:
                why = f"互斥项目：本月已发{programme_label(held_by)}"
            else:
                why = "未纳入"
            excluded_sample.append(
                {
                    "payee_id": payee_id,
                    "programme": prog,
                    "amount_fen": amount,
                    "region_id": region_id,
                    "reason": why,
                }
            )
    return {
        "by_town": by_town,
        "previous_month": prev_month.isoformat(),
        "new": block(new),
        "stopped": block(stopped),
        "changed": block(changed, "prev_amount"),
        "excluded": {"count": excluded_count, "sample": excluded_sample},
    }


@dataclass(frozen=True)
class TotalsRow:
    town: str
    town_name: str
    programme: str
    programme_label: str
    kind_label: str
    count: int
    total_fen: int


def summary_tables(run: PaymentRun) -> dict[str, Any]:
    """The stored summary, with region and person names resolved for display."""
    s = run.summary or {}
    rows = s.get("by_town", [])
    codes = {r["town"] for r in rows}
    person_ids: set[int] = set()
    for key in ("new", "stopped", "changed", "excluded"):
        for item in s.get(key, {}).get("sample", []):
            person_ids.add(item["payee_id"])
            codes.add(item["region_id"])
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    people = dict(Person.objects.filter(pk__in=person_ids).values_list("pk", "name"))
    kinds = dict(PaymentLine.Kind.choices)
    totals = [
        TotalsRow(
            r["town"],
            names.get(r["town"], r["town"]),
            r["programme"],
            programme_label(r["programme"]),
            kinds.get(r["kind"], r["kind"]),
            r["count"],
            r["total_fen"],
        )
        for r in rows
    ]
    by_programme: dict[str, dict[str, int]] = {}
    for t in totals:
        agg = by_programme.setdefault(t.programme_label, {"count": 0, "total_fen": 0})
        agg["count"] += t.count
        agg["total_fen"] += t.total_fen

    def named(key: str) -> dict[str, Any]:
        block = dict(s.get(key, {"count": 0, "sample": []}))
        block["sample"] = [
            {
                **item,
                "name": people.get(item["payee_id"], ""),
                "programme_label": programme_label(item["programme"]),
                "region_name": names.get(item["region_id"], item["region_id"]),
            }
            for item in block.get("sample", [])
        ]
        return block

    return {
        "totals": totals,
        "by_programme": by_programme,
        "previous_month": s.get("previous_month"),
        "new": named("new"),
        "stopped": named("stopped"),
        "changed": named("changed"),
        "excluded": named("excluded"),
    }


def run_status_counts(run: PaymentRun) -> dict[str, int]:
    rows = PaymentLine.objects.filter(run=run).values("status").annotate(n=Count("id"))
    return {r["status"]: r["n"] for r in rows}


def run_paid_fen(run: PaymentRun) -> int:
    """Money of the run that reached the payees (lines the bank confirmed)."""
    agg = PaymentLine.objects.filter(run=run, status=L.PAID).aggregate(s=Sum("amount_fen"))
    return agg["s"] or 0


# --- exceptions, accounts, decisions -------------------------------------------------------


def exceptions_for_user(user: Any, *, status: str = "", q: str = "") -> QuerySet[PaymentException]:
    qs = scope(PaymentException.objects.select_related("person", "region", "run", "line"), user)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(person__name__contains=q)
    return qs.order_by("-created_at", "-id")


def exception_for_user(user: Any, public_id: Any) -> PaymentException:
    return get_scoped(
        PaymentException.objects.select_related("person", "region", "run"),
        user,
        public_id=public_id,
    )


def accounts_for_user(user: Any, *, q: str = "", active: bool = True) -> QuerySet[PayeeAccount]:
    qs = scope(PayeeAccount.objects.select_related("person", "region"), user)
    if active:
        qs = qs.filter(active=True)
    if q:
        qs = qs.filter(Q(person__name__contains=q) | Q(holder_name__contains=q))
    return qs.order_by("region_id", "person__name", "-created_at")


def payees_without_account(user: Any) -> QuerySet[Person]:
    """Payees of open enrollments in the user's region who have no active account."""
    from minzheng.assistance.models import Enrollment

    payees = Enrollment.objects.filter(end_month__isnull=True).values("payee_id")
    return (
        scope(Person.objects.filter(pk__in=payees), user)
        .exclude(Exists(PayeeAccount.objects.filter(person=OuterRef("pk"), active=True)))
        .select_related("region")
        .order_by("region_id", "name")
    )


def standard_changes_for_user(user: Any) -> QuerySet[StandardChange]:
    return scope(StandardChange.objects.select_related("region", "decided_by"), user).order_by(
        "-created_at"
    )


def recoveries_for_user(user: Any) -> QuerySet[RecoveryDecision]:
    return scope(
        RecoveryDecision.objects.select_related("person", "region", "decided_by"), user
    ).order_by("-created_at")


# --- ledger: balances and statistics -------------------------------------------------------


def balances(*, person_id: int | None = None) -> dict[tuple[int, str], int]:
    """Net money per (person, programme): the sum of every ledger entry, nothing stored."""
    qs = LedgerEntry.objects.all()
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    rows = qs.values("person_id", "programme").annotate(net=Sum("amount_fen"))
    return {(r["person_id"], r["programme"]): r["net"] for r in rows}


def ledger_for_person(person: Person) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(person=person).order_by("month", "id")


DISBURSED = (LedgerEntry.Kind.PAYMENT, LedgerEntry.Kind.BACK_PAY, LedgerEntry.Kind.REVERSAL)


def ledger_in_scope(start: date, end: date, prefix: str) -> QuerySet[LedgerEntry]:
    """Entries booked in ``[start, end]`` in the region subtree ``prefix``."""
    return LedgerEntry.objects.filter(
        booked_on__gte=start, booked_on__lte=end, region__code__startswith=prefix
    )


@dataclass(frozen=True)
class StatsRow:
    key: str
    label: str
    recipients: int
    disbursed_fen: int
    recovered_fen: int


def statistics(
    *, start: date, end: date, prefix: str, by: str, programme: str = ""
) -> list[StatsRow]:
    """Recipients and money by programme, month (of booking) or town, from the ledger.

    Disbursed = payments + back-pay + reversals booked in the period; recoveries are shown
    apart. A recipient is a person whose disbursed net in the cell is positive."""
    qs = ledger_in_scope(start, end, prefix)
    if programme:
        qs = qs.filter(programme=programme)
    if by == "town":
        qs = qs.annotate(k=Substr("region_id", 1, 9))
    elif by == "month":
        qs = qs.annotate(k=Substr(Cast("booked_on", output_field=CharField()), 1, 7))
    else:
        qs = qs.annotate(k=F("programme"))
    disbursed = (
        qs.filter(kind__in=DISBURSED).values("k").annotate(total=Sum("amount_fen")).order_by("k")
    )
    recovered = dict(
        qs.filter(kind=LedgerEntry.Kind.RECOVERY)
        .values("k")
        .annotate(total=Sum("amount_fen"))
        .values_list("k", "total")
    )
    per_person = (
        qs.filter(kind__in=DISBURSED)
        .values("k", "person_id")
        .annotate(net=Sum("amount_fen"))
        .filter(net__gt=0)
    )
    recipients: dict[str, int] = {}
    for row in per_person.values_list("k", flat=True):
        recipients[row] = recipients.get(row, 0) + 1
    keys = sorted({r["k"] for r in disbursed} | set(recovered))
    totals = {r["k"]: r["total"] for r in disbursed}
    names: dict[str, str] = {}
    if by == "town":
        names = dict(Region.objects.filter(code__in=keys).values_list("code", "name"))
    out = []
    for k in keys:
        if by == "town":
            label = names.get(k, k)
        elif by == "month":
            label = f"{k[:4]}年{k[5:7]}月"
        else:
            label = programme_label(k)
        out.append(
            StatsRow(k, label, recipients.get(k, 0), totals.get(k, 0), -(recovered.get(k) or 0))
        )
    return out
