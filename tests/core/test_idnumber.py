from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minzheng.core.idnumber import (
    IdNumberError,
    check_char,
    normalize_phone,
    parse_resident_id,
)

VALID = [
    ("340521195001010017", date(1950, 1, 1), "1"),
    ("340521195603150025", date(1956, 3, 15), "2"),
    ("34052120030616001X", date(2003, 6, 16), "1"),
    ("340521200501010025", date(2005, 1, 1), "2"),
    ("11010519491231002X", date(1949, 12, 31), "2"),
]


@pytest.mark.parametrize(("number", "birth", "sex"), VALID)
def test_valid_numbers_give_birth_date_and_sex(number, birth, sex):
    rid = parse_resident_id(number)
    assert rid.number == number
    assert rid.birth_date == birth
    assert rid.sex == sex


def test_lower_case_x_and_blanks_are_normalised():
    assert parse_resident_id(" 34052120030616001x ").number == "34052120030616001X"


def test_wrong_check_digit_says_which_is_right():
    with pytest.raises(IdNumberError) as exc:
        parse_resident_id("340521195001010018")
    assert exc.value.message == "校验码错误，应为 7"


def test_impossible_date_is_refused_even_with_a_right_check_digit():
    with pytest.raises(IdNumberError) as exc:
        parse_resident_id("340521198102290015")
    assert "1981-02-29" in exc.value.message


def test_future_birth_date_is_refused():
    first17 = "34052120300101001"
    with pytest.raises(IdNumberError) as exc:
        parse_resident_id(first17 + check_char(first17), today=date(2026, 11, 28))
    assert "晚于今天" in exc.value.message


@pytest.mark.parametrize("raw", ["", "12345", "3405211950010100171", "34052119500101001A"])
def test_malformed_numbers_are_refused(raw):
    with pytest.raises(IdNumberError):
        parse_resident_id(raw)


def test_fifteen_digit_number_is_converted():
    rid = parse_resident_id("340521500101001")
    assert rid.converted_from_15
    assert rid.number == "340521195001010017"


def test_unknown_address_code_is_a_warning_not_a_rejection():
    rid = parse_resident_id("110105194912310029"[:17] + check_char("11010519491231002"),
                            region_lookup=lambda code: None)
    assert rid.warnings and "110105" in rid.warnings[0]


def test_address_code_created_after_birth_is_a_warning():
    rid = parse_resident_id("340521195001010017",
                            region_lookup=lambda code: (date(1960, 1, 1), None))
    assert rid.number == "340521195001010017"
    assert "启用" in rid.warnings[0]


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2026, 1, 1)),
    st.integers(min_value=0, max_value=999),
)
def test_any_real_date_and_sequence_round_trips(birth, seq):
    first17 = f"340521{birth:%Y%m%d}{seq:03d}"
    rid = parse_resident_id(first17 + check_char(first17))
    assert rid.birth_date == birth
    assert rid.sex == ("1" if seq % 2 else "2")


@given(st.text(max_size=20))
def test_parser_never_crashes_on_arbitrary_text(raw):
    try:
        parse_resident_id(raw)
    except IdNumberError as exc:
        assert exc.message


@given(st.from_regex(r"\A[0-9]{17}\Z"), st.sampled_from("0123456789X"))
def test_exactly_one_check_character_is_accepted(first17, last):
    try:
        parse_resident_id(first17 + last)
    except IdNumberError as exc:
        accepted = False
        message = exc.message
    else:
        accepted = True
        message = ""
    if accepted:
        assert last == check_char(first17)
    elif last != check_char(first17) and "校验码" in message:
        assert check_char(first17) in message


@pytest.mark.parametrize(("raw", "clean"), [("138 0013 8000", "13800138000"), ("+8613800138000", "13800138000"),
                                            ("0555-6712345", "0555-6712345")])
def test_phone_numbers_are_normalised(raw, clean):
    assert normalize_phone(raw) == clean


@pytest.mark.parametrize("raw", ["12345", "2380013800", "1380013800a"])
def test_bad_phone_numbers_are_refused_in_chinese(raw):
    with pytest.raises(IdNumberError) as exc:
        normalize_phone(raw)
    assert "电话号码格式不正确" in exc.value.message
