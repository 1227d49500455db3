"""低保, 单人保, 低保边缘家庭 and 刚性支出困难家庭 (审核确认办法; 刚性支出困难家庭认定办法)."""

from __future__ import annotations

from fractions import Fraction

from ..decision import Award, Trace
from ..inputs import LABELS, Application
from ..money import fraction, rate_text, round_half_up, yuan
from ..parameters import Parameters
from .common import MONTHS_PER_YEAR, Economy, economy, hukou_local, per_capita_text
from .household import household_members
from .people import (
    ADULT_AGE,
    CLERGY_APART_YEARS,
    add_months,
    add_years,
    age_on,
    disability_text,
    is_severe_disability_dibao,
    receives,
)

RULES = "审核确认办法"
INTERIM = "社会救助暂行办法"
RIGID = "刚性支出困难家庭认定办法"


def _standard(app: Application, params: Parameters, trace: Trace) -> int:
    std = params.dibao_standard_fen(app.area)
    trace.info(
        "dibao.standard",
        f"{INTERIM} 第10条（本县标准）",
        f"本县{LABELS['area'][app.area]}低保标准 {yuan(std)} 元/人·月",
        standard_fen=std,
    )
    return std


def _edge_limit(params: Parameters, std: int) -> Fraction:
    return fraction(params.dibao_edge_factor) * std


def _income_below_standard(eco: Economy, std: int, trace: Trace, rule: str) -> bool:
    trace.step(
        "家庭月人均收入 = 家庭月收入 ÷ 人数",
        f"{yuan(eco.total)} ÷ {eco.size} = {yuan(eco.per_capita)}",
        round_half_up(eco.per_capita),
    )
    return trace.check(
        eco.total < std * eco.size,
        rule,
        f"{INTERIM} 第9条",
        f"{per_capita_text(eco)} 低于低保标准 {yuan(std)} 元",
        f"{per_capita_text(eco)} 不低于低保标准 {yuan(std)} 元",
        per_capita_income_fen=round_half_up(eco.per_capita),
        standard_fen=std,
        members=eco.size,
        income_fen=round_half_up(eco.total),
    )


def _single_person_ground(
    app: Application, members: list[int], params: Parameters, trace: Trace, std: int
) -> str | None:
    """审核确认办法 第8条; 民发〔2022〕83号 一(一). Returns the ground, or None (failed line)."""
    a = app.applicant
    on = app.application_date
    rule = "dibao.single_person"
    age = age_on(a.birth_date, on)
    d = a.disability
    if age >= ADULT_AGE and a.employment == "unemployed" and d and d.certificate and d.grade <= 2:
        trace.check(
            True,
            rule,
            "民发〔2022〕83号 一(一)",
            f"申请人为成年无业重度残疾人（{disability_text(a)}），可按单人户提出申请",
            "",
            age=age,
        )
        return "adult_unemployed_severe"
    if (
        a.status == "clergy_apart"
        and a.status_since is not None
        and add_years(a.status_since, CLERGY_APART_YEARS) <= on
    ):
        trace.check(
            True,
            rule,
            f"{RULES} 第8条(三)",
            f"申请人为脱离家庭生活满{CLERGY_APART_YEARS}年的宗教教职人员，可单独提出申请",
            "",
        )
        return "clergy"
    if is_severe_disability_dibao(a) or a.serious_illness:
        why = (
            f"持证重度残疾（{disability_text(a)}）"
            if is_severe_disability_dibao(a)
            else "患重特大疾病"
        )
        trace.info(
            "dibao.single_basis",
            f"{RULES} 第8条",
            f"申请人{why}；以下按全户测算家庭是否为低保边缘家庭",
        )
        eco = economy(app, members, params, trace, standard_fen=std, rule="household.")
        limit = _edge_limit(params, std)
        not_dibao = eco.total >= std * eco.size
        below_edge = eco.total < limit * eco.size
        ok = not_dibao and below_edge and eco.assets_ok
        if ok:
            text = (
                f"全户{per_capita_text(eco)}，不低于低保标准但低于 "
                f"{rate_text(fraction(params.dibao_edge_factor))} × {yuan(std)} = {yuan(limit)} 元，"
                f"财产符合规定，属低保边缘家庭；申请人{why}，可单独提出申请"
            )
        elif not not_dibao:
            text = f"全户{per_capita_text(eco)} 低于低保标准，应以全户申请低保，不适用单人保"
        elif not below_edge:
            text = (
                f"全户{per_capita_text(eco)} 不低于低保边缘标准 {yuan(limit)} 元，"
                "不属低保边缘家庭，不能单独申请"
            )
        else:
            text = "全户财产不符合规定，不属低保边缘家庭，不能单独申请"
        trace.check(
            ok,
            rule,
            f"{RULES} 第8条(一)(二)",
            text,
            text,
            per_capita_income_fen=round_half_up(eco.per_capita),
            edge_limit_fen=round_half_up(limit),
        )
        return (
            ("edge_disability" if is_severe_disability_dibao(a) else "edge_illness") if ok else None
        )
    trace.check(
        False,
        rule,
        f"{RULES} 第8条",
        "",
        "申请人不属于可单独提出申请的情形（重度残疾或重病且家庭为低保边缘家庭、"
        "脱离家庭满3年的宗教教职人员、成年无业重度残疾人）",
    )
    return None


