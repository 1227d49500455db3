"""Report figures of the region tree: how many towns, villages and communities a region has.

Not figures of the work report itself, but computed from real records (the region table) for
any period and region, with their drill-down lists, like every domain figure will be. A
region counts when it is in force on the last day of the period: created on or before it
(``valid_from``) and not yet abolished (``valid_to``).
"""

from __future__ import annotations

from django.db.models import Case, CharField, Q, QuerySet, Value, When

from minzheng.reports.registry import Column, Kind, Scope, register

from .models import Region

COLUMNS = (
    Column("code", "区划代码"),
    Column("name", "名称"),
    Column("level_label", "层级"),
    Column("parent__name", "上级区划"),
    Column("valid_from", "启用日期"),
    Column("valid_to", "撤销日期"),
    Column("name_source", "名称来源"),
)


def regions_in_force(scope: Scope, *levels: str) -> QuerySet[Region]:
    """Regions of ``levels`` in the scope's subtree, in force on ``scope.end``."""
    on = scope.end
    qs = Region.objects.filter(level__in=levels).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=on),
        Q(valid_to__isnull=True) | Q(valid_to__gt=on),
    )
    return (
        scope.within(qs, via="code")
        .select_related("parent")
        .annotate(
            level_label=Case(
                *(When(level=value, then=Value(label)) for value, label in Region.Level.choices),
                output_field=CharField(),
            ),
            name_source=Case(
                When(is_synthetic=True, then=Value("演示生成")),
                default=Value("区划资料"),
                output_field=CharField(),
            ),
        )
        .order_by("code")
    )


def towns(scope: Scope) -> QuerySet[Region]:
    return regions_in_force(scope, Region.Level.TOWN, Region.Level.ZONE)


def villages(scope: Scope) -> QuerySet[Region]:
    return regions_in_force(scope, Region.Level.VILLAGE)


def communities(scope: Scope) -> QuerySet[Region]:
    return regions_in_force(scope, Region.Level.COMMUNITY)


register(
    "geo.towns",
    label="乡镇（含园区）",
    unit="个",
    kind=Kind.COUNT,
    definition="截至期末在用的乡镇、街道和开发区（园区）",
    records=towns,
    columns=COLUMNS,
)
register(
    "geo.villages",
    label="行政村",
    unit="个",
    kind=Kind.COUNT,
    definition="截至期末在用的行政村",
    records=villages,
    columns=COLUMNS,
)
register(
    "geo.communities",
    label="社区",
    unit="个",
    kind=Kind.COUNT,
    definition="截至期末在用的城市社区",
    records=communities,
    columns=COLUMNS,
)
