"""Set-based payroll SQL: generation of a run's lines, and back-pay differences.

Every statement is ``INSERT … SELECT`` over the assistance contract
(``assistance.selectors.entitled_enrollments``, compiled by Django and wrapped), in batches
of enrollment ids, each batch in its own transaction. ``ON CONFLICT (payee, group,
held_month) DO NOTHING`` — the same syntax on SQLite and PostgreSQL — skips any enrollment
whose month is already held by a line of any run, so a re-run, an overlapping run, a moved
person or a mutually exclusive programme never pays a month twice; the unique index is what
guarantees it, the clause only keeps the batch going.

Whole months: an enrollment is paid the full amount of every month from its start month to
its end month inclusive. 审核确认办法 第21条: payment starts in the month after the decision
(the workflow sets ``start_month`` accordingly) and stops after the month of the end; nothing
is pro-rated. 渐退 steps and suspensions arrive as amount and suspension rows of the contract.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, F, Max, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from minzheng.assistance.models import ONE_OFF, RECOGNITION_ONLY, Enrollment, Programme
from minzheng.assistance.selectors import enrollments_in_month, entitled_enrollments

from .models import (
    PaymentException,
    PaymentLine,
    PaymentRun,
    PayrollLock,
    ProgrammeGroup,
    RecoveryDecision,
)

BATCH_IDS = 100_000
# one-off grants the payroll pays (流浪乞讨 help is spent by the rescue station, not paid out)
PAID_ONE_OFF = frozenset({Programme.TEMPORARY})

# The statements spell their table names out; every value is a bound parameter. The two that
# wrap the contract's query splice in Django's own compiled SQL (its values stay parameters).
INSERT_REGULAR = (
    "INSERT INTO payments_paymentline (run_id, kind, enrollment_id, payee_id, programme, "
    "programme_group, month, amount_fen, region_id, county_code, held_month, status, note) "
    "SELECT %s, 'regular', q.q_id, q.q_payee, %s, %s, %s, q.q_amount, q.q_region, q.q_county, "
    "%s, 'pending', '' FROM ({inner}{fence}) q WHERE q.q_amount IS NOT NULL "
    "ON CONFLICT (payee_id, programme_group, held_month) DO NOTHING"
)
INSERT_REISSUE = (
    "INSERT INTO payments_paymentline (run_id, kind, enrollment_id, payee_id, programme, "
    "programme_group, month, amount_fen, region_id, county_code, held_month, status, note, "
    "source_exception_id) "
    "SELECT %s, 'reissue', x.enrollment_id, x.person_id, x.programme, l.programme_group, "
    "x.month, x.amount_fen, x.region_id, x.county_code, x.month, 'pending', '', x.id "
    "FROM payments_paymentexception x JOIN payments_paymentline l ON l.id = x.line_id "
    "WHERE x.status = 'ready' AND x.region_id LIKE %s AND (%s = '' OR x.programme = %s) "
    "AND NOT EXISTS (SELECT 1 FROM payments_recoverydecision r WHERE r.person_id = x.person_id "
    "AND r.from_month <= x.month "
    "AND (r.enrollment_id IS NULL OR r.enrollment_id = x.enrollment_id)) "
    "ORDER BY x.id ON CONFLICT (payee_id, programme_group, held_month) DO NOTHING"
)
INSERT_BACK_PAY = (
    "INSERT INTO payments_paymentline (run_id, kind, enrollment_id, payee_id, programme, "
    "programme_group, month, amount_fen, region_id, county_code, held_month, status, note, "
    "back_pay_id) "
    "SELECT %s, 'back_pay', e.id, e.payee_id, e.programme, g.group_code, b.month, "
    "b.amount_fen, e.region_id, e.county_code, NULL, 'pending', '', b.id "
    "FROM payments_backpayitem b JOIN assistance_enrollment e ON e.id = b.enrollment_id "
    "JOIN payments_programmegroup g ON g.programme = e.programme "
    "WHERE b.status = 'pending' AND e.region_id LIKE %s AND (%s = '' OR e.programme = %s) "
    "AND NOT EXISTS (SELECT 1 FROM payments_recoverydecision r WHERE r.person_id = e.payee_id "
    "AND r.from_month <= b.month AND (r.enrollment_id IS NULL OR r.enrollment_id = e.id)) "
    "AND NOT EXISTS (SELECT 1 FROM payments_paymentline x WHERE x.back_pay_id = b.id "
    "AND x.status <> 'cancelled') "
    "ORDER BY b.id"
)
# One-off grants (临时救助) not yet paid, whenever they were granted: one line each, holding
# the grant's own month as its month and no held month (the partial unique index
# ``payments_one_off_once`` pays each grant once).
INSERT_ONE_OFF = (
    "INSERT INTO payments_paymentline (run_id, kind, enrollment_id, payee_id, programme, "
    "programme_group, month, amount_fen, region_id, county_code, held_month, status, note) "
    "SELECT %s, 'one_off', e.id, e.payee_id, e.programme, g.group_code, e.start_month, "
    "a.amount_fen, e.region_id, e.county_code, NULL, 'pending', '' "
    "FROM assistance_enrollment e JOIN payments_programmegroup g ON g.programme = e.programme "
    "JOIN assistance_enrollmentamount a ON a.enrollment_id = e.id "
    "AND a.from_month = e.start_month "
    "WHERE e.programme = %s AND e.start_month <= %s AND e.region_id LIKE %s "
    "AND a.amount_fen > 0 "
    "AND NOT EXISTS (SELECT 1 FROM payments_paymentline x WHERE x.enrollment_id = e.id "
    "AND x.kind = 'one_off' AND x.status <> 'cancelled') "
    "AND NOT EXISTS (SELECT 1 FROM payments_recoverydecision r WHERE r.person_id = e.payee_id "
    "AND r.from_month <= e.start_month "
    "AND (r.enrollment_id IS NULL OR r.enrollment_id = e.id)) "
    "ORDER BY e.id"
)
INSERT_BACK_PAY_ITEMS = (
    "INSERT INTO payments_backpayitem (decision_id, enrollment_id, month, amount_fen, status, "
    "created_at) "
    "SELECT %s, q.q_id, %s, q.q_amount - p.paid, 'pending', %s FROM ({inner}) q "
    "JOIN (SELECT enrollment_id, SUM(amount_fen) AS paid FROM ("
    "  SELECT enrollment_id, amount_fen FROM payments_ledgerentry WHERE month = %s "
    "    AND programme = %s AND kind IN ('payment', 'back_pay', 'reversal') "
    "  UNION ALL SELECT enrollment_id, amount_fen FROM payments_paymentline "
    "    WHERE month = %s AND programme = %s AND status = 'pending' "
    "  UNION ALL SELECT enrollment_id, amount_fen FROM payments_backpayitem "
    "    WHERE month = %s AND status = 'pending'"
    ") x GROUP BY enrollment_id) p ON p.enrollment_id = q.q_id "
    "WHERE p.paid > 0 AND q.q_amount > p.paid"
)

Progress = Callable[[int, int, str], None]


def month_start(d: date) -> date:
    return d.replace(day=1)


def add_months(m: date, n: int) -> date:
    index = m.year * 12 + (m.month - 1) + n
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> Iterator[date]:
    m = month_start(first)
    while m <= last:
        yield m
        m = add_months(m, 1)


def _d(value: date) -> Any:
    return connection.ops.adapt_datefield_value(value)


def _now() -> Any:
    return connection.ops.adapt_datetimefield_value(timezone.now())


def _fence() -> str:
    """An ``OFFSET 0`` that keeps a subquery in FROM from being merged into the outer query
    (PostgreSQL and SQLite alike; SQLite wants a LIMIT with it). Merged, the outer
    ``q_amount IS NOT NULL`` would become a second evaluation of the amount look-up."""
    return " LIMIT -1 OFFSET 0" if connection.vendor == "sqlite" else " OFFSET 0"


def plan_without_jit() -> None:
    """PostgreSQL: no JIT compilation for the rest of the current transaction.

    A payroll statement over 100,000 enrollments is costed far above ``jit_above_cost``, so
    PostgreSQL compiles it with LLVM first; on 200,000 synthetic enrollments that compiling
    took 0.5 s of a 1.3 s batch and bought nothing back (EXPLAIN ANALYZE, bench/payroll).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SET LOCAL jit = off")


