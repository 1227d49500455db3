"""The one kind of write ``reports`` does: the audit record of every report download
(AU-1: export and download of data are audited), and of every refused one."""

from __future__ import annotations

from typing import Any

from minzheng.core import audit
from minzheng.core.models import AuditEvent

from .exports import Export
from .registry import Scope

ACTION_EXPORT = "report.export"


def report_export_audit(
    *,
    actor: Any,
    scope: Scope,
    export: Export,
    not_connected: int = 0,
    template_name: str = "",
    metric: str = "",
    username: str = "",
) -> AuditEvent:
    """Record one download (web) or file written (command line) of report data."""
    return audit.record(
        actor=actor,
        username=username,
        action=ACTION_EXPORT,
        object_type="report",
        object_id=scope.region.code,
        object_repr=f"{scope.region.name} {scope.start.isoformat()}至{scope.end.isoformat()}",
        region_code=scope.region.code,
        detail={
            "format": export.fmt,
            "from": scope.start.isoformat(),
            "to": scope.end.isoformat(),
            "filename": export.filename,
            "template": template_name,
            "metric": metric,
            "bytes": len(export.content),
            "not_connected": not_connected,
        },
    )


def report_export_refused(
    *, actor: Any, region_code: str, fmt: str, reason: str, template_name: str = ""
) -> AuditEvent:
    """Record a refused download: a region outside the user's subtree, a bad template."""
    return audit.record_failure(
        actor=actor,
        action=ACTION_EXPORT,
        object_type="report",
        object_id=region_code[:64],
        region_code=region_code[:12],
        detail={"format": fmt, "reason": reason, "template": template_name},
    )
