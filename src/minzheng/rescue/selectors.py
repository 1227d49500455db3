"""Reads of the rescue station, scoped to the user's region; the spending figure for reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from minzheng.accounts.scoping import get_scoped, scope

from .models import FollowUpVisit, RescueCase, RescueService

PAGE_SIZE = 20
SORTS = {
    "-received": ("-received_on", "-id"),
    "received": ("received_on", "id"),
    "-spent": ("-spent_fen", "-id"),
    "region": ("region_id", "-received_on"),
}


def rescue_spending_fen(start: dt.date, end: dt.date, region_prefix: str) -> int:
    """Money spent on services given in ``[start, end]`` (inclusive) in cases found in the
    region subtree ``region_prefix``, in fen. For ``assistance.funds_by_program_wan``."""
    total = RescueService.objects.filter(
        provided_on__gte=start,
        provided_on__lte=end,
        case__region__code__startswith=region_prefix,
    ).aggregate(total=Sum("amount_fen"))["total"]
    return int(total or 0)


def services_in_period(start: dt.date, end: dt.date, region_prefix: str) -> QuerySet[RescueService]:
    return (
        RescueService.objects.filter(
            provided_on__gte=start,
            provided_on__lte=end,
            case__region__code__startswith=region_prefix,
        )
        .select_related("case__region")
        .order_by("provided_on", "id")
    )


def cases_for_user(
    user: Any,
    *,
    status: str = "",
    identity: str = "",
    start: dt.date | None = None,
    end: dt.date | None = None,
    q: str = "",
    sort: str = "-received",
) -> QuerySet[RescueCase]:
    qs = scope(RescueCase.objects.all(), user, via="region__code")
    if status:
        qs = qs.filter(status=status)
    if identity:
        qs = qs.filter(identity=identity)
    if start:
        qs = qs.filter(received_on__gte=start)
    if end:
        qs = qs.filter(received_on__lte=end)
    if q:
        qs = qs.filter(
            Q(person__name__contains=q)
            | Q(stated_name__contains=q)
            | Q(case_number__icontains=q)
            | Q(found_place__contains=q)
        )
    # subqueries, not joins: a join of services and visits would multiply the sums
    spent = (
        RescueService.objects.filter(case=OuterRef("pk"))
        .values("case")
        .annotate(total=Sum("amount_fen"))
        .values("total")
    )
    visits = (
        FollowUpVisit.objects.filter(case=OuterRef("pk"))
        .values("case")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        qs.select_related("person", "region__parent")
        .annotate(
            spent_fen=Coalesce(Subquery(spent, output_field=IntegerField()), 0),
            n_visits=Coalesce(Subquery(visits, output_field=IntegerField()), 0),
        )
        .order_by(*SORTS.get(sort, SORTS["-received"]))
    )


def cases_total_fen(cases: QuerySet[RescueCase]) -> int:
    """Money spent on the cases of a (filtered) list, all services whatever their date."""
    total = RescueService.objects.filter(case__in=cases.values("pk")).aggregate(
        total=Sum("amount_fen")
    )["total"]
    return int(total or 0)


def case_for_user(user: Any, public_id: Any) -> RescueCase:
    return get_scoped(
        RescueCase.objects.select_related("person__region", "region__parent", "created_by"),
        user,
        via="region__code",
        public_id=public_id,
    )


def case_totals(case: RescueCase) -> dict[str, Any]:
    """Spending of one case, in all and by service item."""
    by_kind = {
        row["kind"]: row["total"]
        for row in case.services.values("kind").annotate(total=Sum("amount_fen"))
    }
    labels = dict(RescueService.Kind.choices)
    return {
        "total_fen": sum(by_kind.values()),
        "by_kind": [(labels[k], v) for k, v in sorted(by_kind.items(), key=lambda kv: -kv[1])],
    }
