"""The metric registry: every report figure, its definition, and the code that computes it.

The catalogue (``data/catalogue.csv``) names every figure of the work report — key, Chinese
label, unit, domain, kind — whether or not any app can compute it yet. Apps plug in their
figures from their own ``metrics.py`` (autodiscovered by ``ReportsConfig.ready``)::

    from minzheng.reports.registry import Column, Scope, register

    def _villages(scope: Scope) -> QuerySet[Region]:
        return scope.within(Region.objects.filter(level="village"), via="code")

    register("geo.villages", records=_villages, columns=(Column("code", "区划代码"), ...))

``compute(scope)`` returns the raw figure (a count, integer fen, a ``Ratio`` …, see ``Kind``);
``records(scope)`` returns the queryset of the records behind it, for the drill-down list. A
count metric may give only ``records``: its value is then the number of those records, so
the figure and its drill-down can never disagree. A key of the catalogue that nobody has
registered is "not connected" (【未接入】) — never a constant.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, QuerySet

if TYPE_CHECKING:
    from minzheng.geo.models import Region

DATA_DIR = Path(__file__).resolve().parent / "data"
M = TypeVar("M", bound=Model)


class Kind(StrEnum):
    """What ``compute`` returns and how the figure is shown."""

    COUNT = "count"  # int, shown as is
    MONEY = "money"  # int fen → 万元 with 2 decimals
    COUNT_WAN = "count_wan"  # int count → 万 (万人, 万人次) with 2 decimals
    PERCENT = "percent"  # Ratio → % with 1 decimal
    MONEY_MAP = "money_map"  # Mapping[label, int fen] → {label: 万元}


DECIMALS = {Kind.COUNT: 0, Kind.MONEY: 2, Kind.COUNT_WAN: 2, Kind.PERCENT: 1, Kind.MONEY_MAP: 2}


@dataclass(frozen=True)
class Ratio:
    """A share as two whole numbers, so the percentage is computed exactly."""

    numerator: int
    denominator: int


@dataclass(frozen=True)
class Scope:
    """What a figure covers: the period ``[start, end]`` (inclusive; "as of" figures are
    taken at ``end``) and a region with its whole subtree (a region-code prefix)."""

    start: date
    end: date
    region: Region

    @property
    def prefix(self) -> str:
        return self.region.prefix

    def within(self, qs: QuerySet[M], *, via: str = "region_id") -> QuerySet[M]:
        """Rows whose region code (column ``via``) lies in the scope's subtree."""
        return qs.filter(**{f"{via}__startswith": self.prefix})


@dataclass(frozen=True)
class Column:
    """One column of a drill-down list: a ``values_list`` path and its Chinese heading."""

    field: str
    label: str


@dataclass(frozen=True)
class Definition:
    key: str
    label: str
    unit: str
    domain: str
    kind: Kind
    definition: str = ""
    in_catalogue: bool = False

    @property
    def decimals(self) -> int:
        return DECIMALS[self.kind]


@dataclass(frozen=True)
class Metric:
    definition: Definition
    compute: Callable[[Scope], Any] | None = None
    records: Callable[[Scope], QuerySet[Any]] | None = None
    columns: tuple[Column, ...] = ()

    @property
    def key(self) -> str:
        return self.definition.key

    @property
    def implemented(self) -> bool:
        return self.compute is not None

    @property
    def has_drilldown(self) -> bool:
        return self.records is not None


def load_domains() -> dict[str, str]:
    with (DATA_DIR / "domains.csv").open(encoding="utf-8") as f:
        return {r["code"]: r["label"] for r in csv.DictReader(f)}


