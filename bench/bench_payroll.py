"""Payroll generation for 1,000,000 active enrollments, timed beside a bare INSERT … SELECT floor.

Set-up (not timed): a synthetic county of ``BENCH_PAYROLL_ROWS`` (default 1,000,000) active
enrollments spread over the villages and communities of every town of 当涂县 (the region
table), written with ``registry.bulkload.insert_rows`` (COPY on PostgreSQL, executemany on
SQLite). 80 % of the enrollments belong to one person each (dibao, gaoling, disability
living subsidy, tekun, orphan, de-facto orphan); the other 20 % are a second enrollment
(disability care subsidy) of some of those persons, so every enrollment is in a different
exclusion group of its payee and every one is owed the month. A quarter of the enrollments
have a second amount row (a raise in force), 1 % an earlier, finished suspension; persons
carry encrypted, blind-indexed synthetic ID numbers. No households: the payroll query does
not read them.

Timed: the body of the background task (``payments.tasks.payroll_generate_task``, called
synchronously, outside any transaction, as the worker runs it) for a run of all programmes
(``programme=""``), the whole county, one month: ``services.payroll_run_generate`` — the
batched ``INSERT … SELECT … ON CONFLICT DO NOTHING`` per programme, then totals and the
approver's summary. The floor, in the same run: ``INSERT INTO <scratch table> SELECT …`` of
the same number of rows from ``assistance_enrollment``, where the scratch table has the
payment-line table's columns and types and a primary key but no other index, constraint or
foreign key (measured before and after the payroll; the faster one is the floor). For
context also an "indexed floor": the same insert into a table with the payment line's
secondary indexes (``ON CONFLICT DO NOTHING`` on the paid-once unique index), still without
foreign keys. Then a second generation of the same run (``payroll.generate_lines``, what a
retried task re-executes) must add 0 lines. Peak RSS is this Python process's high-water
mark during each timed step (``/proc/self/clear_refs``), not the database server's.
"""

from __future__ import annotations

import os
import random
import resource
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

NEEDS_DATABASE = True

ROWS = int(os.environ.get("BENCH_PAYROLL_ROWS", "1000000"))
SEED = 20261
MONTH = date(2026, 7, 1)
CHUNK = 100_000
#: enrollments that are a person's second enrollment (disability care subsidy)
SECOND_SHARE = 0.2
#: first enrollments: (programme, weight, monthly amount range in fen)
FIRST_PROGRAMMES: list[tuple[str, int, tuple[int, int]]] = [
    ("dibao", 45, (30_000, 180_000)),
    ("gaoling", 30, (5_000, 30_000)),
    ("disability_living_subsidy", 12, (8_000, 12_000)),
    ("tekun", 10, (90_000, 140_000)),
    ("orphan", 2, (150_000, 180_000)),
    ("de_facto_orphan", 1, (150_000, 180_000)),
]
SECOND_PROGRAMME = ("disability_care_subsidy", (8_000, 12_000))
#: birth years by programme, so the synthetic ID numbers look plausible
BIRTH_YEARS = {"gaoling": (1930, 1945), "orphan": (2010, 2020), "de_facto_orphan": (2010, 2020)}
DEFAULT_BIRTH_YEARS = (1940, 2000)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"

LINE_COLUMNS = (
    "run_id, kind, enrollment_id, payee_id, programme, programme_group, month, amount_fen, "
    "region_id, county_code, held_month, status, note"
)
FLOOR_INSERT = (
    "INSERT INTO {table} (" + LINE_COLUMNS + ") "
    "SELECT %s, 'regular', e.id, e.payee_id, e.programme, e.programme, %s, %s, e.region_id, "
    "e.county_code, %s, 'pending', '' FROM assistance_enrollment e "
    "WHERE e.county_code = %s ORDER BY e.id LIMIT %s{conflict}"
)


# --- measuring -----------------------------------------------------------------------------


def _reset_peak_rss() -> bool:
    """Reset this process's RSS high-water mark (Linux ≥ 4.0); False where unsupported."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _peak_rss_mib() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass  # no /proc: the peak of the whole process life, which clear_refs cannot reset
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """(result, seconds, peak RSS MiB during the call)."""
    _checkpoint()
    _reset_peak_rss()
    t0 = time.perf_counter()
    out = fn()
    seconds = time.perf_counter() - t0
    return out, seconds, _peak_rss_mib()


def _checkpoint() -> None:
    """Start each timed step from a clean PostgreSQL buffer state (dirty pages written)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("CHECKPOINT")


# --- set-up ---------------------------------------------------------------------------------


def _villages() -> list[tuple[str, str]]:
    from minzheng.geo.models import Region

    codes = list(
        Region.objects.filter(
            code__startswith="340521",
            level__in=[Region.Level.VILLAGE, Region.Level.COMMUNITY],
        )
        .order_by("code")
        .values_list("code", "level")
    )
    if not codes:
        raise RuntimeError("no villages of 340521 in the region table (migrations not run?)")
    return codes


