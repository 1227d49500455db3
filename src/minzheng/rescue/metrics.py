"""Report figure of the rescue station: money spent on 流浪乞讨人员救助 in a period."""

from __future__ import annotations

from django.db.models import QuerySet

from minzheng.reports.registry import Column, Kind, Scope, register

from .models import RescueService
from .selectors import rescue_spending_fen, services_in_period


def spending(scope: Scope) -> int:
    return rescue_spending_fen(scope.start, scope.end, scope.prefix)


def records(scope: Scope) -> QuerySet[RescueService]:
    return services_in_period(scope.start, scope.end, scope.prefix)


register(
    "assistance.vagrant_rescue_spending_wan",
    label="流浪乞讨救助支出",
    unit="万元",
    kind=Kind.MONEY,
    definition="本期救助管理站为流浪乞讨人员提供饮食、住宿、医疗、衣物、返乡车票等服务的实际支出",
    compute=spending,
    records=records,
    columns=(
        Column("case__case_number", "案件编号"),
        Column("provided_on", "服务日期"),
        Column("kind", "服务项目"),
        Column("quantity", "数量"),
        Column("amount_fen", "金额（分）"),
        Column("case__region__name", "发现地"),
    ),
)
