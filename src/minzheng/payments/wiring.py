"""What payments lends other apps, connected from ``PaymentsConfig.ready``.

- Dynamic management asks which months of an enrollment were already paid (to record
  recovery claims after a death): the months held by live payment lines.
- The funds figures add the rescue station's spending, which is paid outside payroll.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any


def paid_months(enrollments: Sequence[Any], from_month: dt.date) -> dict[int, list[dt.date]]:
    from .models import PaymentLine

    out: dict[int, list[dt.date]] = defaultdict(list)
    rows = PaymentLine.objects.filter(
        enrollment_id__in=[e.pk for e in enrollments], held_month__gte=from_month
    ).values_list("enrollment_id", "held_month")
    for enrollment_id, month in rows:
        if enrollment_id is not None and month is not None:  # both filtered above
            out[enrollment_id].append(month)
    return {k: sorted(v) for k, v in out.items()}


def rescue_spending(scope: Any) -> int:
    from minzheng.rescue.selectors import rescue_spending_fen

    return rescue_spending_fen(scope.start, scope.end, scope.prefix)


def connect() -> None:
    from minzheng.assistance import dynamic

    from .metrics import register_external_spending

    dynamic.set_paid_months_provider(paid_months)
    register_external_spending("vagrant_rescue", rescue_spending)
