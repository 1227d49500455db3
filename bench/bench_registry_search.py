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

Each kind runs its queries in three rounds and reports the round with the median p95 (all
rounds are listed). Each timing is the search selector's whole work for one query as a county user: the ids, then
the persons with their village and current household (``person_search`` of the registry
selectors when present, else the same queries written here as the ``PersonSearchKey``
docstring describes them).
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
TARGET_P95_MS = {"id": 50.0, "initials": 50.0}
KINDS = ("id", "initials", "full_pinyin", "name_contains")
#: each query list runs this many times; the round with the median p95 is reported (the
#: machine may be shared: one burst of other work should not decide the figure)
ROUNDS = 3


# --- machine -------------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    import sqlite3

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
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


def _bench_user() -> Any:
    from minzheng.accounts import services
    from minzheng.accounts.models import User
    from minzheng.geo.models import Region

    user = User.objects.filter(username="bench_county").first()
    if user is None:
        user, _ = services.user_create(
            actor=None,
            username="bench_county",
            full_name="基准测试",
            region=Region.objects.get(code="340521"),
            must_change_password=False,
        )
        services.user_set_roles(actor=None, user=user, roles={"county_admin"})
    return User.objects.get(pk=user.pk)


def _search_function() -> tuple[str, Any]:
    try:
        from minzheng.registry.selectors import person_search  # type: ignore[attr-defined]

        return "minzheng.registry.selectors.person_search", person_search
    except ImportError:
        return "bench-local (PersonSearchKey docstring)", _local_person_search


def _local_person_search(user: Any, raw: str, *, limit: int = 50) -> list[Any]:
    """The search as the PersonSearchKey docstring describes it (until the selector lands)."""
    import re

    from django.db.models import Prefetch

    from minzheng.accounts.scoping import scope
    from minzheng.core.fields import index_value
    from minzheng.registry.models import Membership, Person, PersonSearchKey

    text = raw.strip()
    persons = scope(Person.objects.all(), user)
    if re.fullmatch(r"\d{17}[\dX]", text):
        ids = list(
            persons.filter(id_number_index=index_value("id", text)).values_list("pk", flat=True)[:1]
        )
    else:
        han = bool(re.search(r"[\u3400-\u9fff]", text))
        key = text if han else text.lower()
        kinds = ["name"] if han else ["full", "initials"]
        keys = scope(
            PersonSearchKey.objects.filter(
                key__gte=key, key__lt=key[:-1] + chr(ord(key[-1]) + 1), kind__in=kinds
            ),
            user,
            via="region_code",
        )
        ids = list(keys.values_list("person_id", flat=True).distinct()[:limit])
    if not ids:
        return []
    current = Prefetch(
        "memberships",
        queryset=Membership.objects.filter(ended_on__isnull=True).select_related(
            "household__head", "household__region"
        ),
        to_attr="current_memberships",
    )
    return list(
        scope(Person.objects.filter(pk__in=ids), user)
        .select_related("region__parent")
        .prefetch_related(current)
        .order_by("name", "pk")
    )


def _ensure_county(persons: int) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    from minzheng.core.models import AuditEvent
    from minzheng.registry.generator import generate_county
    from minzheng.registry.models import Person

    call_command("migrate", verbosity=0)
    event = AuditEvent.objects.filter(action="registry.generate").order_by("-seq").first()
    have = Person.objects.count()
    if have == persons and event is not None and event.detail.get("seed") == SEED:
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
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return {
        "generated": True,
        "generate_seconds": round(result.seconds, 1),
        "generate_cpu_seconds": round(cpu, 1),
    }


def _queries(n: int) -> dict[str, list[str]]:
    from minzheng.registry.models import Person, PersonSearchKey

    rng = random.Random(SEED)
    top = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ids = sorted({rng.randint(1, top) for _ in range(n * 2)})[: n * 2]
    rng.shuffle(ids)
    sample = list(Person.objects.filter(pk__in=ids[:n], status="living"))
    keys: dict[int, dict[str, list[str]]] = {}
    for pk, kind, key in PersonSearchKey.objects.filter(person__in=sample).values_list(
        "person_id", "kind", "key"
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


def run_backend(persons: int, n_queries: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection

    county = _ensure_county(persons)
    user = _bench_user()
    name, search = _search_function()
    queries = _queries(n_queries)
    result: dict[str, Any] = {"vendor": connection.vendor, "search_function": name, **county}
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT version()")
        else:
            cur.execute("SELECT sqlite_version()")
        result["db_version"] = cur.fetchone()[0]
    from minzheng.registry.models import Person, PersonSearchKey

    result["persons"] = Person.objects.count()
    result["search_keys"] = PersonSearchKey.objects.count()
    timings: dict[str, Any] = {}
    for kind in KINDS:
        items = queries[kind]
        for q in items[:20]:  # warm the caches and the connection
            search(user, q)
        rounds = []
        found = 0
        for _ in range(ROUNDS):
            samples = []
            for q in items:
                started = time.perf_counter()
                hits = search(user, q)
                samples.append((time.perf_counter() - started) * 1000)
                found += bool(hits)
            rounds.append(_percentiles(samples))
        median_round = sorted(rounds, key=lambda r: r["p95_ms"])[len(rounds) // 2]
        timings[kind] = {
            **median_round,
            "rounds": [{k: r[k] for k in ("p50_ms", "p95_ms")} for r in rounds],
            "found_share": round(found / (len(items) * ROUNDS), 3),
            "example": items[0] if kind != "id" else items[0][:6] + "…",
        }
    result["queries"] = timings
    result["meets_target"] = all(timings[k]["p95_ms"] < v for k, v in TARGET_P95_MS.items())
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


def _child(backend: str, persons: int, n_queries: int) -> dict[str, Any]:
    env = dict(os.environ)
    env.setdefault("MINZHENG_ENV", "demo")
    env["DJANGO_SETTINGS_MODULE"] = "minzheng.config.settings"
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    VAR_BENCH.mkdir(parents=True, exist_ok=True)
    env.setdefault("MINZHENG_VAR_DIR", str(VAR_BENCH))
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
    persons: int = 600_000,
    n_queries: int = 300,
    backends: tuple[str, ...] = ("sqlite", "postgresql"),
) -> dict[str, Any]:
    """Run the benchmark on each backend; write and return the results."""
    results: dict[str, Any] = {
        "benchmark": "registry_search",
        "persons": persons,
        "queries_per_kind": n_queries,
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
        section = _child(backend, persons, n_queries)
        section["wall_seconds"] = round(time.perf_counter() - started, 1)
        section["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        section["load_average_at_start"] = load
        old = previous.get(backend, {}) if previous.get("persons") == persons else {}
        if not section.get("generated", True) and "generate_cpu_seconds" in old:
            section["generate_cpu_seconds"] = old[
                "generate_cpu_seconds"
            ]  # from the run that made it
        results[backend] = section
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--persons", type=int, default=600_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_backend(args.persons, args.queries), ensure_ascii=False))
        return
    results = run(args.persons, args.queries, tuple(args.backends.split(",")))
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
