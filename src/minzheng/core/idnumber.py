"""Resident identity numbers (公民身份号码, GB 11643-1999) and phone numbers.

Pure functions, no database: the caller passes a region look-up when it wants warnings about
unknown address codes. A number is never rejected for its address code — people keep their
number when boundaries change — only for its form, birth date or check character.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"

#: region code -> (valid_from, valid_to) or None when unknown
RegionLookup = Callable[[str], "tuple[date | None, date | None] | None"]


class IdNumberError(ValueError):
    """The number is not a valid resident ID; ``message`` says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ResidentId:
    number: str  # 18 characters, upper-case X
    birth_date: date
    sex: str  # GB/T 2261.1: "1" male, "2" female
    address_code: str
    converted_from_15: bool = False
    warnings: tuple[str, ...] = field(default=())


def check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def _birth_date(text: str) -> date:
    try:
        return date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    except ValueError as exc:
        raise IdNumberError(f"出生日期 {text[0:4]}-{text[4:6]}-{text[6:8]} 不是有效日期") from exc


_FULL_WIDTH = {ord("Ｘ"): "X", ord("ｘ"): "X", **{0xFF10 + i: str(i) for i in range(10)}}
_BLANKS = re.compile(r"\s+")


def normalize(raw: str) -> str:
    """Strip blanks and full-width characters; upper-case the check character."""
    return _BLANKS.sub("", raw.translate(_FULL_WIDTH)).upper()


def parse_resident_id(
    raw: str,
    *,
    today: date | None = None,
    region_lookup: RegionLookup | None = None,
) -> ResidentId:
    number = normalize(raw or "")
    if not number:
        raise IdNumberError("身份证号码不能为空")
    converted = False
    if len(number) == 15:
        if not number.isdigit():
            raise IdNumberError("15位身份证号码只能由数字组成")
        first17 = number[:6] + "19" + number[6:]
        number = first17 + check_char(first17)
        converted = True
    elif len(number) != 18:
        raise IdNumberError(f"身份证号码应为18位，当前为{len(number)}位")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise IdNumberError("身份证号码前17位应为数字，最后一位应为数字或X")
    birth = _birth_date(number[6:14])
    today = today or datetime.now(SHANGHAI).date()
    if birth > today:
        raise IdNumberError(f"出生日期 {birth.isoformat()} 晚于今天")
    if birth.year < 1890:
        raise IdNumberError(f"出生日期 {birth.isoformat()} 早于1890年，不可能")
    expected = check_char(number[:17])
    if number[17] != expected:
        raise IdNumberError(f"校验码错误，应为 {expected}")
    sex = "1" if int(number[16]) % 2 == 1 else "2"
    warnings: list[str] = []
    address = number[:6]
    if region_lookup is not None:
        span = region_lookup(address)
        if span is None:
            warnings.append(
                f"地址码 {address} 不在本系统的行政区划表中（可能是旧区划代码），请核对"
            )
        else:
            valid_from, valid_to = span
            if valid_from and birth < valid_from:
                warnings.append(
                    f"地址码 {address} 自 {valid_from.isoformat()} 起启用，早于其启用前出生，请核对"
                )
            if valid_to and birth > valid_to:
                warnings.append(
                    f"地址码 {address} 已于 {valid_to.isoformat()} 撤销，晚于撤销后出生，请核对"
                )
    return ResidentId(
        number=number,
        birth_date=birth,
        sex=sex,
        address_code=address,
        converted_from_15=converted,
        warnings=tuple(warnings),
    )


MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def normalize_phone(raw: str) -> str:
    """Return a mobile (11 digits) or landline (0xxx-xxxxxxx) number, or raise IdNumberError."""
    text = re.sub(r"[\s()（）]", "", raw or "")
    if text.startswith("+86"):
        text = text[3:]
    if MOBILE_RE.match(text) or LANDLINE_RE.match(text):
        return text
    raise IdNumberError("电话号码格式不正确：手机号应为11位且以1开头，固定电话如 0555-6712345")