def _month(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def _month_index(d: date) -> int:
    return d.year * 12 + d.month - 1


class _Plan:
    """Deterministic synthetic rows, generated chunk by chunk."""

    def __init__(self, rows: int) -> None:
        self.rows = rows
        self.persons = rows - int(rows * SECOND_SHARE)
        self.villages = _villages()
        self.rng = random.Random(SEED)
        self.used_ids: set[str] = set()
        programmes = [p for p, _, _ in FIRST_PROGRAMMES]
        weights = [w for _, w, _ in FIRST_PROGRAMMES]
        self.first = self.rng.choices(range(len(programmes)), weights=weights, k=self.persons)

    def id_number(self, programme: str) -> tuple[str, date, str]:
        from minzheng.core.idnumber import check_char

        lo, hi = BIRTH_YEARS.get(programme, DEFAULT_BIRTH_YEARS)
        while True:
            birth = date.fromordinal(
                self.rng.randint(date(lo, 1, 1).toordinal(), date(hi, 12, 31).toordinal())
            )
            seq = self.rng.randint(0, 999)
            first17 = f"340521{birth:%Y%m%d}{seq:03d}"
            if first17 not in self.used_ids:
                self.used_ids.add(first17)
                return first17 + check_char(first17), birth, "1" if seq % 2 else "2"


def _write_persons(plan: _Plan, now: Any) -> tuple[list[int], list[str]]:
    """Persons, one per first enrollment; returns their ids and villages."""
    from django.db import transaction

    from bench._stats import PERSON_COLUMNS
    from minzheng.core.fields import index_value
    from minzheng.registry.bulkload import allocate_ids, insert_rows
    from minzheng.registry.models import Person

    encrypt = Person._meta.get_field("id_number").get_prep_value  # type: ignore[union-attr]
    ids: list[int] = []
    villages: list[str] = []
    rng = plan.rng
    for start in range(0, plan.persons, CHUNK):
        n = min(CHUNK, plan.persons - start)
        rows = []
        with transaction.atomic():
            chunk_ids = allocate_ids(Person, n)
            for k, pid in enumerate(chunk_ids):
                programme = FIRST_PROGRAMMES[plan.first[start + k]][0]
                number, birth, sex = plan.id_number(programme)
                village, level = rng.choice(plan.villages)
                name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))
                rows.append(
                    (
                        pid,
                        uuid.UUID(int=rng.getrandbits(128), version=4),
                        now,
                        now,
                        encrypt(number),
                        index_value("id", number),
                        name,
                        sex,
                        birth,
                        "01",
                        village,
                        "340521",
                        "urban" if level == "community" else "rural",
                        "living",
                        [],
                        1,
                    )
                )
            insert_rows(Person, PERSON_COLUMNS, rows)
        ids.extend(chunk_ids)
        villages.extend(r[10] for r in rows)
    return ids, villages


def _write_enrollments(plan: _Plan, person_ids: list[int], villages: list[str], now: Any) -> None:
    """Enrollments, their amount rows and a few finished suspensions."""
    from django.db import transaction

    from minzheng.assistance.models import Enrollment, EnrollmentAmount, Suspension
    from minzheng.registry.bulkload import allocate_ids, insert_rows

    rng = plan.rng
    village_of = dict(zip(person_ids, villages, strict=True))
    first_payees = [(pid, FIRST_PROGRAMMES[plan.first[k]]) for k, pid in enumerate(person_ids)]
    second_payees = rng.sample(person_ids, plan.rows - plan.persons)
    specs = [(pid, p, amounts) for pid, (p, _, amounts) in first_payees] + [
        (pid, SECOND_PROGRAMME[0], SECOND_PROGRAMME[1]) for pid in second_payees
    ]
    first_month = _month_index(date(2014, 1, 1))
    last_start = _month_index(MONTH) - 1
    enr_cols = (
        "id",
        "public_id",
        "created_at",
        "updated_at",
        "programme",
        "variant",
        "payee",
        "region",
        "county_code",
        "covered_persons",
        "start_month",
        "status",
        "end_reason",
        "version",
    )
    amount_cols = ("enrollment", "from_month", "amount_fen", "reason", "created_at")
    suspension_cols = ("enrollment", "from_month", "to_month", "reason", "created_at")
    for start in range(0, len(specs), CHUNK):
        chunk = specs[start : start + CHUNK]
        enrollments, amounts, suspensions = [], [], []
        with transaction.atomic():
            ids = allocate_ids(Enrollment, len(chunk))
            for eid, (pid, programme, (lo, hi)) in zip(ids, chunk, strict=True):
                begin = rng.randint(first_month, last_start)
                enrollments.append(
                    (
                        eid,
                        uuid.UUID(int=rng.getrandbits(128), version=4),
                        now,
                        now,
                        programme,
                        "",
                        pid,
                        village_of[pid],
                        "340521",
                        rng.randint(1, 4) if programme == "dibao" else 1,
                        _month(begin),
                        "active",
                        "",
                        1,
                    )
                )
                amount = rng.randint(lo, hi) // 100 * 100
                amounts.append((eid, _month(begin), amount, "核定", now))
                if begin < last_start and rng.random() < 0.25:  # a raise, in force by MONTH
                    raised = rng.randint(begin + 1, last_start + 1)
                    amounts.append((eid, _month(raised), amount + 2_000, "标准调整", now))
                if begin + 2 < last_start and rng.random() < 0.01:  # suspended, then resumed
                    frm = rng.randint(begin + 1, last_start - 1)
                    to = rng.randint(frm, last_start - 1)
                    suspensions.append((eid, _month(frm), _month(to), "暂停核查", now))
            insert_rows(Enrollment, enr_cols, enrollments)
            insert_rows(EnrollmentAmount, amount_cols, amounts)
            insert_rows(Suspension, suspension_cols, suspensions)


