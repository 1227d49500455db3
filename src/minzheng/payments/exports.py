"""The runs list as a spreadsheet (xlsx or csv), audited like every export."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook

from minzheng.accounts.roles import Perm
from minzheng.accounts.scoping import require_perm
from minzheng.assistance.money import yuan
from minzheng.core import audit
from minzheng.core.exceptions import DomainError

from . import bankfiles
from .models import PaymentRun

EXPORT_MAX_ROWS = 20_000
HEADERS = ["发放月份", "项目", "区域", "状态", "笔数", "金额（元）", "制单人", "生成时间"]


def runs_export(*, actor: Any, runs: QuerySet[PaymentRun], fmt: str) -> tuple[bytes, str, str]:
    require_perm(actor, Perm.EXPORT)
    if fmt not in ("xlsx", "csv"):
        raise DomainError("导出格式只能是 xlsx 或 csv")
    total = runs.count()
    if total > EXPORT_MAX_ROWS:
        raise DomainError(f"符合条件的批次有 {total} 个，超过单次导出上限，请缩小筛选范围")
    rows = [
        [
            f"{r.month:%Y-%m}",
            r.programme_label,
            r.region.name,
            r.get_status_display(),
            r.line_count,
            yuan(r.total_fen),
            r.prepared_by.full_name or r.prepared_by.username,
            timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
        ]
        for r in runs
    ]
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(HEADERS)
        w.writerows(rows)
        content, ctype = buf.getvalue().encode("utf-8-sig"), bankfiles.CSV_TYPE
    else:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("发放批次")
        ws.append(HEADERS)
        for row in rows:
            ws.append(row)
        out = io.BytesIO()
        wb.save(out)
        content, ctype = out.getvalue(), bankfiles.XLSX_TYPE
    audit.record(
        actor=actor,
        action="payments.runs_export",
        object_type="payments.paymentrun",
        detail={"rows": len(rows), "format": fmt},
    )
    return content, f"发放批次-{timezone.localdate():%Y%m%d}.{fmt}", ctype
