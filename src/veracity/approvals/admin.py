from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from veracity.approvals.models import ApprovalDecision, ApprovalRequest


class DecisionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ApprovalDecision
    extra = 0
    can_delete = False
    readonly_fields = ("step", "decider", "approve", "reason", "decided_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: requests are opened and decided through their owners' pages."""

    list_display = ("id", "kind", "owner_label", "owner_id", "requester", "status", "created_at")
    list_filter = ("kind", "status")
    readonly_fields = (
        "kind",
        "plan",
        "requester",
        "owner_label",
        "owner_id",
        "status",
        "created_at",
        "decided_at",
    )
    inlines = [DecisionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
