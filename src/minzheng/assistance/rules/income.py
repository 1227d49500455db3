"""Which income counts, monthly (审核确认办法 第13条; 特困认定办法 第6条).

Each income item is averaged per month over its ``months``; counted items add, transfer
expenditure subtracts, excluded items are explained and left out. A member with wage income
has the necessary employment cost deducted (第13条第1款(一)), at most the wage itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Literal

from ..decision import Trace
from ..inputs import LABELS, IncomeItem, Person
from ..money import round_half_up, yuan
from ..parameters import Parameters

DIBAO = "审核确认办法"
TEKUN = "特困认定办法 第6条第2款"
#: 审核确认办法 第13条第2款(三): the exclusion of the central basic pension runs "十四五" (2021–2025).
FOURTEENTH_PLAN_END = date(2025, 12, 31)

COUNTED: dict[str, str] = {
    "wage": "第13条第1款(一)",
    "business_net": "第13条第1款(二)",
    "property_net": "第13条第1款(三)",
    "support_received": "第13条第1款(四)",
    "pension": "第13条第1款(四)",
    "resident_pension": "第13条第1款(四)",
    "unemployment_benefit": "第13条第1款(四)",
    "survivor_benefit": "第13条第1款(四)",
    "compensation": "第13条第1款(四)",
    "donation": "第13条第1款(四)",
    "gaoling_allowance": "第13条第1款(四)",
    "other": "第13条第1款(五)",
}
TRANSFER_OUT = {"tax_paid", "social_insurance_paid", "support_paid"}
EXCLUDED: dict[str, str] = {
    "preferential_pension": f"{DIBAO} 第13条第2款(一)",
    "family_planning_reward": f"{DIBAO} 第13条第2款(一)",
    "scholarship": f"{DIBAO} 第13条第2款(一)",
    "reward": f"{DIBAO} 第13条第2款(一)",
    "social_assistance": f"{DIBAO} 第13条第2款(二)",
    "disability_subsidy": "国发〔2015〕52号",
    "de_facto_orphan_allowance": "民发〔2019〕62号 三(一)",
    "medical_insurance_reimbursement": f"{DIBAO} 第13条（报销不属所列收入）",
}
#: 特困认定办法 第6条第2款 leaves out, besides the above, the 高龄津贴.
EXCLUDED_TEKUN_EXTRA = {"gaoling_allowance"}
#: … and names these itself (its 第6条第2款), so its article is cited for them.
TEKUN_NAMED = {"gaoling_allowance", "medical_insurance_reimbursement", "preferential_pension"}

Programme = Literal["dibao", "tekun"]


@dataclass(frozen=True)
class IncomeSummary:
    """Monthly household income: ``total`` after deductions (never below zero)."""

    total: Fraction
    counted: Fraction
    per_person: dict[str, Fraction]


def _monthly(item: IncomeItem) -> Fraction:
    return Fraction(item.amount_fen, item.months)


def _amount_text(item: IncomeItem, label: str) -> str:
    monthly = _monthly(item)
    if item.months == 1:
        return f"{label} {yuan(monthly)} 元/月"
    return f"近{item.months}个月{label} {yuan(item.amount_fen)} 元，月均 {yuan(monthly)} 元"


def _support_exempt(item: IncomeItem) -> bool:
    """民发〔2022〕83号 一(四): support from siblings, or from parents aged 60+."""
    return item.type == "support_received" and (
        item.payer_relation == "sibling"
        or (item.payer_relation == "parent" and item.payer_aged_60_plus)
    )


def household_income(
    people: list[tuple[str, Person]],
    params: Parameters,
    trace: Trace,
    *,
    on: date,
    programme: Programme = "dibao",
    exempt_family_support: bool = False,
    rule: str = "income",
) -> IncomeSummary:
    """Count the monthly income of ``people`` (name, person), one line per item."""
    parts: list[str] = []
    total = Fraction(0)
    counted_total = Fraction(0)
    per_person: dict[str, Fraction] = {}
    excluded_types = set(EXCLUDED) | set(params.dibao_extra_excluded_income_types)
    if programme == "tekun":
        excluded_types |= EXCLUDED_TEKUN_EXTRA
    pension_note = False
    for name, person in people:
        own = Fraction(0)
        wage = Fraction(0)
        for item in person.incomes:
            label = LABELS["income_type"][item.type]
            monthly = _monthly(item)
            values: dict[str, int | str | bool | None] = {
                "amount_fen": item.amount_fen,
                "months": item.months,
                "monthly_fen": round_half_up(monthly),
            }
            if item.type in excluded_types:
                article = EXCLUDED.get(item.type)
                if programme == "tekun" and item.type in TEKUN_NAMED:
                    article = TEKUN
                elif article is None:
                    article = f"{DIBAO} 第13条第2款(四)（本市规定）"
                trace.info(
                    f"{rule}.excluded",
                    article,
                    f"{name}{_amount_text(item, label)}，不计入收入",
                    **values,
                )
                continue
            if exempt_family_support and _support_exempt(item):
                trace.info(
                    f"{rule}.exempted",
                    "民发〔2022〕83号 一(四)",
                    f"{name}{_amount_text(item, label)}系兄弟姐妹或60周岁以上父母给付，"
                    "对成年无业重度残疾人予以豁免，不计入收入",
                    **values,
                )
                continue
            if item.type in TRANSFER_OUT:
                trace.info(
                    f"{rule}.transfer_out",
                    f"{DIBAO} 第13条第1款(四)",
                    f"{name}{_amount_text(item, label)}，作为转移性支出从收入中扣除",
                    **values,
                )
                own -= monthly
                parts.append(f"− {yuan(monthly)}")
                continue
            if item.type == "resident_pension":
                base = params.resident_pension_central_base_fen
                free = min(monthly, Fraction(base))
                counted = monthly - free
                trace.info(
                    f"{rule}.resident_pension",
                    f"{DIBAO} 第13条第2款(三)" if programme == "dibao" else TEKUN,
                    f"{name}{_amount_text(item, label)}，其中中央确定的基础养老金 "
                    f"{yuan(free)} 元不计入，计入 {yuan(counted)} 元",
                    central_base_fen=base,
                    counted_fen=round_half_up(counted),
                    **values,
                )
                pension_note = True
                own += counted
                counted_total += counted
                parts.append(f"+ {yuan(counted)}")
                continue
            if item.type == "wage":
                wage += monthly
            trace.info(
                f"{rule}.counted",
                f"{DIBAO} {COUNTED[item.type]}",
                f"{name}{_amount_text(item, label)}，计入收入",
                **values,
            )
            own += monthly
            counted_total += monthly
            parts.append(f"+ {yuan(monthly)}")
        if wage > 0 and params.employment_cost_deduction_fen > 0:
            deduction = min(wage, Fraction(params.employment_cost_deduction_fen))
            trace.info(
                f"{rule}.employment_cost",
                f"{DIBAO} 第13条第1款(一)、第3款",
                f"{name}扣减必要就业成本 {yuan(deduction)} 元/月（每名就业成员 "
                f"{yuan(params.employment_cost_deduction_fen)} 元，且不超过其工资性收入）",
                deduction_fen=round_half_up(deduction),
                wage_fen=round_half_up(wage),
                limit_fen=params.employment_cost_deduction_fen,
            )
            own -= deduction
            parts.append(f"− {yuan(deduction)}")
        per_person[name] = own
        total += own
    if pension_note and on > FOURTEENTH_PLAN_END:
        trace.info(
            f"{rule}.pension_period",
            f"{DIBAO} 第13条第2款(三)",
            "基础养老金不计入收入的规定适用于“十四五”期间；此后是否继续，待民政局确认（沿用现参数）",
        )
    formula = " ".join(parts).lstrip("+ ") if parts else "0.00"
    if formula.startswith("− "):
        formula = "0.00 " + formula
    if total < 0:
        trace.step("月收入（未取零前）", f"{formula} = {yuan(total)}", round_half_up(total))
        trace.info(f"{rule}.floor", f"{DIBAO} 第13条第1款(四)", "转移性支出超过收入，月收入按 0 计")
        total = Fraction(0)
    trace.step("月收入", f"{formula} = {yuan(total)}", round_half_up(total))
    return IncomeSummary(total=total, counted=counted_total, per_person=per_person)
