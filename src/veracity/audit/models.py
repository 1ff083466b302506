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
    LOGIN_LOCKOUT = "login_lockout", _("Login locked after repeated failures")
    TWO_FACTOR = "two_factor", _("Two-factor login step")
    PASSWORD_CHANGE = "password_change", _("Changed one's password")
    API_THROTTLED = "api_throttled", _("API client over its rate limit")
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
    CASE_STEP = "case_step", _("Problem-item case step")
    ACCESS_REFUSED = "access_refused", _("Refused access (no permission)")


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
        verbose_name_plural = _("audit events")
        verbose_name = _("audit event")
        ordering = ["seq"]
        default_permissions = ("view",)
        indexes = [
            # "What did this user do?" — the auditor's first question, newest first.
            models.Index(fields=["actor", "seq"], name="audit_event_actor_seq"),
            # "What happened to this customer?": the events about an object (the customer's
            # access requests, their approvals, its problem items' steps), OR-ed with the
            # customer_id index by the file-number filter (1M events on PostgreSQL: a
            # 325 ms parallel seq scan without it, under 1 ms with it)
            models.Index(fields=["object_type", "object_id", "seq"], name="audit_event_object_seq"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.actor}"


class ChainVerification(models.Model):
    """One verification of the whole chain asked for in the auditor's pages and run as a
    job (it can take a minute over millions of events): its progress while it runs, its
    result when done. The result is also written to the audit trail (``AUDIT_VERIFY``)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Could not finish")

    requested_by_id = models.BigIntegerField(_("requested by (user id)"), null=True)
    requested_by = models.CharField(_("requested by"), max_length=150)
    requested_ip = models.CharField(_("IP address"), max_length=45, blank=True)
    requested_at = models.DateTimeField(_("requested at"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    started_at = models.DateTimeField(_("started at"), null=True)
    finished_at = models.DateTimeField(_("finished at"), null=True)
    #: Last sign of life (progress written), to tell a dead job from a slow one.
    updated_at = models.DateTimeField(_("updated at"))
    #: The head's seq when asked: progress is counted against it.
    target_seq = models.BigIntegerField(_("events to check"), default=0)
    checked = models.BigIntegerField(_("events checked"), default=0)
    ok = models.BooleanField(_("chain intact"), null=True)
    events = models.BigIntegerField(_("events"), null=True)
    head_seq = models.BigIntegerField(_("head seq"), null=True)
    head_hash = models.CharField(_("head hash"), max_length=64, blank=True)
    problems = models.JSONField(_("problems"), default=list)
    error = models.TextField(_("error"), blank=True)
    #: The ``AUDIT_VERIFY`` event that records the result.
    audit_seq = models.BigIntegerField(_("audit event"), null=True)

    class Meta:
        verbose_name_plural = _("audit chain verifications")
        verbose_name = _("audit chain verification")
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"verification #{self.pk} {self.status}"

    @property
    def active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.target_seq:
            return 0
        return min(99, int(100 * self.checked / self.target_seq))
