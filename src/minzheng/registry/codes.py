"""National standard code tables (sex, ethnicity, relation, disability category) as data.

The rows live in ``data/codes.csv`` and are loaded into :class:`~.models.CodeItem` by a
migration; code reads them from the table (cached per process), never from literals.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"

SEX_MALE = "1"
SEX_FEMALE = "2"
RELATION_HEAD = "02"  # GB/T 4761: 户主
ETHNICITY_HAN = "01"


def code_rows() -> list[dict[str, Any]]:
    with (DATA_DIR / "codes.csv").open(encoding="utf-8") as f:
        return [
            {
                "table": r["table"],
                "code": r["code"],
                "label": r["label"],
                "standard": r["standard"],
                "sort": i,
            }
            for i, r in enumerate(csv.DictReader(f))
        ]


def load_codes(code_model: Any) -> int:
    """Insert or update every shipped code (used by the data migration)."""
    rows = code_rows()
    for row in rows:
        code_model.objects.update_or_create(
            table=row["table"],
            code=row["code"],
            defaults={"label": row["label"], "standard": row["standard"], "sort": row["sort"]},
        )
    return len(rows)


#: table → rows, read once per process. A plain dict rather than ``lru_cache``: templates pass
#: the table name as a ``SafeString``, which ``lru_cache`` keys apart from the plain "sex"
_TABLES: dict[str, tuple[tuple[str, str], ...]] = {}


def _table(table: str) -> tuple[tuple[str, str], ...]:
    rows = _TABLES.get(table)
    if rows is None:
        from .models import CodeItem

        rows = tuple(
            CodeItem.objects.filter(table=table).order_by("sort").values_list("code", "label")
        )
        _TABLES[table] = rows
    return rows


def choices(table: str) -> list[tuple[str, str]]:
    return list(_table(table))


def label(table: str, code: str | None) -> str:
    if not code:
        return ""
    return dict(_table(table)).get(code, code)


def is_valid(table: str, code: str) -> bool:
    return code in dict(_table(table))


def clear_cache() -> None:
    _TABLES.clear()
