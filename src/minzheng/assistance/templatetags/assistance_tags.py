"""Template filters of the assistance pages."""

from __future__ import annotations

from django import template

from minzheng.assistance.workflow_selectors import UNCONFIRMED

register = template.Library()


@register.filter
def unconfirmed(status: str) -> bool:
    """The parameter table a decision used was not yet confirmed by the bureau."""
    return status == UNCONFIRMED
