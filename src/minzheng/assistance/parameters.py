"""Local parameters of the assistance rules: dated, per county, data — never literals in code.

A ``ParameterTable`` holds rows ``(key, value, effective_from, effective_to)`` for one county,
as a later database table will; ``table.snapshot(on)`` gives the ``Parameters`` in force on a
day. ``Parameters.from_dict`` builds the value object from a plain ``{key: value}`` dict, so a
caller with its own table (the bureau's confirmed figures) needs nothing else.

Money is integer fen; rates and factors are decimal strings (``"1.5"``), read exactly.
The shipped defaults for 当涂县 (``data/parameters-340521.json``) are research defaults
(policy-rules §12), labelled 待民政局确认 until the bureau confirms its own figures.
"""

from __future__ import annotations

import itertools
import json
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from minzheng.core.exceptions import DomainError

DATA_DIR = Path(__file__).resolve().parent / "data"

Fen = int
Rate = Decimal


class ParameterError(DomainError):
    """A parameter is missing, duplicated or of the wrong type."""

    code = "parameter_error"


class AgeBand(BaseModel):
    """One 高龄补贴 band: ages ``min_age`` to ``max_age`` inclusive (``None`` = no upper end)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    min_age: int = Field(ge=0)
    max_age: int | None = Field(default=None, ge=0)
    amount_fen: Fen = Field(ge=0)

    def label(self) -> str:
        return (
            f"{self.min_age}周岁以上"
            if self.max_age is None
            else f"{self.min_age}–{self.max_age}周岁"
        )


class Parameters(BaseModel):
    """The parameters in force for one county on one day. Field docs say what each one means."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # --- 低保 -----------------------------------------------------------------------------
    dibao_standard_urban_fen: Fen = Field(gt=0, description="城市低保标准，元/人·月（分）")
    dibao_standard_rural_fen: Fen = Field(gt=0, description="农村低保标准，元/人·月（分）")
    dibao_edge_factor: Rate = Field(gt=0, description="低保边缘家庭：人均收入低于低保标准的倍数")
    employment_cost_deduction_fen: Fen = Field(
        ge=0, description="每名就业成员每月扣减的必要就业成本（不超过其工资性收入）"
    )
    deduct_illness_disability_expenses: bool = Field(
        description="是否从家庭收入中扣减因病、因残刚性支出（按近12个月平均）"
    )
    asset_financial_per_capita_factor: Rate = Field(
        gt=0, description="人均金融资产上限 = 该倍数 × 月低保标准"
    )
    asset_vehicle_exempt_kinds: tuple[str, ...] = Field(
        description="不影响认定的机动车种类（其余任何机动车均不符合）"
    )
    asset_houses_max: int = Field(ge=0, description="家庭可拥有的住房套数上限")
    operating_business_policy: Literal["count_income", "refuse"] = Field(
        description="成员名下实际经营的企业或个体工商户：计入经营净收入，或不予认定"
    )
    household_extra_excluded_statuses: tuple[str, ...] = Field(
        description="省规定不计入共同生活家庭成员的其他情形（人员状态代码）"
    )
    dibao_extra_excluded_income_types: tuple[str, ...] = Field(
        description="设区的市以上规定不计入低保家庭收入的其他收入类型"
    )
    dibao_exempt_support_for_severely_disabled: bool = Field(
        description="成年无业重度残疾人单人户：兄弟姐妹或60周岁以上父母给付的赡养扶养费不计入"
    )
    resident_pension_central_base_fen: Fen = Field(
        ge=0, description="城乡居民基本养老保险中央确定的基础养老金最低标准（月，不计入收入）"
    )
    jiantui_max_months: int = Field(ge=0, description="低保渐退期最长月数")
    # --- 特困 -----------------------------------------------------------------------------
    tekun_basic_configured_fen: Fen = Field(ge=0, description="特困人员基本生活标准（配置值，月）")
    tekun_basic_min_factor: Rate = Field(gt=0, description="基本生活标准不低于低保标准的倍数")
    tekun_minor_max_age: int = Field(
        ge=0, description="特困认定：未满该年龄的未成年人视为无劳动能力（办法第5条为16）"
    )
    min_wage_prev_year_fen: Fen = Field(gt=0, description="上年度当地月最低工资标准")
    tekun_care_rate_dispersed_full: Rate = Field(ge=0, description="分散供养 全护理 比例")
    tekun_care_rate_dispersed_partial: Rate = Field(ge=0, description="分散供养 半护理 比例")
    tekun_care_rate_dispersed_self: Rate = Field(ge=0, description="分散供养 全自理 比例")
    tekun_care_rate_centralized_full: Rate = Field(ge=0, description="集中供养 全护理 比例")
    tekun_care_rate_centralized_partial: Rate = Field(ge=0, description="集中供养 半护理 比例")
    tekun_care_rate_centralized_self: Rate = Field(ge=0, description="集中供养 全自理 比例")
    tekun_self_care_cap_by_care_subsidy: bool = Field(
        description="全自理照料护理标准不高于重度残疾人护理补贴"
    )
    local_disposable_income_prev_year_fen: Fen = Field(
        gt=0, description="上年度当地居民人均可支配收入（年）"
    )
    # --- 孤儿、事实无人抚养儿童 -----------------------------------------------------------
    orphan_institutional_fen: Fen = Field(gt=0, description="集中养育孤儿基本生活费（月）")
    orphan_scattered_fen: Fen = Field(gt=0, description="社会散居孤儿基本生活费（月）")
    de_facto_orphan_standard_fen: Fen = Field(
        gt=0, description="事实无人抚养儿童基本生活补贴（月）"
    )
    # --- 临时救助 -------------------------------------------------------------------------
    temporary_cap_factor: Rate = Field(gt=0, description="临时救助每次上限 = 倍数 × 月低保标准")
    temporary_emergency_min_factor: Rate = Field(
        ge=0, description="急难型救助不低于 倍数 × 月低保标准"
    )
    temporary_township_limit_factor: Rate = Field(
        ge=0, description="乡镇可审批的金额上限 = 倍数 × 月低保标准"
    )
    temporary_one_per_cause_per_year: bool = Field(description="同一事由12个月内只救助一次")
    # --- 刚性支出困难家庭 -------------------------------------------------------------------
    rigid_expense_income_share: Rate | None = Field(
        default=None, description="刚性支出超过家庭总收入的比例（未配置则需人工判定）"
    )
    rigid_expense_valid_months: int = Field(gt=0, description="认定有效期（月）")
    # --- 残疾人两项补贴 -------------------------------------------------------------------
    disability_living_subsidy_grade_1_2_fen: Fen = Field(
        ge=0, description="生活补贴：一、二级（月）"
    )
    disability_living_subsidy_grade_3_4_fen: Fen = Field(
        ge=0, description="生活补贴：三、四级（月）"
    )
    disability_living_subsidy_groups: tuple[
        Literal["dibao", "dibao_edge", "poverty_alleviated"], ...
    ] = Field(description="生活补贴覆盖的困难群体")
    disability_living_subsidy_excludes_tekun: bool = Field(description="特困人员不享受生活补贴")
    disability_care_subsidy_fen: Fen = Field(ge=0, description="重度残疾人护理补贴（月）")
    disability_care_subsidy_minor_fen: Fen = Field(ge=0, description="未成年人护理补贴（月）")
    disability_care_subsidy_minor_intellectual_mental_grades: tuple[int, ...] = Field(
        description="护理补贴扩展：未成年智力、精神残疾的等级"
    )
    # --- 高龄补贴 -------------------------------------------------------------------------
    gaoling_bands: tuple[AgeBand, ...] = Field(min_length=1, description="年龄段与月补贴")
    gaoling_start: Literal["month_after_birthday", "birthday_month"] = Field(
        description="进入新年龄段后从生日次月起（或生日当月起）按新标准发放"
    )
    # --- 通用 -----------------------------------------------------------------------------
    rounding_unit_fen: Literal[1, 10, 100] = Field(
        description="金额舍入单位（分）：1 = 到分，100 = 到元；四舍五入"
    )

    @field_validator("gaoling_bands")
    @classmethod
    def _bands_do_not_overlap(cls, bands: tuple[AgeBand, ...]) -> tuple[AgeBand, ...]:
        ordered = sorted(bands, key=lambda b: b.min_age)
        for lower, upper in itertools.pairwise(ordered):
            if lower.max_age is None or lower.max_age >= upper.min_age:
                raise ValueError("高龄补贴年龄段重叠")
        return tuple(ordered)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Parameters:
        """Build and check the value object; a bad value raises ``ParameterError`` naming it."""
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            first = exc.errors()[0]
            key = ".".join(str(p) for p in first["loc"]) or "parameters"
            kind = "缺少参数" if first["type"] == "missing" else "参数值不正确"
            raise ParameterError(f"{kind}：{key}（{first['msg']}）", field=key) from exc

    def dibao_standard_fen(self, area: str) -> Fen:
        return self.dibao_standard_urban_fen if area == "urban" else self.dibao_standard_rural_fen


