"""Work report at county scale: the whole report (JSON and Word) and the dashboard figures for a year.

The fixture (built untimed, with bulk inserts: ``registry.bulkload.insert_rows`` is
``executemany`` on SQLite and ``COPY`` on PostgreSQL) is one county of ``PERSONS`` persons in
households of one to four, spread over every village and community of 当涂县 (340521), with
about ``ENROLLMENTS`` enrollments across the monthly programmes (低保 households, 特困,
孤儿, 事实无人抚养儿童, 残疾人两项补贴, 高龄补贴), some starting and some ending during the year,
and twelve months of payroll for ``YEAR`` shaped as ``payroll_run_*`` would leave it: one
reconciled run per programme and month for the county, one line per entitled enrollment
holding its month, one ``payment`` ledger entry per line booked on the 10th, and about 0.5 %
of lines returned by the bank (line failed, month released, a ``reversal`` entry booked on
the 20th).

Timed, each run best and median of ``ROUNDS`` (the first, cold run listed apart):

* ``report_json``: ``minzheng report --from YEAR-01-01 --to YEAR-12-31 --region 340521
  --format json`` (``call_command``, output to a file, audit event included);
* ``report_docx``: the same with ``--format docx`` (the built-in template);
* ``dashboard``: ``web.selectors.assistance_dashboard`` for a county user, the year against
  the year before.

Target: under 2 s for each report on either database.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

NEEDS_DATABASE = True
#: smaller counties for a smoke test: BENCH_REPORT_PERSONS=60000 BENCH_REPORT_ENROLLMENTS=2000
PERSONS = int(os.environ.get("BENCH_REPORT_PERSONS", "600000"))
ENROLLMENTS = int(os.environ.get("BENCH_REPORT_ENROLLMENTS", "20000"))
YEAR = 2025
COUNTY = "340521"
ROUNDS = 5
TARGET_S = 2.0
SEED = 2025
CHUNK = 50_000

#: monthly programmes and their share of the enrollments, with a monthly amount in fen
PROGRAMMES = (
    ("dibao", 0.45, (40_000, 90_000)),
    ("tekun", 0.12, (80_000, 120_000)),
    ("orphan", 0.01, (150_000, 150_000)),
    ("de_facto_orphan", 0.01, (150_000, 150_000)),
    ("disability_living_subsidy", 0.14, (9_000, 9_000)),
    ("disability_care_subsidy", 0.12, (9_000, 12_000)),
    ("gaoling", 0.15, (5_000, 30_000)),
)


def _check_char(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(first17, weights, strict=True))
    return "10X98765432"[total % 11]


def _months(year: int) -> list[dt.date]:
    return [dt.date(year, m, 1) for m in range(1, 13)]


def build(
    rng: random.Random,
    *,
    persons: int = PERSONS,
    enrollments: int = ENROLLMENTS,
    months: list[dt.date] | None = None,
) -> dict[str, Any]:
    """Write the county, paid for ``months`` (default: the twelve of ``YEAR``); returns what
    was written."""
    from django.db import connection, transaction
    from django.utils import timezone

    from bench._stats import PERSON_COLUMNS
    from minzheng.assistance.models import Enrollment, EnrollmentAmount
    from minzheng.core.fields import index_value
    from minzheng.geo.models import Region
    from minzheng.payments.models import LedgerEntry, PaymentLine, PaymentRun, ProgrammeGroup
    from minzheng.registry.bulkload import allocate_ids, insert_rows
    from minzheng.registry.codes import RELATION_HEAD
    from minzheng.registry.models import Household, Membership, Person

    started = time.perf_counter()
    now = timezone.now()
    areas = list(
        Region.objects.filter(
            code__startswith=COUNTY,
            level__in=[Region.Level.VILLAGE, Region.Level.COMMUNITY],
        ).values_list("code", flat=True)
    )
    encrypt = Person._meta.get_field("id_number").get_prep_value  # type: ignore[union-attr]
    born_from = dt.date(1930, 1, 1)
    # --- persons, households, memberships (heads first in each household)
    heads: list[tuple[int, int, str, int]] = []  # (person, household, region, size)
    others: list[tuple[int, str, dt.date]] = []  # (person, region, birth) of non-heads
    aged: list[tuple[int, str]] = []  # persons aged 80+ at the end of the year
    seq = 0
    while seq < persons:
        sizes: list[int] = []
        n = 0
        while n < min(CHUNK, persons - seq):
            size = min(rng.choice((1, 2, 2, 3, 3, 3, 4, 4)), persons - seq - n)
            sizes.append(size)
            n += size
        with transaction.atomic():
            pids = iter(allocate_ids(Person, n))
            hids = iter(allocate_ids(Household, len(sizes)))
            person_rows, households, members = [], [], []
            for size in sizes:
                hid, region = next(hids), rng.choice(areas)
                ids = []
                for k in range(size):
                    pid = next(pids)
                    ids.append(pid)
                    birth = born_from + dt.timedelta(days=seq % 34_000)
                    number = f"{COUNTY}{birth:%Y%m%d}{seq // 34_000:03d}"
                    number += _check_char(number)
                    seq += 1
                    person_rows.append(
                        (
                            pid,
                            uuid.uuid4(),
                            now,
                            now,
                            encrypt(number),
                            index_value("id", number),
                            f"居民{pid}",
                            "1" if pid % 2 else "2",
                            birth,
                            "01",
                            region,
                            COUNTY,
                            Person.Hukou.RURAL,
                            Person.Status.LIVING,
                            [],
                            1,
                        )
                    )
                    members.append(
                        (pid, hid, RELATION_HEAD if k == 0 else "20", True, birth, "", COUNTY, now)
                    )
                    if k:
                        others.append((pid, region, birth))
                    if birth.year <= YEAR - 80:
                        aged.append((pid, region))
                heads.append((ids[0], hid, region, size))
                households.append(
                    (
                        hid,
                        uuid.uuid4(),
                        now,
                        now,
                        ids[0],
                        f"{region}-{hid}号",
                        region,
                        COUNTY,
                        size,
                        1,
                    )
                )
            insert_rows(
                Person,
                PERSON_COLUMNS,
                person_rows,
            )
            insert_rows(
                Household,
                (
                    "id",
                    "public_id",
                    "created_at",
                    "updated_at",
                    "head",
                    "address",
                    "region",
                    "county_code",
                    "member_count",
                    "version",
                ),
                households,
            )
            insert_rows(
                Membership,
                (
                    "person",
                    "household",
                    "relation",
                    "living_together",
                    "started_on",
                    "end_reason",
                    "county_code",
                    "created_at",
                ),
                members,
            )
    persons_s = time.perf_counter() - started

    # --- enrollments: 低保 to households (payee: the head), the others to persons
    months = months or _months(YEAR)
    first_year = months[0].year
    enrollment_rows, amount_rows = [], []
    spans: list[tuple[int, str, int, str, dt.date, dt.date | None, int]] = []
    with transaction.atomic():
        eids = iter(allocate_ids(Enrollment, enrollments))
        hh_pool = rng.sample(heads, int(enrollments * PROGRAMMES[0][1]))
        person_pool = rng.sample(others, enrollments)
        aged_pool = rng.sample(aged, min(len(aged), int(enrollments * PROGRAMMES[-1][1])))
        used = 0
        for programme, share, (low, high) in PROGRAMMES:
            if programme == "dibao":
                picks = [(pid, region, hid, size) for pid, hid, region, size in hh_pool]
            elif programme == "gaoling":
                picks = [(pid, region, None, 1) for pid, region in aged_pool]
            else:
                count = int(enrollments * share)
                picks = [
                    (pid, region, None, 1) for pid, region, _ in person_pool[used : used + count]
                ]
                used += count
            for payee, region, household, size in picks:
                eid = next(eids)
                # most were enrolled before the year; some join, some leave during it
                r = rng.random()
                start = (
                    dt.date(first_year - 1 - rng.randrange(5), rng.randrange(1, 13), 1)
                    if r < 0.85
                    else rng.choice(months)
                )
                end = rng.choice(months) if rng.random() < 0.08 else None
                if end is not None and end < start:
                    end = None
                variant = {
                    "dibao": rng.choice(("urban", "rural", "rural")),
                    "tekun": rng.choice(("dispersed", "dispersed", "centralized")),
                }.get(programme, "")
                amount = rng.randrange(low, high + 1, 100)
                enrollment_rows.append(
                    (
                        eid,
                        uuid.uuid4(),
                        now,
                        now,
                        programme,
                        variant,
                        household,
                        payee,
                        region,
                        COUNTY,
                        size,
                        start,
                        end,
                        "ended" if end else "active",
                        "退出" if end else "",
                        1,
                    )
                )
                amount_rows.append((eid, start, amount, "核定", now))
                spans.append((eid, programme, payee, region, start, end, amount))
        insert_rows(
            Enrollment,
            (
                "id",
                "public_id",
                "created_at",
                "updated_at",
                "programme",
                "variant",
                "household",
                "payee",
                "region",
                "county_code",
                "covered_persons",
                "start_month",
                "end_month",
                "status",
                "end_reason",
                "version",
            ),
            enrollment_rows,
        )
        insert_rows(
            EnrollmentAmount,
            ("enrollment", "from_month", "amount_fen", "reason", "created_at"),
            amount_rows,
        )

    # --- twelve months of payroll: runs, lines, ledger entries
    from minzheng.accounts.models import User

    clerk = _user("bench_clerk")
    groups = dict(ProgrammeGroup.objects.values_list("programme", "group_code"))
    line_cols = (
        "id",
        "run",
        "kind",
        "enrollment",
        "payee",
        "programme",
        "programme_group",
        "month",
        "amount_fen",
        "region",
        "county_code",
        "held_month",
        "status",
        "note",
    )
    entry_cols = (
        "id",
        "kind",
        "person",
        "enrollment",
        "programme",
        "month",
        "amount_fen",
        "booked_on",
        "region",
        "county_code",
        "reason",
        "run",
        "line",
        "reverses",
        "created_by",
        "created_at",
    )
    lines = entries = failed = 0
    for month in months:
        paid_on, returned_on = month.replace(day=10), month.replace(day=20)
        with transaction.atomic():
            due = [s for s in spans if s[4] <= month and (s[5] is None or s[5] >= month)]
            line_ids = iter(allocate_ids(PaymentLine, len(due)))
            entry_ids = iter(allocate_ids(LedgerEntry, len(due) * 2))
            runs: dict[str, PaymentRun] = {}
            for programme, *_ in PROGRAMMES:
                runs[programme] = PaymentRun.objects.create(
                    programme=programme,
                    month=month,
                    region_id=COUNTY,
                    county_code=COUNTY,
                    status=PaymentRun.Status.RECONCILED,
                    prepared_by=clerk,
                    approved_by=clerk,
                    reviewed_by=clerk,
                )
            line_rows, entry_rows = [], []
            totals: dict[str, list[int]] = {p: [0, 0] for p in runs}
            for eid, programme, payee, region, _, _, amount in due:
                lid, pay_id = next(line_ids), next(entry_ids)
                bounced = rng.random() < 0.005
                run = runs[programme]
                line_rows.append(
                    (
                        lid,
                        run.pk,
                        PaymentLine.Kind.REGULAR,
                        eid,
                        payee,
                        programme,
                        groups.get(programme, programme),
                        month,
                        amount,
                        region,
                        COUNTY,
                        None if bounced else month,
                        PaymentLine.Status.FAILED if bounced else PaymentLine.Status.PAID,
                        "",
                    )
                )
                entry_rows.append(
                    (
                        *(pay_id, "payment", payee, eid, programme, month, amount, paid_on),
                        *(region, COUNTY, "按月发放", run.pk, lid, None, clerk.pk, now),
                    )
                )
                if bounced:
                    entry_rows.append(
                        (
                            *(next(entry_ids), "reversal", payee, eid, programme, month, -amount),
                            *(returned_on, region, COUNTY, "银行回盘失败：账户已销户", run.pk),
                            *(lid, pay_id, clerk.pk, now),
                        )
                    )
                    failed += 1
                totals[programme][0] += 1
                totals[programme][1] += amount
            insert_rows(PaymentLine, line_cols, line_rows)
            insert_rows(LedgerEntry, entry_cols, entry_rows)
            for programme, run in runs.items():
                PaymentRun.objects.filter(pk=run.pk).update(
                    line_count=totals[programme][0], total_fen=totals[programme][1]
                )
            lines += len(line_rows)
            entries += len(entry_rows)
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        for model in (Person, Household, Membership, Enrollment, PaymentLine, LedgerEntry):
            cur.execute(f"ANALYZE {qn(model._meta.db_table)}")
    assert User.objects.filter(pk=clerk.pk).exists()
    return {
        "persons": Person.objects.count(),
        "households": len(heads),
        "enrollments": len(enrollment_rows),
        "payment_lines": lines,
        "ledger_entries": entries,
        "bank_returns": failed,
        "build_s": round(time.perf_counter() - started, 1),
        "persons_build_s": round(persons_s, 1),
    }


def _user(username: str, role: str = "county_admin") -> Any:
    from minzheng.accounts import services
    from minzheng.accounts.models import User
    from minzheng.geo.models import Region

    user, _ = services.user_create(
        actor=None,
        username=username,
        full_name="基准测试",
        region=Region.objects.get(code=COUNTY),
        must_change_password=False,
    )
    services.user_set_roles(actor=None, user=user, roles={role})
    return User.objects.select_related("region").get(pk=user.pk)


def _timed(fn: Any, rounds: int) -> dict[str, Any]:
    samples = []
    for _ in range(rounds + 1):  # the first run is cold: reported apart
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    warm = samples[1:]
    return {
        "cold_s": round(samples[0], 3),
        "best_s": round(min(warm), 3),
        "median_s": round(statistics.median(warm), 3),
        "max_s": round(max(warm), 3),
        "rounds": rounds,
    }


def measure(rounds: int) -> dict[str, Any]:
    from django.core.management import call_command

    from minzheng.accounts.scoping import region_prefix
    from minzheng.web import selectors

    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("json", "docx"):
            target = Path(tmp) / f"report.{fmt}"

            def report(fmt: str = fmt, target: Path = target) -> None:
                call_command(
                    "report",
                    "--from",
                    f"{YEAR}-01-01",
                    "--to",
                    f"{YEAR}-12-31",
                    "--region",
                    COUNTY,
                    "--format",
                    fmt,
                    "--output",
                    str(target),
                    stderr=io.StringIO(),  # the warnings on metrics not connected yet
                )

            out[f"report_{fmt}"] = _timed(report, rounds)
            out[f"report_{fmt}"]["bytes"] = target.stat().st_size
            out[f"report_{fmt}"]["under_target"] = out[f"report_{fmt}"]["median_s"] < TARGET_S
    user = _user("bench_county")
    region_prefix(user)
    period = selectors.period_for(
        "custom",
        today=dt.date(YEAR + 1, 1, 15),
        from_month=dt.date(YEAR, 1, 1),
        to_month=dt.date(YEAR, 12, 1),
    )
    figures: dict[str, Any] = {}

    def dashboard() -> None:
        figures.update(selectors.assistance_dashboard(user, period))

    out["dashboard"] = _timed(dashboard, rounds)
    out["dashboard"]["recipients"] = figures["recipients"]
    out["dashboard"]["disbursed_fen"] = figures["disbursed_fen"]
    return out


def run(ctx: Any) -> dict[str, Any]:
    fixture = build(random.Random(SEED))
    return {
        "year": YEAR,
        "region": COUNTY,
        "target_s": TARGET_S,
        "fixture": fixture,
        **measure(2 if ctx.quick else ROUNDS),
    }
