"""PW-2: an investigation is due 3 working days after distribution — counted over the
holiday table with its make-up working days — and never after the cooling-off callback of
any of the item's policies; the earlier wins and the item says which. A deadline that
counts a day of a year the table does not cover is provisional."""

from __future__ import annotations

from datetime import date

import holidays
import pytest
from django.utils import timezone

from veracity.cases import services as cs
from veracity.cases.listing import deadline_after_distribution
from veracity.cases.models import ProblemItem
from veracity.cases.selectors import work_queue
from veracity.org.principals import Staff, with_purpose
from veracity.policies.models import Policy
from veracity.workcal.models import CalendarDay, CalendarYear
from veracity.workcal.selectors import calendar

pytestmark = pytest.mark.django_db


def _callbacks(item: ProblemItem, *dates: date | None) -> None:
    """Give the item's policies (agency L1, bancassurance L2) these callback dates."""
    for no, callback in zip(("L1", "L2"), dates, strict=False):
        Policy.objects.filter(application_no=no).update(callback_due_on=callback)


def _distribute(item: ProblemItem, user, on: date) -> ProblemItem:
    cs.problem_item_distribute(principal=Staff(user), item_id=item.pk, channel="agency", as_of=on)
    item.refresh_from_db()
    return item


@pytest.mark.parametrize(
    ("distributed", "due"),
    [
        # National Day 1–7 October 2026, Saturday 10 October worked instead (调休)
        (date(2026, 9, 29), date(2026, 10, 9)),
        (date(2026, 9, 30), date(2026, 10, 10)),
        (date(2026, 10, 2), date(2026, 10, 10)),  # distributed on a holiday (by hand)
        (date(2026, 10, 8), date(2026, 10, 12)),  # Saturday 10th counts, Sunday 11th not
        (date(2026, 10, 9), date(2026, 10, 13)),
        # an ordinary week: Thursday → Tuesday
        (date(2026, 11, 26), date(2026, 12, 1)),
        # the last days of 2026 stay inside the year the table covers
        (date(2026, 12, 25), date(2026, 12, 30)),
    ],
)
def test_three_working_days_over_the_holiday_table(distributed, due, item, personas):
    item = _distribute(item, personas["sam"], distributed)
    assert (item.distributed_on, item.due_on) == (distributed, due)
    assert (item.due_basis, item.due_provisional) == ("3_working_days", False)


def test_national_day_agrees_with_the_holidays_package(db):
    """Cross-check of the seeded table against an independent source."""
    cn = holidays.country_holidays("CN", years=2026)
    cal = calendar()
    for day in (date(2026, 10, d) for d in range(1, 8)):
        assert day in cn or day.weekday() >= 5, day
        assert cal.is_working_day(day).working is False
    assert cal.is_working_day(date(2026, 10, 10)).working is True  # make-up Saturday


class TestNewYear2027:
    """chinese-calendar knows no 2027: the table has no 2027 data until staff enter it."""

    def test_unknown_year_gives_a_provisional_deadline(self, item, personas):
        assert not CalendarYear.objects.filter(year=2027, complete=True).exists()
        item = _distribute(item, personas["sam"], date(2026, 12, 30))
        # Thu 31 Dec, then Fri 1 Jan 2027 counted by the weekend rule, then Mon 4 Jan
        assert (item.due_on, item.due_basis, item.due_provisional) == (
            date(2027, 1, 4),
            "3_working_days",
            True,
        )
        [row] = work_queue(
            principal=with_purpose(Staff(personas["carol"]), "t"), as_of=date(2026, 12, 30)
        ).items
        assert (row.deadline, row.deadline_provisional) == (date(2027, 1, 4), True)

    def test_a_deadline_inside_2026_is_not_provisional(self, item, personas):
        item = _distribute(item, personas["sam"], date(2026, 12, 28))
        assert (item.due_on, item.due_provisional) == (date(2026, 12, 31), False)

    def test_entered_holidays_move_it_and_it_stays_provisional_until_the_year_is_complete(
        self, item, personas
    ):
        CalendarDay.objects.create(date=date(2027, 1, 1), kind="holiday", name="元旦")
        cal = calendar()
        partial = deadline_after_distribution(date(2026, 12, 30), [], cal)
        assert (partial.deadline, partial.provisional) == (date(2027, 1, 5), True)
        CalendarYear.objects.create(year=2027, complete=True, note="entered by hand")
        item = _distribute(item, personas["sam"], date(2026, 12, 30))
        assert (item.due_on, item.due_provisional) == (date(2027, 1, 5), False)

    def test_the_calendar_library_itself_refuses_2027(self):
        """Why the table exists: the library fails loudly rather than guess."""
        import chinese_calendar

        with pytest.raises(NotImplementedError):
            chinese_calendar.is_workday(date(2027, 1, 1))


