"""Reads of assistance records, scoped through accounts.scoping where a user asks."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.lookups import IsNull

from .models import RECOGNITION_ONLY, Enrollment, EnrollmentAmount, Suspension


def month_start(d: date) -> date:
    return d.replace(day=1)


def enrollments_in_month(month: date) -> QuerySet[Enrollment]:
    """Enrollments open in ``month``, not suspended in it and not of a recognition-only
    programme, annotated with ``amount_fen``: the amount row in force (the latest
    ``from_month`` not after the month), or NULL when there is none yet.

    ``entitled_enrollments`` is this without the NULL amounts. The amount is one correlated
    look-up; a caller that filters on it in an outer query behind a planner fence (the payroll
    insert) evaluates it once per enrollment instead of twice (filter and select).
    """
    m = month_start(month)
    amount = (
        EnrollmentAmount.objects.filter(enrollment=OuterRef("pk"), from_month__lte=m)
        .order_by("-from_month")
        .values("amount_fen")[:1]
    )
    suspended = Suspension.objects.filter(
        Q(to_month__isnull=True) | Q(to_month__gte=m), enrollment=OuterRef("pk"), from_month__lte=m
    )
    return (
        Enrollment.objects.filter(start_month__lte=m)
        .filter(Q(end_month__isnull=True) | Q(end_month__gte=m))
        .exclude(programme__in=RECOGNITION_ONLY)
        .exclude(Exists(suspended))
        .annotate(amount_fen=Subquery(amount))
    )


def entitled_enrollments(month: date) -> QuerySet[Enrollment]:
    """Enrollments owed money for ``month``, annotated with ``amount_fen`` (set-based).

    Open in that month, not suspended in it, not a recognition-only programme, and with an
    amount row in force. Start and end months are whole months: payment starts in the month
    after the decision (审核确认办法 第21条) and stops after the month of the end, so nothing
    is pro-rated. Payroll runs freeze this result into their lines.
    """
    return enrollments_in_month(month).filter(IsNull(F("amount_fen"), False))


def amount_for_month(enrollment: Enrollment, month: date) -> int | None:
    row = (
        enrollment.amounts.filter(from_month__lte=month_start(month))
        .order_by("-from_month")
        .first()
    )
    return None if row is None else row.amount_fen
