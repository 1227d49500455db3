"""Set-based writing of whole households (persons, household, membership, search keys).

Shared by the Excel import and the synthetic-county generator. The caller has validated
everything; this module only writes. ``bulk_create`` spends most of its time compiling SQL
value by value (about 10 µs per value), which is too slow for hundreds of thousands of rows,
so this module writes with one prepared statement per table:

* SQLite: ``executemany`` of one parameterised ``INSERT``;
* PostgreSQL: ``COPY … FROM STDIN`` (psycopg), the fastest way in.

Primary keys are allocated up front (``allocate_ids``) inside the caller's transaction, so
persons, households and memberships can refer to each other without reading anything back.
Personal fields are encrypted and blind-indexed by the model fields' own methods
(``get_prep_value``, ``index_value``), exactly as a ``save()`` would do it.

Callers run it inside ``transaction.atomic`` and write their own audit event.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from django.db import connection, models
from django.utils import timezone

from minzheng.core.fields import index_value

from .codes import RELATION_HEAD
from .models import Household, Membership, Person, PersonSearchKey
from .pinyin_keys import search_keys


@dataclass
class NewPerson:
    name: str
    id_number: str
    sex: str
    birth_date: date
    relation: str
    ethnicity: str = "01"
    hukou: str = Person.Hukou.RURAL
    phone: str | None = None
    status: str = Person.Status.LIVING
    died_on: date | None = None
    moved_out_on: date | None = None
    id_warnings: list[str] = field(default_factory=list)
    living_together: bool = True
    member_since: date | None = None
    left_on: date | None = None
    end_reason: str = ""
    public_id: uuid.UUID | None = None

    @property
    def is_current_member(self) -> bool:
        return self.left_on is None


@dataclass
class NewHousehold:
    region_code: str
    address: str
    members: list[NewPerson]
    public_id: uuid.UUID | None = None


@dataclass(frozen=True)
class WrittenHousehold:
    household_id: int
    person_ids: tuple[int, ...]  # in the order of ``NewHousehold.members``


# --- low-level ----------------------------------------------------------------------------


def allocate_ids(model: type[models.Model], n: int) -> list[int]:
    """``n`` unused primary keys for ``model``; call inside ``transaction.atomic``.

    PostgreSQL draws them from the table's sequence. SQLite has one writer at a time and the
    transaction holds the write lock from BEGIN (IMMEDIATE), so the keys after the largest
    ever used (``sqlite_sequence`` remembers deleted ones) stay free until commit.
    """
    if n <= 0:
        return []
    if not connection.in_atomic_block:
        raise RuntimeError("allocate_ids must run inside transaction.atomic")
    table = model._meta.db_table
    pk = str(model._meta.pk.column)  # type: ignore[union-attr]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, n],
            )
            return [row[0] for row in cur.fetchall()]
        qn = connection.ops.quote_name  # identifiers from model metadata, quoted
        cur.execute(f"SELECT COALESCE(MAX({qn(pk)}), 0) FROM {qn(table)}")  # noqa: S608
        top = cur.fetchone()[0]
        cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cur.fetchone()
        start = max(top, row[0] if row else 0) + 1
        return list(range(start, start + n))


def _converter(f: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """How a Python value of this field goes to the database (None: unchanged)."""
    pg = connection.vendor == "postgresql"
    if isinstance(f, models.JSONField):
        return json.dumps
    if isinstance(f, models.UUIDField):
        return None if connection.features.has_native_uuid_field else (lambda v: v.hex)
    if isinstance(f, models.DateTimeField):
        if pg:
            return None
        memo: dict[Any, Any] = {}  # rows of one batch share one timestamp

        def adapt(v: Any) -> Any:
            if v not in memo:
                memo[v] = connection.ops.adapt_datetimefield_value(v)
            return memo[v]

        return adapt
    if isinstance(f, models.DateField):
        return None if pg else (lambda v: None if v is None else v.isoformat())
    return None


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert plain rows (values in ``columns`` order, field names) without reading back."""
    fields = [cast("models.Field[Any, Any]", model._meta.get_field(c)) for c in columns]
    convert = [(i, c) for i, f in enumerate(fields) if (c := _converter(f)) is not None]
    prepared: list[Sequence[Any]]
    if convert:
        prepared = []
        for row in rows:
            values = list(row)
            for i, c in convert:
                if values[i] is not None:
                    values[i] = c(values[i])
            prepared.append(values)
    else:
        prepared = list(rows)
    if not prepared:
        return 0
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    cols = ", ".join(qn(str(f.column)) for f in fields)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for record in prepared:
                    copy.write_row(record)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {table} ({cols}) VALUES ({placeholders})"  # noqa: S608 (quoted identifiers)
            cur.executemany(sql, prepared)
    return len(prepared)


