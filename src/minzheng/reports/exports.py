"""A report as a file: JSON, the built-in official document (docx, pdf, txt), a user's
template filled in (docx, txt, md), or statistical tables (xlsx)."""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.utils import timezone

from .figures import Figure
from .officialdoc import OfficialDocument, parse, to_docx, to_pdf, to_text
from .registry import DATA_DIR, Column, Metric, Registry, registry
from .selectors import Report, breakdown, level_step, period_title
from .templating import ReportTemplateError, render_docx_template, render_text, render_text_template

FORMATS = ("json", "docx", "pdf", "xlsx", "txt")
TEMPLATE_SUFFIXES = {".docx": "docx", ".txt": "txt", ".md": "md"}
CONTENT_TYPES = {
    "json": "application/json",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "txt": "text/plain; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
}
DEFAULT_TEMPLATE = DATA_DIR / "default_report.txt"
#: What the rows of a statistical table are, by the level of the region (LEVEL_STEPS).
AREA_WORDS = ("市", "县（区）", "乡镇（园区）", "村（社区）", "村（社区）")


@dataclass(frozen=True)
class Export:
    content: bytes
    filename: str
    content_type: str
    fmt: str
    #: the metric keys the file shows, for warnings and ``--strict``
    used_keys: frozenset[str]


def _stem(report: Report, what: str = "民政工作报告") -> str:
    s = report.scope
    return f"{what}-{report.region.name}-{s.start:%Y%m%d}-{s.end:%Y%m%d}"