def _bench_user() -> Any:
    from minzheng.accounts import services
    from minzheng.accounts.models import User
    from minzheng.geo.models import Region

    user, _ = services.user_create(
        actor=None,
        username="bench_payroll",
        full_name="基准测试",
        region=Region.objects.get(code="340521"),
        must_change_password=False,
    )
    services.user_set_roles(actor=None, user=user, roles={"county_admin"})
    return User.objects.get(pk=user.pk)


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


# --- the floor ------------------------------------------------------------------------------


def _floor_table(name: str, *, indexed: bool) -> str:
    """A scratch table with the payment line's columns, types and nullability and a primary
    key; ``indexed`` adds the line's secondary indexes (no foreign keys, checks or triggers)."""
    from django.db import connection

    from minzheng.payments.models import PaymentLine

    qn = connection.ops.quote_name
    parts = []
    for f in PaymentLine._meta.local_concrete_fields:
        db_type = f.db_parameters(connection)["type"]
        if f.primary_key:
            suffix = connection.data_types_suffix.get(f.get_internal_type(), "")
            parts.append(f"{qn(f.column)} {db_type} PRIMARY KEY {suffix}".strip())
        else:
            parts.append(f"{qn(f.column)} {db_type}{'' if f.null else ' NOT NULL'}")
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {qn(name)}")
        cur.execute(f"CREATE TABLE {qn(name)} ({', '.join(parts)})")
        if indexed:
            cur.execute(
                f"CREATE UNIQUE INDEX {qn(name + '_once')} ON {qn(name)} "
                "(payee_id, programme_group, held_month)"
            )
            cur.execute(f"CREATE INDEX {qn(name + '_enr')} ON {qn(name)} (enrollment_id, month)")
            cur.execute(f"CREATE INDEX {qn(name + '_run')} ON {qn(name)} (run_id)")
    return name


def _floor(run_id: int, rows: int, *, indexed: bool) -> int:
    from django.db import connection, transaction

    from minzheng.payments.payroll import _d

    table = _floor_table("bench_floor_indexed" if indexed else "bench_floor", indexed=indexed)
    conflict = " ON CONFLICT (payee_id, programme_group, held_month) DO NOTHING" if indexed else ""
    sql = FLOOR_INSERT.replace("{table}", table).replace("{conflict}", conflict)
    m = _d(MONTH)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, [run_id, m, 50_000, m, "340521", rows])
        return max(cur.rowcount, 0)


