"""Retention rules are edited in the admin (through the service, so each change is audited);
holds, requests, certificates and inspections are shown read-only — they change only
through their workflow in the staff pages."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from veracity.db.addresses import request_address
from veracity.org.principals import Staff
from veracity.retention.models import (
    DestructionCertificate,
    DestructionRequest,
    InspectionRecord,
    LegalHold,
    RetentionRule,
)
from veracity.retention.services import RetentionError, retention_rule_set


@admin.register(RetentionRule)
class RetentionRuleAdmin(SimpleHistoryAdmin):  # type: ignore[misc]  # untyped base
    list_display = ("record_class", "years", "updated_at", "updated_by")
    fields = ("record_class", "years", "basis", "updated_at", "updated_by")
    readonly_fields = ("record_class", "updated_at", "updated_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # one rule per record class, seeded by a migration

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # no rule would mean nothing is ever due

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        try:
            retention_rule_set(
                record_class=obj.record_class,
                years=obj.years,
                basis=obj.basis,
                principal=Staff(request.user, address=request_address(request)),
            )
        except RetentionError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LegalHold)
class LegalHoldAdmin(ReadOnlyAdmin):
    list_display = ("id", "customer_id", "placed_by", "placed_at", "lifted_at")


@admin.register(DestructionRequest)
class DestructionRequestAdmin(ReadOnlyAdmin):
    list_display = ("id", "status", "requested_by", "requested_at", "executed_at")
    list_filter = ("status",)


@admin.register(DestructionCertificate)
class DestructionCertificateAdmin(ReadOnlyAdmin):
    list_display = ("id", "request", "executed_at", "executed_by", "audit_seq")


@admin.register(InspectionRecord)
class InspectionRecordAdmin(ReadOnlyAdmin):
    list_display = ("id", "period", "performed_label", "performed_at", "ok")
