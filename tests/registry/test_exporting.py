"""Excel export: masked by default, revealed only with the permission, audited with counts."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from minzheng.core.exceptions import PermissionDeniedError
from minzheng.core.models import AuditEvent
from minzheng.registry import importing
from minzheng.registry.exporting import registry_export
from minzheng.registry.models import Household, Person

from .datafiles import HEADER, household_rows, make_importer, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def importer(make_user):
    return make_importer(make_user)


ID_COL = HEADER.index("公民身份号码")


@pytest.fixture
def imported(importer, tmp_path):
    rows = household_rows(3)  # 1 + 2 + 3 persons
    rows[0][HEADER.index("联系电话")] = "13912345678"
    importing.households_import(path=write_xlsx(tmp_path / "in.xlsx", rows), actor=importer)
    return rows


def sheet_rows(result, tmp_path):
    path = tmp_path / "out.xlsx"
    path.write_bytes(result.content)
    return list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))


def test_export_masks_id_and_phone_without_reveal(imported, officer_a, tmp_path):
    result = registry_export(queryset=Household.objects.all(), actor=officer_a, reveal=False)
    _header, *rows = sheet_rows(result, tmp_path)
    assert result.rows == 6
    first = rows[0]
    assert first[ID_COL] == imported[0][ID_COL][:6] + "********" + imported[0][ID_COL][-4:]
    assert first[HEADER.index("联系电话")] == "139****5678"
    event = AuditEvent.objects.get(action="registry.export")
    assert event.detail["rows"] == 6
    assert event.detail["revealed"] is False


def test_revealed_export_can_be_imported_again(imported, importer, tmp_path):
    result = registry_export(
        queryset=Household.objects.all(), actor=importer, reveal=True, path=tmp_path / "out.xlsx"
    )
    table = importing.read_table(result.path)
    assert table[0][: len(HEADER)] == HEADER
    assert sorted(r[ID_COL] for r in table[1:]) == sorted(r[ID_COL] for r in imported)
    # the same file, read back as an import, finds every person already registered
    check = importing.households_import(path=result.path, actor=importer, dry_run=True)
    assert check.rows == 6
    assert all("已在档案中登记" in e.message or "整户" in e.message for e in check.errors)


def test_reveal_is_refused_without_the_permission(imported, cadre_a):
    with pytest.raises(PermissionDeniedError):
        registry_export(queryset=Person.objects.all(), actor=cadre_a, reveal=True)
    assert not AuditEvent.objects.filter(action="registry.export").exists()


def test_person_list_export_names_each_persons_household(imported, auditor, tmp_path):
    qs = Person.objects.filter(name__in=[imported[1][2], imported[2][2]])
    result = registry_export(queryset=qs, actor=auditor, reveal=False)
    _header, *rows = sheet_rows(result, tmp_path)
    assert {r[2] for r in rows} == {imported[1][2], imported[2][2]}
    assert {r[0] for r in rows} == {"1"}  # both in the same household, numbered 1 in the file
    assert result.households == 1
