"""Bank disbursement files (代发文件) and their return files (回盘文件), laid out per bank as
data (``BankLayout``). Pure functions over rows: no database, no decryption here."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from minzheng.assistance.money import yuan
from minzheng.core.exceptions import DomainError

from .models import BankLayout

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv"
MAX_RETURN_BYTES = 20 * 1024 * 1024
TEXT_FIELDS = {"ref", "id_number", "account"}  # kept as text: no scientific notation in Excel


def validate_layout(layout: BankLayout) -> None:
    unknown = [c.get("field") for c in layout.columns if c.get("field") not in layout.FIELDS]
    if unknown or not layout.columns:
        raise DomainError(f"银行文件格式“{layout.name}”的列配置有误：{unknown or '无列'}")
    if "ref" not in {c["field"] for c in layout.columns}:
        raise DomainError(f"银行文件格式“{layout.name}”缺少业务流水号列，无法对账")


def cell_value(layout: BankLayout, field: str, row: Mapping[str, Any]) -> str:
    value = row[field]
    if field == "amount":
        return yuan(value) if layout.amount_in_yuan else str(value)
    return "" if value is None else str(value)


def render(layout: BankLayout, rows: Iterable[Mapping[str, Any]], fmt: str) -> bytes:
    """The disbursement file: one header row, then one row per line, columns per layout."""
    validate_layout(layout)
    fields = [c["field"] for c in layout.columns]
    headers = [c.get("header") or layout.FIELDS[c["field"]] for c in layout.columns]
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(headers)
        for n, row in enumerate(rows, start=2):
            values = [cell_value(layout, f, row) for f in fields]
            writer.writerow(values)
            if layout.csv_encoding.lower() not in {"utf-8", "utf-8-sig"}:
                try:
                    ",".join(values).encode(layout.csv_encoding)
                except UnicodeEncodeError as exc:
                    raise DomainError(
                        f"第 {n} 行含有 {layout.csv_encoding} 编码无法表示的字符，"
                        f"请改用 xlsx 或 UTF-8 格式"
                    ) from exc
        return buf.getvalue().encode(layout.csv_encoding)
    if fmt != "xlsx":
        raise DomainError("文件格式只能是 xlsx 或 csv")
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("代发明细")
    header = []
    for title in headers:
        c = WriteOnlyCell(ws, value=title)
        c.font = Font(bold=True)
        header.append(c)
    ws.append(header)
    for row in rows:
        out: list[Any] = []
        for f in fields:
            value = cell_value(layout, f, row)
            c = WriteOnlyCell(ws, value=value)
            if f in TEXT_FIELDS:
                c.number_format = "@"
            out.append(c)
        ws.append(out)
    out_file = io.BytesIO()
    wb.save(out_file)
    return out_file.getvalue()


@dataclass(frozen=True)
class ReturnRow:
    row_number: int
    ref: str
    ok: bool
    reason: str


def _table(content: bytes, filename: str, layout: BankLayout) -> list[list[str]]:
    name = filename.lower()
    if name.endswith((".xlsx", ".xls")):
        from python_calamine import CalamineError, CalamineWorkbook

        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(content))
            sheet = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except (CalamineError, ValueError, OSError) as exc:
            raise DomainError(f"无法读取回盘文件：{exc}") from exc
        return [["" if v is None else str(v).strip() for v in r] for r in sheet]
    if name.endswith((".csv", ".txt")):
        for enc in dict.fromkeys(["utf-8-sig", layout.csv_encoding, "gb18030"]):
            try:
                text = content.decode(enc)
            except (UnicodeDecodeError, LookupError):
                continue
            return [[v.strip() for v in r] for r in csv.reader(io.StringIO(text))]
        raise DomainError("回盘文件编码无法识别（支持 UTF-8、GBK）")
    raise DomainError("回盘文件须为 xlsx 或 csv")


def parse_return(content: bytes, filename: str, layout: BankLayout) -> list[ReturnRow]:
    """Rows of a return file: reference, success or failure, and the bank's reason."""
    if len(content) > MAX_RETURN_BYTES:
        raise DomainError("回盘文件超过 20 MB")
    spec = layout.return_columns or {}
    want = {k: spec.get(k, "") for k in ("ref", "status", "reason")}
    success = {str(s).strip().lower() for s in spec.get("success", ["成功"])}
    table = _table(content, filename, layout)
    for i, header in enumerate(table[:10]):
        if want["ref"] in header and want["status"] in header:
            cols = {k: header.index(v) for k, v in want.items() if v in header}
            start = i + 1
            break
    else:
        raise DomainError(
            f"回盘文件中找不到“{want['ref']}”和“{want['status']}”两列，"
            f"请确认银行文件格式选择正确（{layout.name}）"
        )
    out = []
    for n, r in enumerate(table[start:], start=start + 1):
        if not any(r):
            continue
        ref = r[cols["ref"]] if cols["ref"] < len(r) else ""
        status = r[cols["status"]] if cols["status"] < len(r) else ""
        reason = r[cols["reason"]] if "reason" in cols and cols["reason"] < len(r) else ""
        if not ref:
            raise DomainError(f"回盘文件第 {n} 行缺少业务流水号")
        ok = status.strip().lower() in success
        out.append(ReturnRow(n, ref, ok, "" if ok else (reason or status or "银行未说明原因")))
    return out


def line_id_from_ref(ref: str) -> int | None:
    ref = ref.strip().upper()
    if not ref.startswith("MZ") or not ref[2:].isdigit():
        return None
    return int(ref[2:])