def refresh_line_statistics() -> None:
    """PostgreSQL: re-sample the planner statistics of the line table after a generation.

    A run adds as many lines as the county has enrollments, at once; until autovacuum
    notices, the planner still believes the month holds no lines and picks nested loops over
    them for the approver's summary (one of its counts ran for minutes instead of about a
    second on 200,000 lines). ``ANALYZE`` reads a fixed-size sample, so it costs well under
    a second at any county's size. SQLite plans without row counts and needs nothing.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE payments_paymentline")


def lock_county(county_code: str) -> None:
    """Serialise payroll writes of one county (PostgreSQL row lock; SQLite's IMMEDIATE
    transactions already serialise every writer)."""
    if connection.vendor == "postgresql":
        PayrollLock.objects.get_or_create(county_code=county_code)
        PayrollLock.objects.select_for_update().get(county_code=county_code)


def payable_programmes(programme: str = "") -> list[tuple[str, str]]:
    """(programme, group) in generation order: precedence within each exclusion group first."""
    skip = {str(p) for p in RECOGNITION_ONLY | ONE_OFF}
    rows = ProgrammeGroup.objects.order_by("precedence", "programme").values_list(
        "programme", "group_code"
    )
    return [(p, g) for p, g in rows if p not in skip and (not programme or p == programme)]


def recovery_covers(month: date, *, person: str = "payee_id", enrollment: str = "pk") -> Exists:
    """A recovery decision of the person (or of this enrollment) from ``month`` or earlier."""
    return Exists(
        RecoveryDecision.objects.filter(person_id=OuterRef(person), from_month__lte=month).filter(
            Q(enrollment__isnull=True) | Q(enrollment_id=OuterRef(enrollment))
        )
    )


def owed(
    month: date, *, programme: str, prefix: str, amount_filtered: bool = True
) -> QuerySet[Enrollment]:
    """The contract, narrowed to one programme and region subtree, minus recovered months.

    ``amount_filtered=False`` keeps enrollments without an amount in force (``amount_fen``
    NULL) for a caller that drops them itself, looking the amount up once (``INSERT_REGULAR``).
    """
    base = entitled_enrollments(month) if amount_filtered else enrollments_in_month(month)
    return base.filter(programme=programme, region__code__startswith=prefix).exclude(
        recovery_covers(month)
    )


@dataclass
class Generated:
    regular: int = 0
    reissue: int = 0
    back_pay: int = 0
    one_off: int = 0
    conflicts_closed: int = 0

    @property
    def total(self) -> int:
        return self.regular + self.reissue + self.back_pay + self.one_off


def generate_lines(run: PaymentRun, progress: Progress | None = None) -> Generated:
    """Write the run's lines: regular months, then re-issues of fixed exceptions, then
    pending back-pay, all in the run's scope. Re-running adds only what is missing."""
    out = Generated()
    prefix = run.region.prefix
    month = run.month
    plan = []
    for programme, group in payable_programmes(run.programme):
        bounds = Enrollment.objects.filter(
            programme=programme, region__code__startswith=prefix
        ).aggregate(lo=Min("id"), hi=Max("id"))
        if bounds["lo"] is None:
            continue
        for lo in range(bounds["lo"], bounds["hi"] + 1, BATCH_IDS):
            plan.append((programme, group, lo, lo + BATCH_IDS))
    total = len(plan) + 2
    for step, (programme, group, lo, hi) in enumerate(plan, start=1):
        inner = (
            owed(month, programme=programme, prefix=prefix, amount_filtered=False)
            .filter(pk__gte=lo, pk__lt=hi)
            .order_by("pk")
            .values(
                q_id=F("pk"),
                q_payee=F("payee_id"),
                q_region=F("region_id"),
                q_county=F("county_code"),
                q_amount=F("amount_fen"),
            )
        )
        sql, params = inner.query.sql_with_params()
        statement = INSERT_REGULAR.replace("{inner}", sql).replace("{fence}", _fence())
        with transaction.atomic(), connection.cursor() as cur:
            lock_county(run.county_code)
            plan_without_jit()
            cur.execute(statement, [run.pk, programme, group, _d(month), _d(month), *params])
            out.regular += max(cur.rowcount, 0)
        if progress:
            progress(step, total, f"已生成 {out.regular} 笔当月发放")
    if out.regular:
        refresh_line_statistics()
    with transaction.atomic():
        lock_county(run.county_code)
        out.reissue, out.conflicts_closed = _reissue_lines(run, prefix)
    if progress:
        progress(total - 1, total, f"已生成 {out.regular} 笔当月发放、{out.reissue} 笔失败重发")
    with transaction.atomic():
        lock_county(run.county_code)
        out.back_pay = _back_pay_lines(run, prefix)
    with transaction.atomic():
        lock_county(run.county_code)
        out.one_off = _one_off_lines(run, prefix)
    if progress:
        progress(total, total, f"共生成 {out.total} 笔")
    return out


