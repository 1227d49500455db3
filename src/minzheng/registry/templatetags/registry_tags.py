"""Display helpers for registry pages: money in yuan, code-table labels."""

from __future__ import annotations

from django import template

from minzheng.registry import codes
from minzheng.registry.services import fen_text

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """12345 → 123.45元."""
    return fen_text(fen)


@register.filter
def code_label(code: str | None, table: str) -> str:
    """The Chinese label of a national standard code: ``{{ p.sex|code_label:"sex" }}``."""
    return codes.label(table, code)
