"""The investigation of a problem item (PW-1 … PW-6, D1.7, D1.13): its timeline, its
evidence, the explanations that lift a clue, and the escalations against sellers.

The item's stage lives on :class:`veracity.detection.models.ProblemItem` itself; what
happens along the way is kept here, each row written by one service of
``veracity.cases.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from veracity.detection.models import ProblemItem
from veracity.sales.models import Seller


class StepAction(models.TextChoices):
    DISTRIBUTE = "distribute", pgettext_lazy("case step", "Distributed")
    CLAIM = "claim", pgettext_lazy("case step", "Claimed")
    EVIDENCE = "evidence", pgettext_lazy("case step", "Evidence attached")
    NOTE = "note", pgettext_lazy("case step", "Note")
    SUBMIT = "submit", pgettext_lazy("case step", "Submitted")
    RETURN = "return", pgettext_lazy("case step", "Returned")
    VERIFY = "verify", pgettext_lazy("case step", "Verified")
    CORRECT = "correct", pgettext_lazy("case step", "Data corrected")
    RECHECK = "recheck", pgettext_lazy("case step", "Customer re-checked")
    ESCALATE = "escalate", pgettext_lazy("case step", "Escalated")
    CLOSE = "close", pgettext_lazy("case step", "Closed")
    OVERDUE = "overdue", pgettext_lazy("case step", "Overdue notice sent")


class CaseStep(models.Model):
    """One step of an item's timeline: who did what, when, from which stage to which."""

    item = models.ForeignKey(ProblemItem, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("action"), max_length=12, choices=StepAction.choices)
    from_stage = models.CharField(_("from"), max_length=16, blank=True)
    to_stage = models.CharField(_("to"), max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)
    detail = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("case step")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["item", "at"], name="case_step_item_at")]

    def __str__(self) -> str:
        return f"{self.item_id} {self.action}"


class EvidenceKind(models.TextChoices):
    """D1.13: what clearing or correcting an item rests on."""

    CUSTOMER_PROOF = "customer_proof", _("Customer's proof material")
    CUSTOMER_CONFIRMATION = "customer_confirmation", _("Customer's signed confirmation")
    PARTNER_STATEMENT = "partner_statement", _("Partner institution's statement")
    AGENT_STATEMENT = "agent_statement", _("Agent's statement")
    INVESTIGATOR_REPORT = "investigator_report", _("Investigator's signed report")
    CALLBACK_RECORD = "callback_record", _("Callback record")


#: Verification needs at least one of these (D1.13).
VERIFYING_KINDS = frozenset({EvidenceKind.CUSTOMER_CONFIRMATION, EvidenceKind.INVESTIGATOR_REPORT})


class Evidence(models.Model):
    """A file attached to an item, stored encrypted under ``var/evidence`` with its
    SHA-256 (of the original bytes). Never deleted while the item is open."""

    item = models.ForeignKey(ProblemItem, on_delete=models.PROTECT, related_name="evidence_files")
    kind = models.CharField(_("evidence kind"), max_length=24, choices=EvidenceKind.choices)
    description = models.CharField(_("description"), max_length=300)
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=80)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    stored_as = models.CharField(max_length=80, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.filename}"


class Escalation(models.Model):
    """Seller misconduct found by an investigation: referred to channel management and
    compliance, and kept against the seller."""

    # kept against the seller when the item itself is destroyed after its retention period
    item = models.ForeignKey(
        ProblemItem, on_delete=models.SET_NULL, null=True, related_name="escalations"
    )
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="escalations")
    reason = models.TextField(_("reason"))
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    escalated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("escalation")

    def __str__(self) -> str:
        return f"escalation {self.seller_id} ({self.item_id})"
