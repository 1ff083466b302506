"""Quarter names and boundaries (the regulator report's quarter, D1.22)."""

from __future__ import annotations

from datetime import date

import pytest

from veracity.core.quarters import Quarter, parse_quarter, quarter_of
from veracity.core.refusals import Kind, Refusal


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2026Q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("2026Q2", date(2026, 4, 1), date(2026, 6, 30)),
        ("2026Q3", date(2026, 7, 1), date(2026, 9, 30)),
        ("2026Q4", date(2026, 10, 1), date(2026, 12, 31)),
        ("2024Q1", date(2024, 1, 1), date(2024, 3, 31)),  # leap year: 03-31 still the end
        ("2026q4", date(2026, 10, 1), date(2026, 12, 31)),
        (" 2026-Q4 ", date(2026, 10, 1), date(2026, 12, 31)),
        ("２０２６Ｑ４", date(2026, 10, 1), date(2026, 12, 31)),
    ],
)
def test_quarter_boundaries(text: str, first: date, last: date) -> None:
    quarter = parse_quarter(text)
    assert (quarter.first_day, quarter.last_day) == (first, last)


@pytest.mark.parametrize(
    ("day", "in_2026q4"),
    [
        (date(2026, 9, 30), False),
        (date(2026, 10, 1), True),
        (date(2026, 12, 31), True),
        (date(2027, 1, 1), False),
    ],
)
def test_a_decision_day_falls_in_the_quarter_or_not(day: date, in_2026q4: bool) -> None:
    assert parse_quarter("2026Q4").contains(day) is in_2026q4
    assert (quarter_of(day) == Quarter(2026, 4)) is in_2026q4


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "quarter.invalid"),
        (None, "quarter.invalid"),
        ("2026", "quarter.invalid"),
        ("2026Q5", "quarter.invalid"),
        ("2026Q0", "quarter.invalid"),
        ("Q4 2026", "quarter.invalid"),
        ("26Q4", "quarter.invalid"),
        ("2026Q4; DROP TABLE", "quarter.invalid"),
        ("2026Q4\x00", "quarter.invalid"),
        ("1999Q4", "quarter.out_of_range"),
        ("2100Q1", "quarter.out_of_range"),
        ("x" * 10_000, "quarter.invalid"),
    ],
)
def test_bad_quarters_are_refused_with_words(text: str | None, code: str) -> None:
    with pytest.raises(Refusal) as caught:
        parse_quarter(text)
    assert caught.value.code == code
    assert caught.value.kind is Kind.INVALID
    assert caught.value.field == "quarter"
    assert caught.value.message_zh and caught.value.message_en


def test_next_and_previous_cross_the_year() -> None:
    assert Quarter(2026, 4).next() == Quarter(2027, 1)
    assert Quarter(2027, 1).previous() == Quarter(2026, 4)
    assert str(Quarter(2026, 4)) == "2026Q4"