def load_catalogue() -> list[Definition]:
    """Every figure of the work report (``docs`` work-report-metrics), as data."""
    domains = load_domains()
    out: list[Definition] = []
    with (DATA_DIR / "catalogue.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["domain"] not in domains:
                raise ImproperlyConfigured(f"catalogue: unknown domain {r['domain']!r}")
            if not r["key"].startswith(r["domain"] + "."):
                raise ImproperlyConfigured(f"catalogue: {r['key']} is not under {r['domain']}")
            out.append(
                Definition(
                    key=r["key"],
                    label=r["label"],
                    unit=r["unit"],
                    domain=r["domain"],
                    kind=Kind(r["kind"]),
                    definition=r["definition"],
                    in_catalogue=True,
                )
            )
    return out


@dataclass
class Registry:
    catalogue: list[Definition]
    domains: dict[str, str]
    _metrics: dict[str, Metric] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for d in self.catalogue:
            if d.key in self._metrics:
                raise ImproperlyConfigured(f"catalogue lists {d.key} twice")
            self._metrics[d.key] = Metric(definition=d)

    def register(
        self,
        key: str,
        *,
        compute: Callable[[Scope], Any] | None = None,
        records: Callable[[Scope], QuerySet[Any]] | None = None,
        columns: tuple[Column, ...] = (),
        label: str | None = None,
        unit: str | None = None,
        kind: Kind | None = None,
        definition: str = "",
    ) -> Metric:
        """Plug in the code of one figure. A catalogue key keeps its catalogue label, unit
        and kind (given ones must agree); a key outside the catalogue must give all three."""
        current = self._metrics.get(key)
        if current is not None and current.implemented:
            raise ImproperlyConfigured(f"metric {key} is registered twice")
        domain = key.split(".", 1)[0]
        if "." not in key or domain not in self.domains:
            raise ImproperlyConfigured(
                f"metric {key}: a key is <domain>.<name> with a domain of domains.csv"
            )
        if current is not None:
            d = current.definition
            for name, given, known in (("label", label, d.label), ("unit", unit, d.unit)):
                if given is not None and given != known:
                    raise ImproperlyConfigured(
                        f"metric {key}: {name} {given!r} differs from the catalogue's {known!r}"
                    )
            if kind is not None and kind != d.kind:
                raise ImproperlyConfigured(
                    f"metric {key}: kind {kind} differs from the catalogue's {d.kind}"
                )
        else:
            if label is None or unit is None or kind is None:
                raise ImproperlyConfigured(
                    f"metric {key} is not in the catalogue: give its label, unit and kind"
                )
            d = Definition(key, label, unit, domain, kind, definition)
        if compute is None:
            if records is None or d.kind != Kind.COUNT:
                raise ImproperlyConfigured(
                    f"metric {key}: give compute, or records for a count metric"
                )
            compute = _count_of(records)
        if records is not None and not columns:
            raise ImproperlyConfigured(f"metric {key}: a drill-down needs its columns")
        metric = Metric(definition=d, compute=compute, records=records, columns=columns)
        self._metrics[key] = metric
        return metric

    def get(self, key: str) -> Metric:
        return self._metrics[key]

    def __contains__(self, key: str) -> bool:
        return key in self._metrics

    def metrics(self) -> list[Metric]:
        """Catalogue figures in catalogue order, then the others by domain, each domain's in
        the order its module registered them."""
        order = {code: i for i, code in enumerate(self.domains)}
        rest = sorted(
            (m for m in self._metrics.values() if not m.definition.in_catalogue),
            key=lambda m: order[m.definition.domain],
        )
        return [self._metrics[d.key] for d in self.catalogue] + rest

    @contextmanager
    def temporarily(self) -> Iterator[Registry]:
        """For tests: registrations made inside the block are undone after it."""
        saved = dict(self._metrics)
        try:
            yield self
        finally:
            self._metrics = saved


def _count_of(records: Callable[[Scope], QuerySet[Any]]) -> Callable[[Scope], int]:
    def count(scope: Scope) -> int:
        return records(scope).count()

    return count


registry = Registry(catalogue=load_catalogue(), domains=load_domains())
register = registry.register
