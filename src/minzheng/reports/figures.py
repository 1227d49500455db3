"""From a metric's raw value to the figure shown in reports: exact, with fixed decimals.

Money is integer fen in the ledgers and 万元 with 2 decimals in reports; shares are
percentages with 1 decimal. Every conversion is integer arithmetic with one rounding
(half away from zero), so no binary floating point ever touches a figure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from .registry import Definition, Kind, Ratio

NOT_CONNECTED = "【未接入】"
NO_BASE = "—"

FEN_PER_WAN = 1_000_000  # 1 万元 = 10 000 元 = 1 000 000 分


class Status(StrEnum):
    OK = "ok"
    NOT_CONNECTED = "not_connected"
    NO_BASE = "no_base"  # a share whose denominator is zero


STATUS_LABELS = {Status.OK: "已接入", Status.NOT_CONNECTED: "未接入", Status.NO_BASE: "无基数"}

Value = int | Decimal | dict[str, Decimal] | None


def divide_rounded(numerator: int, denominator: int, decimals: int) -> Decimal:
    """``numerator / denominator`` rounded half away from zero to ``decimals`` places."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    scaled = abs(numerator) * 10**decimals
    q, r = divmod(scaled, denominator)
    if 2 * r >= denominator:
        q += 1
    sign = -1 if numerator < 0 else 1
    return Decimal(sign * q).scaleb(-decimals)


def fen_to_wan(fen: int) -> Decimal:
    return divide_rounded(_whole(fen), FEN_PER_WAN, 2)


def count_to_wan(count: int) -> Decimal:
    return divide_rounded(_whole(count), 10_000, 2)


def ratio_to_percent(ratio: Ratio) -> Decimal | None:
    if ratio.denominator == 0:
        return None
    return divide_rounded(_whole(ratio.numerator) * 100, _whole(ratio.denominator), 1)


def _whole(n: Any) -> int:
    # bool is an int subclass but never a figure; floats would bring rounding errors
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"a figure is computed from whole numbers, not {type(n).__name__}")
    return n


def convert(kind: Kind, raw: Any) -> Value:
    if kind == Kind.COUNT:
        return _whole(raw)
    if kind == Kind.MONEY:
        return fen_to_wan(raw)
    if kind == Kind.COUNT_WAN:
        return count_to_wan(raw)
    if kind == Kind.PERCENT:
        if not isinstance(raw, Ratio):
            raise TypeError("a percent metric returns a Ratio")
        return ratio_to_percent(raw)
    if kind == Kind.MONEY_MAP:
        if not isinstance(raw, Mapping):
            raise TypeError("a money_map metric returns a mapping of label to fen")
        return {str(k): fen_to_wan(v) for k, v in raw.items()}
    raise ValueError(kind)


def display(kind: Kind, unit: str, value: Value) -> str:
    """The figure as written in a report sentence (without its unit)."""
    if value is None:
        return NO_BASE
    if isinstance(value, dict):
        return "、".join(f"{k}{v}{unit}" for k, v in value.items()) or "无"
    return str(value)


@dataclass(frozen=True)
class Figure:
    """One metric for one scope, ready to be shown."""

    definition: Definition
    status: Status
    value: Value
    text: str
    has_drilldown: bool = False

    @property
    def key(self) -> str:
        return self.definition.key

    @property
    def label(self) -> str:
        return self.definition.label

    @property
    def unit(self) -> str:
        return self.definition.unit

    @property
    def connected(self) -> bool:
        return self.status != Status.NOT_CONNECTED

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def with_unit(self) -> str:
        """``12.34万元``; a mapping or a missing figure carries no unit of its own."""
        if self.status != Status.OK or isinstance(self.value, dict):
            return self.text
        return f"{self.text}{self.unit}"

    def json_value(self) -> Any:
        """Decimals as strings, so JSON keeps them exact."""
        if isinstance(self.value, Decimal):
            return str(self.value)
        if isinstance(self.value, dict):
            return {k: str(v) for k, v in self.value.items()}
        return self.value


def figure_not_connected(definition: Definition) -> Figure:
    return Figure(definition, Status.NOT_CONNECTED, None, NOT_CONNECTED)


def figure_from_raw(definition: Definition, raw: Any, *, has_drilldown: bool) -> Figure:
    value = convert(definition.kind, raw)
    status = Status.NO_BASE if value is None else Status.OK
    return Figure(
        definition, status, value, display(definition.kind, definition.unit, value), has_drilldown
    )
