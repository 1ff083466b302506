"""Calendar quarters, as the quarterly regulator report names them (D1.22, D1.23): ``2026Q4``
is 2026-10-01 to 2026-12-31, both days included. Pure: no clock, no Django.

A quarter is parsed from its name (:func:`parse_quarter`; a wrong name is refused with
``quarter.invalid`` in both languages) and knows its first and last day and whether a date
falls in it (:meth:`Quarter.contains`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from veracity.core.refusals import Kind, Refusal, register

__all__ = ["FIRST_YEAR", "LAST_YEAR", "Quarter", "parse_quarter", "quarter_of"]

register(
    {
        "quarter.invalid": (
            Kind.INVALID,
            "季度格式应为“年份Q季度”，例如 2026Q4",
            "a quarter is written as year Q number, e.g. 2026Q4",
        ),
        "quarter.out_of_range": (
            Kind.INVALID,
            "季度年份须在 {first} 至 {last} 年之间",
            "the quarter's year must be between {first} and {last}",
        ),
    }
)

#: The years a report may be made for (no business ran before, none is planned after).
FIRST_YEAR: Final = 2000
LAST_YEAR: Final = 2099

_NAME: Final = re.compile(r"(\d{4})\s*[-_ ]?\s*Q([1-4])")


@dataclass(frozen=True, slots=True, order=True)
class Quarter:
    """One calendar quarter: ``year`` and ``number`` (1–4)."""

    year: int
    number: int

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 4:
            raise ValueError("a quarter is numbered 1 to 4")

    @property
    def name(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    def contains(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def next(self) -> Quarter:
        if self.number == 4:
            return Quarter(self.year + 1, 1)
        return Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        if self.number == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.number - 1)

    def __str__(self) -> str:
        return self.name


def parse_quarter(text: str | None) -> Quarter:
    """The quarter named ``text`` (``2026Q4``; lower case, full-width digits and a separator
    such as ``2026-Q4`` are read too). Refused ``quarter.invalid`` for anything else and
    ``quarter.out_of_range`` outside :data:`FIRST_YEAR`–:data:`LAST_YEAR`."""
    raw = text if isinstance(text, str) else ""
    # full-width digits and letters (２０２６Ｑ４) as typed on a Chinese keyboard
    folded = raw.translate({c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}).strip().upper()
    if len(folded) > 12:
        raise Refusal("quarter.invalid", "quarter")
    found = _NAME.fullmatch(folded)
    if found is None:
        raise Refusal("quarter.invalid", "quarter")
    year, number = int(found.group(1)), int(found.group(2))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Refusal("quarter.out_of_range", "quarter", first=FIRST_YEAR, last=LAST_YEAR)
    return Quarter(year, number)


def quarter_of(day: date) -> Quarter:
    """The quarter ``day`` falls in."""
    return Quarter(day.year, (day.month - 1) // 3 + 1)