def _reissue_lines(run: PaymentRun, prefix: str) -> tuple[int, int]:
    """Fixed exceptions (status ready) in scope become re-issue lines holding their month;
    each exception is re-issued once (partial unique index on ``source_exception``)."""
    with connection.cursor() as cur:
        cur.execute(INSERT_REISSUE, [run.pk, prefix + "%", run.programme, run.programme])
        added = max(cur.rowcount, 0)
    now = timezone.now()
    PaymentException.objects.filter(
        pk__in=PaymentLine.objects.filter(run=run, source_exception__isnull=False).values(
            "source_exception_id"
        ),
        status=PaymentException.Status.READY,
    ).update(status=PaymentException.Status.REISSUED, updated_at=now)
    # a ready exception whose month another line now holds was paid by that line
    held_elsewhere = PaymentLine.objects.filter(
        payee_id=OuterRef("person_id"),
        programme_group=OuterRef("line__programme_group"),
        held_month=OuterRef("month"),
    )
    closed = (
        PaymentException.objects.filter(
            status=PaymentException.Status.READY, region__code__startswith=prefix
        )
        .filter(Exists(held_elsewhere))
        .update(
            status=PaymentException.Status.CLOSED,
            resolution="该月已由其他批次发放，无需重发",
            updated_at=now,
        )
    )
    return added, closed


