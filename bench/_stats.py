"""Small helpers shared by the benchmark modules."""

from __future__ import annotations

import contextlib
import platform
import statistics
from pathlib import Path


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return 0.0
    rank = max(0, min(len(sorted_values) - 1, round(pct / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


def latency_summary(seconds: list[float]) -> dict[str, float]:
    """p50/p95/p99/mean in milliseconds."""
    ms = sorted(s * 1000 for s in seconds)
    return {
        "p50_ms": round(percentile(ms, 50), 3),
        "p95_ms": round(percentile(ms, 95), 3),
        "p99_ms": round(percentile(ms, 99), 3),
        "mean_ms": round(statistics.fmean(ms), 3) if ms else 0.0,
    }


def cpu_model() -> str:
    """The CPU's model name (Linux), else what ``platform`` knows."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def memory_gib() -> float | None:
    """Total memory in GiB (Linux), else None."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    return None


#: the person columns the benchmarks' synthetic counties write (no phone, no death): one
#: tuple per row in this order, for ``registry.bulkload.insert_rows``
PERSON_COLUMNS = (
    "id",
    "public_id",
    "created_at",
    "updated_at",
    "id_number",
    "id_number_index",
    "name",
    "sex",
    "birth_date",
    "ethnicity",
    "region",
    "county_code",
    "hukou",
    "status",
    "id_warnings",
    "version",
)
