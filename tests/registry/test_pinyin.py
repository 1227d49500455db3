"""Pinyin search keys: pure functions, checked with hypothesis."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from minzheng.registry.pinyin import (
    MAX_KEY_LENGTH,
    MAX_VARIANTS,
    name_readings,
    next_prefix,
    normalize_query,
    search_keys,
    split_surname,
    surname_readings,
)

# common name characters, including polyphonic ones and surnames read differently
ALPHABET = (
    "张王李赵曾解单仇区查朴盖覃员乐翟长朝重行华任传晓明国芳英伟秀兰军强红欧阳司马诸葛上官的了和"
)
names = st.text(alphabet=ALPHABET, min_size=1, max_size=5)
ASCII_KEY = re.compile(r"^[a-z0-9]+$")


@given(names)
def test_pinyin_keys_are_lower_case_ascii_and_name_keys_are_suffixes(name):
    for kind, key in search_keys(name):
        assert 0 < len(key) <= MAX_KEY_LENGTH
        if kind == "name":
            assert name.endswith(key)
        else:
            assert ASCII_KEY.match(key), key


@given(names)
def test_every_reading_has_a_matching_initials_key(name):
    keys = {key for _, key in search_keys(name)}
    for syllables in name_readings(name):
        assert "".join(syllables) in keys
        assert "".join(s[0] for s in syllables) in keys


@given(names)
def test_the_number_of_readings_is_bounded(name):
    assert 1 <= len(name_readings(name)) <= MAX_VARIANTS


@given(names)
def test_keys_do_not_repeat_and_are_deterministic(name):
    keys = search_keys(name)
    assert len({k for _, k in keys}) == len(keys)
    assert keys == search_keys(name)


@given(
    st.sampled_from(sorted(k for k in surname_readings() if len(k) == 1)),
    st.text(alphabet="明华英军", min_size=1, max_size=2),
)
def test_a_listed_surname_is_read_only_as_a_surname(surname, given_name):
    expected = set(surname_readings()[surname])
    assert {readings[0] for readings in name_readings(surname + given_name)} == expected


@given(st.text(alphabet="长乐朝重行", min_size=1, max_size=3))
@settings(max_examples=60)
def test_each_reading_of_each_given_name_character_appears(given_name):
    from pypinyin import Style, pinyin

    readings = name_readings("王" + given_name)
    for i, ch in enumerate(given_name):
        for r in pinyin(ch, style=Style.NORMAL, heteronym=True)[0]:
            assert any(v[1 + i] == r for v in readings), (ch, r)


def test_compound_surnames_are_split_as_one_surname():
    assert split_surname("欧阳修") == ("欧阳", "修")
    assert split_surname("欧阳") == ("欧", "阳")  # a two-character name is surname + given name
    assert name_readings("欧阳修")[0] == ["ou", "yang", "xiu"]


def test_middle_dots_and_blanks_are_ignored():
    assert ("name", "买买提艾力") in search_keys("买买提·艾力")
    assert normalize_query(" Xi'an ") == "xian"


@given(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", max_size=5),
)
def test_next_prefix_bounds_every_extension_of_the_prefix(prefix, tail):
    assert prefix <= prefix + tail < next_prefix(prefix)
