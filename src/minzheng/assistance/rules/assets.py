"""Asset limits (审核确认办法 第14条; the figures are local parameters, policy-rules §1.6)."""

from __future__ import annotations

from fractions import Fraction

from ..decision import Trace
from ..inputs import LABELS, Application
from ..money import fraction, rate_text, round_half_up, yuan
from ..parameters import Parameters

ARTICLE = "审核确认办法 第14条"
FINANCIAL = {"deposit", "securities", "fund", "commercial_insurance", "claim", "internet_finance"}


def assets_within_limits(
    app: Application,
    owners: list[int],
    params: Parameters,
    trace: Trace,
    *,
    standard_fen: int,
    include_common: bool = True,
    rule: str = "assets",
) -> bool:
    """Financial assets per head, vehicles, houses and businesses of the given members."""
    items = [
        a
        for a in app.assets
        if (a.owner is None and include_common) or (a.owner is not None and a.owner in owners)
    ]
    n = max(len(owners), 1)
    ok = True
    financial = sum(a.value_fen for a in items if a.type in FINANCIAL)
    factor = fraction(params.asset_financial_per_capita_factor)
    limit = factor * standard_fen
    per_capita = Fraction(financial, n)
    ok &= trace.check(
        per_capita <= limit,
        f"{rule}.financial",
        f"{ARTICLE}（本县限额）",
        f"人均金融资产 {yuan(per_capita)} 元，未超过 {rate_text(factor)} × {yuan(standard_fen)} "
        f"= {yuan(limit)} 元",
        f"人均金融资产 {yuan(per_capita)} 元，超过 {rate_text(factor)} × {yuan(standard_fen)} "
        f"= {yuan(limit)} 元的限额",
        financial_fen=financial,
        persons=n,
        per_capita_fen=round_half_up(per_capita),
        limit_fen=round_half_up(limit),
    )
    for a in items:
        if a.type != "vehicle" or a.vehicle_kind is None:
            continue
        kind = LABELS["vehicle_kind"][a.vehicle_kind]
        exempt = a.vehicle_kind in params.asset_vehicle_exempt_kinds
        ok &= trace.check(
            exempt,
            f"{rule}.vehicle",
            f"{ARTICLE}（本县规定）",
            f"拥有{kind}，属维持生产生活所需，不影响认定",
            f"拥有{kind}，不符合机动车辆规定（仅残疾人代步车、低值农用车、摩托车等除外）",
            vehicle_kind=a.vehicle_kind,
            value_fen=a.value_fen,
        )
    houses = sum(1 for a in items if a.type == "house")
    ok &= trace.check(
        houses <= params.asset_houses_max,
        f"{rule}.houses",
        f"{ARTICLE}（本县规定）",
        f"拥有住房 {houses} 套，未超过 {params.asset_houses_max} 套",
        f"拥有住房 {houses} 套，超过 {params.asset_houses_max} 套的规定",
        houses=houses,
        limit=params.asset_houses_max,
    )
    businesses = [a for a in items if a.type == "business" and a.operating]
    if businesses:
        if params.operating_business_policy == "refuse":
            ok &= trace.check(
                False,
                f"{rule}.business",
                f"{ARTICLE}（本县规定）",
                "",
                f"成员名下有 {len(businesses)} 个实际经营的企业或个体工商户，不符合财产规定",
                businesses=len(businesses),
            )
        else:
            trace.info(
                f"{rule}.business",
                f"{ARTICLE}（本县规定）",
                f"成员名下有 {len(businesses)} 个实际经营的企业或个体工商户，其经营净收入应全额计入收入",
                businesses=len(businesses),
            )
    return bool(ok)
