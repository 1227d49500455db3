"""Figures for the home dashboard, each scoped to the user's region."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Case, CharField, Count, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Cast, Substr

from minzheng.accounts.models import User
from minzheng.accounts.scoping import region_prefix, scope
from minzheng.assistance.models import RECOGNITION_ONLY, Enrollment, Programme
from minzheng.core.models import JobProgress
from minzheng.geo.models import Region
from minzheng.payments.models import LedgerEntry
from minzheng.payments.payroll import add_months
from minzheng.payments.selectors import DISBURSED, programme_label
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


# --- assistance: recipients and money for a period ------------------------------------------


@dataclass(frozen=True)
class Period:
    """A dashboard period: ``[start, end]`` inclusive dates, ``start`` the first of a month.
    "Current" figures (recipients) are taken as of ``as_of``: the end, or today when the
    period runs past it."""

    preset: str
    start: date
    end: date
    as_of: date

    def months(self) -> list[date]:
        out, m = [], self.start.replace(day=1)
        while m <= self.end:
            out.append(m)
            m = add_months(m, 1)
        return out

    def year_before(self) -> Period:
        return Period(
            self.preset, _year_back(self.start), _year_back(self.end), _year_back(self.as_of)
        )


PRESETS = ("ytd", "this_year", "last_year", "last12", "custom")


def _year_back(d: date) -> date:
    if d.month == 2 and d.day == 29:
        return date(d.year - 1, 2, 28)
    return d.replace(year=d.year - 1)


def _month_end(m: date) -> date:
    return add_months(m.replace(day=1), 1) - timedelta(days=1)


def period_for(
    preset: str,
    *,
    today: date,
    from_month: date | None = None,
    to_month: date | None = None,
) -> Period:
    """The period of a preset; ``custom`` runs from the first of ``from_month`` to the end
    of ``to_month``. Unknown presets fall back to this year to date."""
    if preset == "this_year":
        start, end = date(today.year, 1, 1), date(today.year, 12, 31)
    elif preset == "last_year":
        start, end = date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    elif preset == "last12":
        start, end = add_months(today.replace(day=1), -11), today
    elif preset == "custom" and from_month and to_month and from_month <= to_month:
        start, end = from_month.replace(day=1), _month_end(to_month)
    else:
        preset, start, end = "ytd", date(today.year, 1, 1), today
    return Period(preset, start, end, min(end, today))


def _open_at(m: date) -> Q:
    """Enrollments open in month ``m`` (the rule of ``assistance.metrics``)."""
    return Q(start_month__lte=m) & (Q(end_month__isnull=True) | Q(end_month__gte=m))


def _area_length(prefix: str) -> int:
    """The code length of the areas one level below the user's region (towns under a county,
    villages under a town); a village user's area is the village itself."""
    return {6: 9, 9: 12}.get(len(prefix), 12)


def _month_key(field: str) -> Substr:
    return Substr(Cast(field, output_field=CharField()), 1, 7)


@dataclass(frozen=True)
class ProgrammeFigure:
    programme: str
    label: str
    recipients: int
    persons: int
    recipients_before: int
    disbursed_fen: int
    disbursed_before_fen: int