def template_format(filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()
    if suffix not in TEMPLATE_SUFFIXES:
        raise ReportTemplateError(
            f"不支持的模板类型“{suffix or filename}”：模板须为 Word（.docx）或文本（.txt、.md）文件。"
        )
    return TEMPLATE_SUFFIXES[suffix]


def default_document(
    report: Report, *, issued_on: dt.date | None = None
) -> tuple[OfficialDocument, set[str]]:
    """The built-in report: ``data/default_report.txt`` filled in, parsed into blocks."""
    text, used = render_text(
        report, DEFAULT_TEMPLATE.read_text(encoding="utf-8"), issued_on=issued_on
    )
    return parse(text), used


def export_report(
    report: Report,
    fmt: str,
    *,
    template: bytes | None = None,
    template_name: str = "",
    issued_on: dt.date | None = None,
    reg: Registry = registry,
) -> Export:
    """The report in ``fmt``; with a template, the template filled in (its own format)."""
    if template is not None:
        tfmt = template_format(template_name)
        rendered = (
            render_docx_template(report, template, issued_on=issued_on)
            if tfmt == "docx"
            else render_text_template(report, template, issued_on=issued_on)
        )
        stem = PurePath(template_name).stem
        return Export(
            rendered.content,
            f"{stem}-{report.region.name}-{report.scope.start:%Y%m%d}-{report.scope.end:%Y%m%d}.{tfmt}",
            CONTENT_TYPES[tfmt],
            tfmt,
            rendered.used_keys,
        )
    all_keys = frozenset(report.figures)
    if fmt == "json":
        content = json.dumps(to_json(report), ensure_ascii=False, indent=2).encode() + b"\n"
        return Export(content, _stem(report) + ".json", CONTENT_TYPES[fmt], fmt, all_keys)
    if fmt == "xlsx":
        return Export(
            to_xlsx(report, reg=reg),
            _stem(report, "民政统计表") + ".xlsx",
            CONTENT_TYPES[fmt],
            fmt,
            all_keys,
        )
    if fmt in {"docx", "pdf", "txt"}:
        doc, used = default_document(report, issued_on=issued_on)
        title = "".join(doc.title)
        content = (
            to_docx(doc, title=title)
            if fmt == "docx"
            else to_pdf(doc, title=title)
            if fmt == "pdf"
            else to_text(doc)
        )
        return Export(content, _stem(report) + f".{fmt}", CONTENT_TYPES[fmt], fmt, frozenset(used))
    raise ValueError(f"unknown format {fmt!r}")


# --- JSON -----------------------------------------------------------------------------------------


def figure_json(f: Figure) -> dict[str, Any]:
    return {
        "label": f.label,
        "unit": f.unit,
        "domain": f.definition.domain,
        "status": str(f.status),
        "status_label": f.status_label,
        "value": f.json_value(),
        "text": f.text,
        "drilldown": f.has_drilldown,
    }


def to_json(report: Report) -> dict[str, Any]:
    s = report.scope
    return {
        "region": {"code": s.region.code, "name": s.region.name, "level": s.region.level},
        "period": {"from": s.start.isoformat(), "to": s.end.isoformat()},
        "generated_at": timezone.localtime(report.generated_at).isoformat(timespec="seconds"),
        "metrics": {k: figure_json(f) for k, f in report.figures.items()},
        "warnings": warnings(report),
    }


def warnings(report: Report, keys: frozenset[str] | None = None) -> list[str]:
    return [
        f"{k}（{report.figures[k].label}）未接入：报告中显示为【未接入】"
        for k in report.missing(keys)
    ]


# --- statistical tables ----------------------------------------------------------------------------


def _number_format(f: Figure) -> str:
    d = f.definition.decimals
    return "0" if d == 0 else "0." + "0" * d


def _cell_value(f: Figure) -> Any:
    if isinstance(f.value, dict) or f.value is None:
        return f.text
    return f.value


def to_xlsx(report: Report, *, reg: Registry = registry) -> bytes:
    """Areas × connected figures, plus the catalogue with every figure's status."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    s = report.scope
    metrics, rows, total = breakdown(region=s.region, start=s.start, end=s.end, reg=reg)
    area = AREA_WORDS[level_step(s.region.level)]
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "分区域统计"
    bold = Font(bold=True)
    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor="F2DCDB")
    ncols = 2 + len(metrics)
    ws.cell(
        1, 1, f"{s.region.name}{period_title(s.start, s.end)}民政统计表（按{area}）"
    ).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(ncols, 2))
    ws.cell(
        2,
        1,
        f"统计期间：{s.start.isoformat()} 至 {s.end.isoformat()}（时点数据截至期末）；"
        f"生成时间：{timezone.localtime(report.generated_at):%Y-%m-%d %H:%M}",
    )
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=max(ncols, 2))
    header = ["区划代码", "名称"] + [
        f"{m.definition.label}（{m.definition.unit}）" for m in metrics
    ]
    for c, text in enumerate(header, start=1):
        cell = ws.cell(4, c, text)
        cell.font, cell.border, cell.fill = bold, box, head_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    r = 5
    for row in [*rows, total]:
        is_total = row is total
        ws.cell(r, 1, row.region.code)
        ws.cell(r, 2, f"合计（{row.region.name}）" if is_total else row.region.name)
        for c, m in enumerate(metrics, start=3):
            f = row.figures[m.key]
            cell = ws.cell(r, c, _cell_value(f))
            cell.number_format = _number_format(f)
        for c in range(1, ncols + 1):
            ws.cell(r, c).border = box
            if is_total:
                ws.cell(r, c).font = bold
        r += 1
    ws.cell(
        r + 1,
        1,
        "说明：合计行按全域重新统计，而非各行相加（按人去重的人数、比率等不能相加）。"
        "尚未接入的指标不列入本表，见“指标目录”。",
    )
    ws.freeze_panes = "C5"
    ws.column_dimensions["A"].width = 15
    ws.column_dimensions["B"].width = 26
    for c in range(3, ncols + 1):
        ws.column_dimensions[get_column_letter(c)].width = 16
    ws.row_dimensions[4].height = 36

    cat = wb.create_sheet("指标目录")
    cat_header = ["指标键", "名称", "单位", "业务", "状态", f"{s.region.name}数值", "口径"]
    for c, text in enumerate(cat_header, start=1):
        cell = cat.cell(1, c, text)
        cell.font, cell.fill, cell.border = bold, head_fill, box
    for r, (key, f) in enumerate(report.figures.items(), start=2):
        d = f.definition
        values = [
            key,
            d.label,
            d.unit,
            reg.domains[d.domain],
            f.status_label,
            _cell_value(f),
            d.definition,
        ]
        for c, v in enumerate(values, start=1):
            cell = cat.cell(r, c, v)
            cell.border = box
        cat.cell(r, 6).number_format = _number_format(f)
    for col, width in zip("ABCDEFG", (40, 30, 8, 22, 8, 14, 70), strict=True):
        cat.column_dimensions[col].width = width
    cat.freeze_panes = "A2"

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def drilldown_xlsx(metric: Metric, rows: list[tuple[Any, ...]], *, title: str) -> bytes:
    """The records behind one figure, as a worksheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "明细"
    ws.cell(1, 1, title).font = Font(bold=True, size=13)
    columns: tuple[Column, ...] = metric.columns
    for c, col in enumerate(columns, start=1):
        ws.cell(3, c, col.label).font = Font(bold=True)
    for r, row in enumerate(rows, start=4):
        for c, v in enumerate(row, start=1):
            ws.cell(r, c, _plain_cell(v))
    ws.freeze_panes = "A4"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _plain_cell(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return timezone.localtime(v).replace(tzinfo=None) if timezone.is_aware(v) else v
    if v is None or isinstance(v, int | Decimal | str | dt.date):
        return v
    return str(v)  # e.g. a masked personal-information value
