"""The rules of dynamic management (动态管理) as data and small pure functions.

Every figure here is a national rule read in the text (policy-rules §1.9, §2.8, §5, §6), not a
local amount: local amounts (高龄 bands, the longest 渐退期, the rounding unit) come from the
dated parameter table. The few durations the texts leave open are marked [假设] and named
here once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from .models import Programme
from .money import round_half_up
from .rules.people import add_months, date_of_age, month_start, next_month

# --- durations --------------------------------------------------------------------------------

#: 审核确认办法 第31条: stable households are reviewed once a year …
REVIEW_MONTHS_STABLE = 12
#: … households with irregular income and a member able to work every six months.
REVIEW_MONTHS_IRREGULAR = 6
#: 改革意见 item 7: 特困人员 once a year.
REVIEW_MONTHS_TEKUN = 12
#: 民发〔2022〕83号: a 低保 household is re-checked within 3 months of a member's death.
DEATH_RECHECK_MONTHS = 3
#: [假设] A reported change of income or members is re-checked within 30 days (no national
#: figure; 民发〔2022〕83号 only says unreported changes over 3 months are criticised).
CHANGE_RECHECK_DAYS = 30
#: 审核确认办法 第34条: three suitable referrals refused in a row without good reason.
JOB_REFUSALS_LIMIT = 3
#: 特困认定办法 第25条: termination is published for 7 days.
PUBLICITY_DAYS = 7
#: … an objection is investigated and decided within 15 working days.
OBJECTION_WORKDAYS = 15
#: 民法典 第17条; 国办发〔2010〕54号 (orphans are under 18); 特困 minors are supported until 18.
ADULT_AGE = 18
#: [假设] "able to work" for the review rhythm: 16 (劳动年龄) to under 60 (特困 第5条: 60+ is
#: unable to work), with an employment record saying 有劳动能力.
WORKING_AGE_FROM, WORKING_AGE_TO = 16, 60

#: Programmes paid to a household for several covered persons (one share each).
HOUSEHOLD_PROGRAMMES = frozenset({Programme.DIBAO})
#: Programmes that end when the child turns 18.
CHILD_PROGRAMMES = frozenset({Programme.ORPHAN, Programme.DE_FACTO_ORPHAN})
#: Employment statuses that make a household's income irregular (收入不固定).
IRREGULAR_STATUSES = frozenset({"flexible", "farming", "self_employed", "unemployed"})
#: Income categories that are irregular by nature.
IRREGULAR_INCOME = frozenset({"business", "other"})

BASIS = {
    "periodic_dibao": "《最低生活保障审核确认办法》第三十一条",
    "periodic_tekun": "《关于改革完善社会救助制度的意见》",
    "death": "民发〔2022〕83号（低保家庭成员死亡3个月内复核）",
    "death_end": "《社会救助暂行办法》第十三条、《特困人员认定办法》第二十四条（死亡）",
    "change": "《最低生活保障审核确认办法》第三十条",
    "suspend": "《最低生活保障审核确认办法》第三十二条",
    "reduce": "《最低生活保障审核确认办法》第三十二条、《社会救助暂行办法》第十三条",
    "raise": "《最低生活保障审核确认办法》第三十二条",
    "jiantui": "《最低生活保障审核确认办法》第三十三条、民发〔2022〕83号（渐退期原则上不超过6个月）",
    "share_stop": "《最低生活保障审核确认办法》第三十四条、《社会救助暂行办法》第四十五条",
    "end_dibao": "《最低生活保障审核确认办法》第三十二条、《社会救助暂行办法》第十三条",
    "end_tekun": "《特困人员认定办法》第二十四条、第二十五条",
    "age_end": "《国务院办公厅关于加强孤儿保障工作的意见》、民发〔2019〕62号（未满18周岁）",
    "age_18_tekun": "《关于改革完善社会救助制度的意见》（特困供养未成年人年龄延长至18周岁）",
    "age_band": "本县高龄补贴规定（进入新年龄段按新标准发放）",
}


@dataclass(frozen=True)
class ReviewRule:
    months: int
    reason: str
    basis: str


def review_rule(
    programme: str, *, irregular_income: bool, member_able_to_work: bool
) -> ReviewRule | None:
    """How often an enrollment is reviewed, or None for programmes without periodic review."""
    if programme == Programme.TEKUN:
        return ReviewRule(REVIEW_MONTHS_TEKUN, "特困人员每年复核一次", BASIS["periodic_tekun"])
    if programme == Programme.DIBAO:
        if irregular_income and member_able_to_work:
            return ReviewRule(
                REVIEW_MONTHS_IRREGULAR,
                "收入不固定且有劳动能力成员的家庭，每半年复核一次",
                BASIS["periodic_dibao"],
            )
        return ReviewRule(
            REVIEW_MONTHS_STABLE,
            "短期内经济状况变化不大的家庭，每年复核一次",
            BASIS["periodic_dibao"],
        )
    return None


def able_to_work(*, birth: date, work_ability: str | None, on: date) -> bool:
    """A member counts as able to work: working age and an employment record saying so."""
    if work_ability != "full":
        return False
    start, end = date_of_age(birth, WORKING_AGE_FROM), date_of_age(birth, WORKING_AGE_TO)
    return start <= on < end


def irregular_income(*, statuses: Sequence[str], income_categories: Sequence[str]) -> bool:
    return bool(set(statuses) & IRREGULAR_STATUSES or set(income_categories) & IRREGULAR_INCOME)


# --- amounts ----------------------------------------------------------------------------------


def amount_without_shares(amount_fen: int, covered_before: int, removed: int, unit: int) -> int:
    """The household amount once ``removed`` persons' shares are taken out: each covered
    person holds an equal share (低保 is the per-capita gap × persons, 暂行办法 第12条), so
    the new amount is ``amount × (before − removed) / before``, rounded to the unit."""
    if covered_before < 1 or not 0 <= removed <= covered_before:
        raise ValueError("covered persons out of range")
    return round_half_up(Fraction(amount_fen * (covered_before - removed), covered_before), unit)


def jiantui_steps(amount_fen: int, months: int, unit: int) -> list[int]:
    """The monthly amounts of a 渐退期 of ``months`` months: even steps down from the current
    amount towards zero (month k of n pays ``amount × (n − k) / (n + 1)``), after which the
    enrollment ends. Three months from 900 元: 675, 450, 225."""
    if months < 1:
        raise ValueError("a 渐退期 has at least one month")
    return [
        round_half_up(Fraction(amount_fen * (months - k), months + 1), unit) for k in range(months)
    ]


def consecutive_refusals(responses: Sequence[str]) -> int:
    """Refusals without good reason at the end of a person's referrals, oldest first; a
    referral accepted (or declined for a good reason) breaks the run."""
    n = 0
    for r in reversed(responses):
        if r != "refused":
            break
        n += 1
    return n


# --- dates ------------------------------------------------------------------------------------


def death_months(died_on: date) -> tuple[date, date]:
    """(last month owed, first month not owed): owed through the month of death."""
    return month_start(died_on), next_month(died_on)


def death_recheck_due(died_on: date) -> date:
    return add_months(died_on, DEATH_RECHECK_MONTHS)


def adult_on(birth: date) -> date:
    return date_of_age(birth, ADULT_AGE)


def band_start_month(birth: date, min_age: int, start_rule: str) -> date:
    """The first month paid at the band that opens at ``min_age`` (policy-rules §5): the
    month after the birthday, or the birthday's month, as the parameters say."""
    birthday = date_of_age(birth, min_age)
    return next_month(birthday) if start_rule == "month_after_birthday" else month_start(birthday)


def month_label(d: date) -> str:
    return f"{d.year}年{d.month}月"
