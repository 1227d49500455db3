"""临时救助 (社会救助暂行办法 第47–48条; 民发〔2018〕23号; Anhui practice, policy-rules §3)."""

from __future__ import annotations

from fractions import Fraction

from ..decision import Award, Trace
from ..inputs import LABELS, Application
from ..money import fraction, rate_text, round_half_up, yuan
from ..parameters import Parameters
from .common import MONTHS_PER_YEAR, economy, per_capita_text
from .household import household_members
from .people import add_years

INTERIM = "社会救助暂行办法"
OPINION = "民发〔2018〕23号"
LOCAL = "本县临时救助规定"


def decide_temporary(app: Application, params: Parameters, trace: Trace) -> Award:
    incident = app.incident
    assert incident is not None  # parse_application requires it for this programme
    kind = LABELS["incident_kind"][incident.kind]
    cause = LABELS["incident_cause"][incident.cause]
    std = params.dibao_standard_fen(app.area)
    trace.info(
        "temporary.standard",
        f"{INTERIM} 第10条（本县标准）",
        f"本县{LABELS['area'][app.area]}低保标准 {yuan(std)} 元/人·月，临时救助金额与之挂钩",
        standard_fen=std,
    )
    trace.info(
        "temporary.kind",
        f"{OPINION} 二(一)",
        f"{kind}临时救助，事由：{cause}（{incident.date.isoformat()}）",
        kind=incident.kind,
        cause=incident.cause,
    )
    if incident.kind == "emergency":
        trace.info(
            "temporary.place",
            "民发〔2022〕83号 四(三)",
            "由急难发生地直接实施救助，不以户籍为限",
        )
    else:
        trace.info("temporary.place", f"{INTERIM} 第48条", "向乡镇人民政府（街道办事处）提出申请")
    if incident.kind == "emergency":
        trace.info(
            "temporary.first_aid",
            f"{OPINION} 二(二)",
            "急难型救助可先行救助：可不经家庭经济状况核查、民主评议和公示，事后补齐手续",
        )
    else:
        members = household_members(app, params, trace)
        eco = economy(app, members, params, trace, standard_fen=std)
        monthly_limit = Fraction(params.local_disposable_income_prev_year_fen, MONTHS_PER_YEAR)
        trace.check(
            eco.per_capita < monthly_limit,
            "temporary.income",
            f"{OPINION} 二(一)",
            f"{per_capita_text(eco)} 低于上年度当地居民人均可支配收入的月均数 {yuan(monthly_limit)} 元",
            f"{per_capita_text(eco)} 不低于上年度当地居民人均可支配收入的月均数 {yuan(monthly_limit)} 元",
            per_capita_income_fen=round_half_up(eco.per_capita),
            limit_fen=round_half_up(monthly_limit),
        )
    if params.temporary_one_per_cause_per_year:
        year_ago = add_years(app.application_date, -1)
        earlier = [
            g
            for g in app.previous_temporary_grants
            if g.cause == incident.cause and year_ago < g.date <= app.application_date
        ]
        trace.check(
            not earlier,
            "temporary.once_per_cause",
            f"{LOCAL}（同一事由一年一次）",
            f"近12个月内未因“{cause}”获得临时救助",
            f"{earlier[0].date.isoformat() if earlier else ''} 已因“{cause}”获得临时救助，同一事由12个月内不重复救助",
            earlier=len(earlier),
        )
    trace.check(
        incident.need_fen > 0,
        "temporary.need",
        f"{INTERIM} 第47条",
        f"扣除保险赔付、其他救助后仍有生活困难缺口 {yuan(incident.need_fen)} 元",
        "扣除保险赔付、其他救助后已无困难缺口",
        need_fen=incident.need_fen,
    )
    if trace.failed:
        return Award()
    cap_factor = fraction(params.temporary_cap_factor)
    cap = round_half_up(cap_factor * std, params.rounding_unit_fen)
    trace.step(
        "每次救助上限 = 低保标准 × 倍数",
        f"{yuan(std)} × {rate_text(cap_factor)} = {yuan(cap)}",
        cap,
    )
    amount = min(incident.need_fen, cap)
    formula = f"min({yuan(incident.need_fen)}, {yuan(cap)}) = {yuan(amount)}"
    if incident.kind == "emergency":
        min_factor = fraction(params.temporary_emergency_min_factor)
        floor = round_half_up(min_factor * std, params.rounding_unit_fen)
        if amount < floor:
            trace.info(
                "temporary.emergency_floor",
                f"{LOCAL}（急难型不低于低保标准的倍数）",
                f"急难型救助不低于 {rate_text(min_factor)} × {yuan(std)} = {yuan(floor)} 元",
                floor_fen=floor,
            )
            formula = (
                f"max(min({yuan(incident.need_fen)}, {yuan(cap)}), {yuan(floor)}) = {yuan(floor)}"
            )
            amount = floor
    amount = trace.step("救助金额", formula, amount)
    if incident.need_fen > cap:
        trace.info(
            "temporary.case_by_case",
            f"{OPINION} 二(三)；改革意见 十五",
            f"困难缺口 {yuan(incident.need_fen)} 元 超过上限 {yuan(cap)} 元，超出部分 "
            f"{yuan(incident.need_fen - cap)} 元 可提请县困难群众基本生活保障协调机制“一事一议”",
            above_cap_fen=incident.need_fen - cap,
        )
        trace.notes.append("超出上限部分可提请“一事一议”")
    township = round_half_up(
        fraction(params.temporary_township_limit_factor) * std, params.rounding_unit_fen
    )
    if amount <= township:
        authority = "乡镇人民政府（街道办事处）审批"
        text = f"救助金额 {yuan(amount)} 元 未超过乡镇审批额度 {yuan(township)} 元，由乡镇审批"
    else:
        authority = "县民政局审批"
        text = f"救助金额 {yuan(amount)} 元 超过乡镇审批额度 {yuan(township)} 元，报县民政局审批"
    trace.info(
        "temporary.authority",
        f"{INTERIM} 第48条；{LOCAL}",
        text,
        township_limit_fen=township,
        amount_fen=amount,
    )
    trace.notes.append(authority)
    return Award(
        amount_fen=amount,
        period="once",
        category=kind,
        summary=f"符合{kind}临时救助条件，一次性救助 {yuan(amount)} 元（{authority}）",
    )
