"""Checks shared by several programmes: registered residence and the household's economy."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ..decision import Trace
from ..inputs import Application
from ..money import round_half_up, yuan
from ..parameters import Parameters
from .assets import assets_within_limits
from .income import IncomeSummary, household_income
from .people import who

MONTHS_PER_YEAR = 12


def hukou_local(app: Application, trace: Trace, article: str) -> bool:
    return trace.check(
        app.hukou_local,
        "common.hukou",
        article,
        "申请人户籍在本县",
        "申请人户籍不在本县，应向户籍所在地申请",
        hukou_local=app.hukou_local,
    )


@dataclass(frozen=True)
class Economy:
    """A household's counted members, monthly income after deductions, and asset test."""

    members: list[int]
    income: IncomeSummary
    total: Fraction
    assets_ok: bool

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def per_capita(self) -> Fraction:
        return self.total / max(self.size, 1)


def economy(
    app: Application,
    members: list[int],
    params: Parameters,
    trace: Trace,
    *,
    standard_fen: int,
    exempt_family_support: bool = False,
    include_common_assets: bool = True,
    rule: str = "",
) -> Economy:
    people = [(who(app.members[i], i), app.members[i]) for i in members]
    income = household_income(
        people,
        params,
        trace,
        on=app.application_date,
        exempt_family_support=exempt_family_support,
        rule=f"{rule}income",
    )
    total = income.total
    rigid = app.rigid_expenses_12m
    health = rigid.medical_fen + rigid.disability_rehab_fen
    if health > 0:
        if params.deduct_illness_disability_expenses:
            monthly = Fraction(health, MONTHS_PER_YEAR)
            after = max(total - monthly, Fraction(0))
            trace.info(
                f"{rule}income.health_deduction",
                "审核确认办法 第13条第3款",
                f"近12个月因病、因残刚性支出 {yuan(health)} 元，月均 {yuan(monthly)} 元，从家庭收入中扣减",
                expenses_12m_fen=health,
                monthly_fen=round_half_up(monthly),
            )
            trace.step(
                "扣减因病因残支出后月收入",
                f"{yuan(total)} − {yuan(health)} ÷ 12 = {yuan(after)}",
                round_half_up(after),
            )
            total = after
        else:
            trace.info(
                f"{rule}income.health_deduction",
                "审核确认办法 第13条第3款",
                f"近12个月因病、因残刚性支出 {yuan(health)} 元；本县尚未配置扣减办法，未扣减",
                expenses_12m_fen=health,
            )
    assets_ok = assets_within_limits(
        app,
        members,
        params,
        trace,
        standard_fen=standard_fen,
        include_common=include_common_assets,
        rule=f"{rule}assets",
    )
    return Economy(members=members, income=income, total=total, assets_ok=assets_ok)


def per_capita_text(eco: Economy) -> str:
    return f"家庭月人均收入 {yuan(eco.per_capita)} 元"
