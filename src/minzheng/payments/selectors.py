"""Payments reads, always scoped to the user's region (``accounts.scoping``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Window,
)
from django.db.models.functions import Cast, Substr

from minzheng.accounts.scoping import get_scoped, scope
from minzheng.assistance.models import Enrollment, Programme
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


# Last month's line per (payee, programme) for the "changed" comparison: one grouped pass
# over the month's lines, joined to this run's lines, instead of a correlated look-up per
# line. A key with more than one line last month (a returned payment and its re-issue) takes
# the first by the line ordering (run, id), as ``values(...)[:1]`` of the ORM would.
_PREV_WHERE = (
    "{a}.month = %s AND {a}.kind IN ('regular', 'reissue') "
    "AND {a}.status IN ('pending', 'posted', 'paid', 'failed') AND {a}.region_id LIKE %s"
)
CHANGED_SQL = (
    "SELECT d.payee_id, d.programme, d.amount_fen, d.region_id, d.prev_amount, "
    "COUNT(*) OVER (), SUM(d.amount_fen) OVER () FROM ("
    "SELECT c.id, c.payee_id, c.programme, c.amount_fen, c.region_id, "
    "CASE WHEN p.n = 1 THEN p.first_fen ELSE (SELECT x.amount_fen FROM payments_paymentline x "
    "WHERE {prev_x} AND x.payee_id = c.payee_id AND x.programme = c.programme "
    "ORDER BY x.run_id, x.id LIMIT 1) END AS prev_amount "
    "FROM payments_paymentline c JOIN ("
    "SELECT y.payee_id, y.programme, COUNT(*) AS n, MIN(y.amount_fen) AS first_fen "
    "FROM payments_paymentline y WHERE {prev_y} GROUP BY y.payee_id, y.programme"
    ") p ON p.payee_id = c.payee_id AND p.programme = c.programme "
    "WHERE c.run_id = %s AND c.status <> 'cancelled' AND c.kind IN ('regular', 'reissue')"
    "{fence}) d WHERE d.prev_amount <> d.amount_fen ORDER BY d.region_id, d.id LIMIT %s"
)


def _changed_block(run: PaymentRun, prev_month: date, fields: tuple[str, ...]) -> dict[str, Any]:
    """This run's regular and re-issue lines whose amount differs from last month's line of
    the same payee and programme (in the run's scope): count, total and a sample."""
    prev_x = _PREV_WHERE.format(a="x")
    prev_y = _PREV_WHERE.format(a="y")
    prev_params: list[Any] = [payroll._d(prev_month), run.region.prefix + "%"]
    if run.programme:
        prev_x += " AND x.programme = %s"
        prev_y += " AND y.programme = %s"
        prev_params.append(run.programme)
    sql = (
        CHANGED_SQL.replace("{prev_x}", prev_x)
        .replace("{prev_y}", prev_y)
        .replace("{fence}", payroll._fence())
    )
    with connection.cursor() as cur:
        cur.execute(sql, [*prev_params, *prev_params, run.pk, SAMPLE])
        rows = cur.fetchall()
    width = len(fields) + 1
    return {
        "count": int(rows[0][width]) if rows else 0,
        # PostgreSQL sums a bigint column as numeric (a Decimal here)
        "total_fen": int(rows[0][width + 1]) if rows else 0,
        "sample": [dict(zip((*fields, "prev_amount"), r[:width], strict=True)) for r in rows],
    }


# Entitled in the run's scope but without a line in it, all programmes in one pass. The
# inner query drops the enrollments that have their line first (an anti-join) and only then
# looks up the amount, in its select list, for the few left; the fence keeps the outer
# ``IS NOT NULL`` (the entitlement's "has an amount") from being merged back into it.
EXCLUDED_SQL = (
    "SELECT q.q_id, q.q_payee, q.q_programme, q.q_amount, q.q_region, COUNT(*) OVER () "
    "FROM ({inner}{fence}) q WHERE q.q_amount IS NOT NULL "
    "ORDER BY {position}, q.q_programme, q.q_region, q.q_id LIMIT %s"
)


def _excluded(run: PaymentRun) -> tuple[int, list[dict[str, Any]]]:
    """Enrollments owed the run's month in its scope that have no line in the run: their
    count, and a sample in programme order (generation order), region and id, each with
    why — a recovery decision, the month already paid by another run, or a mutually
    exclusive programme paid this month."""
    groups = dict(payroll.payable_programmes(run.programme))
    if not groups:
        return 0, []
    in_run = PaymentLine.objects.filter(run=run, enrollment_id=OuterRef("pk"), month=run.month)
    inner = (
        payroll.enrollments_in_month(run.month)
        .filter(programme__in=list(groups), region__code__startswith=run.region.prefix)
        .exclude(Exists(in_run))
        # SQLite: in id order it reads the table front to back; unordered it walks the
        # programme index with one random row look-up per enrollment (1,000,000
        # enrollments: 1.3-1.7 s against 6.9-7.2 s). PostgreSQL plans it as a hash anti-join
        # either way.
        .order_by(*(["pk"] if connection.vendor == "sqlite" else []))
        .values(
            q_id=F("pk"),
            q_payee=F("payee_id"),
            q_programme=F("programme"),
            q_amount=F("amount_fen"),
            q_region=F("region_id"),
        )
    )
    inner_sql, inner_params = inner.query.sql_with_params()
    position = "CASE q.q_programme {} END".format(
        " ".join("WHEN %s THEN " + str(k) for k in range(len(groups)))
    )
    sql = (
        EXCLUDED_SQL.replace("{inner}", inner_sql)
        .replace("{fence}", payroll._fence())
        .replace("{position}", position)
    )
    with connection.cursor() as cur:
        cur.execute(sql, [*inner_params, *groups, SAMPLE])
        rows = cur.fetchall()
    if not rows:
        return 0, []
    # why, for the sample rows only
    held: dict[int, str | None] = {}
    recovered: set[int] = set()
    for programme in {r[2] for r in rows}:
        ids = [r[0] for r in rows if r[2] == programme]
        found = Enrollment.objects.filter(pk__in=ids).annotate(
            held_by=Subquery(
                PaymentLine.objects.filter(
                    payee_id=OuterRef("payee_id"),
                    programme_group=groups[programme],
                    held_month=run.month,
                ).values("programme")[:1]
            ),
            recovered=payroll.recovery_covers(run.month),
        )
        for pk, held_by, is_recovered in found.values_list("pk", "held_by", "recovered"):
            held[pk] = held_by
            if is_recovered:
                recovered.add(pk)
    sample = []
    for pk, payee_id, prog, amount, region_id, _ in rows:
        held_by = held.get(pk)
        if pk in recovered:
            why = "已有追回决定"
        elif held_by == prog:
            why = "本月已在其他批次发放"
        elif held_by:
            why = f"互斥项目：本月已发{programme_label(held_by)}"
        else:
            why = "未纳入"
        sample.append(
            {
                "payee_id": payee_id,
                "programme": prog,
                "amount_fen": amount,
                "region_id": region_id,
                "reason": why,
            }
        )
    return int(rows[0][-1]), sample


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
    fields = ("payee_id", "programme", "amount_fen", "region_id")

    def block(qs: QuerySet[Any]) -> dict[str, Any]:
        # PostgreSQL: an aggregate and a top-N sample, two passes; SQLite: one pass, the
        # count and total riding along each sample row as window aggregates. Measured on
        # bench/bench_payroll.py's county (1,000,000 "new" lines of a first month):
        # PostgreSQL 0.25 + 0.27 s against 1.1-1.5 s with the window, which keeps and sorts
        # every row; SQLite 2.1 + 2.1 s against 2.8-3.2 s.
        if connection.vendor == "postgresql":
            totals = qs.aggregate(count=Count("id"), total_fen=Sum("amount_fen"))
            sample = list(qs.order_by("region_id", "id").values_list(*fields)[:SAMPLE])
            return {
                "count": totals["count"],
                "total_fen": totals["total_fen"] or 0,
                "sample": [dict(zip(fields, r, strict=True)) for r in sample],
            }
        rows = list(
            qs.annotate(n_all=Window(Count("id")), total_all=Window(Sum("amount_fen")))
            .order_by("region_id", "id")
            .values_list(*fields, "n_all", "total_all")[:SAMPLE]
        )
        width = len(fields)
        return {
            "count": rows[0][width] if rows else 0,
            "total_fen": rows[0][width + 1] if rows else 0,
            "sample": [dict(zip(fields, r[:width], strict=True)) for r in rows],
        }

    excluded_count, excluded_sample = _excluded(run)
    return {
        "by_town": by_town,
        "previous_month": prev_month.isoformat(),
        "new": block(new),
        "stopped": block(stopped),
        "changed": _changed_block(run, prev_month, fields),
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
