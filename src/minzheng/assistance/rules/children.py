"""孤儿 (国办发〔2010〕54号) and 事实无人抚养儿童 (民发〔2019〕62号)."""

from __future__ import annotations

from ..decision import Award, Outcome, Trace
from ..inputs import LABELS, Application, Person
from ..money import yuan
from ..parameters import Parameters
from .common import hukou_local
from .people import (
    ADULT_AGE,
    age_on,
    benefit_fen,
    disability_text,
    is_severe_disability_children,
    months_between,
    who,
)

ORPHAN = "国办发〔2010〕54号"
DE_FACTO = "民发〔2019〕62号"
#: 民发〔2019〕62号 一: lost contact, custody or detox for six months or more.
MIN_MONTHS = 6
RESTRICTED = {"imprisoned", "detained", "compulsory_detox", "restricted_liberty"}
TOP_UP_BENEFITS = ("dibao", "tekun", "disability_living")
OUTCOMES: dict[str, Outcome] = {
    "qualifying": "passed",
    "dead": "passed",
    "review": "review",
    "none": "info",
}


def _parents(app: Application) -> list[tuple[int, Person]]:
    return [(i, p) for i, p in enumerate(app.members) if p.relation == "parent"]


def _minor(app: Application, trace: Trace, article: str) -> bool:
    age = age_on(app.applicant.birth_date, app.application_date)
    return trace.check(
        age < ADULT_AGE,
        "children.age",
        article,
        f"儿童 {age} 周岁，未满18周岁",
        f"申请人已 {age} 周岁，年满18周岁",
        age=age,
    )


def _is_orphan(app: Application) -> bool:
    parents = _parents(app)
    if app.applicant.parents_unknown:
        return True
    return len(parents) >= 2 and all(p.status == "deceased" for _, p in parents)


def decide_orphan(app: Application, params: Parameters, trace: Trace) -> Award:
    hukou_local(app, trace, ORPHAN)
    _minor(app, trace, ORPHAN)
    parents = _parents(app)
    if app.applicant.parents_unknown:
        trace.check(True, "orphan.parents", ORPHAN, "查找不到生父母", "")
    else:
        dead = [p for _, p in parents if p.status == "deceased"]
        trace.check(
            len(parents) >= 2 and len(dead) == len(parents),
            "orphan.parents",
            ORPHAN,
            "父母均已死亡（含宣告死亡）",
            f"父母中已死亡 {len(dead)} 人、列明 {len(parents)} 人，不属失去父母"
            "（父母一方死亡、另一方重残重病服刑失联等的，可申请事实无人抚养儿童）",
            parents=len(parents),
            deceased=len(dead),
        )
    if trace.failed:
        return Award()
    mode = app.choices.orphan_care_mode or "scattered"
    amount = (
        params.orphan_institutional_fen if mode == "institutional" else params.orphan_scattered_fen
    )
    trace.info(
        "orphan.standard",
        f"{ORPHAN}（本市标准）",
        f"{LABELS['orphan_care_mode'][mode]}孤儿基本生活费 {yuan(amount)} 元/月",
        standard_fen=amount,
        mode=mode,
    )
    trace.step(f"孤儿基本生活费（{LABELS['orphan_care_mode'][mode]}）", f"{yuan(amount)}", amount)
    trace.info(
        "orphan.overlap",
        "国发〔2015〕52号；特困认定办法 第9条",
        "领取孤儿基本生活费的，不认定为特困人员；残疾孤儿不享受困难残疾人生活补贴，可享受重度残疾人护理补贴",
    )
    return Award(
        amount_fen=amount,
        period="month",
        category=LABELS["orphan_care_mode"][mode],
        summary=f"符合孤儿认定条件（{LABELS['orphan_care_mode'][mode]}），基本生活费 {yuan(amount)} 元/月",
    )


