"""Excel/CSV import of households: validation reasons, both modes, dry run, scale."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook

from minzheng.core.exceptions import DomainError
from minzheng.core.fields import index_value
from minzheng.core.models import AuditEvent
from minzheng.registry import importing
from minzheng.registry.models import Household, Membership, Person, PersonSearchKey

from .datafiles import (
    HEADER,
    SHIQIAO_VILLAGE,
    household_rows,
    make_id,
    make_importer,
    name_for,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def importer(make_user):
    return make_importer(make_user)


ID_COL = HEADER.index("公民身份号码")
VILLAGE_COL = HEADER.index("村（社区）")
REL_COL = HEADER.index("与户主关系")


def run(path, user, **kw):
    return importing.households_import(path=path, actor=user, **kw)


def messages(result, row=None):
    return [e.message for e in result.errors if row is None or e.row == row]


# --- 100 000 rows with 1 % bad rows --------------------------------------------------------


def _corrupt(rows: list[list]) -> dict[int, str]:
    """Spoil every 100th row in one of five ways; return {sheet row number: expected words}."""
    bad: dict[int, str] = {}
    for i in range(50, len(rows), 100):
        kind = (i // 100) % 5
        row = rows[i]
        if kind == 0:  # wrong check character
            number = row[ID_COL]
            row[ID_COL] = number[:17] + ("0" if number[17] != "0" else "1")
            bad[i + 2] = "校验码错误"
        elif kind == 1:  # Excel turned it into a number
            row[ID_COL] = float(row[ID_COL][:17] + "0")
            bad[i + 2] = "存成了数字"
        elif kind == 2:  # the same ID as the row before
            row[ID_COL] = rows[i - 1][ID_COL]
            bad[i + 2] = "重复"
        elif kind == 3:
            row[VILLAGE_COL] = "340521999999"
            bad[i + 2] = "不是本系统中的村"
        else:  # 31 February
            row[ID_COL] = make_id(0, born=date(1980, 2, 28))[:10] + "0231" + "0011"
            bad[i + 2] = "不是有效日期"
    return bad


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    rows = household_rows(40_000)  # 1+2+3+4 members in turn: 100 000 rows
    assert len(rows) == 100_000
    bad = _corrupt(rows)
    path = write_xlsx(tmp_path_factory.mktemp("import") / "big.xlsx", rows)
    return path, rows, bad


def test_valid_rows_mode_imports_100k_rows_and_lists_each_bad_row(big_file, importer, tmp_path):
    path, rows, bad = big_file
    seen = []
    result = run(
        path,
        importer,
        mode=importing.MODE_VALID_ROWS,
        progress=lambda done, total: seen.append((done, total)),
        error_workbook=tmp_path / "errors.xlsx",
    )
    # every bad row is named, with its reason, in the error workbook
    wb = load_workbook(result.error_workbook, read_only=True)
    listed = {r[0]: r[1] for r in wb.active.iter_rows(min_row=2, values_only=True)}
    for number, words in bad.items():
        assert number in listed, number
        assert words in listed[number], (number, listed[number])
    # households with a bad row are kept back whole; all others are written
    keep_back = {rows[n - 2][0] for n in bad} | {
        rows[n - 3][0] for n, w in bad.items() if w == "重复"
    }
    expected = sum(1 for r in rows if r[0] not in keep_back)
    assert result.imported_persons == expected == Person.objects.count()
    assert result.imported_households == Household.objects.count() == 40_000 - len(keep_back)
    assert set(listed) == {i + 2 for i, r in enumerate(rows) if r[0] in keep_back}
    assert Membership.objects.count() == expected
    assert rows[16][:3] == ["8", "户主", name_for(7, 0)]
    head = Person.objects.get(id_number_index=index_value("id", rows[16][ID_COL]))
    assert head.name == name_for(7, 0)
    assert set(PersonSearchKey.objects.filter(person=head).values_list("kind", flat=True)) == {
        "name",
        "full",
        "initials",
    }
    # one audit event for the whole import, with the counts
    events = AuditEvent.objects.filter(action="registry.import")
    assert events.count() == 1
    assert events.get().detail["imported_persons"] == expected
    assert seen[-1] == (200_000, 200_000)


def test_all_or_nothing_mode_writes_nothing_when_one_row_is_bad(big_file, importer, tmp_path):
    path, _, bad = big_file
    result = run(
        path, importer, mode=importing.MODE_ALL_OR_NOTHING, error_workbook=tmp_path / "errors.xlsx"
    )
    assert result.outcome == "refused"
    assert Person.objects.count() == 0
    assert Household.objects.count() == 0
    assert {e.row for e in result.errors} >= set(bad)
    event = AuditEvent.objects.get(action="registry.import")
    assert event.outcome == "failure"


# --- single reasons ------------------------------------------------------------------------


def test_wrong_check_character_is_reported_with_the_right_one(importer, tmp_path):
    rows = household_rows(1)
    good = rows[0][ID_COL]
    rows[0][ID_COL] = good[:17] + ("0" if good[17] != "0" else "1")
    result = run(write_xlsx(tmp_path / "f.xlsx", rows), importer, dry_run=True)
    assert f"校验码错误，应为 {good[17]}" in messages(result, 2)


def test_id_stored_by_excel_as_a_number_is_detected(importer, tmp_path):
    rows = household_rows(2)
    rows[0][ID_COL] = int(rows[0][ID_COL][:17]) * 10  # an 18-digit number cell
    result = run(write_xlsx(tmp_path / "f.xlsx", rows), importer, dry_run=True)
    [message] = [m for m in messages(result, 2) if "身份证号" in m]
    assert "存成了数字" in message
    assert "后几位已丢失" in message


def test_id_in_scientific_notation_from_a_csv_is_detected(importer, tmp_path):
    rows = household_rows(1)
    rows[0][ID_COL] = "3.40521E+17"
    result = run(write_csv(tmp_path / "f.csv", rows), importer, dry_run=True)
    assert any("科学计数法" in m for m in messages(result, 2))


def test_gb18030_csv_is_read_with_its_chinese_names(importer, tmp_path):
    rows = household_rows(2)
    rows[0][2] = "欧阳䶮"  # a character outside GBK, inside GB18030
    path = write_csv(tmp_path / "gbk.csv", rows, encoding="gb18030")
    result = run(path, importer)
    assert result.imported_persons == 3
    assert Person.objects.filter(name="欧阳䶮").exists()


def test_utf8_csv_with_byte_order_mark_is_read(importer, tmp_path):
    path = write_csv(tmp_path / "utf8.csv", household_rows(1), encoding="utf-8-sig")
    assert run(path, importer).imported_persons == 1


def test_id_already_in_the_registry_is_refused(importer, tmp_path):
    path = write_xlsx(tmp_path / "first.xlsx", household_rows(1))
    assert run(path, importer).imported_persons == 1
    result = run(write_xlsx(tmp_path / "again.xlsx", household_rows(1)), importer, dry_run=True)
    assert any("已在档案中登记" in m for m in messages(result, 2))


def test_15_digit_form_of_a_registered_id_is_a_duplicate(importer, tmp_path):
    rows = household_rows(1)
    run(write_xlsx(tmp_path / "first.xlsx", rows), importer)
    number = rows[0][ID_COL]
    rows[0][ID_COL] = number[:6] + number[8:17]  # the same person's old 15-digit number
    result = run(write_xlsx(tmp_path / "old.xlsx", rows), importer, dry_run=True)
    assert any("已在档案中登记" in m for m in messages(result, 2))


def test_village_outside_the_users_region_is_an_error(officer_a, tmp_path):
    rows = household_rows(1, village=SHIQIAO_VILLAGE)
    result = run(write_xlsx(tmp_path / "f.xlsx", rows), officer_a, dry_run=True)
    assert any("不在您的管辖范围内" in m for m in messages(result, 2))


def test_village_may_be_given_by_name(importer, tmp_path):
    rows = household_rows(1, village="桃元村")
    assert run(write_xlsx(tmp_path / "f.xlsx", rows), importer).imported_persons == 1
    assert Household.objects.get().region_id == "340521104201"


def test_household_without_a_head_and_with_two_heads(importer, tmp_path):
    rows = household_rows(3)  # households 1 (1 member), 2 (2), 3 (3)
    rows[1][REL_COL] = "长子"  # household 2 loses its head
    rows[4][REL_COL] = "户主"  # household 3 gets a second head
    result = run(write_xlsx(tmp_path / "f.xlsx", rows), importer, mode=importing.MODE_VALID_ROWS)
    assert any("没有户主" in m for m in messages(result, 3))
    assert any("有2名户主" in m for m in messages(result, 6))
    assert any("整户未导入" in m for m in messages(result, 7))
    assert result.imported_households == 1
    assert Person.objects.count() == 1


def test_dry_run_counts_and_writes_nothing(importer, tmp_path):
    rows = household_rows(4)
    rows[0][ID_COL] = "123"
    result = run(write_xlsx(tmp_path / "f.xlsx", rows), importer, dry_run=True)
    assert (result.rows, result.households, result.valid_households) == (10, 4, 3)
    assert result.first_errors()[0].row == 2
    assert result.outcome == "preview"
    assert Person.objects.count() == 0
    assert not AuditEvent.objects.filter(action="registry.import").exists()


def test_missing_required_column_is_refused_before_any_row(importer, tmp_path):
    path = write_xlsx(tmp_path / "f.xlsx", [["1", "户主"]], header=["户编号", "与户主关系"])
    with pytest.raises(DomainError, match="缺少必填列"):
        run(path, importer, dry_run=True)


def test_user_without_import_permission_is_refused(cadre_a, tmp_path):
    path = write_xlsx(tmp_path / "f.xlsx", household_rows(1))
    with pytest.raises(DomainError):
        run(path, cadre_a, dry_run=True)


def test_template_has_the_columns_and_text_formatted_id_column(importer, tmp_path):
    path = tmp_path / "template.xlsx"
    path.write_bytes(importing.import_template(importer))
    table = importing.read_table(path)
    assert table[0] == [c.header for c in importing.COLUMNS]
    wb = load_workbook(path)
    assert wb["家庭成员"].column_dimensions["D"].number_format == "@"
    assert "340521104201" in [c.value for c in wb["村（社区）代码"]["A"]]
