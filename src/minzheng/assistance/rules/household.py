"""Who counts as a member of the applicant's household (审核确认办法 第7条)."""

from __future__ import annotations

from ..decision import Trace
from ..inputs import LABELS, Application
from ..parameters import Parameters
from .people import ADULT_AGE, CLERGY_APART_YEARS, add_years, age_on, who

ARTICLE = "审核确认办法 第7条"
#: 第7条第1款(三): full-time study up to undergraduate level keeps an adult child in the household.
STUDY_UP_TO_UNDERGRADUATE = {
    "compulsory",
    "high_school",
    "secondary_vocational",
    "higher_vocational",
    "undergraduate",
}
#: 第7条第1款(四): relations with a legal duty of support (民法典 第1059、1067、1074、1075条).
SUPPORT_DUTY_RELATIONS = {"parent", "child", "grandparent", "grandchild", "sibling"}
#: 第7条第2款(二): serving a sentence, compulsory detox, declared missing.
EXCLUDED_STATUSES = {"imprisoned", "compulsory_detox", "declared_missing"}


def household_members(app: Application, params: Parameters, trace: Trace) -> list[int]:
    """Indexes of ``app.members`` who count, with one explained line per person."""
    counted: list[int] = []
    on = app.application_date
    for i, p in enumerate(app.members):
        name = who(p, i)
        rule = f"household.member[{i}]"
        if p.relation == "self":
            trace.info(rule, ARTICLE, f"{name}为申请人，计入家庭成员", included=True)
            counted.append(i)
            continue
        if p.status == "deceased":
            trace.info(rule, ARTICLE, f"{name}已死亡，不计入家庭成员", included=False)
            continue
        if p.status in EXCLUDED_STATUSES:
            status = LABELS["status"][p.status]
            trace.info(
                rule,
                f"{ARTICLE}第2款(二)",
                f"{name}{status}，不计入共同生活的家庭成员",
                included=False,
                status=p.status,
            )
            continue
        if p.status == "clergy_apart":
            if p.status_since is not None and add_years(p.status_since, CLERGY_APART_YEARS) <= on:
                trace.info(
                    rule,
                    f"{ARTICLE}第2款(一)",
                    f"{name}为宗教教职人员，自 {p.status_since.isoformat()} 起脱离家庭生活已满"
                    f"{CLERGY_APART_YEARS}年，不计入家庭成员",
                    included=False,
                    status_since=p.status_since.isoformat(),
                )
                continue
            trace.info(
                f"household.clergy[{i}]",
                f"{ARTICLE}第2款(一)",
                f"{name}为宗教教职人员，脱离家庭生活不满{CLERGY_APART_YEARS}年（或未填写起始日期），"
                "仍按其他条件判断",
            )
        if p.status in params.household_extra_excluded_statuses:
            trace.info(
                rule,
                f"{ARTICLE}第2款(三)（省规定）",
                f"{name}{LABELS['status'][p.status]}，按省规定不计入家庭成员",
                included=False,
                status=p.status,
            )
            continue
        age = age_on(p.birth_date, on)
        clause: str | None = None
        text = ""
        if p.relation == "spouse":
            clause, text = "第1款(一)", "为申请人配偶"
        elif p.relation == "child" and age < ADULT_AGE:
            clause, text = "第1款(二)", f"为未成年子女（{age}周岁）"
        elif p.relation == "child" and p.student_level in STUDY_UP_TO_UNDERGRADUATE:
            level = LABELS["student_level"][p.student_level]
            clause, text = "第1款(三)", f"为已成年子女，{level}在读，属不能独立生活"
        elif p.relation == "child" and p.cannot_live_independently:
            clause, text = "第1款(三)", "为已成年但不能独立生活的子女"
        elif p.relation in SUPPORT_DUTY_RELATIONS and p.lives_with_household:
            clause, text = "第1款(四)", "与申请人有法定赡养、扶养或抚养义务关系且长期共同居住"
        if clause is not None:
            trace.info(rule, f"{ARTICLE}{clause}", f"{name}{text}，计入家庭成员", included=True)
            counted.append(i)
            continue
        if p.relation in SUPPORT_DUTY_RELATIONS:
            why = "未与申请人长期共同居住"
            if p.relation == "child" and p.student_level == "postgraduate":
                why = "为全日制研究生（不属第1款(三)），且未与申请人长期共同居住"
        else:
            why = "与申请人之间没有法定赡养、扶养或抚养义务"
        trace.info(rule, ARTICLE, f"{name}{why}，不计入家庭成员", included=False)
    trace.info(
        "household.size",
        ARTICLE,
        f"共同生活的家庭成员共 {len(counted)} 人",
        members=len(counted),
    )
    return counted
