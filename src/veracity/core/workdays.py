"""Working-day arithmetic over a holiday table that knows adjusted working days (调休).

A :class:`Calendar` is built from explicit data — the holidays, the adjusted working days
(weekend days that are worked to make up for a holiday) and the years that data covers —
and never looks at a clock. Outside the covered years nobody knows the State Council's
arrangement yet, so a day there is judged by the weekend rule *and every answer that
touched such a day is flagged provisional*, with the unknown years named: a deadline is
never silently computed from Monday–Friday.

Rules, for a day ``d``:

* ``d`` in the adjusted working days → working (a make-up Saturday/Sunday);
* ``d`` in the holidays → not working;
* otherwise Monday–Friday work, Saturday and Sunday rest.

The table is the authority even in a year it does not cover completely (a partly entered
2027 still moves a deadline past the holidays already entered); the result is provisional
until the year is marked covered.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NoReturn

__all__ = [
    "Calendar",
    "DayStatus",
    "WorkdayCount",
    "WorkdayResult",
]

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5


class _NotABool:
    """A result carries a provisional flag; ``if result:`` would drop it silently."""

    __slots__ = ()

    def __bool__(self) -> NoReturn:
        raise TypeError(
            f"{type(self).__name__} is not a truth value: read its fields "
            "(and its `provisional` flag) explicitly"
        )


@dataclass(frozen=True, slots=True)
class DayStatus(_NotABool):
    """Whether one date is a working day; ``name`` is the holiday's or make-up day's name."""

    date: date
    working: bool
    provisional: bool
    unknown_years: tuple[int, ...]
    name: str = ""


@dataclass(frozen=True, slots=True)
class WorkdayResult(_NotABool):
    """A working day found by counting; provisional when a day counted lay in a year the
    table does not cover (then the weekend rule was assumed for it)."""

    date: date
    provisional: bool
    unknown_years: tuple[int, ...]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} provisional" if self.provisional else self.date.isoformat()


@dataclass(frozen=True, slots=True)
class WorkdayCount(_NotABool):
    """A number of working days; provisional as for :class:`WorkdayResult`."""

    days: int
    provisional: bool
    unknown_years: tuple[int, ...]


def _as_mapping(days: Mapping[date, str] | Iterable[date]) -> dict[date, str]:
    if isinstance(days, Mapping):
        return {d: str(n) for d, n in days.items()}
    return dict.fromkeys(days, "")


class Calendar:
    """Holiday table + adjusted working days + covered years → working-day arithmetic.

    ``holidays`` and ``adjusted_workdays`` are dates, or mappings of date → name (e.g.
    ``国庆节``). A date may not be both. Immutable after construction; cheap to share.
    """

    __slots__ = ("_adjusted", "_covered", "_holidays")

    def __init__(
        self,
        *,
        holidays: Mapping[date, str] | Iterable[date],
        adjusted_workdays: Mapping[date, str] | Iterable[date],
        covered_years: Iterable[int],
    ) -> None:
        self._holidays = _as_mapping(holidays)
        self._adjusted = _as_mapping(adjusted_workdays)
        self._covered = frozenset(covered_years)
        both = sorted(self._holidays.keys() & self._adjusted.keys())
        if both:
            raise ValueError(
                "a date cannot be both a holiday and an adjusted working day: "
                + ", ".join(d.isoformat() for d in both[:5])
            )

    # --- the data ---------------------------------------------------------------------------

    @property
    def covered_years(self) -> frozenset[int]:
        return self._covered

    def covers(self, year: int) -> bool:
        return year in self._covered

    def _working(self, d: date) -> bool:
        if d in self._adjusted:
            return True
        if d in self._holidays:
            return False
        return d.weekday() < _SATURDAY

    def _unknown(self, years: Iterable[int]) -> tuple[int, ...]:
        return tuple(sorted({y for y in years if y not in self._covered}))

    @staticmethod
    def _years(first: date, last: date) -> range:
        return range(first.year, last.year + 1)

    # --- questions --------------------------------------------------------------------------

    def is_working_day(self, d: date) -> DayStatus:
        """Whether ``d`` is a working day (``.working``), provisional if its year is unknown."""
        unknown = self._unknown((d.year,))
        name = self._adjusted.get(d) or self._holidays.get(d, "")
        return DayStatus(
            date=d,
            working=self._working(d),
            provisional=bool(unknown),
            unknown_years=unknown,
            name=name,
        )

    def _after(self, d: date) -> Iterator[date]:
        day = d
        while True:
            day += _ONE_DAY
            yield day

    def next_working_day(self, d: date) -> WorkdayResult:
        """The first working day strictly after ``d``."""
        return self.add_working_days(d, 1)

    def add_working_days(self, d: date, n: int) -> WorkdayResult:
        """The ``n``-th working day after ``d`` (``d`` itself not counted).

        ``n = 0`` gives ``d`` when it is a working day, else the next working day: the
        "on or after" rule for a date that must fall on a working day. ``n`` must be ≥ 0.
        Provisional when any day examined (``d`` itself only for ``n = 0``) lies in a year
        the table does not cover.
        """
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        if n == 0:
            if self._working(d):
                unknown = self._unknown((d.year,))
                return WorkdayResult(date=d, provisional=bool(unknown), unknown_years=unknown)
            first, result = d, self.add_working_days(d, 1).date
        else:
            first = d + _ONE_DAY
            remaining = n
            result = d
            for day in self._after(d):
                if self._working(day):
                    remaining -= 1
                    if remaining == 0:
                        result = day
                        break
        unknown = self._unknown(self._years(first, result))
        return WorkdayResult(date=result, provisional=bool(unknown), unknown_years=unknown)

    def working_days_between(self, a: date, b: date) -> WorkdayCount:
        """The number of working days in ``(a, b]``; negative (−count of ``(b, a]``) when
        ``b`` is before ``a``; 0 when they are equal. Provisional when a day of that span
        lies in a year the table does not cover."""
        if a == b:
            return WorkdayCount(days=0, provisional=False, unknown_years=())
        sign, start, end = (1, a, b) if a < b else (-1, b, a)
        count = 0
        day = start
        while day < end:
            day += _ONE_DAY
            if self._working(day):
                count += 1
        unknown = self._unknown(self._years(start + _ONE_DAY, end))
        return WorkdayCount(days=sign * count, provisional=bool(unknown), unknown_years=unknown)
