"""The holiday table in the admin: staff enter the years chinese-calendar does not know yet
(or correct a day); what they save is ``source = manual``, which a re-seed never overwrites."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from veracity.workcal.models import CalendarDay, CalendarYear, Source


@admin.register(CalendarDay)
class CalendarDayAdmin(SimpleHistoryAdmin):  # type: ignore[misc]  # untyped base
    list_display = ("date", "weekday", "kind", "name", "source")
    list_filter = ("kind", "source")
    search_fields = ("name", "date")
    date_hierarchy = "date"
    readonly_fields = ("source", "updated_at")
    fields = ("date", "kind", "name", "source", "updated_at")

    @admin.display(description="星期 / weekday")
    def weekday(self, obj: CalendarDay) -> str:
        return "一二三四五六日"[obj.date.weekday()]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.source = Source.MANUAL
        super().save_model(request, obj, form, change)


@admin.register(CalendarYear)
class CalendarYearAdmin(SimpleHistoryAdmin):  # type: ignore[misc]  # untyped base
    list_display = ("year", "complete", "source", "note", "updated_at")
    list_filter = ("complete", "source")
    readonly_fields = ("source", "updated_at")
    fields = ("year", "complete", "note", "source", "updated_at")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.source = Source.MANUAL
        super().save_model(request, obj, form, change)