def _back_pay_lines(run: PaymentRun, prefix: str) -> int:
    from .models import BackPayItem

    with connection.cursor() as cur:
        cur.execute(INSERT_BACK_PAY, [run.pk, prefix + "%", run.programme, run.programme])
        added = max(cur.rowcount, 0)
    BackPayItem.objects.filter(
        pk__in=PaymentLine.objects.filter(run=run, back_pay__isnull=False).values("back_pay_id"),
        status=BackPayItem.Status.PENDING,
    ).update(status=BackPayItem.Status.INCLUDED)
    return added


def _one_off_lines(run: PaymentRun, prefix: str) -> int:
    """Unpaid one-off grants of the run's scope granted in its month or before."""
    added = 0
    for programme in sorted(str(p) for p in PAID_ONE_OFF):
        if run.programme and run.programme != programme:
            continue
        with connection.cursor() as cur:
            cur.execute(INSERT_ONE_OFF, [run.pk, programme, _d(run.month), prefix + "%"])
            added += max(cur.rowcount, 0)
    return added


def insert_back_pay_items(*, decision_id: int, programme: str, prefix: str, month: date) -> int:
    """Back-pay items for one month: what each enrollment is owed now minus what the ledger
    (payments, back-pay, reversals), pending lines and pending items already give it; only
    for months that were paid at all, and only where the difference is positive."""
    inner = owed(month, programme=programme, prefix=prefix).values(
        q_id=F("pk"), q_amount=F("amount_fen")
    )
    sql, params = inner.query.sql_with_params()
    statement = INSERT_BACK_PAY_ITEMS.replace("{inner}", sql)
    m = _d(month)
    with connection.cursor() as cur:
        cur.execute(
            statement,
            [decision_id, m, _now(), *params, m, programme, m, programme, m],
        )
        return max(cur.rowcount, 0)
