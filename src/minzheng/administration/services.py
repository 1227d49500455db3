"""Writes of the audit screens: the export of the trail and a chain check, both audited.

Account writes (create, deactivate, roles, unlock, TOTP …) live in ``accounts.services``.
"""

from __future__ import annotations

import io
import json

from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from minzheng.accounts.models import User
from minzheng.accounts.roles import Perm
from minzheng.accounts.scoping import require_perm
from minzheng.core import audit
from minzheng.core.exceptions import DomainError
from minzheng.core.models import AuditEvent

from .actions import action_label, roles_label
from .selectors import AuditFilter, audit_events

EXPORT_MAX_ROWS = 100_000
EXPORT_HEADERS = (
    "序号", "时间", "用户", "角色", "来源IP", "操作代码", "操作", "对象类型", "对象标识",
    "对象", "区域代码", "结果", "变更（原值→新值）", "详情",
)  # fmt: skip
EXPORT_WIDTHS = (8, 20, 14, 14, 15, 18, 18, 16, 38, 20, 13, 8, 50, 40)


def _text_cell(ws: object, value: str) -> WriteOnlyCell:
    """A cell that Excel shows as text even when it starts with "=", "+", "-" or "@"
    (so a user name or object name cannot smuggle a formula into the export)."""
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    return cell


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""


@transaction.atomic
def audit_log_export(*, actor: User, filters: AuditFilter) -> tuple[bytes, int]:
    """The filtered audit trail as an xlsx workbook; the export is itself audited (AU-5)."""
    require_perm(actor, Perm.AUDIT_VIEW)
    qs = audit_events(filters)
    total = qs.count()
    if total > EXPORT_MAX_ROWS:
        raise DomainError(
            f"符合条件的记录有 {total} 条，超过单次导出上限 {EXPORT_MAX_ROWS} 条，请缩小筛选范围"
        )
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("审计日志")
    ws.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHIJKLMN", EXPORT_WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width
    header = []
    for title in EXPORT_HEADERS:
        cell = WriteOnlyCell(ws, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    outcome_labels = dict(AuditEvent.Outcome.choices)
    for e in qs.iterator(chunk_size=2000):
        when = WriteOnlyCell(ws, value=timezone.localtime(e.occurred_at).replace(tzinfo=None))
        when.number_format = "yyyy-mm-dd hh:mm:ss"
        ws.append(
            [
                e.seq,
                when,
                _text_cell(ws, e.actor_username),
                _text_cell(ws, roles_label(e.actor_roles)),
                _text_cell(ws, e.ip),
                _text_cell(ws, e.action),
                _text_cell(ws, action_label(e.action)),
                _text_cell(ws, e.object_type),
                _text_cell(ws, e.object_id),
                _text_cell(ws, e.object_repr),
                _text_cell(ws, e.region_code),
                outcome_labels.get(e.outcome, e.outcome),
                _text_cell(ws, _json(e.changes)),
                _text_cell(ws, _json(e.detail)),
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    audit.record(
        actor=actor,
        action="audit.export",
        object_type="core.auditevent",
        object_repr=f"审计日志导出 {total} 条",
        detail={"rows": total, "filters": filters.as_detail(), "format": "xlsx"},
    )
    return buf.getvalue(), total


def audit_chain_verify(*, actor: User) -> audit.VerifyReport:
    """Recompute the SM3 chain now; the check and its result are audited."""
    require_perm(actor, Perm.AUDIT_VIEW)
    report = audit.verify()
    audit.record(
        actor=actor,
        action="audit.verify",
        object_type="core.auditevent",
        object_repr="审计链校验",
        success=report.ok,
        detail={
            "checked": report.checked,
            "first_bad_seq": report.first_bad_seq,
            "reason": report.reason,
        },
    )
    return report
