"""API: the eligibility engine's assessment (``POST /api/v1/assess``), behind log-in.

The body is the engine's input (docs/assess/assess-input.schema.json); the answer is
``{"ok": true, "decision": {...}}`` or ``{"ok": false, "errors": [...]}`` exactly as
``engine.assess`` gives it, with the county's parameters from the database.
"""

# no `from __future__ import annotations`: django-ninja reads these annotations at import
from typing import Any

from django.http import HttpRequest
from ninja import Body, Router

from minzheng.api.auth import caller
from minzheng.api.schemas import errors

from .engine import assess as engine_assess
from .workflow_selectors import parameter_table

router = Router(tags=["社会救助"])


def _county(payload: Any) -> str:
    region = payload.get("region_code") if isinstance(payload, dict) else None
    return str(region)[:6] if isinstance(region, str) else ""


@router.post(
    "/assess",
    response={200: dict[str, Any], **errors(401, 403)},
    summary="按本县救助参数核算一份申请（结论、金额与逐条说明）",
)
def assess(request: HttpRequest, payload: Body[dict[str, Any]]) -> dict[str, Any]:
    caller(request)
    return engine_assess(payload, table=parameter_table(_county(payload)))
