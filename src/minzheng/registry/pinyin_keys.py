"""Search keys for bulk writers (import, generator), as :class:`~.models.PersonSearchKey` wants.

The registry branch is writing the authoritative rules in ``registry/pinyin.py``; when that
module is present its ``search_keys`` is used, so that keys written in bulk are exactly the
keys the search selector looks for. Until then a small implementation of the same rules
(from the ``PersonSearchKey`` docstring) stands in: name suffixes, then full pinyin and
initials for the readings of the name, the surname read as a surname
(``data/surname_pinyin.csv``). Results are cached per name: a county has far fewer distinct
names than persons.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from pypinyin import Style, pinyin

DATA_DIR = Path(__file__).resolve().parent / "data"
MAX_KEY_LENGTH = 64
MAX_VARIANTS = 8
_DROP = re.compile(r"[\s·•・.\-'’]")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

KeysFunction = Callable[[str], list[tuple[str, str]]]


@lru_cache(maxsize=1)
def _surname_readings() -> dict[str, tuple[str, ...]]:
    with (DATA_DIR / "surname_pinyin.csv").open(encoding="utf-8") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        return {r["surname"]: tuple(r["readings"].split()) for r in rows}


@lru_cache(maxsize=20_000)
def _char_readings(ch: str) -> list[str]:
    if _HAN.match(ch):
        readings = pinyin(ch, style=Style.NORMAL, heteronym=True)[0]
        return list(dict.fromkeys(r.replace("ü", "v") for r in readings if r.isascii()))
    if ch.isascii() and ch.isalnum():
        return [ch.lower()]
    return []


def _fallback_search_keys(name: str) -> list[tuple[str, str]]:
    clean = _DROP.sub("", name or "").lower()
    keys: dict[str, str] = {}
    for i in range(len(clean)):
        keys.setdefault(clean[i:][:MAX_KEY_LENGTH], "name")
    table = _surname_readings()
    if len(clean) >= 3 and clean[:2] in table:
        surname, given = clean[:2], clean[2:]
    else:
        surname, given = clean[:1], clean[1:]
    if surname in table and (len(surname) == 1 or all("-" in r for r in table[surname])):
        first = [r.split("-") for r in table[surname]]  # compound surnames: ou-yang
    else:
        first = (
            [[r] for r in _char_readings(surname)]
            if len(surname) == 1
            else [[(_char_readings(c) or [""])[0] for c in surname]]
        )
    per_char = [_char_readings(c) or [""] for c in given]
    readings = ((s, g) for s in first or [[""]] for g in itertools.product(*per_char))
    for n, (surname_syllables, given_syllables) in enumerate(readings):
        if n >= MAX_VARIANTS:
            break
        syllables = [x for x in (*surname_syllables, *given_syllables) if x]
        if not syllables:
            continue
        keys.setdefault("".join(syllables)[:MAX_KEY_LENGTH], "full")
        keys.setdefault("".join(x[0] for x in syllables)[:MAX_KEY_LENGTH], "initials")
    return [(kind, key) for key, kind in keys.items() if key]


def _implementation() -> KeysFunction:
    try:
        from minzheng.registry import pinyin as registry_pinyin  # type: ignore[attr-defined]
    except ImportError:
        return _fallback_search_keys
    return registry_pinyin.search_keys  # type: ignore[no-any-return]


_search_keys: KeysFunction = _implementation()


@lru_cache(maxsize=200_000)
def search_keys(name: str) -> tuple[tuple[str, str], ...]:
    """``(kind, key)`` pairs for a name, cached."""
    return tuple(_search_keys(name))
