"""Excel / CSV import of households with their members (批量导入家庭成员).

``households_import`` reads an xlsx (python-calamine) or a CSV in UTF-8 or GB18030, checks
every row and column, and writes set-based (:mod:`.bulkload`) inside one transaction with one
audit event. Two modes:

* ``all_or_nothing``: any bad row and nothing is written;
* ``valid_rows``: households whose rows are all good are written; the rows of the other
  households go to an error workbook with a reason column, to be corrected and uploaded again.

A household is written whole or not at all: one bad member keeps the household back, and its
other rows are listed with the reason "同户其他行有错误". ``dry_run`` checks and counts and
writes nothing (no database rows, no audit event, no error workbook).

What is checked, each with a Chinese reason naming the row and column: required cells; the ID
number's form, birth date and check character (with the right one); an ID that Excel stored
as a number or in scientific notation (its last digits are lost); the same ID twice in the
file or already in the registry (blind index, also its 15-digit form); the village code or
name, and that it lies in the acting user's region; relation, sex, ethnicity, hukou and birth
date against the ID; the phone number; each household has exactly one head and one village.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from minzheng.accounts.roles import Perm
from minzheng.accounts.scoping import region_allowed, region_prefix, require_perm
from minzheng.core import audit
from minzheng.core.exceptions import DomainError
from minzheng.core.fields import index_value
from minzheng.core.idnumber import IdNumberError, normalize_phone, parse_resident_id
from minzheng.geo.models import Region

from . import codes
from .bulkload import NewHousehold, NewPerson, write_households
from .models import CodeTable, Person

Progress = Callable[[int, int], None]

MODE_ALL_OR_NOTHING = "all_or_nothing"
MODE_VALID_ROWS = "valid_rows"
#: Chinese; import.html translates them where shown
MODES = {
    MODE_ALL_OR_NOTHING: gettext_noop("全部正确才导入"),
    MODE_VALID_ROWS: gettext_noop("导入正确的家庭，错误行另存"),
}

#: households written per ``write_households`` call (a few thousand rows each)
WRITE_CHUNK = 2000
#: blind indexes per ``IN (…)`` look-up (under SQLite's 999 bound parameters)
LOOKUP_CHUNK = 900
MAX_ROWS = 200_000
#: rows checked between two ``progress`` calls
PROGRESS_EVERY = 1000


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    hint: str
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column(
        "household",
        "户编号",
        True,
        "同一户的成员填相同的编号，只在本文件内有效（如 1、2、3）",
        ("户号", "家庭编号"),
    ),
    Column(
        "relation", "与户主关系", True, "户主、配偶、长子、长女、孙子……或 GB/T 4761 代码", ("关系",)
    ),
    Column("name", "姓名", True, ""),
    Column(
        "id_number",
        "公民身份号码",
        True,
        "18位；请先把此列设为“文本”格式再录入",
        ("身份证号", "身份证号码", "公民身份证号码"),
    ),
    Column("sex", "性别", False, "男/女，可不填（按身份证号）"),
    Column("ethnicity", "民族", False, "如 汉族，可不填（默认汉族）"),
    Column("birth_date", "出生日期", False, "可不填（按身份证号）"),
    Column(
        "village",
        "村（社区）",
        True,
        "12位区划代码或村（社区）名称",
        ("村（社区）代码", "村（社区）名称", "村社区", "所在村", "村（居）"),
    ),
    Column("hukou", "户口性质", False, "农村/城镇，可不填（村为农村、社区为城镇）"),
    Column("phone", "联系电话", False, "手机11位或固定电话 0555-6712345", ("电话", "手机号")),
    Column("address", "家庭住址", False, "", ("住址", "地址")),
)
HEADERS = {c.key: c.header for c in COLUMNS}
RELATION_ALIASES = {
    "本人": codes.RELATION_HEAD,
    "01": codes.RELATION_HEAD,
    "妻子": "12",
    "丈夫": "11",
    "儿子": "20",
    "女儿": "30",
    "父": "51",
    "母": "52",
    "儿媳妇": "38",
}
HUKOU_VALUES = {
    "农村": Person.Hukou.RURAL,
    "农业": Person.Hukou.RURAL,
    "农业户口": Person.Hukou.RURAL,
    "城镇": Person.Hukou.URBAN,
    "非农业": Person.Hukou.URBAN,
    "非农业户口": Person.Hukou.URBAN,
    "城镇户口": Person.Hukou.URBAN,
    "居民": Person.Hukou.URBAN,
}
SEX_VALUES = {
    "男": codes.SEX_MALE,
    "女": codes.SEX_FEMALE,
    "1": codes.SEX_MALE,
    "2": codes.SEX_FEMALE,
}
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
_DECIMAL_ZERO = re.compile(r"^(\d+)\.0+$")


@dataclass(frozen=True)
class RowError:
    row: int  # row number as the spreadsheet shows it (the header is row 1)
    column: str  # column header, or "" for the whole row
    value: str
    message: str

    def __str__(self) -> str:
        where = f"第{self.row}行" + (f"「{self.column}」" if self.column else "")
        return f"{where}：{self.message}"


@dataclass
class ImportResult:
    mode: str
    dry_run: bool
    rows: int = 0
    households: int = 0
    valid_rows: int = 0
    valid_households: int = 0
    imported_persons: int = 0
    imported_households: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_rows: int = 0
    error_workbook: Path | None = None
    seconds: float = 0.0

    @property
    def outcome(self) -> str:
        if self.dry_run:
            return "preview"
        if self.imported_persons:
            return "imported"
        return "refused" if self.errors else "empty"

    def first_errors(self, n: int = 20) -> list[RowError]:
        return self.errors[:n]

    def summary(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "households": self.households,
            "valid_rows": self.valid_rows,
            "valid_households": self.valid_households,
            "imported_persons": self.imported_persons,
            "imported_households": self.imported_households,
            "error_rows": self.error_rows,
            "errors": len(self.errors),
        }


@dataclass
class _Row:
    number: int
    raw: dict[str, Any]
    household: str = ""
    person: NewPerson | None = None
    region: Region | None = None
    address: str = ""
    index: str = ""
    errors: list[RowError] = field(default_factory=list)

    def fail(self, key: str, message: str) -> None:
        value = self.raw.get(key)
        self.errors.append(RowError(self.number, HEADERS.get(key, ""), _display(value), message))


# --- template -----------------------------------------------------------------------------


def import_template(user: Any) -> bytes:
    """The xlsx template: headers, text-formatted ID and phone columns, examples, villages."""
    wb = Workbook()
    ws = wb.active
    ws.title = "家庭成员"
    ws.append([c.header for c in COLUMNS])
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for i, c in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font, cell.fill = bold, fill
        letter = cell.column_letter
        ws.column_dimensions[letter].width = {
            "id_number": 22,
            "village": 18,
            "address": 32,
            "phone": 15,
        }.get(c.key, 11)
        if c.key in {"id_number", "phone", "household", "village"}:
            ws.column_dimensions[letter].number_format = "@"  # text: Excel keeps every digit
    villages = list(_villages_for(user))
    example_village = villages[0].code if villages else ""
    ws.append(
        [
            "1",
            "户主",
            "张三",
            "",
            "男",
            "汉族",
            "",
            example_village,
            "",
            "",
            "（示例行，导入前请删除）",
        ]
    )
    ws.append(["1", "配偶", "李四", "", "女", "汉族", "", example_village, "", "", ""])
    for row in ws.iter_rows(min_row=2, max_row=3):
        for cell in row:
            cell.number_format = "@"
    relation = DataValidation(
        type="list",
        formula1='"户主,配偶,长子,次子,长女,次女,孙子,孙女,儿媳,女婿,父亲,母亲,其他"',
        allow_blank=True,
        showErrorMessage=False,
    )
    hukou = DataValidation(type="list", formula1='"农村,城镇"', allow_blank=True)
    ws.add_data_validation(relation)
    ws.add_data_validation(hukou)
    relation.add("B2:B5000")
    hukou.add("I2:I5000")
    ws.freeze_panes = "A2"

    help_ws = wb.create_sheet("填写说明")
    help_ws.append(["列", "必填", "说明"])
    for c in COLUMNS:
        help_ws.append([c.header, "是" if c.required else "否", c.hint])
    help_ws.append([])
    for line in (
        "每户必须有且只有一名户主；同一户的成员填写相同的户编号和同一个村（社区）。",
        "身份证号请以文本格式录入：Excel 把它当数字时只保留15位有效数字，后几位会变成0。",
        "文件可为 xlsx，或 UTF-8 / GB18030（GBK）编码的 CSV，第一行为列名。",
    ):
        help_ws.append([line])
    help_ws.column_dimensions["A"].width = 16
    help_ws.column_dimensions["C"].width = 60
    for cell in help_ws[1]:
        cell.font = bold

    codes_ws = wb.create_sheet("村（社区）代码")
    codes_ws.append(["区划代码", "村（社区）", "乡镇"])
    for v in villages:
        codes_ws.append([v.code, v.name, v.parent.name if v.parent else ""])
    codes_ws.column_dimensions["A"].width = 16
    codes_ws.column_dimensions["B"].width = 16
    for cell in codes_ws[1]:
        cell.font = bold
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _villages_for(user: Any) -> Iterable[Region]:
    prefix = region_prefix(user)
    if prefix is None:
        return []
    return (
        Region.objects.filter(
            code__startswith=prefix, level__in=[Region.Level.VILLAGE, Region.Level.COMMUNITY]
        )
        .select_related("parent")
        .order_by("code")
    )


# --- reading ------------------------------------------------------------------------------


def read_table(path: Path) -> list[list[Any]]:
    """All rows of the first sheet (xlsx/xls/ods) or of a CSV (UTF-8 or GB18030)."""
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}:
        from python_calamine import CalamineError, CalamineWorkbook

        try:
            wb = CalamineWorkbook.from_path(str(path))
            sheet = wb.get_sheet_by_index(0)
            return [list(r) for r in sheet.to_python(skip_empty_area=False)]
        except CalamineError as exc:
            raise DomainError(f"无法读取 Excel 文件：{exc}") from exc
    if suffix in {".csv", ".txt"}:
        data = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise DomainError("CSV 文件的编码无法识别，请另存为 UTF-8 或 GB18030（GBK）编码")
        return list(csv.reader(io.StringIO(text, newline="")))
    raise DomainError("只能导入 xlsx 或 csv 文件")


def _norm_header(text: Any) -> str:
    return re.sub(r"\s+", "", str(text or "")).replace("(", "（").replace(")", "）")


def _header_map(header: Sequence[Any]) -> dict[str, int]:
    wanted: dict[str, str] = {}
    for c in COLUMNS:
        for name in (c.header, *c.aliases):
            wanted[_norm_header(name)] = c.key
    found: dict[str, int] = {}
    for i, h in enumerate(header):
        key = wanted.get(_norm_header(h))
        if key and key not in found:
            found[key] = i
    missing = [c.header for c in COLUMNS if c.required and c.key not in found]
    if missing:
        raise DomainError(
            "第1行缺少必填列：" + "、".join(missing) + "。请使用下载的导入模板（第一行为列名）"
        )
    return found


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return f"{value:.0f}"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _text(value: Any) -> str:
    return _display(value)


# --- checking -----------------------------------------------------------------------------


class _Lookups:
    """Code tables and regions, loaded once per import."""

    def __init__(self, user: Any):
        self.user = user
        self.relations: dict[str, str] = {}
        for code, label in codes.choices(CodeTable.RELATION):
            self.relations[code] = code
            self.relations[label] = code
        self.relations.update(RELATION_ALIASES)
        self.ethnicities: dict[str, str] = {}
        for code, label in codes.choices(CodeTable.ETHNICITY):
            self.ethnicities[code] = code
            self.ethnicities[label] = code
            self.ethnicities[label.removesuffix("族")] = code
        self.ethnicities.setdefault("汉族", codes.ETHNICITY_HAN)
        self.regions: dict[str, Region] = {}
        self.by_name: dict[str, list[Region]] = defaultdict(list)
        self.spans: dict[str, tuple[date | None, date | None]] = {}
        for r in Region.objects.select_related("parent").order_by("code"):
            self.spans[r.code] = (r.valid_from, r.valid_to)
            if r.level in (Region.Level.VILLAGE, Region.Level.COMMUNITY):
                self.regions[r.code] = r
                town = r.parent.name if r.parent else ""
                for key in {r.name, town + r.name, f"{town}/{r.name}", f"{town}-{r.name}"}:
                    self.by_name[key].append(r)
        self.prefix = region_prefix(user) or ""

    def region_span(self, code: str) -> tuple[date | None, date | None] | None:
        return self.spans.get(code)


def _check_id(row: _Row, value: Any, today: date, lookups: _Lookups) -> Any:
    """Parse the ID cell; return the ResidentId or None after recording the reason."""
    if isinstance(value, bool) or value is None or _text(value) == "":
        row.fail("id_number", "身份证号码不能为空")
        return None
    if isinstance(value, int | float):
        digits = f"{value:.0f}"
        if len(digits) >= 16:
            row.fail(
                "id_number",
                f"身份证号被 Excel 存成了数字（{digits}）：Excel 只保留15位有效数字，后几位已丢失。"
                "请把该列设为“文本”格式后重新录入完整号码",
            )
            return None
        text = digits
    else:
        text = str(value).strip()
        if _SCIENTIFIC.match(text):
            row.fail(
                "id_number",
                f"身份证号是科学计数法（{text}）：单元格被当作数字，后几位已丢失。"
                "请把该列设为“文本”格式后重新录入完整号码",
            )
            return None
        if (m := _DECIMAL_ZERO.match(text)) and len(m.group(1)) >= 15:
            text = m.group(1)
            if len(text) >= 16:
                row.fail(
                    "id_number",
                    f"身份证号带小数点（{value}），说明曾被当作数字保存，后几位可能已丢失，请核对后以文本格式录入",
                )
                return None
    try:
        return parse_resident_id(text, today=today, region_lookup=lookups.region_span)
    except IdNumberError as exc:
        row.fail("id_number", exc.message)
        return None


def _parse_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text) or re.fullmatch(
        r"(\d{4})(\d{2})(\d{2})", text
    )
    if not m:
        raise ValueError(text)
    return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def _check_row(row: _Row, lookups: _Lookups, today: date) -> None:
    raw = row.raw
    row.household = _text(raw.get("household"))
    if not row.household:
        row.fail("household", "户编号不能为空：同一户的成员请填写相同的户编号")
    name = re.sub(r"\s+", "", _text(raw.get("name")))
    if not name:
        row.fail("name", "姓名不能为空")
    elif len(name) > 50:
        row.fail("name", "姓名超过50个字")
    relation_text = _text(raw.get("relation"))
    relation = lookups.relations.get(relation_text)
    if not relation_text:
        row.fail("relation", "与户主关系不能为空")
    elif relation is None:
        row.fail(
            "relation",
            f"无法识别的与户主关系“{relation_text}”，请填写户主、配偶、长子等或 GB/T 4761 代码",
        )

    parsed = _check_id(row, raw.get("id_number"), today, lookups)
    sex = None
    if parsed is not None:
        sex = parsed.sex
        sex_text = _text(raw.get("sex"))
        if sex_text:
            given = SEX_VALUES.get(sex_text)
            if given is None:
                row.fail("sex", f"性别应填“男”或“女”，不是“{sex_text}”")
            elif given != parsed.sex:
                row.fail(
                    "sex",
                    f"性别与身份证号不符（按身份证号应为{'男' if parsed.sex == '1' else '女'}）",
                )
        birth_value = raw.get("birth_date")
        if _text(birth_value):
            try:
                birth = _parse_date(birth_value)
            except ValueError:
                row.fail("birth_date", f"出生日期“{_text(birth_value)}”不是有效日期")
            else:
                if birth != parsed.birth_date:
                    row.fail(
                        "birth_date",
                        f"出生日期与身份证号不符（按身份证号为 {parsed.birth_date.isoformat()}）",
                    )

    ethnicity_text = _text(raw.get("ethnicity"))
    ethnicity = lookups.ethnicities.get(ethnicity_text) if ethnicity_text else codes.ETHNICITY_HAN
    if ethnicity is None:
        row.fail("ethnicity", f"无法识别的民族“{ethnicity_text}”")

    village_text = _text(raw.get("village"))
    region = None
    if not village_text:
        row.fail("village", "村（社区）不能为空")
    elif village_text.isdigit():
        region = lookups.regions.get(village_text)
        if region is None:
            row.fail(
                "village", f"区划代码 {village_text} 不是本系统中的村（社区）（应为12位村级代码）"
            )
    else:
        found = lookups.by_name.get(re.sub(r"\s+", "", village_text), [])
        if not found:
            row.fail("village", f"找不到名为“{village_text}”的村（社区），请填写12位区划代码")
        elif len(found) > 1:
            towns = "、".join(r.parent.name if r.parent else r.code for r in found)
            row.fail(
                "village",
                f"“{village_text}”在多个乡镇都有（{towns}），请填写“乡镇名+村名”或区划代码",
            )
        else:
            region = found[0]
    if region is not None and not region_allowed(lookups.user, region.code):
        row.fail("village", f"{region.name}（{region.code}）不在您的管辖范围内")
        region = None
    row.region = region

    hukou_text = _text(raw.get("hukou"))
    if hukou_text:
        hukou = HUKOU_VALUES.get(hukou_text)
        if hukou is None:
            row.fail("hukou", f"户口性质应为“农村”或“城镇”，不是“{hukou_text}”")
    else:
        hukou = (
            Person.Hukou.URBAN
            if region is not None and region.level == Region.Level.COMMUNITY
            else Person.Hukou.RURAL
        )

    phone_value = raw.get("phone")
    phone = None
    if _text(phone_value):
        try:
            phone = normalize_phone(_text(phone_value))
        except IdNumberError as exc:
            row.fail("phone", exc.message)
    row.address = _text(raw.get("address"))[:200]

    if row.errors or parsed is None or relation is None or sex is None:
        return
    warnings = list(parsed.warnings)
    if parsed.converted_from_15:
        warnings.append("原为15位身份证号码，导入时已升级为18位")
    row.index = index_value("id", parsed.number) or ""
    row.person = NewPerson(
        name=name,
        id_number=parsed.number,
        sex=sex,
        birth_date=parsed.birth_date,
        relation=relation,
        ethnicity=ethnicity or codes.ETHNICITY_HAN,
        hukou=hukou or "rural",
        phone=phone,
        id_warnings=warnings,
        member_since=today,
    )


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _check_duplicates(rows: list[_Row]) -> None:
    """The same ID twice in the file, or already in the registry (its 18- or 15-digit form)."""
    first: dict[str, _Row] = {}
    for row in rows:
        if row.person is None:
            continue
        other = first.get(row.person.id_number)
        if other is not None:
            row.fail("id_number", f"与第{other.number}行的身份证号重复")
            if other.person is not None and not any("重复" in e.message for e in other.errors):
                other.fail("id_number", f"与第{row.number}行的身份证号重复")
        else:
            first[row.person.id_number] = row
    candidates = [r for r in rows if r.person is not None and r.index]
    by_index: dict[str, _Row] = {}
    for r in candidates:
        by_index[r.index] = r
        number = r.person.id_number  # type: ignore[union-attr]
        if number[6:8] == "19":  # the old 15-digit form of the same number
            legacy = index_value("id", number[:6] + number[8:17])
            if legacy:
                by_index.setdefault(legacy, r)
    known: set[str] = set()
    for chunk in _chunks(list(by_index), LOOKUP_CHUNK):
        known.update(
            Person.objects.filter(id_number_index__in=chunk).values_list(
                "id_number_index", flat=True
            )
        )
    for index in known:
        row = by_index[index]
        if not any("已在档案中" in e.message for e in row.errors):
            is_legacy = index != row.index
            row.fail(
                "id_number",
                "该身份证号已在档案中登记"
                + ("（登记为15位旧号码）" if is_legacy else "")
                + "，不能重复导入",
            )


def _check_households(rows: list[_Row]) -> dict[str, list[_Row]]:
    groups: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        if row.household:
            groups[row.household].append(row)
    for key, members in groups.items():
        heads = [r for r in members if r.raw.get("_relation_code") == codes.RELATION_HEAD]
        if not heads:
            for r in members:
                r.fail("relation", f"户编号 {key} 没有户主：每户必须有且只有一名户主")
        elif len(heads) > 1:
            where = "、".join(str(r.number) for r in heads)
            for r in heads:
                r.fail(
                    "relation",
                    f"户编号 {key} 有{len(heads)}名户主（第{where}行）：每户只能有一名户主",
                )
        anchor = heads[0] if heads else members[0]
        anchor_village = _text(anchor.raw.get("village"))
        for r in members:
            if r is not anchor and _text(r.raw.get("village")) != anchor_village:
                r.fail(
                    "village",
                    f"与户主（第{anchor.number}行）的村（社区）不同：同一户只能在一个村（社区）",
                )
    return groups


# --- the service ----------------------------------------------------------------------------


def households_import(
    *,
    path: Path | str,
    actor: Any,
    mode: str = MODE_ALL_OR_NOTHING,
    dry_run: bool = False,
    progress: Progress | None = None,
    error_workbook: Path | str | None = None,
    original_name: str = "",
) -> ImportResult:
    """Check and (unless ``dry_run``) import the households in ``path`` for ``actor``.

    ``progress(done, total)`` counts rows: checking is the first half, writing the second
    (a dry run counts only the checking). The error workbook (rows of households that were not
    imported, with a reason column) is written to ``error_workbook`` or next to the input as
    ``<name>.errors.xlsx`` when there are errors and it is not a dry run.
    """
    require_perm(actor, Perm.REGISTRY_IMPORT)
    if mode not in MODES:
        raise DomainError(f"未知的导入方式 {mode}")
    started = timezone.now()
    path = Path(path)
    table = read_table(path)
    while table and not any(_text(v) for v in table[-1]):
        table.pop()
    if not table:
        raise DomainError("文件是空的")
    columns = _header_map(table[0])
    body = table[1:]
    if len(body) > MAX_ROWS:
        raise DomainError(f"一次最多导入 {MAX_ROWS} 行，本文件有 {len(body)} 行，请分批导入")
    result = ImportResult(mode=mode, dry_run=dry_run)
    total = len(body) * (1 if dry_run else 2)
    done = 0
    lookups = _Lookups(actor)
    today = timezone.localdate()
    rows: list[_Row] = []
    for offset, values in enumerate(body):
        if not any(_text(v) for v in values):
            continue  # blank lines in the middle are skipped, not errors
        raw = {key: (values[i] if i < len(values) else None) for key, i in columns.items()}
        row = _Row(number=offset + 2, raw=raw)
        _check_row(row, lookups, today)
        raw["_relation_code"] = lookups.relations.get(_text(raw.get("relation")))
        rows.append(row)
        if progress and len(rows) % PROGRESS_EVERY == 0:
            progress(offset + 1, total)
    _check_duplicates(rows)
    groups = _check_households(rows)
    done = len(body)
    if progress:
        progress(done, total)

    good: list[list[_Row]] = []
    bad_rows: list[_Row] = []
    for members in groups.values():
        if any(r.errors for r in members):
            bad = [r for r in members if r.errors]
            for r in members:
                if not r.errors:
                    r.errors.append(
                        RowError(
                            r.number,
                            "",
                            "",
                            "同户其他行有错误（第"
                            + "、".join(str(b.number) for b in bad[:5])
                            + "行），整户未导入",
                        )
                    )
            bad_rows.extend(members)
        else:
            good.append(members)
    bad_rows.extend(r for r in rows if not r.household)
    bad_rows.sort(key=lambda r: r.number)
    result.rows = len(rows)
    result.households = len(groups)
    result.valid_households = len(good)
    result.valid_rows = sum(len(m) for m in good)
    result.error_rows = len(bad_rows)
    result.errors = [e for r in bad_rows for e in r.errors]

    if dry_run:
        result.seconds = (timezone.now() - started).total_seconds()
        return result
    if bad_rows:
        target = (
            Path(error_workbook) if error_workbook else path.with_name(path.stem + ".errors.xlsx")
        )
        write_error_workbook(target, bad_rows)
        result.error_workbook = target
    detail = {"file": original_name or path.name, "sha256": _sha256(path), **result.summary()}
    if (bad_rows and mode == MODE_ALL_OR_NOTHING) or not good:
        audit.record_failure(
            actor=actor,
            action="registry.import",
            object_type="registry.household",
            object_repr=f"批量导入 {detail['file']}",
            region_code=lookups.prefix,
            detail={**detail, "written": 0},
        )
        result.seconds = (timezone.now() - started).total_seconds()
        return result

    households = [
        NewHousehold(
            region_code=members[0].region.code,  # type: ignore[union-attr]
            address=next(
                (
                    r.address
                    for r in members
                    if r.person and r.person.relation == codes.RELATION_HEAD and r.address
                ),
                "",
            )
            or next((r.address for r in members if r.address), ""),
            members=[r.person for r in sorted(members, key=_head_first)],  # type: ignore[misc]
        )
        for members in good
    ]
    to_write = sum(len(h.members) for h in households)
    written = 0
    try:
        with transaction.atomic():
            for chunk in _chunks(households, WRITE_CHUNK):
                write_households(chunk, today=today)
                written += sum(len(h.members) for h in chunk)
                if progress:
                    progress(done + round(written * len(body) / max(to_write, 1)), total)
            result.imported_households = len(households)
            result.imported_persons = written
            audit.record(
                actor=actor,
                action="registry.import",
                object_type="registry.household",
                object_repr=f"批量导入 {detail['file']}",
                region_code=lookups.prefix,
                detail={**detail, **result.summary()},
            )
    except IntegrityError as exc:
        raise DomainError(
            "导入期间有相同身份证号被其他人登记，本次导入未写入任何数据，请重新预览后再导入"
        ) from exc
    if progress:
        progress(total, total)
    result.seconds = (timezone.now() - started).total_seconds()
    return result


def _head_first(row: _Row) -> tuple[int, int]:
    is_head = row.person is not None and row.person.relation == codes.RELATION_HEAD
    return (0 if is_head else 1, row.number)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_error_workbook(target: Path, rows: Sequence[_Row]) -> None:
    """The rows that were not imported, as entered, with their row number and reasons."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("未导入的行")
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["B"].width = 60
    ws.append(["原行号", "错误原因", *(c.header for c in COLUMNS)])
    for r in rows:
        reasons = "；".join((f"{e.column}：" if e.column else "") + e.message for e in r.errors)
        ws.append([r.number, reasons, *(_display(r.raw.get(c.key)) for c in COLUMNS)])
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)


__all__ = [
    "COLUMNS",
    "MODES",
    "MODE_ALL_OR_NOTHING",
    "MODE_VALID_ROWS",
    "ImportResult",
    "RowError",
    "households_import",
    "import_template",
    "read_table",
    "write_error_workbook",
]
