"""Leak incidents in the admin, read-only: incidents are worked on the staff pages
(``/incidents/``), where every step is audited, and an incident record is never deleted
(D4.27: the incident is recorded). The read counts behind the anomaly signal are shown too."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from veracity.incidents.models import FileReadCount, FileReadDay, LeakIncident, RemediationStep


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RemediationStepInline(admin.TabularInline):  # type: ignore[type-arg]
    model = RemediationStep
    extra = 0
    fields = ("action", "taken_by", "taken_at", "recorded_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LeakIncident)
class LeakIncidentAdmin(_ReadOnly):
    list_display = ("id", "reported_at", "status", "certainty", "source", "reported_by")
    list_filter = ("status", "certainty", "source")
    search_fields = ("description", "cause")
    date_hierarchy = "reported_at"
    inlines = [RemediationStepInline]


@admin.register(FileReadDay)
class FileReadDayAdmin(_ReadOnly):
    list_display = ("day", "users", "counted_at", "evaluated_at")
    date_hierarchy = "day"


@admin.register(FileReadCount)
class FileReadCountAdmin(_ReadOnly):
    list_display = ("day", "actor_id", "files")
    list_filter = ("day",)
    search_fields = ("actor_id",)
