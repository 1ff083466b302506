"""The working-day calendar's table: holidays and adjusted working days (调休) per date, and
the years whose arrangement is completely entered.

Seeded from chinese-calendar (every year it knows, 2004–2026 in 1.11); editable in the admin
and by ``veracity workdays import FILE`` for the years the library does not know yet. A year
without a complete ``CalendarYear`` row makes every deadline touching it provisional.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Source(models.TextChoices):
    CHINESE_CALENDAR = "chinese_calendar", _("chinese-calendar package")
    MANUAL = "manual", _("Entered by staff")


class CalendarDay(models.Model):
    """One date that departs from the Monday–Friday rule."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday")
        ADJUSTED_WORKDAY = "adjusted_workday", _("Adjusted working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.MANUAL
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(user_db_constraint=False)  # see veracity.db.bulk

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()} {self.name}".rstrip()

    def clean(self) -> None:
        if (
            self.kind == self.Kind.ADJUSTED_WORKDAY
            and self.date is not None
            and self.date.weekday() < 5
        ):
            raise ValidationError(
                {"kind": _("An adjusted working day must be a Saturday or a Sunday.")}
            )


class CalendarYear(models.Model):
    """A year whose holidays and adjusted working days are all in the table (``complete``)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    complete = models.BooleanField(_("complete"), default=False)
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.MANUAL
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(user_db_constraint=False)  # see veracity.db.bulk

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)
