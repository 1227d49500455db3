"""The eligibility engine: ``decide`` (pure) and ``assess`` (validate, look up parameters, decide).

``decide(application, snapshot)`` needs no database: the caller passes the application (built
from a payload or from the registry) and the parameter snapshot in force. ``assess(payload)``
is what the command and the API call: it returns a JSON-ready dict, either
``{"ok": true, "decision": {...}}`` or ``{"ok": false, "errors": [{"field", "message"}]}``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .decision import AssessResult, Award, Decision, ParameterInfo, Trace
from .inputs import LABELS, Application, FieldError, InputError, parse_application
from .money import yuan
from .parameters import ParameterError, Parameters, ParameterSnapshot, ParameterTable, default_table
from .rules.children import decide_de_facto_orphan, decide_orphan
from .rules.dibao import decide_dibao, decide_dibao_edge, decide_rigid_expense
from .rules.disability import decide_care_subsidy, decide_living_subsidy
from .rules.gaoling import decide_gaoling
from .rules.tekun import decide_tekun
from .rules.temporary import decide_temporary

Rule = Callable[[Application, Parameters, Trace], Award]

RULES: dict[str, Rule] = {
    "dibao": decide_dibao,
    "dibao_edge": decide_dibao_edge,
    "rigid_expense": decide_rigid_expense,
    "tekun": decide_tekun,
    "temporary_assistance": decide_temporary,
    "orphan": decide_orphan,
    "de_facto_orphan": decide_de_facto_orphan,
    "disability_living_subsidy": decide_living_subsidy,
    "disability_care_subsidy": decide_care_subsidy,
    "gaoling": decide_gaoling,
}


def _amount_text(amount: int, period: str) -> str:
    if period == "month":
        return f"{yuan(amount)} 元/月"
    if period == "once":
        return f"一次性 {yuan(amount)} 元"
    return "不发放现金（资格认定）"


def decide(app: Application, snapshot: ParameterSnapshot) -> Decision:
    trace = Trace()
    award = RULES[app.programme](app, snapshot.values, trace)
    verdict = trace.verdict()
    name = LABELS["programme"][app.programme]
    reasons = trace.reasons()
    if verdict == "eligible":
        summary = award.summary
        amount = award.amount_fen
    elif verdict == "needs_review":
        summary = f"{name}：需人工判定——{reasons[0]}"
        amount = award.amount_fen
    else:
        summary = f"不符合{name}条件：{reasons[0]}"
        amount = 0
    period = award.period if verdict != "ineligible" else "none"
    return Decision(
        programme=app.programme,
        programme_name=name,
        verdict=verdict,
        summary=summary,
        category=award.category if verdict != "ineligible" else None,
        amount_fen=amount,
        amount_period=period,
        amount_text=_amount_text(amount, period) if verdict != "ineligible" else "不予发放",
        reasons=reasons,
        lines=trace.lines,
        arithmetic=trace.steps,
        notes=trace.notes,
        parameters=ParameterInfo(
            county_code=snapshot.county_code,
            as_of=snapshot.as_of,
            status=snapshot.status,
            source=snapshot.source,
        ),
    )


def _error(field: str, message: str) -> dict[str, Any]:
    result = AssessResult(ok=False, errors=[FieldError(field=field, message=message)])
    return result.model_dump(mode="json", exclude_none=True)


def assess(payload: Any, *, table: ParameterTable | None = None) -> dict[str, Any]:
    """Validate ``payload``, take the county's parameters for its date, decide; JSON-ready."""
    try:
        app = parse_application(payload)
    except InputError as exc:
        return AssessResult(ok=False, errors=exc.errors).model_dump(mode="json", exclude_none=True)
    try:
        table = table or default_table(app.county_code)
        if table.county_code != app.county_code:
            return _error("region_code", f"参数表属于 {table.county_code}，与申请地不符")
        snapshot = table.snapshot(app.application_date, app.parameter_overrides)
    except ParameterError as exc:
        field = exc.field or "region_code"
        if app.parameter_overrides and field in app.parameter_overrides:
            field = f"parameter_overrides.{field}"
        return _error(field, exc.message)
    decision = decide(app, snapshot)
    return AssessResult(ok=True, decision=decision).model_dump(mode="json", exclude_none=True)