def decide_dibao(app: Application, params: Parameters, trace: Trace) -> Award:
    std = _standard(app, params, trace)
    hukou_local(app, trace, f"{RULES} 第4条")
    members = household_members(app, params, trace)
    single = app.choices.single_person
    exempt = False
    if single:
        ground = _single_person_ground(app, members, params, trace, std)
        if ground is None:
            return Award()
        members = [app.applicant_index]
        exempt = (
            ground == "adult_unemployed_severe"
            and params.dibao_exempt_support_for_severely_disabled
        )
        trace.info("dibao.single_unit", f"{RULES} 第8条", "以下按申请人一人（单人户）测算")
    eco = economy(
        app,
        members,
        params,
        trace,
        standard_fen=std,
        exempt_family_support=exempt,
        include_common_assets=not single,
    )
    income_ok = _income_below_standard(eco, std, trace, "dibao.income")
    if not (income_ok and eco.assets_ok):
        _after_refusal(app, params, trace, eco, std, income_ok)
        return Award()
    gap = std * eco.size - eco.total
    amount = round_half_up(gap, params.rounding_unit_fen)
    rounded = "" if gap == amount else "（四舍五入）"
    trace.step(
        "月保障金额 = 低保标准 × 人数 − 家庭月收入",
        f"{yuan(std)} × {eco.size} − {yuan(eco.total)} = {yuan(amount)}{rounded}",
        amount,
    )
    trace.info(
        "dibao.amount",
        f"{INTERIM} 第12条；{RULES} 第23条",
        f"按家庭人均收入与低保标准的差额发放：月保障金额 {yuan(amount)} 元",
        amount_fen=amount,
    )
    trace.notes.append(f"经县民政局确认同意后，自作出决定之日下月起发放（{RULES} 第21条）")
    return Award(
        amount_fen=amount,
        period="month",
        category="单人户" if single else "低保家庭",
        summary=f"符合最低生活保障条件（{eco.size} 人），月保障金额 {yuan(amount)} 元",
    )


def _after_refusal(
    app: Application, params: Parameters, trace: Trace, eco: Economy, std: int, income_ok: bool
) -> None:
    limit = _edge_limit(params, std)
    if eco.assets_ok and not income_ok and eco.total < limit * eco.size:
        trace.notes.append(
            f"{per_capita_text(eco)} 低于低保边缘标准 {yuan(limit)} 元，可申请认定为低保边缘家庭（{RULES} 第8条）"
        )
    counted = [app.members[i] for i in eco.members]
    on_dibao = any(receives(p, "dibao") for p in counted)
    working = any(p.employment in {"employed", "self_employed"} for p in counted)
    if not income_ok and on_dibao and working:
        trace.info(
            "dibao.jiantui",
            f"{RULES} 第33条；民发〔2022〕83号 一(三)",
            f"家庭现享受低保，因就业收入超过标准的，可给予不超过 {params.jiantui_max_months} 个月的渐退期",
            max_months=params.jiantui_max_months,
        )
        trace.notes.append(f"可给予不超过 {params.jiantui_max_months} 个月的渐退期")


def decide_dibao_edge(app: Application, params: Parameters, trace: Trace) -> Award:
    std = _standard(app, params, trace)
    hukou_local(app, trace, f"{RULES} 第4条")
    members = household_members(app, params, trace)
    eco = economy(app, members, params, trace, standard_fen=std)
    limit = _edge_limit(params, std)
    trace.check(
        eco.total >= std * eco.size,
        "dibao_edge.not_dibao",
        f"{RULES} 第8条",
        f"{per_capita_text(eco)} 不低于低保标准 {yuan(std)} 元，不符合低保条件",
        f"{per_capita_text(eco)} 低于低保标准 {yuan(std)} 元，应按低保认定",
        per_capita_income_fen=round_half_up(eco.per_capita),
        standard_fen=std,
    )
    factor = rate_text(fraction(params.dibao_edge_factor))
    trace.check(
        eco.total < limit * eco.size,
        "dibao_edge.income",
        f"{RULES} 第8条",
        f"{per_capita_text(eco)} 低于 {factor} × {yuan(std)} = {yuan(limit)} 元",
        f"{per_capita_text(eco)} 不低于 {factor} × {yuan(std)} = {yuan(limit)} 元",
        per_capita_income_fen=round_half_up(eco.per_capita),
        edge_limit_fen=round_half_up(limit),
    )
    return Award(
        period="none",
        category="低保边缘家庭",
        summary="认定为低保边缘家庭（不发放低保金，可按规定获得专项救助，家中重度残疾人、重病患者可单独申请低保）",
    )


