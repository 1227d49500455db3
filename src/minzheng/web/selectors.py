"""Figures for the home dashboard, each scoped to the user's region."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from minzheng.accounts.models import User
from minzheng.accounts.scoping import region_prefix
from minzheng.core.models import JobProgress
from minzheng.geo.models import Region
from minzheng.registry.metrics import registry_figures


def dashboard_figures(user: Any) -> dict[str, Any]:
    prefix = region_prefix(user)
    if prefix is None:
        return {}
    regions = Region.objects.filter(code__startswith=prefix)
    counts = dict(regions.values_list("level").annotate(n=Count("code")))
    towns = list(
        regions.filter(level__in=[Region.Level.TOWN, Region.Level.ZONE])
        .annotate(
            villages=Count("children", filter=Q(children__level=Region.Level.VILLAGE)),
            communities=Count("children", filter=Q(children__level=Region.Level.COMMUNITY)),
        )
        .order_by("code")
        .values("code", "name", "villages", "communities")
    )
    staff = User.objects.filter(is_active=True, region__code__startswith=prefix).count()
    return {
        "towns": counts.get(Region.Level.TOWN, 0) + counts.get(Region.Level.ZONE, 0),
        "villages": counts.get(Region.Level.VILLAGE, 0),
        "communities": counts.get(Region.Level.COMMUNITY, 0),
        "staff": staff,
        "registry": registry_figures(user),
        "town_rows": towns,
        "chart": {
            "towns": [t["name"] for t in towns],
            "villages": [t["villages"] for t in towns],
            "communities": [t["communities"] for t in towns],
        },
    }


def jobs_for_user(user: Any) -> QuerySet[JobProgress]:
    return JobProgress.objects.filter(owner_id=user.pk).order_by("-created_at")
