"""Report figures of social assistance: 低保 households and persons, 特困 persons (as of the
end of the period), each with its drill-down list of enrollments.

An enrollment counts at ``scope.end`` when it has started (``start_month`` ≤ the month of the
end) and has not ended before that month; 低保边缘 and other programmes are not counted.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Case, CharField, Q, QuerySet, Sum, Value, When

from minzheng.reports.registry import Column, Kind, Scope, register

from .inputs import LABELS
from .models import Enrollment, Programme
from .selectors import month_start

COLUMNS = (
    Column("payee__name", "保障对象（户主）"),
    Column("region__parent__name", "乡镇"),
    Column("region__name", "村（社区）"),
    Column("variant_label", "类别"),
    Column("covered_persons", "保障人数"),
    Column("start_month", "起始月份"),
)


def open_enrollments(scope: Scope, programme: str) -> QuerySet[Enrollment]:
    """Enrollments of ``programme`` in the scope's subtree that are open in the month of
    ``scope.end``."""
    m = month_start(scope.end)
    qs = Enrollment.objects.filter(programme=programme, start_month__lte=m).filter(
        Q(end_month__isnull=True) | Q(end_month__gte=m)
    )
    labels = {**LABELS["area"], **LABELS["care_mode"]}
    return (
        scope.within(qs, via="region__code")
        .select_related("payee", "region__parent")
        .annotate(
            variant_label=Case(
                *(When(variant=k, then=Value(v)) for k, v in labels.items()),
                default=Value("—"),
                output_field=CharField(),
            )
        )
        .order_by("region_id", "id")
    )


def dibao_households(scope: Scope) -> QuerySet[Enrollment]:
    return open_enrollments(scope, Programme.DIBAO)


def dibao_persons(scope: Scope) -> int:
    total = dibao_households(scope).aggregate(n=Sum("covered_persons"))["n"]
    return int(total or 0)


def tekun_persons(scope: Scope) -> QuerySet[Enrollment]:
    return open_enrollments(scope, Programme.TEKUN)


register("assistance.dibao_households", records=dibao_households, columns=COLUMNS)
register(
    "assistance.dibao_persons", compute=dibao_persons, records=dibao_households, columns=COLUMNS
)
register("assistance.tekun_persons", records=tekun_persons, columns=COLUMNS)


def _tekun_mode(mode: str) -> Callable[[Scope], QuerySet[Enrollment]]:
    def records(scope: Scope) -> QuerySet[Enrollment]:
        return tekun_persons(scope).filter(variant=mode)

    return records


for _mode, _label in LABELS["care_mode"].items():
    register(
        f"assistance.tekun_{_mode}_persons",
        label=f"{_label}特困人员",
        unit="人",
        kind=Kind.COUNT,
        definition=f"截至期末在册的{_label}特困人员",
        records=_tekun_mode(_mode),
        columns=COLUMNS,
    )
