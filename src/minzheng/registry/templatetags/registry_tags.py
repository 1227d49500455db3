"""Display helpers for registry pages: money in yuan, code-table labels."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext

from minzheng.registry import codes

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """12345 → 123.45元 (“123.45 yuan” in English); the history and exports keep ``fen_text``."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return gettext("%(amount)s元") % {"amount": f"{sign}{whole:,}.{cents:02d}"}


@register.filter
def code_label(code: str | None, table: str) -> str:
    """The Chinese label of a national standard code: ``{{ p.sex|code_label:"sex" }}``."""
    return codes.label(table, code)
