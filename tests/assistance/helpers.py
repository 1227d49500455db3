"""Builders for assessment payloads, and a runner that returns the typed decision.

No database: the engine is pure, so these tests need no ``db`` fixture.
"""

from __future__ import annotations

from typing import Any

from minzheng.assistance.decision import Decision, RuleLine
from minzheng.assistance.engine import decide
from minzheng.assistance.inputs import parse_application
from minzheng.assistance.parameters import default_table

DANGTU = "340521"
TOWN = "340521104"
DAY = "2026-03-10"


def person(relation: str = "self", birth: str = "1970-01-01", **kw: Any) -> dict[str, Any]:
    return {"relation": relation, "birth_date": birth, **kw}


def wage(fen: int, months: int = 1) -> dict[str, Any]:
    return {"type": "wage", "amount_fen": fen, "months": months}


def income(kind: str, fen: int, months: int = 1, **kw: Any) -> dict[str, Any]:
    return {"type": kind, "amount_fen": fen, "months": months, **kw}


def application(
    programme: str = "dibao",
    members: list[dict[str, Any]] | None = None,
    *,
    day: str = DAY,
    area: str = "rural",
    **kw: Any,
) -> dict[str, Any]:
    return {
        "programme": programme,
        "application_date": day,
        "region_code": TOWN,
        "area": area,
        "members": members if members is not None else [person()],
        **kw,
    }


def run(payload: dict[str, Any]) -> Decision:
    app = parse_application(payload)
    snapshot = default_table(DANGTU).snapshot(app.application_date, app.parameter_overrides)
    return decide(app, snapshot)


def lines(decision: Decision, rule: str) -> list[RuleLine]:
    """The lines whose rule id starts with ``rule``."""
    return [line for line in decision.lines if line.rule.startswith(rule)]


def line(decision: Decision, rule: str) -> RuleLine:
    found = lines(decision, rule)
    assert len(found) == 1, [f"{x.rule}: {x.text}" for x in decision.lines]
    return found[0]


def step(decision: Decision, label_start: str) -> tuple[str, int]:
    found = [s for s in decision.arithmetic if s.label == label_start] or [
        s for s in decision.arithmetic if s.label.startswith(label_start)
    ]
    assert len(found) == 1, [s.label for s in decision.arithmetic]
    return found[0].formula, found[0].result_fen
