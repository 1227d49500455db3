"""Money in integer fen (分), exact fractions in between, and the documented rounding.

Amounts are whole fen at the edges (input, parameters, output). Intermediate values that can
carry a fraction of a fen — a monthly average of a yearly income, a per-capita figure, a rate
times a wage — are ``Fraction``; they are rounded once, where a payable amount is fixed, by
``round_money`` (half-up to the configured unit: 1 fen by default, 100 for whole 元).
Comparisons against a standard use the exact value, never a rounded one.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

Number = int | Fraction


def fraction(value: int | str | Decimal | Fraction) -> Fraction:
    """An exact fraction from an int, a decimal string such as ``"1.5"`` or a Decimal."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    return Fraction(Decimal(value))


def round_half_up(value: Number, unit: int = 1) -> int:
    """Round a non-negative or negative amount of fen half away from zero to a multiple of unit."""
    if unit < 1:
        raise ValueError("rounding unit must be at least 1 fen")
    q = Fraction(value) / unit
    sign = -1 if q < 0 else 1
    q = abs(q)
    whole = q.numerator // q.denominator
    if q - whole >= Fraction(1, 2):
        whole += 1
    return sign * whole * unit


def ceil_to(value: Number, unit: int) -> int:
    """The smallest multiple of ``unit`` fen that is not below ``value``."""
    q = Fraction(value) / unit
    whole = -((-q.numerator) // q.denominator)
    return whole * unit


def yuan(value: Number) -> str:
    """Fen shown as 元 with two decimals (``62000`` → ``"620.00"``); fractions rounded half-up."""
    fen = round_half_up(value)
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def rate_text(rate: Fraction) -> str:
    """A rate as a plain decimal (``Fraction(7, 20)`` → ``"0.35"``), or a percentage-free number."""
    d = Decimal(rate.numerator) / Decimal(rate.denominator)
    text = format(d.normalize(), "f")
    return text


def percent_text(rate: Fraction) -> str:
    d = Decimal(rate.numerator * 100) / Decimal(rate.denominator)
    return format(d.normalize(), "f") + "%"
