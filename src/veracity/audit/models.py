"""The audit trail: append-only and hash-chained.

Each event's hash covers its own content and the previous event's hash, and ``seq`` has no
gaps, so changing, inserting or deleting a row anywhere breaks the chain where
``veracity audit verify`` will find it. Database triggers refuse UPDATE and DELETE; the head
hash can be exported and anchored outside the database to catch a truncated tail.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class Action(models.TextChoices):
    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logout")
    VIEW_PERSONAL_DATA = "view_personal_data", _("Viewed personal data")
    SEARCH_PERSONAL_DATA = "search_personal_data", _("Searched by personal data")
    CREATE = "create", _("Created")
    CHANGE = "change", _("Changed")
    GATE_CHECK = "gate_check", _("Truthfulness gate check")
    IMPORT = "import", _("Imported a file")
    KEY_ROTATION = "key_rotation", _("Rotated encryption keys")
    API_CALL = "api_call", _("API call")
    DETECTION_RUN = "detection_run", _("Suspicious-information detection run")
    UNMASK = "unmask", _("Viewed a full (unmasked) value")
    ACCESS_REQUEST = "access_request", _("Requested access to customer data")
    APPROVAL = "approval", _("Decided on a request")
    GRANT_RETURN = "grant_return", _("Returned borrowed files")
    GRANT_EXPIRED = "grant_expired", _("Borrowing expired")
    EXPORT = "export", _("Exported customer data")
    EXTERNAL_PROVISION = "external_provision", _("Provided customer data to an outside party")
    CLASSIFY = "classify", _("Changed a file's classification or custodian")
    DESTRUCTION = "destruction", _("Destroyed records past retention")
    LEGAL_HOLD = "legal_hold", _("Placed or lifted a legal hold")
    INCIDENT = "incident", _("Leak incident")
    INSPECTION = "inspection", _("Archive inspection")
    AUDIT_EXPORT = "audit_export", _("Exported the audit trail")
    AUDIT_VERIFY = "audit_verify", _("Verified the audit chain")


class AuditEvent(models.Model):
    seq = models.BigIntegerField(primary_key=True)
    occurred_at = models.DateTimeField(_("time"), db_index=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True)
    actor = models.CharField(_("actor"), max_length=150)
    action = models.CharField(_("action"), max_length=40, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    customer_id = models.BigIntegerField(_("customer"), null=True, db_index=True)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    ip = models.CharField(_("IP address"), max_length=45, blank=True)
    detail = models.TextField(_("detail"), blank=True)  # canonical JSON, hashed as stored
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit event")
        ordering = ["seq"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.actor}"
