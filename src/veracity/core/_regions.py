"""The table of administrative-division codes (GB/T 2260), held in memory.

Loaded once from python-stdnum's ``cn/loc.dat``. Every code that ever existed counts,
whatever the years: a number is assigned where the person is registered, which may be
later than the birth year (stdnum's year check is a known trap).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

__all__ = ["PROVINCES", "counties", "current_county_codes"]

_ENTRY = re.compile(r"\[[^\]]*\]")

#: Provinces, including the special cases of residence permits.
PROVINCES: dict[str, str] = {}


def _name(raw: str) -> tuple[str, bool]:
    """Last name of an entry like ``[-1991]东郊区,[1992-]东丽区``; and whether still current."""
    parts = raw.split(",")
    last = parts[-1]
    m = re.match(r"\[(\d*)-(\d*)\]", last)
    current = m is None or m.group(2) == ""
    return _ENTRY.sub("", last), current


@cache
def _load() -> tuple[dict[str, str], tuple[str, ...]]:
    table: dict[str, str] = {}
    current: list[str] = []
    text = resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
    province = ""
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        code, _, props = line.strip().partition(" ")
        _key, _, value = props.partition("=")
        value = value.strip().strip('"')
        if not line.startswith(" "):
            province = code
            PROVINCES[code] = value
            continue
        name, is_current = _name(value)
        full = province + code
        table[full] = name
        if is_current and not full.endswith("00"):
            current.append(full)
    return table, tuple(current)


def counties() -> dict[str, str]:
    """6-digit code -> county name (latest name)."""
    return _load()[0]


def current_county_codes() -> tuple[str, ...]:
    """County-level codes still in use (for generating synthetic numbers)."""
    return _load()[1]


_load()
