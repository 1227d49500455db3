from __future__ import annotations

from datetime import date
from typing import Any

from django import template
from django.utils.translation import gettext

from minzheng.assistance.money import yuan as _yuan

register = template.Library()


@register.filter
def yuan(fen: Any) -> str:
    """Integer fen as 元 with two decimals and thousands separators: 123456 → 1,234.56."""
    if fen is None or fen == "":
        return "—"
    text = _yuan(int(fen))
    sign = "-" if text.startswith("-") else ""
    whole, cents = text.lstrip("-").split(".")
    return f"{sign}{int(whole):,}.{cents}"


@register.filter
def ym(value: Any) -> str:
    """A month (date or ISO text) as 2024年07月."""
    if isinstance(value, str) and len(value) >= 7:
        return gettext("%(year)s年%(month)s月") % {"year": value[:4], "month": value[5:7]}
    if isinstance(value, date):
        return gettext("%(year)s年%(month)s月") % {"year": f"{value:%Y}", "month": f"{value:%m}"}
    return "—"


@register.filter
def programme(code: str) -> str:
    from minzheng.payments.selectors import programme_label

    return programme_label(code)
