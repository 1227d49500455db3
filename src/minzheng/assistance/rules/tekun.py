"""特困人员 (特困认定办法 2021): the three conditions, obligors, self-care, the amount."""

from __future__ import annotations

from fractions import Fraction

from ..decision import Award, Trace
from ..inputs import LABELS, Application, Obligor, Person
from ..money import ceil_to, fraction, percent_text, rate_text, round_half_up, yuan
from ..parameters import Parameters
from .assets import assets_within_limits
from .common import MONTHS_PER_YEAR, hukou_local
from .income import household_income
from .people import (
    ADULT_AGE,
    age_on,
    disability_text,
    is_severe_disability_dibao,
    receives,
    self_care,
    who,
)

ARTICLE = "特困认定办法"
#: 第5条(一): aged 60 or over; 第8条(二)(三): obligor ages.
ELDERLY_AGE = 60
OBLIGOR_OLD_AGE = 70
#: 办法 第24条 note; 改革意见 五: minors stay supported to 18, then while in these schools.
STILL_SUPPORTED_SCHOOLS = {"compulsory", "high_school", "secondary_vocational"}
#: 第5条(三): the disabilities that mean no ability to work, by category: the worst grade counted.
NO_WORK_DISABILITY_MAX_GRADE = {"intellectual": 3, "mental": 3, "physical": 2, "visual": 1}
YUAN = 100


def _area(app: Application, person: Person, trace: Trace) -> str:
    """第19条: contracted land or collective income → rural; relocated to a town → urban."""
    if person.relocated_to_town:
        area, why = "urban", "易地扶贫搬迁到城镇，按城市标准"
    elif person.holds_contracted_land:
        area, why = "rural", "拥有承包土地或参加农村集体经济收益分配，按农村标准"
    else:
        area, why = app.area, f"按申请地{LABELS['area'][app.area]}标准"
    trace.info("tekun.area", f"{ARTICLE} 第19条", f"申请人{why}", area=area)
    return area


def _no_work_ability(app: Application, params: Parameters, trace: Trace) -> bool:
    a = app.applicant
    age = age_on(a.birth_date, app.application_date)
    rule, art = "tekun.no_work_ability", f"{ARTICLE} 第5条"
    if age >= ELDERLY_AGE:
        return trace.check(
            True, rule, f"{art}(一)", f"申请人 {age} 周岁，已满{ELDERLY_AGE}周岁", "", age=age
        )
    if age < params.tekun_minor_max_age:
        return trace.check(
            True,
            rule,
            f"{art}(二)",
            f"申请人 {age} 周岁，未满{params.tekun_minor_max_age}周岁",
            "",
            age=age,
            minor_max_age=params.tekun_minor_max_age,
        )
    d = a.disability
    if d is not None and d.certificate:
        if d.category == "multiple":
            trace.review(
                rule,
                f"{art}(四)",
                f"申请人为多重残疾（{disability_text(a)}），是否属无劳动能力按省规定人工认定",
            )
            return True
        worst = NO_WORK_DISABILITY_MAX_GRADE.get(d.category)
        if worst is not None and d.grade <= worst:
            return trace.check(
                True, rule, f"{art}(三)", f"申请人持证{disability_text(a)}，属无劳动能力", ""
            )
    if receives(a, "tekun") and age < ADULT_AGE:
        return trace.check(
            True,
            rule,
            f"{ARTICLE} 第24条；改革意见 五",
            f"申请人现为特困人员，{age} 周岁，可继续享受至18周岁",
            "",
        )
    if receives(a, "tekun") and a.student_level in STILL_SUPPORTED_SCHOOLS:
        level = LABELS["student_level"][a.student_level]
        return trace.check(
            True,
            rule,
            f"{ARTICLE} 第24条；改革意见 五",
            f"申请人现为特困人员，年满18周岁仍在{level}就读，可继续享受",
            "",
        )
    if a.able_to_work is False:
        trace.review(
            rule,
            f"{art}(四)",
            f"申请人 {age} 周岁，{disability_text(a)}，申报无劳动能力但不属第5条(一)至(三)，"
            "是否属省规定的其他情形需人工认定",
            age=age,
        )
        return True
    return trace.check(
        False,
        rule,
        art,
        "",
        f"申请人 {age} 周岁，{disability_text(a)}，不属第5条规定的无劳动能力情形",
        age=age,
    )


