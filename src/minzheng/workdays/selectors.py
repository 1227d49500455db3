"""Working days for legal deadlines (工作日), from the editable holiday calendar."""

from __future__ import annotations

from datetime import date, timedelta

from .models import CalendarDay


def _exceptions(start: date, end: date) -> dict[date, str]:
    return dict(
        CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "kind")
    )


def is_workday(day: date) -> bool:
    kind = _exceptions(day, day).get(day)
    if kind is not None:
        return kind == CalendarDay.Kind.WORKDAY
    return day.weekday() < 5


def add_workdays(start: date, n: int) -> date:
    """The date ``n`` working days after ``start`` (``start`` itself not counted), as legal
    deadlines count: 10 个工作日 from a Friday application ends on the second Friday after."""
    if n < 0:
        raise ValueError("n must be ≥ 0")
    # one query for a window wide enough for the longest holiday runs
    window_end = start + timedelta(days=n * 2 + 30)
    exceptions = _exceptions(start, window_end)
    day, counted = start, 0
    while counted < n:
        day += timedelta(days=1)
        if day > window_end:
            window_end = day + timedelta(days=60)
            exceptions.update(_exceptions(day, window_end))
        kind = exceptions.get(day)
        working = kind == CalendarDay.Kind.WORKDAY if kind is not None else day.weekday() < 5
        if working:
            counted += 1
    return day


def workdays_between(start: date, end: date) -> int:
    """Working days in (start, end]; negative when end is before start."""
    if end < start:
        return -workdays_between(end, start)
    exceptions = _exceptions(start, end)
    n, day = 0, start
    while day < end:
        day += timedelta(days=1)
        kind = exceptions.get(day)
        if (kind == CalendarDay.Kind.WORKDAY) if kind is not None else day.weekday() < 5:
            n += 1
    return n


def years_without_arrangement(today: date) -> list[int]:
    """Years (this one and the next once it is October) whose holidays are not entered yet."""
    wanted = [today.year] + ([today.year + 1] if today.month >= 10 else [])
    have = set(
        CalendarDay.objects.filter(date__year__in=wanted, kind=CalendarDay.Kind.HOLIDAY)
        .values_list("date__year", flat=True)
        .distinct()
    )
    return [y for y in wanted if y not in have]


def days_of_year(year: int) -> list[CalendarDay]:
    return list(CalendarDay.objects.filter(date__year=year))
