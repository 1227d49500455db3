"""Search keys for the bulk writers (import, generator): the registry's own rules
(:func:`minzheng.registry.pinyin.search_keys`), cached per name — a county has far fewer
distinct names than persons, and computing the readings costs about 200 µs a name."""

from __future__ import annotations

from functools import lru_cache

from .pinyin import search_keys as _search_keys


@lru_cache(maxsize=200_000)
def search_keys(name: str) -> tuple[tuple[str, str], ...]:
    """``(kind, key)`` pairs for a name, cached."""
    return tuple(_search_keys(name))