def _parent_situation(app: Application, parent: Person) -> tuple[str, str]:
    """("dead", …), ("qualifying", …), ("review", …) or ("none", …), with the reason."""
    on = app.application_date
    if parent.status == "deceased":
        return "dead", "死亡"
    if parent.status == "declared_missing":
        return "dead", "被宣告失踪"
    if is_severe_disability_children(parent):
        return "qualifying", f"重残（{disability_text(parent)}）"
    if parent.serious_illness:
        return "qualifying", "重病"
    if parent.status in RESTRICTED:
        status = LABELS["status"][parent.status]
        if parent.status_until is not None and parent.status_until < on:
            return "none", f"{status}已于 {parent.status_until.isoformat()} 结束"
        if parent.status_since is None or parent.status_until is None:
            return "review", f"{status}，期限未填写，需核实是否在6个月以上"
        months = months_between(parent.status_since, parent.status_until)
        if months >= MIN_MONTHS:
            return "qualifying", f"{status}（期限 {months} 个月）"
        return "none", f"{status}期限 {months} 个月，不足6个月"
    if parent.status == "lost_contact":
        if parent.status_since is None:
            return "review", "失联，起始日期未填写，需核实是否满6个月"
        months = months_between(parent.status_since, on)
        if months >= MIN_MONTHS:
            return "qualifying", f"失联 {months} 个月"
        return "none", f"失联 {months} 个月，不足6个月"
    return "none", "能够履行抚养义务"


def decide_de_facto_orphan(app: Application, params: Parameters, trace: Trace) -> Award:
    hukou_local(app, trace, f"{DE_FACTO} 二(一)")
    _minor(app, trace, f"{DE_FACTO} 一")
    parents = _parents(app)
    if _is_orphan(app):
        trace.check(
            False,
            "de_facto.not_orphan",
            f"{DE_FACTO} 一",
            "",
            "儿童父母均已死亡或查找不到，应按孤儿认定",
        )
        return Award()
    situations = []
    for i, p in parents:
        kind, why = _parent_situation(app, p)
        situations.append(kind)
        outcome: Outcome = OUTCOMES[kind]
        trace.add(
            outcome, f"de_facto.parent[{i}]", f"{DE_FACTO} 一", f"{who(p, i)}{why}", situation=kind
        )
    qualifying = situations.count("qualifying")
    dead = situations.count("dead")
    review = situations.count("review")
    ok = len(parents) == 2 and (qualifying == 2 or (qualifying == 1 and dead == 1))
    if review and not ok and len(parents) == 2 and qualifying + dead + review == 2:
        trace.review("de_facto.parents", f"{DE_FACTO} 一", "父母情况尚需核实，暂不能判定")
    else:
        trace.check(
            ok,
            "de_facto.parents",
            f"{DE_FACTO} 一",
            "父母双方均重残、重病、服刑在押、强制隔离戒毒、被限制人身自由或失联，或一方死亡失踪、另一方属上述情形",
            "父母情况不符合事实无人抚养儿童认定条件"
            + ("（应列明父母双方）" if len(parents) != 2 else ""),
            parents=len(parents),
            qualifying=qualifying,
            dead_or_missing=dead,
        )
    if trace.failed:
        return Award()
    std = params.de_facto_orphan_standard_fen
    trace.info(
        "de_facto.standard",
        f"{DE_FACTO} 三(一)（参照散居孤儿标准）",
        f"事实无人抚养儿童基本生活补贴标准 {yuan(std)} 元/月",
        standard_fen=std,
    )
    child = app.applicant
    existing = {k: benefit_fen(child, k) for k in TOP_UP_BENEFITS}
    received = sum(existing.values())
    if received == 0:
        amount = trace.step("基本生活补贴（全额）", yuan(std), std)
        category = "全额发放"
    else:
        parts = " + ".join(f"{LABELS['benefit'][k]} {yuan(v)}" for k, v in existing.items() if v)
        trace.check(
            received < std,
            "de_facto.top_up",
            f"{DE_FACTO} 三(一)",
            f"儿童已领取 {parts} = {yuan(received)} 元，低于补贴标准，按差额补足",
            f"儿童已领取 {parts} = {yuan(received)} 元，不低于补贴标准 {yuan(std)} 元，无需补差",
            received_fen=received,
            standard_fen=std,
        )
        amount = trace.step(
            "补差金额 = 补贴标准 − 已领取的低保、特困、残疾人生活补贴",
            f"{yuan(std)} − {yuan(received)} = {yuan(max(std - received, 0))}",
            max(std - received, 0),
        )
        category = "补差发放"
    trace.info(
        "de_facto.overlap",
        f"{DE_FACTO} 三(一)、三(二)",
        "全额领取补贴的儿童不再享受困难残疾人生活补贴，可享受重度残疾人护理补贴；补贴不计入低保、特困家庭收入",
    )
    trace.notes.append(
        f"不公示；经县民政局确认后自确认次月起发放，并录入全国儿童福利信息管理系统（{DE_FACTO} 二(二)、二(三)）"
    )
    return Award(
        amount_fen=amount,
        period="month",
        category=category,
        summary=f"符合事实无人抚养儿童认定条件，基本生活补贴 {yuan(amount)} 元/月（{category}）",
    )
