"""困难残疾人生活补贴 and 重度残疾人护理补贴 (国发〔2015〕52号; Anhui 皖民务字〔2022〕116号)."""

from __future__ import annotations

from ..decision import Award, Trace
from ..inputs import LABELS, Application
from ..money import fraction, yuan
from ..parameters import Parameters
from .common import economy, hukou_local
from .household import household_members
from .people import ADULT_AGE, age_on, benefit_fen, disability_text, receives

NATIONAL = "国发〔2015〕52号"
ANHUI = "皖民务字〔2022〕116号"
DE_FACTO = "民发〔2019〕62号"
#: 国发〔2015〕52号: the 生活补贴 covers certified grades 1–4; the 护理补贴 grades 1–2.
LIVING_MAX_GRADE = 4
CARE_MAX_GRADE = 2
SIMILAR_CARE_ALLOWANCES = ("work_injury_care", "elderly_care_allowance")


def _certificate(app: Application, trace: Trace, article: str) -> bool:
    a = app.applicant
    ok = a.disability is not None and a.disability.certificate
    return trace.check(
        ok,
        "disability.certificate",
        article,
        f"申请人持第二代残疾人证（{disability_text(a)}）",
        "申请人未持第二代残疾人证",
    )


def _in_group(app: Application, params: Parameters, trace: Trace) -> bool:
    a = app.applicant
    groups = params.disability_living_subsidy_groups
    names = {"dibao": "低保家庭", "dibao_edge": "低保边缘家庭", "poverty_alleviated": "脱贫人口"}
    found: str | None = None
    if "dibao" in groups and any(receives(p, "dibao") for p in app.members):
        found = "dibao"
    elif "poverty_alleviated" in groups and a.poverty_alleviated:
        found = "poverty_alleviated"
    elif "dibao_edge" in groups:
        silent = Trace()
        std = params.dibao_standard_fen(app.area)
        members = household_members(app, params, silent)
        eco = economy(app, members, params, silent, standard_fen=std)
        factor_limit = fraction(params.dibao_edge_factor) * std
        if eco.assets_ok and std * eco.size <= eco.total < factor_limit * eco.size:
            found = "dibao_edge"
    allowed = "、".join(names[g] for g in groups)
    return trace.check(
        found is not None,
        "disability_living.group",
        f"{NATIONAL}；{ANHUI}（本省范围）",
        f"申请人属{names[found]}成员" if found else "",
        f"申请人不属{allowed}成员",
        group=found,
    )


def decide_living_subsidy(app: Application, params: Parameters, trace: Trace) -> Award:
    a = app.applicant
    hukou_local(app, trace, NATIONAL)
    if not _certificate(app, trace, NATIONAL):
        return Award()
    assert a.disability is not None
    grade = a.disability.grade
    trace.check(
        grade <= LIVING_MAX_GRADE,
        "disability_living.grade",
        NATIONAL,
        f"残疾等级为{grade}级",
        f"残疾等级为{grade}级，不在一至四级范围",
    )
    _in_group(app, params, trace)
    if params.disability_living_subsidy_excludes_tekun:
        trace.check(
            not receives(a, "tekun"),
            "disability_living.tekun",
            f"{NATIONAL}（本省规定）",
            "申请人不是特困人员",
            "申请人为特困人员，已纳入特困供养，不享受困难残疾人生活补贴",
        )
    trace.check(
        not receives(a, "orphan"),
        "disability_living.orphan",
        NATIONAL,
        "申请人未领取孤儿基本生活费",
        "申请人领取孤儿基本生活费，不享受困难残疾人生活补贴（可申请护理补贴）",
    )
    full = benefit_fen(a, "de_facto_orphan") >= params.de_facto_orphan_standard_fen
    trace.check(
        not full,
        "disability_living.de_facto_orphan",
        f"{DE_FACTO} 三(一)",
        "申请人未全额领取事实无人抚养儿童基本生活补贴",
        "申请人全额领取事实无人抚养儿童基本生活补贴，不享受困难残疾人生活补贴（可申请护理补贴）",
    )
    if trace.failed:
        return Award()
    amount = (
        params.disability_living_subsidy_grade_1_2_fen
        if grade <= 2
        else params.disability_living_subsidy_grade_3_4_fen
    )
    band = "一、二级" if grade <= 2 else "三、四级"
    trace.step(f"困难残疾人生活补贴（{band}）", yuan(amount), amount)
    trace.info(
        "disability_living.amount",
        f"{ANHUI}（本县标准）",
        f"{band}残疾人生活补贴 {yuan(amount)} 元/月；两项补贴不计入低保家庭收入",
        amount_fen=amount,
    )
    return Award(
        amount_fen=amount,
        period="month",
        category=band,
        summary=f"符合困难残疾人生活补贴条件，{yuan(amount)} 元/月",
    )


def decide_care_subsidy(app: Application, params: Parameters, trace: Trace) -> Award:
    a = app.applicant
    hukou_local(app, trace, NATIONAL)
    if not _certificate(app, trace, NATIONAL):
        return Award()
    assert a.disability is not None
    d = a.disability
    age = age_on(a.birth_date, app.application_date)
    minor = age < ADULT_AGE
    extension = (
        minor
        and d.category in {"intellectual", "mental"}
        and d.grade in params.disability_care_subsidy_minor_intellectual_mental_grades
    )
    if d.grade <= CARE_MAX_GRADE:
        trace.check(
            True, "disability_care.grade", NATIONAL, f"残疾等级为{d.grade}级，属重度残疾", ""
        )
    else:
        trace.check(
            extension,
            "disability_care.grade",
            f"{ANHUI}（扩展范围）",
            f"未成年人（{age}周岁）{disability_text(a)}，属护理补贴扩展范围",
            f"残疾等级为{d.grade}级（{disability_text(a)}），不属重度残疾，也不在扩展范围",
            age=age,
        )
    amount = (
        params.disability_care_subsidy_minor_fen if minor else params.disability_care_subsidy_fen
    )
    label = "未成年人" if minor else "成年人"
    other = max((benefit_fen(a, k) for k in SIMILAR_CARE_ALLOWANCES), default=0)
    if other:
        kind = next(k for k in SIMILAR_CARE_ALLOWANCES if benefit_fen(a, k) == other)
        trace.check(
            amount > other,
            "disability_care.overlap",
            f"{NATIONAL}（择高享受）",
            f"现领取{LABELS['benefit'][kind]} {yuan(other)} 元，低于护理补贴 {yuan(amount)} 元，"
            "改享护理补贴并停发原补贴",
            f"现领取{LABELS['benefit'][kind]} {yuan(other)} 元，不低于护理补贴 {yuan(amount)} 元，择高享受原补贴",
            other_fen=other,
            amount_fen=amount,
        )
    if trace.failed:
        return Award()
    trace.step(f"重度残疾人护理补贴（{label}）", yuan(amount), amount)
    trace.info(
        "disability_care.amount",
        f"{ANHUI}（本县标准）",
        f"{label}重度残疾人护理补贴 {yuan(amount)} 元/月；孤儿、事实无人抚养儿童也可享受",
        amount_fen=amount,
    )
    return Award(
        amount_fen=amount,
        period="month",
        category=label,
        summary=f"符合重度残疾人护理补贴条件，{yuan(amount)} 元/月",
    )
