"""The output of an assessment: a verdict, an amount, and every rule line that led there.

Rules append ``RuleLine``s to a ``Trace`` as they go — one per condition checked, each with the
rule id, the article it encodes, the outcome, the numbers used and a plain-Chinese sentence —
and ``Step``s for the arithmetic of the amount. ``Trace.decision`` turns them into the
``Decision``: eligible when no line failed, needs_review when a line could not be decided by
rule (a missing local parameter, a case the rules leave to the officer), ineligible otherwise.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .inputs import FieldError

Outcome = Literal["passed", "failed", "info", "review"]
Verdict = Literal["eligible", "ineligible", "needs_review"]
Value = int | str | bool | None


class RuleLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    rule: str = Field(description="规则编号，如 dibao.income")
    article: str = Field(description="依据条文")
    outcome: Outcome = Field(
        description="passed 符合 / failed 不符合 / info 说明 / review 需人工判定"
    )
    text: str = Field(description="中文说明")
    values: dict[str, Value] = Field(default_factory=dict, description="所用数值（金额为分）")


class Step(BaseModel):
    model_config = ConfigDict(frozen=True)

    label: str
    formula: str = Field(description="算式（元）")
    result_fen: int


class ParameterInfo(BaseModel):
    county_code: str
    as_of: date
    status: str
    source: str


class Decision(BaseModel):
    programme: str
    programme_name: str
    verdict: Verdict
    summary: str = Field(description="一句话结论")
    category: str | None = Field(default=None, description="认定类别，如 全护理、集中养育")
    amount_fen: int = Field(ge=0, description="金额（分）")
    amount_period: Literal["month", "once", "none"]
    amount_text: str
    reasons: list[str] = Field(description="不符合或需人工判定的原因")
    lines: list[RuleLine]
    arithmetic: list[Step]
    notes: list[str] = Field(default_factory=list, description="后续事项提示")
    parameters: ParameterInfo


class AssessResult(BaseModel):
    ok: bool
    decision: Decision | None = None
    errors: list[FieldError] | None = None


class Trace:
    """Collects the lines and steps of one decision."""

    def __init__(self) -> None:
        self.lines: list[RuleLine] = []
        self.steps: list[Step] = []
        self.notes: list[str] = []

    def add(self, outcome: Outcome, rule: str, article: str, text: str, **values: Value) -> bool:
        self.lines.append(
            RuleLine(rule=rule, article=article, outcome=outcome, text=text, values=values)
        )
        return outcome != "failed"

    def check(self, ok: bool, rule: str, article: str, yes: str, no: str, **values: Value) -> bool:
        """A condition: a passed line with ``yes`` or a failed line with ``no``."""
        return self.add("passed" if ok else "failed", rule, article, yes if ok else no, **values)

    def info(self, rule: str, article: str, text: str, **values: Value) -> None:
        self.add("info", rule, article, text, **values)

    def review(self, rule: str, article: str, text: str, **values: Value) -> None:
        self.add("review", rule, article, text, **values)

    def step(self, label: str, formula: str, result_fen: int) -> int:
        self.steps.append(Step(label=label, formula=formula, result_fen=result_fen))
        return result_fen

    @property
    def failed(self) -> bool:
        return any(line.outcome == "failed" for line in self.lines)

    @property
    def undecided(self) -> bool:
        return any(line.outcome == "review" for line in self.lines)

    def verdict(self) -> Verdict:
        if self.failed:
            return "ineligible"
        if self.undecided:
            return "needs_review"
        return "eligible"

    def reasons(self) -> list[str]:
        return [line.text for line in self.lines if line.outcome in {"failed", "review"}]


class Award(BaseModel):
    """What a rule module returns: the amount and how to describe an eligible result."""

    model_config = ConfigDict(frozen=True)

    amount_fen: int = 0
    period: Literal["month", "once", "none"] = "none"
    category: str | None = None
    summary: str = ""