def _no_living_source(app: Application, params: Parameters, trace: Trace, std: int) -> bool:
    a = app.applicant
    name = who(a, app.applicant_index)
    income = household_income(
        [(name, a)], params, trace, on=app.application_date, programme="tekun", rule="tekun.income"
    )
    ok = trace.check(
        income.total < std,
        "tekun.no_living_source",
        f"{ARTICLE} 第6条",
        f"申请人月收入 {yuan(income.total)} 元 低于低保标准 {yuan(std)} 元",
        f"申请人月收入 {yuan(income.total)} 元 不低于低保标准 {yuan(std)} 元，不属无生活来源",
        income_fen=round_half_up(income.total),
        standard_fen=std,
    )
    assets_ok = assets_within_limits(
        app,
        [app.applicant_index],
        params,
        trace,
        standard_fen=std,
        include_common=False,
        rule="tekun.assets",
    )
    return ok and assets_ok


def _obligor_unable(
    ob: Obligor, index: int, app: Application, params: Parameters, trace: Trace
) -> bool:
    """第8条: True when this obligor cannot perform the duty (one line explains which clause)."""
    name = who(ob, index, "obligors")
    rule, art = f"tekun.obligor[{index}]", f"{ARTICLE} 第8条"
    on = app.application_date
    age = age_on(ob.birth_date, on)
    monthly_limit = Fraction(params.local_disposable_income_prev_year_fen, MONTHS_PER_YEAR)
    silent = Trace()
    income = household_income([(name, ob)], params, silent, on=on, rule="obligor.income").total
    low_income = income < monthly_limit
    assets = ob.assets_within_low_income_rules
    values: dict[str, int | str | bool | None] = {
        "age": age,
        "income_fen": round_half_up(income),
        "income_limit_fen": round_half_up(monthly_limit),
        "assets_within_low_income_rules": assets,
    }
    income_text = (
        f"月收入 {yuan(income)} 元{'低于' if low_income else '不低于'}上年度当地居民人均可支配收入的月均数 "
        f"{yuan(monthly_limit)} 元"
    )
    if ob.status == "deceased":
        trace.info(rule, art, f"{name}已死亡，不再是赡养、抚养、扶养义务人", **values)
        return True
    if receives(ob, "tekun"):
        return trace.check(
            True, rule, f"{art}(一)", f"{name}本人为特困人员，无履行义务能力", "", **values
        )
    if receives(ob, "dibao") and age >= ELDERLY_AGE:
        return trace.check(
            True, rule, f"{art}(二)", f"{name}为{age}周岁的低保对象，无履行义务能力", "", **values
        )
    if age >= OBLIGOR_OLD_AGE and low_income and assets:
        return trace.check(
            True,
            rule,
            f"{art}(三)",
            f"{name}{age}周岁，{income_text}，财产符合低收入家庭规定，无履行义务能力",
            "",
            **values,
        )
    if is_severe_disability_dibao(ob) and low_income and assets:
        return trace.check(
            True,
            rule,
            f"{art}(四)",
            f"{name}持证{disability_text(ob)}，{income_text}，财产符合低收入家庭规定，无履行义务能力",
            "",
            **values,
        )
    if (ob.civil_capacity == "none" or ob.status in {"declared_missing", "imprisoned"}) and assets:
        why = "无民事行为能力" if ob.civil_capacity == "none" else LABELS["status"][ob.status]
        return trace.check(
            True,
            rule,
            f"{art}(五)",
            f"{name}{why}，财产符合低收入家庭规定，无履行义务能力",
            "",
            **values,
        )
    return trace.check(
        False,
        rule,
        art,
        "",
        f"{name}{age}周岁，{disability_text(ob)}，{income_text}，不属第8条规定的无履行义务能力情形",
        **values,
    )


