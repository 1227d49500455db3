"""Report figures of payments, computed from the ledger for any period and region.

``assistance.funds_total_wan`` and ``assistance.funds_by_program_wan``: social-assistance
money actually disbursed in the period — payments, back-pay and reversals *booked* in
``[start, end]`` (a bank failure booked later lowers the later period), for the programmes of
the work report's definition. Recoveries (追回) are claims, not disbursements: they are not
netted here, and are shown on the statistics page. 高龄补贴 is not social assistance (it is
``eldercare.high_age_allowance_wan``).

流浪乞讨救助 spending is not paid through payroll. Its module adds it with
``register_external_spending("vagrant_rescue", fn)``, ``fn(scope) -> int`` fen; until then
the figures cover the ledger alone.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet, Sum

from minzheng.assistance.models import Programme
from minzheng.reports.registry import Column, Scope, register

from .models import LedgerEntry
from .selectors import DISBURSED, ledger_in_scope

#: The programmes of assistance.funds_* (docs: work-report-metrics).
FUNDS_PROGRAMMES = (
    Programme.DIBAO,
    Programme.TEKUN,
    Programme.TEMPORARY,
    Programme.ORPHAN,
    Programme.DE_FACTO_ORPHAN,
    Programme.VAGRANT,
    Programme.DISABILITY_LIVING,
    Programme.DISABILITY_CARE,
)

SpendingSource = Callable[[Scope], int]
#: Spending outside the ledger, by programme (the hook for 流浪乞讨救助).
EXTERNAL_SPENDING: dict[str, SpendingSource] = {}


def register_external_spending(programme: str, source: SpendingSource) -> None:
    """Add money disbursed outside payroll (e.g. 流浪乞讨救助 from its own module) to the
    funds figures: ``source(scope)`` returns integer fen for the scope's period and region."""
    if programme not in {str(p) for p in FUNDS_PROGRAMMES}:
        raise ValueError(f"{programme} is not a programme of assistance.funds_*")
    EXTERNAL_SPENDING[programme] = source


def disbursed_entries(scope: Scope) -> QuerySet[LedgerEntry]:
    return ledger_in_scope(scope.start, scope.end, scope.prefix).filter(
        kind__in=DISBURSED, programme__in=[str(p) for p in FUNDS_PROGRAMMES]
    )


def funds_by_programme_fen(scope: Scope) -> dict[str, int]:
    rows = (
        disbursed_entries(scope)
        .values("programme")
        .annotate(total=Sum("amount_fen"))
        .values_list("programme", "total")
    )
    fen = {str(p): 0 for p in FUNDS_PROGRAMMES}
    for programme, total in rows:
        fen[programme] += total
    for programme, source in EXTERNAL_SPENDING.items():
        fen[programme] += source(scope)
    return {Programme(p).label: v for p, v in fen.items() if v}


def funds_total_fen(scope: Scope) -> int:
    return sum(funds_by_programme_fen(scope).values())


def funds_records(scope: Scope) -> QuerySet[LedgerEntry]:
    return disbursed_entries(scope).select_related("person", "region").order_by("booked_on", "id")


COLUMNS = (
    Column("booked_on", "记账日期"),
    Column("kind", "类型"),
    Column("programme", "救助项目"),
    Column("month", "所属月份"),
    Column("person__name", "姓名"),
    Column("region__name", "村（社区）"),
    Column("amount_fen", "金额（分）"),
    Column("reason", "事由"),
)

register(
    "assistance.funds_total_wan",
    compute=funds_total_fen,
    records=funds_records,
    columns=COLUMNS,
)
register(
    "assistance.funds_by_program_wan",
    compute=funds_by_programme_fen,
    records=funds_records,
    columns=COLUMNS,
)