def assistance_dashboard(user: Any, period: Period) -> dict[str, Any]:
    """Recipients and money of the user's region for ``period`` and the same period a year
    before, in four set-based queries (grouped in SQL).

    - recipients: enrollments open in the month of ``as_of`` (households for 低保, persons
      otherwise), with the persons they cover;
    - money: disbursed ledger entries (payments, back-pay, reversals) booked in the period,
      by month of booking and programme — the figures of the payments statistics page.
    """
    prefix = region_prefix(user)
    if prefix is None:
        return {}
    before = period.year_before()
    now_m, before_m = period.as_of.replace(day=1), before.as_of.replace(day=1)

    enrollments = scope(Enrollment.objects.all(), user).exclude(programme__in=RECOGNITION_ONLY)
    recipient_rows = (
        enrollments.filter(_open_at(now_m) | _open_at(before_m))
        .values("programme")
        .annotate(
            now=Count("id", filter=_open_at(now_m)),
            persons=Sum("covered_persons", filter=_open_at(now_m)),
            before=Count("id", filter=_open_at(before_m)),
        )
        .order_by()
    )
    area_len = _area_length(prefix)
    area_rows = list(
        enrollments.filter(_open_at(now_m))
        .annotate(area=Substr("region_id", 1, area_len))
        .values("area")
        .annotate(n=Count("id"))
        .order_by("area")
        .values_list("area", "n")
    )
    in_period = Q(booked_on__gte=period.start, booked_on__lte=period.end)
    money_rows = (
        scope(LedgerEntry.objects.filter(kind__in=DISBURSED), user)
        .filter(in_period | Q(booked_on__gte=before.start, booked_on__lte=before.end))
        .annotate(
            m=_month_key("booked_on"),
            current=Case(When(in_period, then=Value(1)), default=Value(0)),
        )
        .values("current", "m", "programme")
        .annotate(total=Sum("amount_fen"))
        .order_by()
        .values_list("current", "m", "programme", "total")
    )
    # --- shape the rows for the page (no more queries below but one for the area names)
    recipients: dict[str, dict[str, Any]] = {r["programme"]: dict(r) for r in recipient_rows}
    months = [f"{m:%Y-%m}" for m in period.months()]
    months_before = [f"{m:%Y-%m}" for m in before.months()]
    by_month: dict[str, dict[str, int]] = {}
    month_total = dict.fromkeys(months, 0)
    month_total_before = dict.fromkeys(months_before, 0)
    money: dict[str, int] = {}
    money_before: dict[str, int] = {}
    for current, m, programme, total in money_rows:
        if current:
            by_month.setdefault(programme, dict.fromkeys(months, 0))[m] += total
            month_total[m] += total
            money[programme] = money.get(programme, 0) + total
        else:
            month_total_before[m] += total
            money_before[programme] = money_before.get(programme, 0) + total
    codes = set(recipients) | set(money) | set(money_before)
    programmes = [
        ProgrammeFigure(
            programme=p,
            label=programme_label(p),
            recipients=recipients.get(p, {}).get("now") or 0,
            persons=recipients.get(p, {}).get("persons") or 0,
            recipients_before=recipients.get(p, {}).get("before") or 0,
            disbursed_fen=money.get(p, 0),
            disbursed_before_fen=money_before.get(p, 0),
        )
        for p in sorted(codes, key=_programme_order)
    ]
    names = dict(
        Region.objects.filter(code__in=[a for a, _ in area_rows]).values_list("code", "name")
    )
    return {
        "period": period,
        "before": before,
        "area_level": "town" if area_len == 9 else "village",
        "programmes": programmes,
        "recipients": sum(p.recipients for p in programmes),
        "recipients_before": sum(p.recipients_before for p in programmes),
        "persons": sum(p.persons for p in programmes),
        "disbursed_fen": sum(money.values()),
        "disbursed_before_fen": sum(money_before.values()),
        "charts": {
            "money": {
                "months": months,
                "series": [
                    {"name": programme_label(p), "data": list(by_month[p].values())}
                    for p in sorted(by_month, key=_programme_order)
                ],
            },
            "areas": {
                "names": [names.get(a, a) for a, _ in area_rows],
                "codes": [a for a, _ in area_rows],
                "recipients": [n for _, n in area_rows],
            },
            "compare": {
                "months": [f"{m:%m}" for m in period.months()],
                "current": list(month_total.values()),
                "before": list(month_total_before.values()),
                "current_label": _period_label(period),
                "before_label": _period_label(before),
            },
        },
    }


_ORDER = {str(p): i for i, p in enumerate(Programme)}


def _programme_order(code: str) -> tuple[int, str]:
    return (_ORDER.get(code, len(_ORDER)), code)


def _period_label(p: Period) -> str:
    if p.start.year == p.end.year:
        return f"{p.start:%Y.%m}–{p.end:%m}"
    return f"{p.start:%Y.%m}–{p.end:%Y.%m}"


def change_pct(now: int, before: int) -> float | None:
    """Change against the year before, in percent; None when there is nothing to compare."""
    if not before:
        return None
    return round((now - before) * 100 / before, 1)
