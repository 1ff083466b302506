"""The approvals engine's records: a request with its step plan as data, and one decision
per step (convention 12).

A request belongs to an object of an owning app (an access request, a destruction request),
named by ``owner_label`` (the owner's audit object type, e.g. ``"access_request"``) and
``owner_id``; the owner keeps its own facts, the engine keeps the plan and the decisions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, transition

from veracity.core.approvals import Decision, Plan


class ApprovalRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    kind = models.CharField(_("kind"), max_length=40)
    plan = models.JSONField(_("step plan"))
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner_label = models.CharField(_("for"), max_length=40)
    owner_id = models.BigIntegerField(_("for (id)"))
    # The request's states as a machine: it closes once, by its outcome or by withdrawal;
    # the separation-of-duties rules that lead there are the core's (``refusal_for``).
    status = FSMField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name_plural = _("approval requests")
        verbose_name = _("approval request")
        constraints = [
            models.UniqueConstraint(
                fields=["owner_label", "owner_id"], name="one_approval_request_per_owner"
            )
        ]
        indexes = [models.Index(fields=["status", "kind"], name="approval_request_status")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @transition(
        field=status,
        source=Status.PENDING,
        target=RETURN_VALUE(Status.APPROVED, Status.REJECTED),
    )
    def close(self, outcome: str) -> str:
        """Closed by the outcome of its decisions (approved, or rejected at the first no)."""
        return outcome

    @transition(
        field=status,
        source=Status.PENDING,
        target=Status.WITHDRAWN,
        permission=lambda instance, user: getattr(user, "pk", None) == instance.requester_id,
    )
    def withdraw(self) -> None:
        """Withdrawn by its requester while pending."""

    @property
    def step_plan(self) -> Plan:
        return Plan.from_data(self.plan)

    def decided(self) -> list[Decision]:
        """The decisions taken so far, in the core's terms."""
        return [
            Decision(step=d.step, decider=d.decider_id, approve=d.approve)
            for d in self.decisions.all()
        ]


class ApprovalDecision(models.Model):
    """One person's decision on one step of a request, with the reason."""

    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="decisions")
    step = models.CharField(_("step"), max_length=40)
    decider = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approver"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    approve = models.BooleanField(_("approved"))
    reason = models.TextField(_("reason"), blank=True)
    decided_at = models.DateTimeField(_("decided at"))

    class Meta:
        verbose_name_plural = _("approval decisions")
        verbose_name = _("approval decision")
        ordering = ["decided_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "step"], name="one_approval_per_step"),
            models.UniqueConstraint(fields=["request", "decider"], name="one_approval_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}:{self.step}:{self.decision}"

    # What the pages show: the decision as a word, and who took it.
    @property
    def decision(self) -> str:
        return "approve" if self.approve else "reject"

    def get_decision_display(self) -> Any:
        return _("Approve") if self.approve else _("Reject")

    @property
    def approver(self) -> Any:
        return self.decider

    @property
    def approver_id(self) -> int:
        return self.decider_id
