"""Loading the region table from the data files shipped with the app."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
URBAN_LEVELS = {"province", "city", "county"}


def region_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with (DATA_DIR / "regions.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            rows.append(
                {
                    "code": r["code"],
                    "name": r["name"],
                    "level": r["level"],
                    "parent_code": r["parent_code"] or None,
                    # the county seat counts as urban; other towns and zones as rural
                    "is_urban": r["level"] in URBAN_LEVELS or "county seat" in r["note"],
                    "is_synthetic": False,
                    "note": r["note"][:200],
                }
            )
    with (DATA_DIR / "villages.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            rows.append(
                {
                    "code": r["code"],
                    "name": r["name"],
                    "level": r["level"],
                    "parent_code": r["parent_code"],
                    "is_urban": r["is_urban"] == "1",
                    "is_synthetic": r["is_synthetic"] == "1",
                    "note": r["note"][:200],
                }
            )
    return rows


def load_regions(region_model: Any) -> int:
    """Insert or update every shipped region (parents first). Returns the number of rows."""
    rows = region_rows()
    for row in rows:  # files list parents before children
        code = row.pop("code")
        parent_code = row.pop("parent_code")
        region_model.objects.update_or_create(code=code, defaults={**row, "parent_id": parent_code})
    return len(rows)
