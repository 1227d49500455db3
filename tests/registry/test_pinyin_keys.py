"""Search keys written by the bulk writers follow the PersonSearchKey rules."""

from __future__ import annotations

import pytest

from minzheng.registry import pinyin_keys


@pytest.fixture
def keys():
    return lambda name: set(pinyin_keys.search_keys(name))


def test_name_suffixes_make_contains_a_prefix_search(keys):
    assert {("name", "王秀英"), ("name", "秀英"), ("name", "英")} <= keys("王秀英")


def test_surname_is_read_as_a_surname(keys):
    found = keys("曾国强")
    assert ("full", "zengguoqiang") in found
    assert not any(k.startswith("ceng") for _, k in found)


def test_compound_surname_gives_one_initial_per_syllable(keys):
    found = keys("欧阳明华")
    assert ("initials", "oymh") in found
    assert ("full", "ouyangminghua") in found


def test_every_reading_of_a_polyphonic_given_name(keys):
    found = keys("李长乐")
    assert {("full", "lichangle"), ("full", "lizhangle"), ("initials", "lcl")} <= found
