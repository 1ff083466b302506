"""The assessment (考核) of sellers and agencies, pure: the period a figure is counted over
(a month ``2026-10``, a quarter ``2026Q4``, a year ``2026``) and the rate per 100
applications. The counting itself is the database's (``veracity.conduct.assessment``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from veracity.core.refusals import Kind, Refusal, register

__all__ = ["Period", "PeriodKind", "per_100", "period_of", "period_parse"]

register(
    {
        "assessment.period": (
            Kind.INVALID,
            "考核期间应为月（2026-10）、季度（2026Q4）或年度（2026）",
            "the period is a month (2026-10), a quarter (2026Q4) or a year (2026)",
        ),
        "assessment.scope": (
            Kind.INVALID,
            "考核对象应为销售人员或代理机构",
            "assess sellers or agencies",
        ),
    }
)


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class Period:
    """``start`` inclusive, ``end`` exclusive; ``label`` as typed back (``2026Q4``)."""

    kind: PeriodKind
    start: date
    end: date
    label: str

    @property
    def label_zh(self) -> str:
        if self.kind is PeriodKind.MONTH:
            return f"{self.start.year}年{self.start.month}月"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        return f"{self.start.year}年"


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


def _next_month(year: int, month: int) -> date:
    return date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)


def period_parse(text: str) -> Period:
    """The period named by ``text``; ``Refusal("assessment.period")`` otherwise."""
    value = (text or "").strip()
    if m := _MONTH.match(value):
        year, month = int(m.group(1)), int(m.group(2))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return Period(PeriodKind.MONTH, date(year, month, 1), _next_month(year, month), value)
    elif m := _QUARTER.match(value):
        year, quarter = int(m.group(1)), int(m.group(2))
        if 2000 <= year <= 2100:
            first = 3 * (quarter - 1) + 1
            return Period(
                PeriodKind.QUARTER,
                date(year, first, 1),
                _next_month(year, first + 2),
                f"{year}Q{quarter}",
            )
    elif m := _YEAR.match(value):
        year = int(m.group(1))
        if 2000 <= year <= 2100:
            return Period(PeriodKind.YEAR, date(year, 1, 1), date(year + 1, 1, 1), value)
    raise Refusal("assessment.period", "period")


def period_of(kind: PeriodKind, day: date) -> Period:
    """The month, quarter or year ``day`` falls in."""
    if kind is PeriodKind.MONTH:
        return period_parse(f"{day.year}-{day.month:02d}")
    if kind is PeriodKind.QUARTER:
        return period_parse(f"{day.year}Q{(day.month - 1) // 3 + 1}")
    return period_parse(str(day.year))


def per_100(count: int, applications: int) -> Decimal | None:
    """``count`` per 100 applications, to one decimal (None without applications)."""
    if applications <= 0:
        return None
    rate = Decimal(count * 100) / Decimal(applications)
    return rate.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
