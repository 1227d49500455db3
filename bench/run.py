#!/usr/bin/env python3
"""Run every ``bench/bench_*.py`` and write ``bench/results/<name>.json``.

    python3 dev.py bench                      # everything, SQLite (+ PostgreSQL, see below)
    python3 dev.py bench audit api            # only bench_audit.py and bench_api.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minzheng python3 dev.py bench

Each module has ``run(ctx) -> dict`` and ``NEEDS_DATABASE``. Database benchmarks run once on
a fresh SQLite file in a temporary directory and, when ``DATABASE_URL`` points at PostgreSQL,
once more on a scratch database created next to it (``<name>_bench_<pid>``, dropped
afterwards; the database named in the URL is never written to). Each database gets its own
child process, because Django settings are read once per process. The result files carry a
description of the machine so that figures from different machines are not confused.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
SRC = ROOT / "src"


@dataclass(frozen=True)
class Context:
    """What a benchmark's ``run`` gets: the database it runs on and a time budget."""

    database: str  # "sqlite" | "postgresql" | "" (no database)
    seconds: float  # rough time budget for each measured loop
    quick: bool


def modules(selected: list[str]) -> list[str]:
    names = sorted(p.stem.removeprefix("bench_") for p in BENCH_DIR.glob("bench_*.py"))
    if selected:
        unknown = set(selected) - set(names)
        if unknown:
            sys.exit(
                f"unknown benchmark(s): {', '.join(sorted(unknown))}; have: {', '.join(names)}"
            )
        names = [n for n in names if n in selected]
    return names


# --- machine description -------------------------------------------------------------------


def _load() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def _git(*args: str) -> str:
    try:
        git = shutil.which("git") or "git"
        out = subprocess.run([git, *args], cwd=ROOT, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return ""
    return out.stdout.strip()


def machine(databases: list[dict[str, str]], load_before: float | None) -> dict[str, Any]:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    from bench._stats import cpu_model, memory_gib

    dirty = [
        line
        for line in _git("status", "--porcelain", "--untracked-files=no").splitlines()
        if "bench/results/" not in line
    ]
    return {
        "cpu_model": cpu_model(),
        "cpu_cores": os.cpu_count(),
        "memory_gib": memory_gib(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "databases": databases,
        # a shared or busy machine gives slower, noisier figures: say how busy it was
        "load_average_1m": {"before": load_before, "after": _load()},
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(dirty),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


# --- child: one database, Django set up --------------------------------------------------------


def child(names: list[str], quick: bool) -> dict[str, Any]:
    sys.path.insert(0, str(SRC))
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minzheng.config.settings_test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    ctx = Context(database=connection.vendor, seconds=3.0 if quick else 10.0, quick=quick)
    if connection.vendor == "sqlite":
        import sqlite3

        db_version = sqlite3.sqlite_version
    else:
        with connection.cursor() as cur:
            cur.execute("SHOW server_version")
            db_version = cur.fetchone()[0]
    out: dict[str, Any] = {
        "database": {"vendor": connection.vendor, "version": db_version},
        "results": {},
    }
    for name in names:
        module = importlib.import_module(f"bench.bench_{name}")
        started = time.perf_counter()
        result = module.run(ctx)
        result["elapsed_s"] = round(time.perf_counter() - started, 1)
        out["results"][name] = result
        where = connection.vendor if getattr(module, "NEEDS_DATABASE", False) else "no database"
        print(
            f"[bench] {name} ({where}): {json.dumps(result, ensure_ascii=False)}",
            file=sys.stderr,
            flush=True,
        )
    return out


# --- parent: one child per database, then the result files ------------------------------------


def _run_child(names: list[str], env: dict[str, str], quick: bool) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("r", suffix=".json") as out:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "--out", out.name, *names]
        if quick:
            cmd.append("--quick")
        subprocess.run(cmd, env=env, cwd=ROOT, check=True)
        return json.loads(Path(out.name).read_text())


def _postgres_scratch(url: str, suffix: str) -> tuple[str, str] | None:
    """(admin URL, scratch URL) when DATABASE_URL is PostgreSQL, else None."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        return None
    base = parts.path.lstrip("/") or "minzheng"
    scratch = f"{base}_bench_{os.getpid()}_{suffix}"
    # CREATE/DROP DATABASE from the maintenance database, as Django's test runner does
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    return admin, urlunsplit(parts._replace(path="/" + scratch))


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def parent(names: list[str], quick: bool) -> int:
    mods = {n: importlib.import_module(f"bench.bench_{n}") for n in names}
    load_before = _load()
    base_env = {
        **os.environ,
        "MINZHENG_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "minzheng.config.settings_test",
        "PYTHONPATH": os.pathsep.join([str(SRC), str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    runs: list[dict[str, Any]] = []
    db_names = [n for n in names if getattr(mods[n], "NEEDS_DATABASE", False)]
    plain = [n for n in names if n not in db_names]
    # each module that needs a database gets a fresh one of its own: two synthetic counties
    # in one database collide (the same generated ID numbers)
    groups = ([plain] if plain else []) + [[n] for n in db_names]
    with tempfile.TemporaryDirectory(prefix="minzheng-bench-") as tmp:
        for i, group in enumerate(groups):
            sqlite_env = {
                **base_env,
                "MINZHENG_VAR_DIR": tmp,
                "DATABASE_URL": f"sqlite:///{Path(tmp) / f'bench-{i}.sqlite3'}",
            }
            runs.append(_run_child(group, sqlite_env, quick))
        for name in db_names:
            pg = _postgres_scratch(os.environ.get("DATABASE_URL", ""), name)
            if pg is None:
                break
            admin_url, scratch_url = pg
            scratch = urlsplit(scratch_url).path.lstrip("/")
            _pg_admin(admin_url, f'CREATE DATABASE "{scratch}"')
            try:
                pg_env = {**base_env, "MINZHENG_VAR_DIR": tmp, "DATABASE_URL": scratch_url}
                runs.append(_run_child([name], pg_env, quick))
            finally:
                _pg_admin(admin_url, f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    sys.path.insert(0, str(SRC))
    databases = list({r["database"]["vendor"]: r["database"] for r in runs}.values())
    desc = machine(databases, load_before)
    RESULTS_DIR.mkdir(exist_ok=True)
    for name in names:
        needs_db = getattr(mods[name], "NEEDS_DATABASE", False)
        if needs_db:
            results = {
                r["database"]["vendor"]: r["results"][name] for r in runs if name in r["results"]
            }
        else:
            results = next(r["results"][name] for r in runs if name in r["results"])
        doc = (mods[name].__doc__ or "").strip().splitlines()
        payload = {
            "benchmark": name,
            "description": doc[0] if doc else "",
            "quick": quick,
            "machine": desc,
            "results": results,
        }
        path = RESULTS_DIR / f"{name}.json"
        path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        print(f"[bench] wrote {path.relative_to(ROOT)}", flush=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="shorter loops (smoke test)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    names = modules(args.names)
    if args.child:
        Path(args.out).write_text(json.dumps(child(names, args.quick), ensure_ascii=False))
        return 0
    return parent(names, args.quick)


if __name__ == "__main__":
    sys.exit(main())
