"""Audit trail: append throughput (events/s) and `audit verify` rate (rows/s).

Append: ``audit.record`` one event at a time, each in its own transaction, as services do
(lock the chain head, insert the SM3-chained row, move the head). Verify: ``audit.verify``
over the whole chain just written, the best of three runs.
"""

from __future__ import annotations

import time
from typing import Any

NEEDS_DATABASE = True
MAX_EVENTS = 50_000


def run(ctx: Any) -> dict[str, Any]:
    from bench._stats import latency_summary
    from minzheng.core import audit
    from minzheng.core.models import AuditEvent

    durations: list[float] = []
    started = time.perf_counter()
    deadline = started + ctx.seconds
    n = 0
    while n < MAX_EVENTS and time.perf_counter() < deadline:
        t0 = time.perf_counter()
        audit.record(
            actor=None,
            username="bench",
            action="bench.append",
            object_type="bench",
            object_id=str(n),
            region_code="340521104",
            changes={"status": ["draft", "submitted"]},
            detail={"n": n},
        )
        durations.append(time.perf_counter() - t0)
        n += 1
    append_s = time.perf_counter() - started

    rows = AuditEvent.objects.count()
    runs = []
    for _ in range(3):
        t0 = time.perf_counter()
        report = audit.verify()
        runs.append(time.perf_counter() - t0)
        if not report.ok:
            raise RuntimeError(f"audit chain does not verify: {report.reason}")
    best = min(runs)
    return {
        "append_events": n,
        "append_events_per_s": round(n / append_s, 1),
        "append_latency": latency_summary(durations),
        "verify_rows": rows,
        "verify_best_s": round(best, 3),
        "verify_rows_per_s": round(rows / best, 1),
    }
