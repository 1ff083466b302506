"""Working-day arithmetic (veracity.core.workdays), without Django: 调休, National Day 2026,
the unknown year 2027 (provisional, never silently Monday–Friday), and a cross-check of the
chinese-calendar data against the `holidays` package for 2004–2026."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest

from veracity.core.workdays import Calendar, WorkdayResult
from veracity.workcal.seeding import ADJUSTED_WORKDAY, HOLIDAY, library_days

D = date.fromisoformat
KNOWN = range(2004, 2027)


def library_calendar(extra_years: range | tuple[int, ...] = ()) -> Calendar:
    days = library_days()
    return Calendar(
        holidays={d: n for d, (k, n) in days.items() if k == HOLIDAY},
        adjusted_workdays={d: n for d, (k, n) in days.items() if k == ADJUSTED_WORKDAY},
        covered_years=[*KNOWN, *extra_years],
    )


CAL = library_calendar()

# A 2027 table as staff would import it (the 2027 notice is not in chinese-calendar 1.11):
# only what the tests need — 元旦 2027-01-01 (Friday).
CAL_2027 = Calendar(
    holidays={
        **{d: n for d, (k, n) in library_days().items() if k == HOLIDAY},
        D("2027-01-01"): "元旦",
    },
    adjusted_workdays={d: n for d, (k, n) in library_days().items() if k == ADJUSTED_WORKDAY},
    covered_years=[*KNOWN, 2027],
)


@pytest.mark.parametrize(
    ("start", "n", "expected", "provisional"),
    [
        # National Day 2026: Oct 1–7 off, Thu 8 and Fri 9 work, Sat 10 is a make-up day.
        ("2026-09-30", 1, "2026-10-08", False),
        ("2026-09-30", 2, "2026-10-09", False),
        ("2026-09-30", 3, "2026-10-10", False),
        ("2026-09-30", 4, "2026-10-12", False),
        ("2026-10-01", 0, "2026-10-08", False),  # n = 0 on a holiday → next working day
        ("2026-09-30", 0, "2026-09-30", False),  # n = 0 on a working day → itself
        ("2026-09-19", 1, "2026-09-20", False),  # Sun 2026-09-20 is a make-up day
        # Spring Festival 2026: Feb 15–23 off; Sat Feb 14 and Sat Feb 28 are make-up days.
        ("2026-02-13", 1, "2026-02-14", False),
        ("2026-02-14", 1, "2026-02-24", False),
        ("2026-02-13", 5, "2026-02-27", False),
        ("2026-02-27", 1, "2026-02-28", False),
        ("2026-02-27", 2, "2026-03-02", False),
        # A plain week: Monday 2026-06-08 + 5 → next Monday; Friday + 1 → Monday.
        ("2026-06-08", 5, "2026-06-15", False),
        ("2026-06-12", 1, "2026-06-15", False),
        ("2026-06-13", 0, "2026-06-15", False),
        # Across the end of 2026 into 2027, which chinese-calendar does not know.
        ("2026-12-30", 1, "2026-12-31", False),
        ("2026-12-31", 0, "2026-12-31", False),
        ("2026-12-31", 1, "2027-01-01", True),  # weekend rule: a Friday — but flagged
        ("2026-12-30", 3, "2027-01-04", True),
        ("2027-03-01", 3, "2027-03-04", True),
    ],
)
def test_add_working_days(start: str, n: int, expected: str, provisional: bool) -> None:
    result = CAL.add_working_days(D(start), n)
    assert result.date == D(expected)
    assert result.provisional is provisional
    assert result.unknown_years == ((2027,) if provisional else ())


def test_item_distributed_on_2026_09_30_is_due_on_the_make_up_saturday() -> None:
    result = CAL.add_working_days(D("2026-09-30"), 3)
    assert result == WorkdayResult(date=D("2026-10-10"), provisional=False, unknown_years=())
    assert result.date.weekday() == 5
    assert str(result) == "2026-10-10"


def test_a_2027_table_moves_the_deadline_and_clears_the_flag() -> None:
    assert CAL.add_working_days(D("2026-12-31"), 1).provisional
    result = CAL_2027.add_working_days(D("2026-12-31"), 1)
    assert (result.date, result.provisional) == (D("2027-01-04"), False)
    assert str(CAL.add_working_days(D("2026-12-31"), 1)) == "2027-01-01 provisional"


def test_partly_entered_year_is_used_but_still_provisional() -> None:
    partial = Calendar(holidays={D("2027-01-01"): "元旦"}, adjusted_workdays={}, covered_years=[])
    result = partial.add_working_days(D("2026-12-31"), 1)
    assert (result.date, result.provisional, result.unknown_years) == (
        D("2027-01-04"),
        True,
        (2027,),
    )


@pytest.mark.parametrize(
    ("a", "b", "days", "provisional"),
    [
        ("2026-09-30", "2026-10-10", 3, False),
        ("2026-09-30", "2026-09-30", 0, False),
        ("2026-10-10", "2026-09-30", -3, False),
        ("2026-06-07", "2026-06-14", 5, False),  # Sunday to Sunday: one plain week
        ("2026-02-13", "2026-02-28", 6, False),  # Sat 14, Tue 24–Fri 27, Sat 28
        ("2025-12-31", "2026-12-31", 248, False),  # the working days of 2026
        ("2026-12-31", "2027-01-08", 6, True),
    ],
)
def test_working_days_between(a: str, b: str, days: int, provisional: bool) -> None:
    result = CAL.working_days_between(D(a), D(b))
    assert (result.days, result.provisional) == (days, provisional)


def test_between_agrees_with_add() -> None:
    start = D("2026-01-01")
    for n in range(0, 260, 7):
        end = CAL.add_working_days(start, n).date if n else start
        assert CAL.working_days_between(start, end).days == n


@pytest.mark.parametrize(
    ("day", "working", "name"),
    [
        ("2026-10-01", False, "国庆节"),
        ("2026-10-10", True, "国庆节"),
        ("2026-02-17", False, "春节"),
        ("2026-06-10", True, ""),
        ("2026-06-13", False, ""),
        ("2005-12-31", True, "元旦"),  # corrected: chinese-calendar 1.11 misses this one
    ],
)
def test_is_working_day(day: str, working: bool, name: str) -> None:
    status = CAL.is_working_day(D(day))
    assert (status.working, status.provisional, status.name) == (working, False, name)


def test_next_working_day_is_strictly_after() -> None:
    assert CAL.next_working_day(D("2026-06-10")).date == D("2026-06-11")
    assert CAL.next_working_day(D("2026-09-30")).date == D("2026-10-08")


def test_unknown_year_day_is_provisional() -> None:
    status = CAL.is_working_day(D("2027-06-09"))
    assert (status.working, status.provisional, status.unknown_years) == (True, True, (2027,))


def test_results_refuse_to_be_used_as_booleans() -> None:
    with pytest.raises(TypeError, match="provisional"):
        bool(CAL.is_working_day(D("2026-10-01")))


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="n must be"):
        CAL.add_working_days(D("2026-01-05"), -1)
    with pytest.raises(ValueError, match="both a holiday and an adjusted"):
        Calendar(holidays=[D("2026-10-10")], adjusted_workdays=[D("2026-10-10")], covered_years=[])


def every_day(first: int, last: int):
    day = date(first, 1, 1)
    while day.year <= last:
        yield day
        day += timedelta(days=1)


def test_every_public_holiday_of_the_holidays_package_is_a_day_off_2004_2026() -> None:
    """The direction that must hold: a day `holidays.China` lists as a public holiday is not a
    working day for us. (`holidays` lists only the statutory days and their in-lieu weekdays,
    not every day of a 7-day block, so the reverse is checked on weekdays only, below.)"""
    theirs = holidays.China(years=KNOWN)
    assert len(theirs) > 400
    worked = [(d, n) for d, n in sorted(theirs.items()) if CAL.is_working_day(d).working]
    assert worked == []


def test_every_weekday_off_of_ours_is_a_holiday_in_the_holidays_package_2004_2026() -> None:
    theirs = holidays.China(years=KNOWN)
    ours = [
        d for d in every_day(2004, 2026) if d.weekday() < 5 and not CAL.is_working_day(d).working
    ]
    assert [d for d in ours if d not in theirs] == []


def test_adjusted_working_days_agree_with_the_holidays_package_2004_2026() -> None:
    """`holidays` (0.109) also lists the weekend working days. It agrees with us on every one
    from 2004 to 2026; the one chinese-calendar 1.11 misses (2005-12-31, 国办发明电〔2005〕35号)
    is corrected in veracity.workcal.seeding.CORRECTIONS."""
    theirs = {d for d in holidays.China(years=KNOWN).weekend_workdays if 2004 <= d.year <= 2026}
    ours = {d for d in every_day(2004, 2026) if d.weekday() >= 5 and CAL.is_working_day(d).working}
    assert sorted(theirs ^ ours) == []


def test_working_days_per_year_match_the_holidays_package_2004_2026() -> None:
    theirs = holidays.China(years=KNOWN)
    for year in KNOWN:
        ours = CAL.working_days_between(date(year - 1, 12, 31), date(year, 12, 31))
        assert not ours.provisional
        assert ours.days == theirs.get_working_days_count(date(year, 1, 1), date(year, 12, 31)), (
            year
        )