# --- households ---------------------------------------------------------------------------

_PERSON_COLUMNS = (
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
    "phone",
    "phone_index",
    "status",
    "died_on",
    "moved_out_on",
    "id_warnings",
    "version",
)
_HOUSEHOLD_COLUMNS = (
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
)
_MEMBERSHIP_COLUMNS = (
    "person",
    "household",
    "relation",
    "living_together",
    "started_on",
    "ended_on",
    "end_reason",
    "county_code",
    "created_at",
)
_KEY_COLUMNS = ("person", "key", "kind", "region_code")


def write_households(
    households: Sequence[NewHousehold], *, today: date | None = None
) -> list[WrittenHousehold]:
    """Insert the households and everything that hangs off them; return the new ids."""
    today = today or timezone.localdate()
    now = timezone.now()
    n_persons = sum(len(hh.members) for hh in households)
    person_ids = iter(allocate_ids(Person, n_persons))
    household_ids = iter(allocate_ids(Household, len(households)))
    encrypt_id = Person._meta.get_field("id_number").get_prep_value  # type: ignore[union-attr]
    encrypt_phone = Person._meta.get_field("phone").get_prep_value  # type: ignore[union-attr]

    person_rows: list[tuple[Any, ...]] = []
    household_rows: list[tuple[Any, ...]] = []
    member_rows: list[tuple[Any, ...]] = []
    key_rows: list[tuple[Any, ...]] = []
    written: list[WrittenHousehold] = []
    for hh in households:
        county = hh.region_code[:6]
        hid = next(household_ids)
        ids: list[int] = []
        head_id = None
        for m in hh.members:
            pid = next(person_ids)
            ids.append(pid)
            if m.relation == RELATION_HEAD and head_id is None:
                head_id = pid
            phone = m.phone or None
            person_rows.append(
                (
                    pid,
                    m.public_id or uuid.uuid4(),
                    now,
                    now,
                    encrypt_id(m.id_number),
                    index_value("id", m.id_number),
                    m.name,
                    m.sex,
                    m.birth_date,
                    m.ethnicity,
                    hh.region_code,
                    county,
                    m.hukou,
                    encrypt_phone(phone),
                    index_value("phone", phone),
                    m.status,
                    m.died_on,
                    m.moved_out_on,
                    list(m.id_warnings),
                    1,
                )
            )
            member_rows.append(
                (
                    pid,
                    hid,
                    m.relation,
                    m.living_together,
                    m.member_since or today,
                    m.left_on,
                    m.end_reason,
                    county,
                    now,
                )
            )
            key_rows.extend((pid, key, kind, hh.region_code) for kind, key in search_keys(m.name))
        if head_id is None:
            raise ValueError(f"household {hh.address!r} has no head")
        household_rows.append(
            (
                hid,
                hh.public_id or uuid.uuid4(),
                now,
                now,
                head_id,
                hh.address,
                hh.region_code,
                county,
                sum(1 for m in hh.members if m.is_current_member),
                1,
            )
        )
        written.append(WrittenHousehold(hid, tuple(ids)))
    insert_rows(Person, _PERSON_COLUMNS, person_rows)
    insert_rows(Household, _HOUSEHOLD_COLUMNS, household_rows)
    insert_rows(Membership, _MEMBERSHIP_COLUMNS, member_rows)
    insert_rows(PersonSearchKey, _KEY_COLUMNS, key_rows)
    return written
