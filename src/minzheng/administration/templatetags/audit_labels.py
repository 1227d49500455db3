import json

from django import template
from django.utils.translation import gettext

from minzheng.administration.actions import action_label as _action_label
from minzheng.administration.actions import roles_label as _roles_label

register = template.Library()


@register.filter
def action_label(code: str) -> str:
    """The Chinese name of an audited action code."""
    return _action_label(code)


@register.filter
def roles_label(codes: str) -> str:
    """Stored role codes ("a,b") → Chinese role names."""
    return _roles_label(codes)


@register.filter
def audit_value(value: object) -> str:
    """One old or new value of an audit record, readable: 是/否, lists joined, （空）."""
    if value is None or value == "" or value == []:
        return gettext("（空）")
    if value is True:
        return gettext("是")
    if value is False:
        return gettext("否")
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)
