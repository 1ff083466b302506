"""Reads of the working-day calendar.

``calendar()`` builds the core :class:`~veracity.core.workdays.Calendar` from the table and
keeps it in memory. Before handing out the cached one it compares a fingerprint of both
tables (row counts and latest change), one small aggregate query, so an edit in the admin,
an import or a re-seed — in this process or any other — is seen by the next call. A batch
that computes many deadlines should call it once and reuse the calendar.
"""

from __future__ import annotations

import threading
from typing import Any

from django.db.models import Count, Max

from veracity.core.workdays import Calendar
from veracity.workcal.models import CalendarDay, CalendarYear

_lock = threading.Lock()
_cache: dict[str, tuple[Any, Calendar]] = {}


def _fingerprint() -> tuple[Any, ...]:
    days = CalendarDay.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    years = CalendarYear.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    return (days["n"], days["last"], years["n"], years["last"])


def _build() -> Calendar:
    holidays: dict[Any, str] = {}
    adjusted: dict[Any, str] = {}
    for day, kind, name in CalendarDay.objects.values_list("date", "kind", "name"):
        (adjusted if kind == CalendarDay.Kind.ADJUSTED_WORKDAY else holidays)[day] = name
    covered = CalendarYear.objects.filter(complete=True).values_list("year", flat=True)
    return Calendar(holidays=holidays, adjusted_workdays=adjusted, covered_years=covered)


def calendar() -> Calendar:
    """The working-day calendar as the table says now."""
    fingerprint = _fingerprint()
    with _lock:
        cached = _cache.get("calendar")
        if cached is not None and cached[0] == fingerprint:
            return cached[1]
    built = _build()
    with _lock:
        _cache["calendar"] = (fingerprint, built)
    return built


def invalidate() -> None:
    """Forget the cached calendar (the fingerprint would notice too; this is immediate)."""
    with _lock:
        _cache.pop("calendar", None)