def decide_tekun(app: Application, params: Parameters, trace: Trace) -> Award:
    a = app.applicant
    on = app.application_date
    age = age_on(a.birth_date, on)
    hukou_local(app, trace, f"{ARTICLE} 第10条")
    trace.check(
        a.status not in {"imprisoned", "deceased"},
        "tekun.status",
        f"{ARTICLE} 第24条",
        "申请人未在服刑",
        f"申请人{LABELS['status'][a.status]}，不予认定为特困人员",
        status=a.status,
    )
    continuing = receives(a, "tekun") and a.student_level in STILL_SUPPORTED_SCHOOLS
    if age >= ELDERLY_AGE or age < ADULT_AGE or a.disability is not None:
        group = "老年人" if age >= ELDERLY_AGE else "未成年人" if age < ADULT_AGE else "残疾人"
        trace.check(True, "tekun.group", f"{ARTICLE} 第4条", f"申请人为{group}", "", age=age)
    else:
        trace.check(
            continuing,
            "tekun.group",
            f"{ARTICLE} 第4条、第24条",
            "申请人现为特困人员，年满18周岁仍在校就读，可继续享受",
            f"申请人 {age} 周岁且无残疾人证，不属老年人、残疾人或未成年人",
            age=age,
        )
    if age < ADULT_AGE and app.choices.orphan_or_tekun == "orphan":
        trace.check(
            False,
            "tekun.orphan_choice",
            f"{ARTICLE} 第9条",
            "",
            "未成年人已选择孤儿或事实无人抚养儿童保障，不认定为特困人员",
        )
    elif age < ADULT_AGE:
        trace.info(
            "tekun.orphan_choice",
            f"{ARTICLE} 第9条",
            "未成年人同时符合孤儿或事实无人抚养儿童条件的，可选择其一；本申请选择特困供养",
        )
    area = _area(app, a, trace)
    std = params.dibao_standard_fen(area)
    trace.info(
        "tekun.dibao_standard",
        "社会救助暂行办法 第10条（本县标准）",
        f"本县{LABELS['area'][area]}低保标准 {yuan(std)} 元/人·月",
        standard_fen=std,
    )
    _no_work_ability(app, params, trace)
    _no_living_source(app, params, trace, std)
    obligors = list(app.obligors)
    if not obligors:
        trace.check(
            True, "tekun.obligors", f"{ARTICLE} 第4条(三)", "申请人无法定赡养、抚养、扶养义务人", ""
        )
    else:
        results = [_obligor_unable(ob, i, app, params, trace) for i, ob in enumerate(obligors)]
        trace.check(
            all(results),
            "tekun.obligors",
            f"{ARTICLE} 第4条(三)、第8条",
            "全部法定义务人均无履行义务能力",
            "有法定义务人具备履行义务能力，不符合第4条(三)",
            obligors=len(obligors),
            able=sum(1 for r in results if not r),
        )
    if trace.failed:
        return Award()
    # --- amount: basic living + care (policy-rules §2.9) -------------------------------------
    factor = fraction(params.tekun_basic_min_factor)
    floor = ceil_to(factor * std, YUAN)
    basic = max(params.tekun_basic_configured_fen, floor)
    trace.step(
        "基本生活标准 = max(本县标准, 低保标准 × 倍数，向上取整到元)",
        f"max({yuan(params.tekun_basic_configured_fen)}, {rate_text(factor)} × {yuan(std)} → {yuan(floor)}) = {yuan(basic)}",
        basic,
    )
    care_level = self_care(a)
    failed_items = "、".join(LABELS["self_care_item"][x] for x in a.self_care_failed) or "无"
    trace.info(
        "tekun.self_care",
        f"{ARTICLE} 第21–22条",
        f"六项指标中未达到 {care_level.failed} 项（{failed_items}），评定为{care_level.label}",
        failed_items=care_level.failed,
        level=care_level.level,
    )
    mode = app.choices.care_mode or "dispersed"
    rate = fraction(getattr(params, f"tekun_care_rate_{mode}_{care_level.level}"))
    care_exact = rate * params.min_wage_prev_year_fen
    care = round_half_up(care_exact, params.rounding_unit_fen)
    trace.step(
        f"照料护理标准（{LABELS['care_mode'][mode]}·{care_level.label}）= 上年度月最低工资 × 比例",
        f"{yuan(params.min_wage_prev_year_fen)} × {percent_text(rate)} = {yuan(care)}",
        care,
    )
    if (
        care_level.level == "self"
        and params.tekun_self_care_cap_by_care_subsidy
        and care > params.disability_care_subsidy_fen
    ):
        care = trace.step(
            "全自理照料护理标准不高于重度残疾人护理补贴",
            f"min({yuan(care)}, {yuan(params.disability_care_subsidy_fen)}) = {yuan(params.disability_care_subsidy_fen)}",
            params.disability_care_subsidy_fen,
        )
    total = basic + care
    trace.step(
        "特困供养月标准 = 基本生活标准 + 照料护理标准",
        f"{yuan(basic)} + {yuan(care)} = {yuan(total)}",
        total,
    )
    trace.info(
        "tekun.amount",
        "社会救助暂行办法 第15条、第19条；特困认定办法 第20条",
        f"{LABELS['care_mode'][mode]}，基本生活标准 {yuan(basic)} 元 + 照料护理标准 {yuan(care)} 元 = {yuan(total)} 元/月",
        basic_fen=basic,
        care_fen=care,
        amount_fen=total,
    )
    trace.notes.append("经县民政局确认后，自确认之日下月起给予救助供养（第17条）；每年复核一次")
    return Award(
        amount_fen=total,
        period="month",
        category=f"{LABELS['care_mode'][mode]}·{care_level.label}",
        summary=f"符合特困人员认定条件（{LABELS['care_mode'][mode]}，{care_level.label}），月供养标准 {yuan(total)} 元",
    )