class ParameterRow(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    value: Any
    effective_from: date
    effective_to: date | None = None
    basis: str = ""


class ParameterSnapshot(BaseModel):
    """Parameters plus where they came from: county, day, status label, basis per key."""

    model_config = ConfigDict(frozen=True)

    county_code: str
    as_of: date
    status: str
    source: str
    values: Parameters
    basis: dict[str, str]


class ParameterTable(BaseModel):
    """Dated parameter rows for one county."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    county_code: str
    county_name: str = ""
    status: str
    source: str = ""
    rows: tuple[ParameterRow, ...]

    def snapshot(self, on: date, overrides: dict[str, Any] | None = None) -> ParameterSnapshot:
        """The parameters in force on ``on``; ``overrides`` replace single keys (what-if runs)."""
        values: dict[str, Any] = {}
        basis: dict[str, str] = {}
        for row in self.rows:
            if row.effective_from <= on and (row.effective_to is None or on <= row.effective_to):
                if row.key in values:
                    raise ParameterError(
                        f"参数 {row.key} 在 {on.isoformat()} 有两条生效记录", field=row.key
                    )
                values[row.key] = row.value
                basis[row.key] = row.basis
        status = self.status
        for key, value in (overrides or {}).items():
            values[key] = value
            basis[key] = "本次评估临时指定"
            status = f"{self.status}；部分参数为本次评估临时指定"
        if not values:
            raise ParameterError(
                f"{self.county_name or self.county_code} 在 {on.isoformat()} 没有生效的救助参数",
                field="application_date",
            )
        try:
            params = Parameters.from_dict(values)
        except ParameterError as exc:
            raise ParameterError(
                f"{self.county_name or self.county_code} {on.isoformat()} 的参数不完整：{exc.message}",
                field=exc.field,
            ) from exc
        return ParameterSnapshot(
            county_code=self.county_code,
            as_of=on,
            status=status,
            source=self.source,
            values=params,
            basis=basis,
        )


def load_table(path: Path) -> ParameterTable:
    data = json.loads(path.read_text(encoding="utf-8"))
    try:
        return ParameterTable.model_validate(data)
    except ValidationError as exc:
        raise ParameterError(f"参数文件 {path.name} 格式错误：{exc.errors()[0]['msg']}") from exc


@cache
def default_table(county_code: str) -> ParameterTable:
    """The shipped defaults for a county (only 当涂县 340521 so far)."""
    path = DATA_DIR / f"parameters-{county_code}.json"
    if not path.exists():
        raise ParameterError(f"没有县级区划代码 {county_code} 的救助参数", field="region_code")
    return load_table(path)
