"""Two users start the same run at the same moment, from two processes on one database (a
SQLite file or PostgreSQL): one run, one set of lines, and a clear message for the other."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from minzheng.payments.models import PaymentLine, PaymentRun
from tests.payments.factories import enroll

ROOT = Path(__file__).resolve().parents[2]
STARTER = """
import datetime as dt, json, sys, time
import django
django.setup()
from django.db import connection
from minzheng.accounts.models import User
from minzheng.geo.models import Region
from minzheng.payments import services
user = User.objects.get(username=sys.argv[1])
county = Region.objects.get(code="340521")
connection.ensure_connection()
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
r = services.payroll_run_start(actor=user, programme="", month=dt.date(2024, 7, 1), region=county)
print(json.dumps({"created": r.created, "run": r.run.pk, "message": r.message}))
"""


def _database_url(tmp_path: Path) -> str:
    if connection.vendor == "sqlite":
        # the test database lives in memory: copy it to a file both processes can open
        target = tmp_path / "shared.sqlite3"
        with sqlite3.connect(target) as dst:
            connection.ensure_connection()
            connection.connection.backup(dst)
        return f"sqlite:///{target}"
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _counts(url: str) -> tuple[int, int]:
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            runs = db.execute("SELECT COUNT(*) FROM payments_paymentrun").fetchone()[0]
            lines = db.execute("SELECT COUNT(*) FROM payments_paymentline").fetchone()[0]
        return runs, lines
    return PaymentRun.objects.count(), PaymentLine.objects.count()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_users_starting_the_same_run_at_once_get_one_run(make_user, tmp_path):
    # given: three entitled enrollments and two officers, all committed
    make_user("officer_one", "county_admin", "340521", full_name="甲")
    make_user("officer_two", "county_admin", "340521", full_name="乙")
    for _ in range(3):
        enroll()
    url = _database_url(tmp_path)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "MINZHENG_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "minzheng.config.settings_test",
        "MINZHENG_VAR_DIR": str(tmp_path / "var"),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    }

    # when: both press "generate" at the same instant
    at = time.time() + 4.0
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", STARTER, name, str(at)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("officer_one", "officer_two")
    ]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err[-3000:]
        results.append(json.loads(out.strip().splitlines()[-1]))

    # then: one created the run, the other was told who did, and nothing was doubled
    assert sorted(r["created"] for r in results) == [False, True]
    assert results[0]["run"] == results[1]["run"]
    told = next(r for r in results if not r["created"])
    assert "已由" in told["message"] and "未新增" in told["message"]
    assert _counts(url) == (1, 3)
