"""The input of an assessment: one application, with the household described as data.

Every person named in the application is a ``Person`` with a ``relation`` to the applicant (the
one ``self``); who of them counts as a household member is decided by the rules
(审核确认办法 第7条), not by the caller. Money is integer fen; an income item is an amount over
``months`` months, averaged per month by the rules. Codes are English; ``LABELS`` gives the
Chinese for each, used in explanations.

``parse_application(payload)`` validates a plain dict and raises ``InputError`` whose errors
name the field as ``members[2].birth_date``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
)
from pydantic_core import PydanticCustomError

from minzheng.core.exceptions import DomainError

Programme = Literal[
    "dibao",
    "dibao_edge",
    "rigid_expense",
    "tekun",
    "temporary_assistance",
    "orphan",
    "de_facto_orphan",
    "disability_living_subsidy",
    "disability_care_subsidy",
    "gaoling",
]
Relation = Literal[
    "self",
    "spouse",
    "child",
    "parent",
    "grandparent",
    "grandchild",
    "sibling",
    "child_in_law",
    "parent_in_law",
    "other",
]
PersonStatus = Literal[
    "normal",
    "imprisoned",
    "compulsory_detox",
    "detained",
    "restricted_liberty",
    "declared_missing",
    "lost_contact",
    "deceased",
    "in_army",
    "clergy_apart",
]
StudentLevel = Literal[
    "none",
    "preschool",
    "compulsory",
    "high_school",
    "secondary_vocational",
    "higher_vocational",
    "undergraduate",
    "postgraduate",
]
Employment = Literal["employed", "self_employed", "farming", "unemployed", "retired"]
DisabilityCategory = Literal[
    "visual", "hearing", "speech", "physical", "intellectual", "mental", "multiple"
]
SelfCareItem = Literal[
    "eating", "dressing", "bed_transfer", "toileting", "indoor_walking", "bathing"
]
IncomeType = Literal[
    "wage",
    "business_net",
    "property_net",
    "support_received",
    "pension",
    "resident_pension",
    "unemployment_benefit",
    "survivor_benefit",
    "compensation",
    "donation",
    "other",
    "tax_paid",
    "social_insurance_paid",
    "support_paid",
    "preferential_pension",
    "family_planning_reward",
    "scholarship",
    "reward",
    "social_assistance",
    "disability_subsidy",
    "de_facto_orphan_allowance",
    "gaoling_allowance",
    "medical_insurance_reimbursement",
]
BenefitType = Literal[
    "dibao",
    "tekun",
    "orphan",
    "de_facto_orphan",
    "disability_living",
    "disability_care",
    "gaoling",
    "work_injury_care",
    "elderly_care_allowance",
    "other",
]
AssetType = Literal[
    "deposit",
    "securities",
    "fund",
    "commercial_insurance",
    "claim",
    "internet_finance",
    "vehicle",
    "house",
    "business",
]
VehicleKind = Literal["car", "truck", "disability_mobility", "low_value_farm_vehicle", "motorcycle"]
IncidentKind = Literal["emergency", "expenditure"]
IncidentCause = Literal[
    "fire",
    "traffic_accident",
    "sudden_illness",
    "natural_disaster",
    "medical",
    "education",
    "other",
]

LABELS: dict[str, dict[str, str]] = {
    "programme": {
        "dibao": "最低生活保障",
        "dibao_edge": "低保边缘家庭认定",
        "rigid_expense": "刚性支出困难家庭认定",
        "tekun": "特困人员救助供养",
        "temporary_assistance": "临时救助",
        "orphan": "孤儿基本生活费",
        "de_facto_orphan": "事实无人抚养儿童基本生活补贴",
        "disability_living_subsidy": "困难残疾人生活补贴",
        "disability_care_subsidy": "重度残疾人护理补贴",
        "gaoling": "高龄补贴",
    },
    "relation": {
        "self": "本人",
        "spouse": "配偶",
        "child": "子女",
        "parent": "父母",
        "grandparent": "祖父母、外祖父母",
        "grandchild": "孙子女、外孙子女",
        "sibling": "兄弟姐妹",
        "child_in_law": "儿媳、女婿",
        "parent_in_law": "公婆、岳父母",
        "other": "其他",
    },
    "status": {
        "normal": "正常",
        "imprisoned": "服刑",
        "compulsory_detox": "强制隔离戒毒",
        "detained": "被羁押",
        "restricted_liberty": "被限制人身自由",
        "declared_missing": "宣告失踪",
        "lost_contact": "失联",
        "deceased": "死亡",
        "in_army": "服兵役",
        "clergy_apart": "宗教教职人员脱离家庭",
    },
    "student_level": {
        "none": "非在校生",
        "preschool": "学前",
        "compulsory": "义务教育",
        "high_school": "普通高中",
        "secondary_vocational": "中等职业学校",
        "higher_vocational": "高职（专科）",
        "undergraduate": "全日制本科",
        "postgraduate": "全日制研究生",
    },
    "disability_category": {
        "visual": "视力",
        "hearing": "听力",
        "speech": "言语",
        "physical": "肢体",
        "intellectual": "智力",
        "mental": "精神",
        "multiple": "多重",
    },
    "self_care_item": {
        "eating": "进食",
        "dressing": "穿衣",
        "bed_transfer": "上下床",
        "toileting": "如厕",
        "indoor_walking": "室内行走",
        "bathing": "洗澡",
    },
    "income_type": {
        "wage": "工资性收入",
        "business_net": "经营净收入",
        "property_net": "财产净收入",
        "support_received": "获得的赡养费、抚养费、扶养费",
        "pension": "离退休金、养老金",
        "resident_pension": "城乡居民基本养老保险养老金",
        "unemployment_benefit": "失业保险金",
        "survivor_benefit": "遗属补助金",
        "compensation": "赔偿收入",
        "donation": "接受捐赠收入",
        "other": "其他收入",
        "tax_paid": "缴纳的税款",
        "social_insurance_paid": "个人缴纳的社会保障支出",
        "support_paid": "支付的赡养支出",
        "preferential_pension": "优待抚恤金",
        "family_planning_reward": "计划生育奖励与扶助金",
        "scholarship": "奖学金",
        "reward": "见义勇为等奖励性补助",
        "social_assistance": "政府发放的社会救助款物",
        "disability_subsidy": "残疾人两项补贴",
        "de_facto_orphan_allowance": "事实无人抚养儿童基本生活补贴",
        "gaoling_allowance": "高龄津贴",
        "medical_insurance_reimbursement": "基本医疗保险等报销",
    },
    "benefit": {
        "dibao": "低保金",
        "tekun": "特困供养金",
        "orphan": "孤儿基本生活费",
        "de_facto_orphan": "事实无人抚养儿童基本生活补贴",
        "disability_living": "困难残疾人生活补贴",
        "disability_care": "重度残疾人护理补贴",
        "gaoling": "高龄补贴",
        "work_injury_care": "工伤保险生活护理费",
        "elderly_care_allowance": "老年人护理补贴",
        "other": "其他补贴",
    },
    "asset_type": {
        "deposit": "银行存款",
        "securities": "有价证券",
        "fund": "基金",
        "commercial_insurance": "商业保险",
        "claim": "债权",
        "internet_finance": "互联网金融资产",
        "vehicle": "机动车辆",
        "house": "房屋",
        "business": "企业或个体工商户",
    },
    "vehicle_kind": {
        "car": "小汽车",
        "truck": "货车",
        "disability_mobility": "残疾人功能性补偿代步机动车",
        "low_value_farm_vehicle": "价值较低的农用车",
        "motorcycle": "摩托车",
    },
    "area": {"urban": "城市", "rural": "农村"},
    "care_mode": {"dispersed": "分散供养", "centralized": "集中供养"},
    "orphan_care_mode": {"institutional": "集中养育", "scattered": "社会散居"},
    "incident_kind": {"emergency": "急难型", "expenditure": "支出型"},
    "incident_cause": {
        "fire": "火灾",
        "traffic_accident": "交通事故",
        "sudden_illness": "突发重大疾病",
        "natural_disaster": "自然灾害",
        "medical": "医疗支出",
        "education": "教育支出",
        "other": "其他",
    },
}

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not DATE_RE.match(value):
        raise PydanticCustomError("date_format", "日期格式应为 YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("date_value", "不是有效日期：{value}", {"value": value}) from None


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
Fen = Annotated[int, Field(ge=0, description="金额，单位：分")]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Disability(_Model):
    """残疾人证 (GB/T 26341 category and grade)."""

    category: DisabilityCategory
    grade: int = Field(ge=1, le=4, description="残疾等级 1–4（一级最重）")
    certificate: bool = Field(default=True, description="持第二代残疾人证")


class IncomeItem(_Model):
    type: IncomeType
    amount_fen: Fen = Field(description="该期间内的金额（分）")
    months: int = Field(default=1, ge=1, le=12, description="金额所属期间的月数；按月平均")
    payer_relation: Relation | None = Field(
        default=None, description="赡养费等的支付人与本人的关系（用于第8条豁免）"
    )
    payer_aged_60_plus: bool = Field(default=False, description="支付人年满60周岁")
    note: str = ""


class Benefit(_Model):
    type: BenefitType
    monthly_fen: Fen = Field(description="现领取的月金额（分）")


class Person(_Model):
    name: str = Field(default="", description="姓名（仅用于说明，可留空）")
    relation: Relation = Field(description="与申请人（本人）的关系")
    birth_date: IsoDate
    lives_with_household: bool = Field(default=True, description="与申请人长期共同居住")
    status: PersonStatus = "normal"
    status_since: IsoDate | None = Field(default=None, description="状态开始日期")
    status_until: IsoDate | None = Field(default=None, description="状态预计结束日期（如刑期届满）")
    student_level: StudentLevel = Field(default="none", description="全日制在读学段")
    employment: Employment = "unemployed"
    able_to_work: bool | None = Field(default=None, description="有劳动能力（未填写则按规则推定）")
    cannot_live_independently: bool = Field(default=False, description="已成年但不能独立生活")
    disability: Disability | None = None
    serious_illness: bool = Field(default=False, description="患当地认定的重特大疾病")
    self_care_failed: list[SelfCareItem] = Field(
        default_factory=list, description="六项生活自理能力指标中未达到的项目"
    )
    civil_capacity: Literal["full", "limited", "none"] = "full"
    poverty_alleviated: bool = Field(default=False, description="脱贫人口（不含稳定脱贫户）")
    holds_contracted_land: bool = Field(
        default=False, description="拥有承包土地或参加农村集体经济收益分配"
    )
    relocated_to_town: bool = Field(default=False, description="易地扶贫搬迁到城镇")
    parents_unknown: bool = Field(default=False, description="（儿童）查找不到生父母")
    incomes: list[IncomeItem] = Field(default_factory=list)
    benefits: list[Benefit] = Field(default_factory=list)


class Obligor(Person):
    """A person with a legal duty of support (法定赡养、抚养、扶养义务人), for 特困."""

    assets_within_low_income_rules: bool = Field(
        default=True, description="财产状况符合低收入家庭财产规定"
    )


class Asset(_Model):
    type: AssetType
    value_fen: Fen = 0
    owner: int | None = Field(default=None, ge=0, description="所有人在 members 中的序号；空为共有")
    vehicle_kind: VehicleKind | None = None
    operating: bool = Field(default=True, description="企业或个体工商户正在实际经营")
    note: str = ""


class Choices(_Model):
    single_person: bool = Field(default=False, description="申请人单独提出低保申请（第8条）")
    care_mode: Literal["dispersed", "centralized"] | None = Field(
        default=None, description="特困供养方式"
    )
    orphan_care_mode: Literal["institutional", "scattered"] | None = Field(
        default=None, description="孤儿养育方式"
    )
    orphan_or_tekun: Literal["orphan", "tekun"] | None = Field(
        default=None, description="同时符合特困与孤儿（事实无人抚养儿童）条件的未成年人的选择"
    )


class Incident(_Model):
    kind: IncidentKind
    cause: IncidentCause
    date: IsoDate
    need_fen: Fen = Field(description="扣除保险、其他救助后仍无法负担的缺口（分）")
    description: str = ""


class PreviousGrant(_Model):
    date: IsoDate
    cause: IncidentCause
    amount_fen: Fen = 0


class RigidExpenses(_Model):
    """Rigid expenditure in the 12 months before the application (刚性支出困难家庭认定办法 第4条)."""

    living_fen: Fen = 0
    medical_fen: Fen = Field(default=0, description="医保报销后的自付医疗费用")
    education_fen: Fen = 0
    disability_rehab_fen: Fen = 0
    other_fen: Fen = 0

    def total_fen(self) -> int:
        return (
            self.living_fen
            + self.medical_fen
            + self.education_fen
            + self.disability_rehab_fen
            + self.other_fen
        )


class Application(_Model):
    """One assessment request: the programme, the date, the region, the people and facts."""

    programme: Programme
    application_date: IsoDate
    region_code: str = Field(
        pattern=r"^\d{6}(\d{3}(\d{3})?)?$",
        description="申请地区划代码（县6位、乡镇9位或村12位）",
    )
    area: Literal["urban", "rural"] = Field(description="城市或农村（决定适用的标准）")
    hukou_local: bool = Field(default=True, description="申请人户籍在本县")
    members: list[Person] = Field(min_length=1)
    obligors: list[Obligor] = Field(default_factory=list)
    assets: list[Asset] = Field(default_factory=list)
    choices: Choices = Field(default_factory=Choices)
    incident: Incident | None = None
    previous_temporary_grants: list[PreviousGrant] = Field(default_factory=list)
    rigid_expenses_12m: RigidExpenses = Field(default_factory=RigidExpenses)
    parameter_overrides: dict[str, Any] = Field(
        default_factory=dict, description="临时替换的参数（试算用）"
    )

    @property
    def county_code(self) -> str:
        return self.region_code[:6]

    @property
    def applicant_index(self) -> int:
        return next(i for i, p in enumerate(self.members) if p.relation == "self")

    @property
    def applicant(self) -> Person:
        return self.members[self.applicant_index]


class FieldError(BaseModel):
    field: str
    message: str


class InputError(DomainError):
    """The payload is not a valid application; ``errors`` name each field."""

    code = "invalid_input"

    def __init__(self, errors: list[FieldError]):
        super().__init__(
            "；".join(f"{e.field}: {e.message}" for e in errors), field=errors[0].field
        )
        self.errors = errors


def field_path(loc: tuple[int | str, ...]) -> str:
    """``("members", 2, "birth_date")`` → ``members[2].birth_date``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out or "(根)"


