"""Registry search at county scale: p50/p95 of the four kinds of search-box query.

    python bench/bench_registry_search.py [--persons 600000] [--queries 300] [--backends sqlite,postgresql]

``run()`` returns the results as a dict and writes ``bench/results/registry_search.json``.
Each backend runs in its own process (Django reads ``DATABASE_URL`` once): the synthetic
county (``minzheng.registry.generator``) is generated once into ``var/bench/`` (SQLite) or the
``regdata_bench_search`` database (PostgreSQL, when reachable) and reused while it holds the
same number of persons and seed. Queries are drawn from the generated persons themselves:

* ``id``: the exact 18-digit number (blind index look-up);
* ``initials``: the initials of a name (``wjg``), range scan on the search keys;
* ``full_pinyin``: the full pinyin of a name (``wangjianguo``);
* ``name_contains``: the last two characters of a name (``建国``, name-suffix keys).

Each query is timed as the search page runs it, for two users: a county user (county_admin
of 340521, queries drawn from the whole county) and a town officer (town_officer of the
most populous town, queries drawn from that town's persons). ``select`` is
``minzheng.registry.selectors.person_search`` returning its rows; ``page`` is that plus
rendering the result table (``registry/_search_results.html``, what the htmx search swaps in).
Each kind runs its queries in three rounds and reports the round with the median page p95
(all rounds are listed).

``bench/run.py registry_search`` (``dev.py bench``) calls ``run(ctx)``, which runs the same
thing on the cached counties described above.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "registry_search.json"
VAR_BENCH = ROOT / "var" / "bench"
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = "regdata_bench_search"
SEED = 20260
COUNTY = "340521"
TARGET_P95_MS = {"id": 50.0, "initials": 50.0}
KINDS = ("id", "initials", "full_pinyin", "name_contains")
#: each query list runs this many times; the round with the median p95 is reported (the
#: machine may be shared: one burst of other work should not decide the figure)
ROUNDS = 3
#: bench/run.py runs this module once, not per database: it starts its own processes
NEEDS_DATABASE = False


# --- machine -------------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    import sqlite3

    if str(ROOT) not in sys.path:  # run alone as ``python bench/bench_registry_search.py``
        sys.path.insert(0, str(ROOT))
    from bench._stats import cpu_model, memory_gib

    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "memory_gb": memory_gib(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "load_average_at_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    q = statistics.quantiles(ordered, n=100, method="inclusive")
    return {
        "n": len(ordered),
        "p50_ms": round(q[49], 2),
        "p95_ms": round(q[94], 2),
        "max_ms": round(ordered[-1], 2),
    }


# --- one backend (child process) -----------------------------------------------------------


def _bench_user(username: str, role: str, region_code: str) -> Any:
    from minzheng.accounts import services
    from minzheng.accounts.models import User
    from minzheng.geo.models import Region

    user = User.objects.filter(username=username).first()
    if user is None:
        user, _ = services.user_create(
            actor=None,
            username=username,
            full_name="基准测试",
            region=Region.objects.get(code=region_code),
            must_change_password=False,
        )
        services.user_set_roles(actor=None, user=user, roles={role})
    return User.objects.get(pk=user.pk)


def _largest_town() -> str:
    from django.db.models import Count
    from django.db.models.functions import Substr

    from minzheng.registry.models import Person

    row = (
        Person.objects.annotate(town=Substr("region_id", 1, 9))
        .values("town")
        .annotate(n=Count("id"))
        .order_by("-n", "town")
        .first()
    )
    assert row is not None, "the bench county has no persons"
    return str(row["town"])


def _ensure_county(persons: int) -> dict[str, Any]:
    from django.core.management import call_command

    from minzheng.core.models import AuditEvent
    from minzheng.registry.generator import generate_county
    from minzheng.registry.models import Person

    call_command("migrate", verbosity=0)
    event = AuditEvent.objects.filter(action="registry.generate").order_by("-seq").first()
    have = Person.objects.count()
    if have == persons and event is not None and event.detail.get("seed") == SEED:
        _vacuum()
        return {"generated": False, "generate_seconds": event.detail.get("seconds")}
    if have:
        raise SystemExit(f"the bench database holds {have} persons, not {persons}: delete it first")
    last = [0.0]

    def progress(done: int, total: int) -> None:
        if time.monotonic() - last[0] > 30 or done == total:
            last[0] = time.monotonic()
            print(f"  generated {done}/{total}", file=sys.stderr, flush=True)

    cpu = time.process_time()
    result = generate_county(persons, SEED, progress)
    cpu = time.process_time() - cpu
    _vacuum()
    return {
        "generated": True,
        "generate_seconds": round(result.seconds, 1),
        "generate_cpu_seconds": round(cpu, 1),
    }


def _vacuum() -> None:
    """Statistics for the planner and, on PostgreSQL, the visibility map that lets an
    index-only scan skip the table: what autovacuum gives a running system after a bulk load
    (cheap when nothing changed since the last run)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def _queries(n: int, prefix: str) -> dict[str, list[str]]:
    """``n`` living persons under ``prefix``, drawn with the fixed seed, as four query lists."""
    from minzheng.registry.models import Person, PersonSearchKey

    rng = random.Random(f"{SEED}-{prefix}")
    pks = sorted(
        Person.objects.filter(region__code__startswith=prefix, status="living").values_list(
            "pk", flat=True
        )
    )
    sample = list(Person.objects.filter(pk__in=rng.sample(pks, min(n, len(pks)))).order_by("pk"))
    rng.shuffle(sample)
    keys: dict[int, dict[str, list[str]]] = {}
    for pk, kind, key in (
        PersonSearchKey.objects.filter(person__in=sample)
        .order_by("person_id", "kind", "key")
        .values_list("person_id", "kind", "key")
    ):
        keys.setdefault(pk, {}).setdefault(kind, []).append(key)
    out: dict[str, list[str]] = {k: [] for k in KINDS}
    for p in sample:
        out["id"].append(p.id_number.reveal())
        k = keys.get(p.pk, {})
        if k.get("initials"):
            out["initials"].append(k["initials"][0])
        if k.get("full"):
            out["full_pinyin"].append(k["full"][0])
        out["name_contains"].append(p.name[-2:] if len(p.name) >= 3 else p.name[-1])
    return out