@contextmanager
def _phase_clock() -> Iterator[dict[str, float]]:
    """Seconds spent in the generation's two big parts, by wrapping the module attributes
    the service looks them up through (one clock read each; restored afterwards)."""
    from minzheng.payments import payroll, selectors

    spent = {"generate_lines": 0.0, "run_summary_compute": 0.0}
    originals = [
        (payroll, "generate_lines", payroll.generate_lines),
        (selectors, "run_summary_compute", selectors.run_summary_compute),
    ]

    def clocked(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def inner(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - t0

        return inner

    for module, name, fn in originals:
        setattr(module, name, clocked(name, fn))
    try:
        yield spent
    finally:
        for module, name, fn in originals:
            setattr(module, name, fn)


# --- the benchmark --------------------------------------------------------------------------


def run(ctx: Any) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from minzheng.assistance.models import Enrollment, EnrollmentAmount
    from minzheng.core.models import JobProgress
    from minzheng.geo.models import Region
    from minzheng.payments import payroll
    from minzheng.payments.models import PaymentLine, PaymentRun
    from minzheng.payments.tasks import payroll_generate_task
    from minzheng.registry.models import Person

    # --- set-up, not timed
    t0 = time.perf_counter()
    now = timezone.now()
    plan = _Plan(ROWS)
    person_ids, villages = _write_persons(plan, now)
    _write_enrollments(plan, person_ids, villages, now)
    del person_ids, villages, plan
    _analyze()
    setup_s = time.perf_counter() - t0
    enrollments = Enrollment.objects.filter(county_code="340521").count()
    towns = len({code[:9] for code in Enrollment.objects.values_list("region_id", flat=True)})

    user = _bench_user()
    county = Region.objects.get(code="340521")
    job = JobProgress.objects.create(
        kind="payments.generate", title="基准测试", owner_id=user.pk, region_code="340521"
    )
    # as payroll_run_start opens it; the generation itself is the task below
    run_row = PaymentRun.objects.create(
        programme="", month=MONTH, region=county, county_code="340521", prepared_by=user, job=job
    )

    # warm the caches equally for the floor and the payroll
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*), SUM(covered_persons) FROM assistance_enrollment")
        cur.execute("SELECT COUNT(*), SUM(amount_fen) FROM assistance_enrollmentamount")

    floor_before, floor_before_s, floor_rss = _timed(
        lambda: _floor(run_row.pk, enrollments, indexed=False)
    )
    with _phase_clock() as phases:
        result, payroll_s, payroll_rss = _timed(lambda: payroll_generate_task.call(job.pk))
    lines = PaymentLine.objects.filter(run=run_row).count()
    floor_after, floor_after_s, _ = _timed(lambda: _floor(run_row.pk, enrollments, indexed=False))
    indexed_rows, indexed_s, _ = _timed(lambda: _floor(run_row.pk, lines, indexed=True))
    if not (floor_before == floor_after == indexed_rows == lines == enrollments):
        raise RuntimeError(
            f"row counts differ: floor {floor_before}/{floor_after}, indexed floor "
            f"{indexed_rows}, lines {lines}, enrollments {enrollments}"
        )
    run_row.refresh_from_db()

    # idempotence at scale: generating the same run again adds nothing
    again, again_s, again_rss = _timed(lambda: payroll.generate_lines(run_row))
    if again.total != 0 or PaymentLine.objects.filter(run=run_row).count() != lines:
        raise RuntimeError(f"second generation added {again.total} lines")

    floor_s = min(floor_before_s, floor_after_s)
    with connection.cursor() as cur:
        cur.execute("DROP TABLE bench_floor")
        cur.execute("DROP TABLE bench_floor_indexed")
    return {
        "enrollments": enrollments,
        "persons": Person.objects.count(),
        "amount_rows": EnrollmentAmount.objects.count(),
        "towns": towns,
        "month": MONTH.isoformat(),
        "programmes": [p for p, _ in payroll.payable_programmes("")],
        "setup_s": round(setup_s, 1),
        "payroll": {
            "what": "payroll_generate_task body: services.payroll_run_generate, whole county, all programmes",
            "lines": lines,
            "regular": result["regular"],
            "seconds": round(payroll_s, 2),
            "rows_per_s": round(lines / payroll_s),
            "peak_rss_mib": payroll_rss,
            "phases_s": {
                "generate_lines": round(phases["generate_lines"], 2),
                "run_summary_compute": round(phases["run_summary_compute"], 2),
                "rest": round(payroll_s - sum(phases.values()), 2),
            },
        },
        "floor": {
            "what": "INSERT … SELECT from assistance_enrollment into a table of the line's columns (primary key only)",
            "rows": floor_before,
            "seconds_before_payroll": round(floor_before_s, 2),
            "seconds_after_payroll": round(floor_after_s, 2),
            "seconds": round(floor_s, 2),
            "rows_per_s": round(floor_before / floor_s),
            "peak_rss_mib": floor_rss,
        },
        "indexed_floor": {
            "what": "the same with the line's secondary indexes and ON CONFLICT DO NOTHING",
            "rows": indexed_rows,
            "seconds": round(indexed_s, 2),
            "rows_per_s": round(indexed_rows / indexed_s),
        },
        "ratio_to_floor": round(payroll_s / floor_s, 2),
        "ratio_to_indexed_floor": round(payroll_s / indexed_s, 2),
        # the least any generation that keeps the line's indexes can reach: the indexed
        # floor writes no more than the indexes the no-double-payment rule needs, with no
        # entitlement logic at all
        "indexed_floor_ratio_to_floor": round(indexed_s / floor_s, 2),
        "target_ratio": 3.0,
        "meets_target": payroll_s / floor_s <= 3.0,
        "second_generation": {
            "what": "payroll.generate_lines on the same run again (a retried task)",
            "lines_added": again.total,
            "seconds": round(again_s, 2),
            "peak_rss_mib": again_rss,
        },
    }