@pytest.mark.parametrize(
    ("callbacks", "due", "basis"),
    [
        # the earliest callback of the item's policies is before the 3rd working day
        ((date(2026, 10, 8), date(2026, 10, 20)), date(2026, 10, 8), "callback"),
        ((None, date(2026, 10, 9)), date(2026, 10, 9), "callback"),
        # on the same day: the working-day rule is the basis (the callback does not cut it)
        ((date(2026, 10, 10), None), date(2026, 10, 10), "3_working_days"),
        # later: the three working days win
        ((date(2026, 10, 12), date(2026, 10, 30)), date(2026, 10, 10), "3_working_days"),
        ((None, None), date(2026, 10, 10), "3_working_days"),
    ],
)
def test_capped_by_the_cooling_off_callback(callbacks, due, basis, item, personas):
    _callbacks(item, *callbacks)
    item = _distribute(item, personas["sam"], date(2026, 9, 30))
    assert (item.due_on, item.due_basis) == (due, basis)


def test_a_callback_already_made_does_not_cap_the_deadline(item, personas):
    """A callback made before the item reached the channel can no longer be met: the item
    gets its 3 working days (a legacy back-check must not be overdue on arrival), and the
    member still shows its callback date."""
    _callbacks(item, date(2026, 9, 20), None)
    item = _distribute(item, personas["sam"], date(2026, 9, 30))
    assert (item.due_on, item.due_basis) == (date(2026, 10, 10), "3_working_days")
    [row] = work_queue(
        principal=with_purpose(Staff(personas["carol"]), "t"), as_of=date(2026, 9, 30)
    ).items
    assert (row.due, row.deadline_basis, row.callback_due_on) == (
        "",
        "3_working_days",
        date(2026, 9, 20),
    )
    assert cs.problem_items_overdue_notify(as_of=date(2026, 9, 30)) == 0


def test_a_callback_on_the_day_of_distribution_caps_it(item, personas):
    _callbacks(item, date(2026, 9, 30), None)
    item = _distribute(item, personas["sam"], date(2026, 9, 30))
    assert (item.due_on, item.due_basis) == (date(2026, 9, 30), "callback")


@pytest.mark.parametrize(
    ("as_of", "due"),
    [
        (date(2026, 10, 8), ""),  # two working days left
        (date(2026, 10, 9), "near"),  # due on the next working day
        (date(2026, 10, 10), "near"),  # due today
        (date(2026, 10, 11), "past"),
    ],
)
def test_near_and_past_due_in_the_queue(as_of, due, item, personas):
    _distribute(item, personas["sam"], date(2026, 9, 30))
    [row] = work_queue(principal=with_purpose(Staff(personas["carol"]), "t"), as_of=as_of).items
    assert row.due == due


def test_submitted_items_are_no_longer_due(item, personas):
    from tests.cases.conftest import PDF

    carol = personas["carol"]
    _distribute(item, personas["sam"], date(2026, 9, 30))
    cs.problem_item_claim(principal=Staff(carol), item_id=item.pk)
    cs.problem_item_attach(
        principal=Staff(carol),
        item_id=item.pk,
        kind="investigator_report",
        description="r",
        filename="r.pdf",
        data=PDF,
    )
    cs.problem_item_submit(
        principal=Staff(carol), item_id=item.pk, outcome="explained", findings="true"
    )
    [row] = work_queue(
        principal=with_purpose(Staff(personas["dave"]), "t"), as_of=date(2026, 10, 20)
    ).items
    assert row.due == ""


def test_redistribution_restarts_the_clock(item, personas):
    sam = personas["sam"]
    _distribute(item, sam, date(2026, 9, 30))
    item = _distribute(item, sam, date(2026, 11, 26))
    assert (item.distributed_on, item.due_on) == (date(2026, 11, 26), date(2026, 12, 1))


def test_customer_service_taking_up_a_new_item_starts_the_clock(item, personas):
    cs.problem_item_claim(principal=Staff(personas["sam"]), item_id=item.pk)
    item.refresh_from_db()
    today = timezone.localdate()
    expected = deadline_after_distribution(today, [None, None], calendar())
    assert (item.distributed_on, item.due_on, item.due_basis) == (
        today,
        expected.deadline,
        expected.basis,
    )
