"""Reads of the region tree, always limited to the user's own subtree."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet

from minzheng.accounts.scoping import get_scoped, scope

from .models import Region


def region_subtree(root: Region) -> QuerySet[Region]:
    return Region.objects.filter(code__startswith=root.prefix)


def region_children(parent: Region) -> QuerySet[Region]:
    return Region.objects.filter(parent=parent).order_by("code")


def region_span(code: str) -> tuple[date | None, date | None] | None:
    """For resident-ID warnings: when an address code was valid, or None if unknown."""
    row = Region.objects.filter(code=code).values_list("valid_from", "valid_to").first()
    return None if row is None else (row[0], row[1])


def towns_under(root: Region) -> QuerySet[Region]:
    return region_subtree(root).filter(level__in=[Region.Level.TOWN, Region.Level.ZONE])


def region_choices_for_user(user: object, *, parent_code: str | None = None) -> list[Region]:
    """Regions a user may pick: the children of ``parent_code`` (default: of the user's own
    region), only inside the user's subtree. An outside parent gives nothing."""
    from minzheng.accounts.scoping import region_prefix

    prefix = region_prefix(user)
    if prefix is None:
        return []
    own = Region.objects.filter(code__startswith=prefix).order_by("code")
    if parent_code is None:
        root = own.filter(code=getattr(user, "region_id", None)).first()
        if root is None:
            return []
        return list(own.filter(parent=root))
    return list(own.filter(parent_id=parent_code))


def region_list_for_user(
    user: Any, *, level: str | None = None, parent: str | None = None
) -> QuerySet[Region]:
    """The regions of the user's own subtree (empty for users without business data)."""
    qs = scope(Region.objects.all(), user, via="code")
    if level:
        qs = qs.filter(level=level)
    if parent:
        qs = qs.filter(parent_id=parent)
    return qs.order_by("code")


def region_get_for_user(user: Any, code: str) -> Region:
    """One region of the user's subtree; outside it answers exactly like a missing code."""
    return get_scoped(Region.objects.all(), user, via="code", code=code)
