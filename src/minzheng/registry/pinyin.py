"""Search keys for a person's name: Chinese suffixes, full pinyin and initials.

Pure functions (no database), so they are tested with hypothesis. Rules:

* the surname is read as a surname: ``data/surname_pinyin.csv`` lists the surname readings of
  characters that pypinyin would read as ordinary words (曾 zeng, 解 xie, 单 shan, 仇 qiu …)
  and the compound surnames (欧阳, 司马 …); another surname takes pypinyin's first (most
  common) reading only — 丁 is ding as a surname, never zheng;
* the given name takes every reading of each character (polyphonic characters such as 长, 乐,
  朝), starting with pypinyin's phrase reading, and varying one character at a time before
  combining, so that each reading of each character appears even when the number of variants
  is capped;
* keys are lower-case ASCII (``ü`` is written ``v``) and at most 64 characters.
"""

from __future__ import annotations

import csv
import itertools
import re
from functools import lru_cache
from pathlib import Path

from pypinyin import Style, lazy_pinyin, pinyin

DATA_DIR = Path(__file__).resolve().parent / "data"
MAX_VARIANTS = 24
MAX_KEY_LENGTH = 64
KIND_NAME, KIND_FULL, KIND_INITIALS = "name", "full", "initials"

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_DROP = re.compile(r"[\s·•・.\-'’]")


@lru_cache(maxsize=1)
def surname_readings() -> dict[str, tuple[str, ...]]:
    with (DATA_DIR / "surname_pinyin.csv").open(encoding="utf-8") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        return {r["surname"]: tuple(r["readings"].split()) for r in rows}


def normalize_name(name: str) -> str:
    """The name as keys see it: no blanks or middle dots (买买提·艾力 → 买买提艾力)."""
    return _DROP.sub("", name or "")


def split_surname(name: str) -> tuple[str, str]:
    """(surname, given name); a listed compound surname is taken when the name is long enough."""
    name = normalize_name(name)
    if len(name) >= 3 and name[:2] in surname_readings():
        return name[:2], name[2:]
    return name[:1], name[1:]


def _char_readings(ch: str) -> list[str]:
    if _HAN.match(ch):
        readings = pinyin(ch, style=Style.NORMAL, heteronym=True, v_to_u=False)[0]
        return list(dict.fromkeys(r.replace("ü", "v") for r in readings if r.isascii()))
    if ch.isascii() and ch.isalnum():
        return [ch.lower()]
    return []  # punctuation and characters pypinyin does not know add nothing


def _default_given(given: str) -> list[str]:
    """pypinyin's reading of the given name as a phrase, one syllable per character."""
    # pypinyin takes a list from an ``errors`` callback (one item per character), but its stubs
    # only allow a str result
    syllables = lazy_pinyin(
        given,
        style=Style.NORMAL,
        v_to_u=False,
        errors=lambda s: list(s),  # type: ignore[arg-type,return-value]
    )
    if len(syllables) != len(given):
        return [(_char_readings(c) or [""])[0] for c in given]
    return [s.lower() if s.isascii() else "" for s in syllables]


def name_readings(name: str, *, limit: int = MAX_VARIANTS) -> list[list[str]]:
    """Syllable lists for the readings of a name; the first is the most likely reading."""
    surname, given = split_surname(name)
    if not surname:
        return []
    table = surname_readings()
    if surname in table:
        surname_options = [r.split("-") for r in table[surname]]
    elif len(surname) == 1:
        surname_options = [[r] for r in _char_readings(surname)[:1]] or [[]]
    else:
        surname_options = [[r for c in surname for r in _char_readings(c)[:1]]]

    default = _default_given(given)
    per_char = []
    for ch, first in zip(given, default, strict=True):
        options = _char_readings(ch)
        if first and first in options:
            options.remove(first)
        per_char.append([first, *options] if first else options or [""])

    given_variants: list[list[str]] = [[opts[0] for opts in per_char]]
    for i, opts in enumerate(per_char):  # one character at a time
        for alt in opts[1:]:
            variant = [o[0] for o in per_char]
            variant[i] = alt
            given_variants.append(variant)
    for combo in itertools.product(*per_char):  # then the remaining combinations
        if len(given_variants) >= limit * 4:
            break
        given_variants.append(list(combo))

    out: list[list[str]] = []
    seen: set[tuple[str, ...]] = set()
    # every surname reading with the default given name first, then the given-name variants
    ordered = [(s, given_variants[0]) for s in surname_options] + [
        (s, g) for g in given_variants[1:] for s in surname_options
    ]
    for s, g in ordered:
        syllables = [x for x in (*s, *g) if x]
        key = tuple(syllables)
        if key in seen or not syllables:
            continue
        seen.add(key)
        out.append(syllables)
        if len(out) >= limit:
            break
    return out


def search_keys(name: str) -> list[tuple[str, str]]:
    """``(kind, key)`` pairs to store for a name, without duplicates."""
    clean = normalize_name(name).lower()
    keys: dict[str, str] = {}
    for i in range(len(clean)):  # suffixes: 张三丰, 三丰, 丰
        keys.setdefault(clean[i:][:MAX_KEY_LENGTH], KIND_NAME)
    for syllables in name_readings(name):
        full = "".join(syllables)[:MAX_KEY_LENGTH]
        initials = "".join(s[0] for s in syllables)[:MAX_KEY_LENGTH]
        keys.setdefault(full, KIND_FULL)
        keys.setdefault(initials, KIND_INITIALS)
    return [(kind, key) for key, kind in keys.items() if key]


def normalize_query(text: str) -> str:
    """A pinyin query as keys store it: lower case, no blanks or apostrophes (xi'an → xian)."""
    return re.sub(r"[\s'’·]", "", text or "").lower().replace("ü", "v")


def next_prefix(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)
