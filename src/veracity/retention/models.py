"""Retention periods, legal holds, destruction and the semi-annual archive inspection.

D4.25: customer data whose retention period has run out and that has lost its value is
destroyed by the rules, never sold as waste paper; PIPL Art. 47 asks the same of personal
information once its retention period has expired. D4.14: the archive is inspected in full
every half year and the inspection is recorded.

- ``RetentionRule``: one period per record class, counted in years from the triggering event
  (the end of the last policy, the last change of a customer without policy, the closing
  of a problem item). Editable; the defaults and their legal basis come from a migration.
- ``LegalHold``: a customer file under hold is never destroyed, whatever its period.
- ``DestructionRequest``: the records to destroy, who asked, and (on ``veracity.approvals``)
  the approvals of the customer information manager and of the customer service manager
  (two people, neither the requester). Executing it leaves a ``DestructionCertificate``.
- ``InspectionRecord``: the report of one archive inspection (chain integrity, encryption
  coverage, files, borrowing).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from veracity.approvals.models import ApprovalDecision

#: What a destroyed customer's name is replaced with (the row stays: policies, problem items
#: and the audit trail refer to it by id).
DESTROYED_NAME = "已销毁"

#: The owner label of destruction requests on the approvals engine (their audit object type).
DESTRUCTION_OWNER = "destruction_request"

#: How personal data is destroyed, as written on the certificate.
METHOD = "overwrite and delete, history included / 覆写并删除（含历史记录）"


class RecordClass(models.TextChoices):
    CUSTOMER_POLICIES_ENDED = (
        "customer_policies_ended",
        _("Customer file whose policies have all ended"),
    )
    CUSTOMER_NO_POLICY = "customer_no_policy", _("Customer with no policy")
    PROBLEM_ITEM_CLOSED = "problem_item_closed", _("Closed problem item")


#: The event each period counts from, as shown next to the rule.
TRIGGERS = {
    RecordClass.CUSTOMER_POLICIES_ENDED: _(
        "the last of the customer's policies ended (cancelled or terminated; its last change)"
    ),
    RecordClass.CUSTOMER_NO_POLICY: _("the last change of the customer record"),
    RecordClass.PROBLEM_ITEM_CLOSED: _("the problem item was closed (its last change)"),
}


class RetentionRule(models.Model):
    record_class = models.CharField(
        _("record class"), max_length=32, choices=RecordClass.choices, unique=True
    )
    years = models.PositiveSmallIntegerField(
        _("retention period (years)"),
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_(
            "Years the record is kept after the triggering event; then it is due for "
            "destruction (D4.25, PIPL Art. 47). Never shorter than the law named in the "
            "basis: insurance business records at least 10 years after a contract of more "
            "than one year ends (Insurance Law Art. 87); customer identity data as long as "
            "the anti-money-laundering rules require."
        ),
    )
    basis = models.TextField(
        _("basis"),
        help_text=_("The law or company rule the period rests on, for the compliance review."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords(user_db_constraint=False)

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering = ["record_class"]

    def __str__(self) -> str:
        return f"{self.record_class}: {self.years}"

    @property
    def trigger(self) -> str:
        return str(TRIGGERS.get(RecordClass(self.record_class), ""))


class LegalHold(models.Model):
    """A customer file that must not be destroyed (litigation, investigation, regulator's
    request), whatever its retention period, until the hold is lifted."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("placed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    placed_at = models.DateTimeField(_("placed at"))
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lifted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lift_reason = models.TextField(_("reason for lifting"), blank=True)

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=models.Q(lifted_at__isnull=True),
                name="one_active_legal_hold_per_customer",
            )
        ]

    def __str__(self) -> str:
        return f"hold #{self.pk} on {self.customer_id}"

    @property
    def active(self) -> bool:
        return self.lifted_at is None


class DestructionRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        EXECUTED = "executed", _("Executed")

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("executed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    executed_at = models.DateTimeField(_("executed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("destruction request")
        verbose_name_plural = _("destruction requests")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["status"], name="destruction_request_status")]

    def __str__(self) -> str:
        return f"destruction request #{self.pk} ({self.status})"

    @property
    def approvals(self) -> models.QuerySet[ApprovalDecision]:
        """The decisions on this request (kept by ``veracity.approvals``)."""
        return ApprovalDecision.objects.filter(
            request__owner_label=DESTRUCTION_OWNER, request__owner_id=self.pk
        )


class Step(models.TextChoices):
    """The two approvals a destruction needs: the two managers who answer for customer data
    (the same pair that approves giving data to an outside party, D4.24)."""

    INFORMATION_MANAGER = "information_manager", _("Customer information manager")
    CUSTOMER_SERVICE_MANAGER = "customer_service_manager", _("Customer service manager")


class ItemKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer file")
    PROBLEM_ITEM = "problem_item", _("Problem item")


class Outcome(models.TextChoices):
    PENDING = "pending", _("To be destroyed")
    DESTROYED = "destroyed", _("Destroyed")
    HELD = "held", _("Kept: legal hold")
    BLOCKED = "blocked", _("Kept: open problem item")
    NOT_DUE = "not_due", _("Kept: retention period not over")
    ALREADY_DESTROYED = "already_destroyed", _("Already destroyed")


class DestructionItem(models.Model):
    """One record of a request. ``object_id`` is the customer's or the problem item's id (a
    destroyed problem item no longer exists, so there is no foreign key)."""

    request = models.ForeignKey(DestructionRequest, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("kind"), max_length=16, choices=ItemKind.choices)
    object_id = models.BigIntegerField(_("record id"))
    record_class = models.CharField(_("record class"), max_length=32, choices=RecordClass.choices)
    label = models.CharField(_("record"), max_length=40, blank=True)  # archive no., never a name
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.PENDING
    )

    class Meta:
        verbose_name_plural = _("records to destroy")
        verbose_name = _("record to destroy")
        ordering = ["kind", "object_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "kind", "object_id"], name="destruction_item_once_per_request"
            )
        ]
        indexes = [
            models.Index(fields=["kind", "object_id", "outcome"], name="destruction_item_record")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} ({self.outcome})"


class DestructionCertificate(models.Model):
    """The record of a destruction (D4.25): what (rows per table, ids), when, who asked and
    who approved, and how. It holds no personal data values."""

    request = models.OneToOneField(
        DestructionRequest, on_delete=models.PROTECT, related_name="certificate"
    )
    executed_at = models.DateTimeField(_("destroyed at"))
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("executed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_by_information_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by (customer information manager)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_by_customer_service_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by (customer service manager)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    method = models.CharField(_("method"), max_length=120, default=METHOD)
    customer_ids = models.JSONField(_("customers destroyed"), default=list)
    problem_item_ids = models.JSONField(_("problem items destroyed"), default=list)
    kept = models.JSONField(_("records kept"), default=list)  # [{kind, id, outcome}]
    counts = models.JSONField(_("rows per table"), default=dict)
    audit_seq = models.BigIntegerField(_("audit event"), null=True, blank=True)

    class Meta:
        verbose_name = _("destruction certificate")
        verbose_name_plural = _("destruction certificates")
        ordering = ["-executed_at", "-id"]

    def __str__(self) -> str:
        return f"destruction certificate #{self.pk}"


class InspectionRecord(models.Model):
    """One full inspection of the customer archive (D4.14), with its findings."""

    period = models.CharField(_("period"), max_length=7, db_index=True)  # e.g. 2026-H2
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("performed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    performed_label = models.CharField(_("performed by"), max_length=150)
    performed_at = models.DateTimeField(_("performed at"))
    ok = models.BooleanField(_("no findings"))
    results = models.JSONField(_("results"), default=dict)
    audit_seq = models.BigIntegerField(_("audit event"), null=True, blank=True)

    class Meta:
        verbose_name = _("archive inspection")
        verbose_name_plural = _("archive inspections")
        ordering = ["-performed_at", "-id"]

    def __str__(self) -> str:
        return f"inspection {self.period} #{self.pk}"