def decide_rigid_expense(app: Application, params: Parameters, trace: Trace) -> Award:
    std = _standard(app, params, trace)
    members = household_members(app, params, trace)
    counted = [app.members[i] for i in members]
    on_support = [p for p in counted if receives(p, "dibao") or receives(p, "tekun")]
    trace.check(
        not on_support,
        "rigid_expense.not_assisted",
        f"{RIGID} 第4条(一)",
        "家庭成员未享受低保或特困供养",
        "家庭成员已享受低保或特困供养，不属刚性支出困难家庭认定对象",
    )
    eco = economy(app, members, params, trace, standard_fen=std)
    limit = _edge_limit(params, std)
    below_dibao = eco.total < std * eco.size
    edge = not below_dibao and eco.total < limit * eco.size and eco.assets_ok
    trace.check(
        not below_dibao and not edge,
        "rigid_expense.not_dibao_or_edge",
        f"{RIGID} 第4条(一)",
        f"{per_capita_text(eco)} 不低于低保边缘标准 {yuan(limit)} 元（或财产超出低保规定），"
        "不属低保或低保边缘家庭",
        f"{per_capita_text(eco)} 低于低保标准 {yuan(std)} 元，应申请低保"
        if below_dibao
        else f"{per_capita_text(eco)} 低于低保边缘标准 {yuan(limit)} 元，应认定为低保边缘家庭",
        per_capita_income_fen=round_half_up(eco.per_capita),
    )
    annual_limit = params.local_disposable_income_prev_year_fen
    annual_pc = eco.per_capita * MONTHS_PER_YEAR
    trace.check(
        annual_pc < annual_limit,
        "rigid_expense.income",
        f"{RIGID} 第4条(二)",
        f"家庭年人均收入 {yuan(annual_pc)} 元 低于上年度当地居民人均可支配收入 {yuan(annual_limit)} 元",
        f"家庭年人均收入 {yuan(annual_pc)} 元 不低于上年度当地居民人均可支配收入 {yuan(annual_limit)} 元",
        annual_per_capita_fen=round_half_up(annual_pc),
        limit_fen=annual_limit,
    )
    expenses = app.rigid_expenses_12m.total_fen()
    income_12m = eco.total * MONTHS_PER_YEAR
    share = params.rigid_expense_income_share
    if share is None:
        trace.review(
            "rigid_expense.expenses",
            f"{RIGID} 第4条(四)、第9条",
            f"近12个月刚性支出 {yuan(expenses)} 元，家庭年收入 {yuan(income_12m)} 元；"
            "本县尚未配置刚性支出占家庭总收入的比例，需人工判定",
            expenses_fen=expenses,
            income_12m_fen=round_half_up(income_12m),
        )
    else:
        ratio = fraction(share)
        threshold = ratio * income_12m
        trace.check(
            expenses > threshold,
            "rigid_expense.expenses",
            f"{RIGID} 第4条(四)",
            f"近12个月刚性支出 {yuan(expenses)} 元 超过家庭年收入 {yuan(income_12m)} 元的 "
            f"{rate_text(ratio)} 倍（{yuan(threshold)} 元）",
            f"近12个月刚性支出 {yuan(expenses)} 元 未超过家庭年收入 {yuan(income_12m)} 元的 "
            f"{rate_text(ratio)} 倍（{yuan(threshold)} 元）",
            expenses_fen=expenses,
            income_12m_fen=round_half_up(income_12m),
            threshold_fen=round_half_up(threshold),
        )
    if trace.failed:
        return Award()
    valid_to = add_months(app.application_date, params.rigid_expense_valid_months)
    trace.notes.append(
        f"认定有效期最长 {params.rigid_expense_valid_months} 个月（至 {valid_to.isoformat()} 前），期满需重新申请（{RIGID} 第10条）"
    )
    return Award(
        period="none",
        category="刚性支出困难家庭",
        summary="认定为刚性支出困难家庭（不发放现金，可按规定获得专项救助）",
    )
