"""Excel export of a household or person list (导出), masked unless the user may reveal.

``registry_export`` takes a queryset the caller has already filtered and scoped to the user's
region (through the registry selectors), writes one row per person with their household, and
records one ``registry.export`` audit event with the row count. The first eleven columns are
the import template's, so a revealed export can be corrected and imported elsewhere.

Rows are read in keyset batches (``pk > last``), so memory stays flat for a whole county.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from minzheng.accounts.roles import Perm
from minzheng.accounts.scoping import region_prefix, require_perm
from minzheng.core import audit
from minzheng.core.exceptions import DomainError, PermissionDeniedError
from minzheng.core.masking import Protected
from minzheng.geo.models import Region

from . import codes
from .importing import COLUMNS
from .models import CodeTable, Household, Membership, Person

BATCH = 2000
MAX_ROWS = 1_000_000
EXTRA_HEADERS = ("乡镇", "村（社区）名称", "人员状态", "现有人口", "家庭编号")


@dataclass(frozen=True)
class ExportResult:
    rows: int
    households: int
    revealed: bool
    path: Path | None = None
    content: bytes | None = None


def _protected(value: Any, reveal: bool) -> str:
    """A ProtectedField value (a :class:`Protected` or None) as the export shows it."""
    if not isinstance(value, Protected):
        return ""
    return value.reveal() if reveal else value.masked


def _batches(qs: QuerySet[Any]) -> Iterator[list[Any]]:
    last = 0
    qs = qs.order_by("pk")
    while True:
        rows = list(qs.filter(pk__gt=last)[:BATCH])
        if not rows:
            return
        yield rows
        last = rows[-1].pk


def _members_of_households(qs: QuerySet[Household]) -> Iterator[tuple[Household, Membership]]:
    for households in _batches(qs.only("pk", "public_id", "address", "region_id", "member_count")):
        by_id = {h.pk: h for h in households}
        members = (
            Membership.objects.filter(household_id__in=by_id, ended_on__isnull=True)
            .select_related("person")
            .order_by("household_id", "relation", "id")
        )
        for m in members:
            yield by_id[m.household_id], m


def _persons_with_households(
    qs: QuerySet[Person],
) -> Iterator[tuple[Household | None, Person, str]]:
    for persons in _batches(qs):
        current = {
            m.person_id: m
            for m in Membership.objects.filter(
                person_id__in=[p.pk for p in persons], ended_on__isnull=True
            ).select_related("household")
        }
        for p in persons:
            m = current.get(p.pk)
            yield (m.household if m else None), p, (m.relation if m else "")


def registry_export(
    *, queryset: QuerySet[Any], actor: Any, reveal: bool, path: Path | str | None = None
) -> ExportResult:
    """Write ``queryset`` (households or persons, already scoped) to an xlsx."""
    require_perm(actor, Perm.EXPORT)
    if reveal and not actor.has_perm_code(Perm.PII_REVEAL):
        raise PermissionDeniedError("您没有导出完整身份证号和电话的权限")
    model = queryset.model
    if model not in (Household, Person):
        raise DomainError("只能导出家庭或人员列表")
    regions = {
        r.code: (r.name, r.parent.name if r.parent else "")
        for r in Region.objects.filter(
            level__in=[Region.Level.VILLAGE, Region.Level.COMMUNITY]
        ).select_related("parent")
    }
    relations = dict(codes.choices(CodeTable.RELATION))
    ethnicities = dict(codes.choices(CodeTable.ETHNICITY))
    sexes = dict(codes.choices(CodeTable.SEX))
    statuses = dict(Person.Status.choices)
    hukou = dict(Person.Hukou.choices)

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("家庭成员")
    widths = {"A": 8, "B": 10, "C": 10, "D": 22, "H": 15, "J": 15, "K": 30, "M": 14, "P": 38}
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width
    header = []
    for text in (*(c.header for c in COLUMNS), *EXTRA_HEADERS):
        cell = WriteOnlyCell(ws, value=text)
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)

    numbers: dict[int, int] = {}  # household pk → number in this file
    count = 0
    if model is Household:
        source: Iterator[tuple[Household | None, Person, str]] = (
            (h, m.person, m.relation) for h, m in _members_of_households(queryset)
        )
    else:
        source = _persons_with_households(queryset)
    for household, person, relation in source:
        count += 1
        if count > MAX_ROWS:
            raise DomainError(f"一次最多导出 {MAX_ROWS} 行，请缩小筛选范围")
        if household is not None:
            number = numbers.setdefault(household.pk, len(numbers) + 1)
        village, town = regions.get(person.region_id, ("", ""))
        ws.append(
            [
                str(number) if household is not None else "",
                relations.get(relation, relation),
                person.name,
                _protected(person.id_number, reveal),
                sexes.get(person.sex, person.sex),
                ethnicities.get(person.ethnicity, person.ethnicity),
                person.birth_date.isoformat(),
                person.region_id,
                hukou.get(person.hukou, person.hukou),
                _protected(person.phone, reveal),
                household.address if household is not None else "",
                town,
                village,
                statuses.get(person.status, person.status),
                household.member_count if household is not None else "",
                str(household.public_id) if household is not None else "",
            ]
        )
    audit.record(
        actor=actor,
        action="registry.export",
        object_type=model._meta.label_lower,
        object_repr=f"导出{model._meta.verbose_name}列表 {count} 行",
        region_code=region_prefix(actor) or "",
        detail={
            "rows": count,
            "households": len(numbers),
            "revealed": reveal,
            "model": model._meta.label_lower,
        },
    )
    if path is not None:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        wb.save(target)
        return ExportResult(count, len(numbers), reveal, path=target)
    out = io.BytesIO()
    wb.save(out)
    return ExportResult(count, len(numbers), reveal, content=out.getvalue())