def _measure(user: Any, items: list[str], rows_limit: int) -> dict[str, Any]:
    """Three rounds over ``items``: the selector's time and the selector plus the result table."""
    from django.template.loader import render_to_string

    from minzheng.registry.selectors import classify_query, person_search

    def page(q: str) -> tuple[float, float, int]:
        started = time.perf_counter()
        rows = person_search(user, q, limit=rows_limit)
        selected = time.perf_counter()
        ctx = {"q": q, "results": rows, "kind": classify_query(q).kind, "limit": rows_limit}
        render_to_string("registry/_search_results.html", ctx)
        done = time.perf_counter()
        return (selected - started) * 1000, (done - started) * 1000, len(rows)

    for q in items[:20]:  # warm the caches and the connection
        page(q)
    rounds = []
    found = rows = 0
    for _ in range(ROUNDS):
        select_ms, page_ms = [], []
        for q in items:
            s_ms, p_ms, n = page(q)
            select_ms.append(s_ms)
            page_ms.append(p_ms)
            found += bool(n)
            rows += n
        rounds.append({"select": _percentiles(select_ms), "page": _percentiles(page_ms)})
    median = sorted(rounds, key=lambda r: r["page"]["p95_ms"])[len(rounds) // 2]
    return {
        "n": median["page"]["n"],
        "select_p50_ms": median["select"]["p50_ms"],
        "select_p95_ms": median["select"]["p95_ms"],
        "page_p50_ms": median["page"]["p50_ms"],
        "page_p95_ms": median["page"]["p95_ms"],
        "page_max_ms": median["page"]["max_ms"],
        "rounds": [
            {
                "select_p50_ms": r["select"]["p50_ms"],
                "select_p95_ms": r["select"]["p95_ms"],
                "page_p50_ms": r["page"]["p50_ms"],
                "page_p95_ms": r["page"]["p95_ms"],
            }
            for r in rounds
        ],
        "found_share": round(found / (len(items) * ROUNDS), 3),
        "mean_rows": round(rows / (len(items) * ROUNDS), 1),
        "example": items[0] if not items[0].isdigit() else items[0][:6] + "…",
    }


def run_backend(persons: int, n_queries: int, rows_limit: int | None = None) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection

    from minzheng.registry.models import Person, PersonSearchKey
    from minzheng.registry.selectors import SEARCH_LIMIT

    limit = rows_limit or SEARCH_LIMIT
    county = _ensure_county(persons)
    town = _largest_town()
    scopes = {
        "county": (_bench_user("bench_county", "county_admin", COUNTY), COUNTY),
        "town": (_bench_user("bench_town", "town_officer", town), town),
    }
    result: dict[str, Any] = {
        "vendor": connection.vendor,
        "search_function": "minzheng.registry.selectors.person_search",
        "rows_limit": limit,
        **county,
    }
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT version()")
        else:
            cur.execute("SELECT sqlite_version()")
        result["db_version"] = cur.fetchone()[0]
    result["persons"] = Person.objects.count()
    result["search_keys"] = PersonSearchKey.objects.count()
    result["town_region"] = {
        "code": town,
        "persons": Person.objects.filter(region__code__startswith=town).count(),
    }
    for name, (user, prefix) in scopes.items():
        queries = _queries(n_queries, prefix)
        result[name] = {kind: _measure(user, queries[kind], limit) for kind in KINDS}
    result["meets_target"] = all(
        result[scope][kind]["page_p95_ms"] < limit
        for scope in scopes
        for kind, limit in TARGET_P95_MS.items()
    )
    return result


# --- parent ----------------------------------------------------------------------------------


def _postgres_reachable() -> bool:
    try:
        import psycopg
    except ImportError:
        return False
    try:
        with psycopg.connect(
            PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True, connect_timeout=3
        ) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [PG_DB]
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{PG_DB}"')
        return True
    except psycopg.Error:
        return False


def _child(backend: str, persons: int, n_queries: int, rows_limit: int | None) -> dict[str, Any]:
    env = dict(os.environ)
    # the cached counties were encrypted with the data key generated into var/bench/: always
    # that directory and the demo settings, also when bench/run.py set others for its children
    env["MINZHENG_ENV"] = "demo"
    env["DJANGO_SETTINGS_MODULE"] = "minzheng.config.settings"
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    VAR_BENCH.mkdir(parents=True, exist_ok=True)
    env["MINZHENG_VAR_DIR"] = str(VAR_BENCH)
    # ... and its key from there: a Django parent (bench/run.py's child) exported its own
    for name in ("MINZHENG_DATA_KEY", "MINZHENG_DATA_KEY_FILE"):
        env.pop(name, None)
    if backend == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{VAR_BENCH / f'registry_search_{persons}.sqlite3'}"
    else:
        base = PG_ADMIN_URL.rsplit("/", 1)[0]
        env["DATABASE_URL"] = f"{base}/{PG_DB}"
    proc = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            "--persons",
            str(persons),
            "--queries",
            str(n_queries),
            *(["--rows", str(rows_limit)] if rows_limit else []),
        ],
        env=env,
        stdout=subprocess.PIPE,  # progress goes to our stderr as it happens
        text=True,
        check=False,
    )
    if proc.returncode != 0 or not proc.stdout.strip():
        return {"error": f"the {backend} run failed (exit {proc.returncode}); see its output above"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(
    ctx: Any = None,
    *,
    persons: int = 600_000,
    n_queries: int = 300,
    rows_limit: int | None = None,
    backends: tuple[str, ...] = ("sqlite", "postgresql"),
) -> dict[str, Any]:
    """Run the benchmark on each backend; write and return the results.

    ``ctx`` is the harness's context when ``bench/run.py`` calls this (``--quick``: 50 queries
    per kind); the counties are this module's own cached ones, not the harness's scratch
    databases.
    """
    if ctx is not None and getattr(ctx, "quick", False):
        n_queries = min(n_queries, 50)
    results: dict[str, Any] = {
        "benchmark": "registry_search",
        "persons": persons,
        "queries_per_kind": n_queries,
        "rows_limit": rows_limit or "SEARCH_LIMIT",
        "target_p95_ms": TARGET_P95_MS,
        "machine": machine_info(),
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    previous: dict[str, Any] = {}
    if RESULTS.exists():
        try:
            previous = json.loads(RESULTS.read_text())
        except ValueError:
            previous = {}
    for backend in ("sqlite", "postgresql"):  # keep a backend not run now, if same size
        if backend not in backends and previous.get("persons") == persons and backend in previous:
            results[backend] = previous[backend]
    for backend in backends:
        if backend == "postgresql" and not _postgres_reachable():
            results[backend] = {"skipped": "PostgreSQL is not reachable at " + PG_ADMIN_URL}
            continue
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        started = time.perf_counter()
        section = _child(backend, persons, n_queries, rows_limit)
        section["wall_seconds"] = round(time.perf_counter() - started, 1)
        section["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        section["load_average_at_start"] = load
        old = previous.get(backend, {}) if previous.get("persons") == persons else {}
        same_county = str(old.get("generate_seconds")) == str(section.get("generate_seconds"))
        if not section.get("generated", True) and "generate_cpu_seconds" in old and same_county:
            # from the run that generated this very county (not from an older county's file)
            section["generate_cpu_seconds"] = old["generate_cpu_seconds"]
        results[backend] = section
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--persons", type=int, default=600_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument(
        "--rows", type=int, default=None, help="rows per search (default: the page's SEARCH_LIMIT)"
    )
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_backend(args.persons, args.queries, args.rows), ensure_ascii=False))
        return
    results = run(
        persons=args.persons,
        n_queries=args.queries,
        rows_limit=args.rows,
        backends=tuple(args.backends.split(",")),
    )
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