def _message(err: Any) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind in {"date_format", "date_value"}:
        return str(err["msg"])
    messages = {
        "missing": "必填",
        "extra_forbidden": "未知字段",
        "int_type": "应为整数",
        "int_parsing": "应为整数",
        "int_from_float": "应为整数（金额以分为单位）",
        "bool_type": "应为 true 或 false",
        "bool_parsing": "应为 true 或 false",
        "string_type": "应为字符串",
        "list_type": "应为数组",
        "dict_type": "应为对象",
        "model_type": "应为对象",
        "model_attributes_type": "应为对象",
        "too_short": "至少需要 {min_length} 项",
        "greater_than_equal": "不能小于 {ge}",
        "greater_than": "应大于 {gt}",
        "less_than_equal": "不能大于 {le}",
        "string_pattern_mismatch": "格式不正确",
        "literal_error": "应为以下之一：{expected}",
    }
    template = messages.get(kind)
    if template is None:
        return str(err["msg"])
    return template.format(**{k: str(v).replace(" or ", ", ") for k, v in ctx.items()})


def _semantic_errors(app: Application) -> list[FieldError]:
    """Checks pydantic cannot express: one applicant, references, dates, programme needs."""
    errors: list[FieldError] = []
    selves = [i for i, p in enumerate(app.members) if p.relation == "self"]
    if len(selves) != 1:
        errors.append(
            FieldError(
                field="members",
                message=f"应有且只有一人的关系为 self（本人），现有 {len(selves)} 人",
            )
        )
    for group in ("members", "obligors"):
        people: list[Person] = list(getattr(app, group))
        for i, person in enumerate(people):
            if person.birth_date > app.application_date:
                errors.append(
                    FieldError(field=f"{group}[{i}].birth_date", message="出生日期晚于申请日期")
                )
            if len(set(person.self_care_failed)) != len(person.self_care_failed):
                errors.append(
                    FieldError(field=f"{group}[{i}].self_care_failed", message="项目重复")
                )
            if (
                person.status_since
                and person.status_until
                and person.status_until < person.status_since
            ):
                errors.append(
                    FieldError(field=f"{group}[{i}].status_until", message="结束日期早于开始日期")
                )
    for i, asset in enumerate(app.assets):
        if asset.owner is not None and asset.owner >= len(app.members):
            errors.append(
                FieldError(
                    field=f"assets[{i}].owner",
                    message=f"members 中没有序号 {asset.owner}（共 {len(app.members)} 人，从0开始）",
                )
            )
        if asset.type == "vehicle" and asset.vehicle_kind is None:
            errors.append(
                FieldError(field=f"assets[{i}].vehicle_kind", message="机动车辆必须填写车辆种类")
            )
    if app.programme == "temporary_assistance" and app.incident is None:
        errors.append(FieldError(field="incident", message="临时救助必须填写事件信息"))
    if app.programme == "tekun" and app.choices.care_mode is None:
        errors.append(FieldError(field="choices.care_mode", message="特困供养必须选择供养方式"))
    if app.programme == "orphan" and app.choices.orphan_care_mode is None:
        errors.append(FieldError(field="choices.orphan_care_mode", message="孤儿必须选择养育方式"))
    return errors


def parse_application(payload: Any) -> Application:
    if not isinstance(payload, dict):
        raise InputError([FieldError(field="(根)", message="应为 JSON 对象")])
    try:
        app = Application.model_validate(payload)
    except ValidationError as exc:
        raise InputError(
            [FieldError(field=field_path(e["loc"]), message=_message(e)) for e in exc.errors()]
        ) from exc
    errors = _semantic_errors(app)
    if errors:
        raise InputError(errors)
    return app
