"""Reads for reports: figures for a scope, per-area breakdowns, drill-down records, and the
regions a user may report on. ``reports`` never writes business data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from minzheng.accounts.scoping import get_scoped, scope
from minzheng.geo.models import Region

from .figures import Figure, figure_from_raw, figure_not_connected
from .registry import Metric, Registry, Scope, registry

L = Region.Level
#: Region levels top-down; towns and zones, villages and communities are one step each.
LEVEL_STEPS: tuple[tuple[str, ...], ...] = (
    (L.PROVINCE,),
    (L.CITY,),
    (L.COUNTY,),
    (L.TOWN, L.ZONE),
    (L.VILLAGE, L.COMMUNITY),
)


def level_step(level: str) -> int:
    for i, levels in enumerate(LEVEL_STEPS):
        if level in levels:
            return i
    raise ValueError(level)


@dataclass
class Report:
    """Every figure for one scope, in catalogue order."""

    scope: Scope
    figures: dict[str, Figure]
    generated_at: dt.datetime = field(default_factory=timezone.now)

    @property
    def region(self) -> Region:
        return self.scope.region

    def missing(self, keys: Iterable[str] | None = None) -> list[str]:
        """Keys (all, or those of ``keys``) that no app can compute yet."""
        wanted = self.figures.keys() if keys is None else set(keys)
        return [k for k, f in self.figures.items() if k in wanted and not f.connected]

    def by_domain(self, domains: dict[str, str]) -> list[tuple[str, str, list[Figure]]]:
        groups: dict[str, list[Figure]] = {}
        for f in self.figures.values():
            groups.setdefault(f.definition.domain, []).append(f)
        return [(code, domains[code], groups[code]) for code in domains if code in groups]


def compute_figure(metric: Metric, s: Scope) -> Figure:
    if metric.compute is None:
        return figure_not_connected(metric.definition)
    return figure_from_raw(metric.definition, metric.compute(s), has_drilldown=metric.has_drilldown)


def build_report(
    *, region: Region, start: dt.date, end: dt.date, reg: Registry = registry
) -> Report:
    s = Scope(start=start, end=end, region=region)
    return Report(scope=s, figures={m.key: compute_figure(m, s) for m in reg.metrics()})


# --- breakdown by area (statistical tables) -------------------------------------------------


@dataclass(frozen=True)
class AreaRow:
    region: Region
    figures: dict[str, Figure]


def breakdown_areas(region: Region) -> QuerySet[Region]:
    """The areas one level below ``region`` (towns of a county, villages of a town)."""
    return Region.objects.filter(parent=region).order_by("code")


def breakdown(
    *, region: Region, start: dt.date, end: dt.date, reg: Registry = registry
) -> tuple[list[Metric], list[AreaRow], AreaRow]:
    """Connected figures for each area below ``region`` and for ``region`` as a whole.

    The total is computed on the whole region, not summed from the rows: figures such as
    distinct persons or shares do not add up across areas.
    """
    metrics = [m for m in reg.metrics() if m.implemented]
    rows = []
    for area in breakdown_areas(region):
        s = Scope(start=start, end=end, region=area)
        rows.append(AreaRow(area, {m.key: compute_figure(m, s) for m in metrics}))
    s = Scope(start=start, end=end, region=region)
    total = AreaRow(region, {m.key: compute_figure(m, s) for m in metrics})
    return metrics, rows, total


# --- drill-down ------------------------------------------------------------------------------


def drilldown_rows(metric: Metric, s: Scope) -> QuerySet[Any]:
    """The records behind a figure, as tuples in the order of ``metric.columns``."""
    if metric.records is None:
        raise LookupError(metric.key)
    return metric.records(s).values_list(*(c.field for c in metric.columns))


# --- regions a user may report on -------------------------------------------------------------


def region_for_user(user: Any, code: str) -> Region:
    """The region ``code`` if it lies in the user's subtree; ``NotFoundOrNotYours`` if it
    does not exist or lies elsewhere (the two look the same)."""
    return get_scoped(Region.objects.select_related("parent"), user, via="code", code=code)


def region_choices_for_user(user: Any) -> list[Region]:
    """The user's own region and the two levels below it, for the region picker."""
    if user.region is None:
        return []
    own = level_step(user.region.level)
    levels = [lv for step in LEVEL_STEPS[own : own + 3] for lv in step]
    return list(scope(Region.objects.filter(level__in=levels), user, via="code").order_by("code"))


# --- wording used by the built-in report --------------------------------------------------------

ISSUER_SUFFIX = {
    L.PROVINCE: "民政厅",
    L.CITY: "民政局",
    L.COUNTY: "民政局",
    L.TOWN: "人民政府",
    L.ZONE: "管理委员会",
    L.VILLAGE: "村民委员会",
    L.COMMUNITY: "居民委员会",
}


def chinese_date(d: dt.date) -> str:
    """``2023年9月30日``: Arabic numerals, no leading zeros (GB/T 9704 成文日期)."""
    return f"{d.year}年{d.month}月{d.day}日"


def _month_end(d: dt.date) -> bool:
    return (d + dt.timedelta(days=1)).day == 1


def period_title(start: dt.date, end: dt.date) -> str:
    """Short wording of a period for a title: ``2023年``, ``2023年1—9月``, or full dates."""
    if start.year == end.year and start.day == 1 and _month_end(end):
        if start.month == 1 and end.month == 12:
            return f"{start.year}年"
        if start.month == end.month:
            return f"{start.year}年{start.month}月"
        return f"{start.year}年{start.month}—{end.month}月"
    return f"{chinese_date(start)}至{chinese_date(end)}"


def period_text(start: dt.date, end: dt.date) -> str:
    if start.year == end.year:
        return f"{chinese_date(start)}至{end.month}月{end.day}日"
    return f"{chinese_date(start)}至{chinese_date(end)}"


def coverage_text(region: Region) -> str:
    step = level_step(region.level)
    if step <= level_step(L.COUNTY):
        return f"{region.name}及所辖各乡镇（园区）、村（社区）"
    if step == level_step(L.TOWN):
        return f"{region.name}及所辖各村（社区）"
    return region.name


def report_info(report: Report, *, issued_on: dt.date | None = None) -> dict[str, str | int]:
    """Words about the report itself, for templates (``{{ report.region_name }}`` …)."""
    region, s = report.region, report.scope
    issued = issued_on or timezone.localdate()
    return {
        "region_name": region.name,
        "region_code": region.code,
        "region_level": region.level,
        "coverage": coverage_text(region),
        "start": chinese_date(s.start),
        "end": chinese_date(s.end),
        "period": period_text(s.start, s.end),
        "period_title": period_title(s.start, s.end),
        "issuer": region.name + ISSUER_SUFFIX[L(region.level)],
        "issued_on": chinese_date(issued),
        "missing_count": len(report.missing()),
    }
