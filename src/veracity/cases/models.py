"""The problem items of the list of suspicious customer information (可疑客户信息资料问题件清单,
D1.7) and their investigation (PW-1 … PW-6, D1.13): the item with its stage machine, its
members, its timeline, its evidence, the explanations that lift a clue, and the escalations
against sellers.

A problem item is one clue: a rule and what the members share (a phone's blind index, a
policy, a seller). There is at most one open item per (rule, key); a later detection run that
finds more customers on the same clue adds them to the open item instead of opening another
(:func:`veracity.cases.services.problem_items_open_or_extend`, the one way detection writes
the list). Every other row here is written by one service of ``veracity.cases.services``.

The item tables keep the names they had when the items lived in the detection app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from veracity.core.conduct import Reason
from veracity.customers.models import Customer
from veracity.org.principals import staff_or_user
from veracity.policies.models import Policy
from veracity.sales.models import Seller


class RuleCode(models.TextChoices):
    SHARED_PHONE = "SHARED_PHONE", _("Shared phone")
    SHARED_ACCOUNT = "SHARED_ACCOUNT", _("Shared bank account")
    AGENT_CONTACT = "AGENT_CONTACT", _("Customer contact equals a seller's")
    THIRD_PARTY_PAYER = "THIRD_PARTY_PAYER", _("Third-party premium payer")
    REPEAT_MISSELLING = "REPEAT_MISSELLING", _("Repeated misselling")
    IDENTITY_CHANGED = "IDENTITY_CHANGED", _("Identity differs from the customer file")
    MANUAL = "MANUAL", _("Added by staff")
    CONTACT_UNDELIVERABLE = "CONTACT_UNDELIVERABLE", _("Notice undeliverable to the phone on file")


class Stage(models.TextChoices):
    """Where a problem item is in its investigation (PW-1 … PW-5)."""

    NEW = "new", pgettext_lazy("problem item stage", "New")
    DISTRIBUTED = "distributed", pgettext_lazy("problem item stage", "Distributed")
    INVESTIGATING = "investigating", pgettext_lazy("problem item stage", "Investigating")
    SUBMITTED = "submitted", pgettext_lazy("problem item stage", "Submitted")
    RETURNED = "returned", pgettext_lazy("problem item stage", "Returned")
    VERIFIED = "verified", pgettext_lazy("problem item stage", "Verified")
    CLOSED = "closed", pgettext_lazy("problem item stage", "Closed")


class Outcome(models.TextChoices):
    CORRECTED = "corrected", _("Corrected (the data was wrong)")
    EXPLAINED = "explained", _("Explained (the data is true)")
    ESCALATED = "escalated", _("Escalated (seller misconduct)")


def _allowed(check: str) -> Callable[[Any, Any], bool]:
    """A transition's ``permission=``: the rule ``veracity.cases.policy.<check>`` (the one
    place who may take a step is decided) finds nothing to refuse ``user`` on the item."""

    def permission(instance: Any, user: Any) -> bool:
        # lazily: the rules (cases.policy) read these models, so they load after them
        from veracity.cases import policy

        # django-fsm hands over what it was asked with: a principal, or a staff user
        refusal: object = getattr(policy, check)(staff_or_user(user), instance)
        return refusal is None

    permission.__name__ = permission.__qualname__ = check
    return permission


class ProblemItem(ConcurrentTransitionMixin, models.Model):
    """A clue and, once customer service takes it up, the case that resolves it.

    ``stage`` moves only through the transitions below (django-fsm), each called by one
    service of :mod:`veracity.cases.services` that checks who may take it and records the step.
    Each transition's ``permission=`` asks :mod:`veracity.cases.policy`, so the machine answers
    which steps a person may take now (:func:`veracity.cases.policy.steps_open_to`);
    two staff taking the same transition at once cannot both succeed (the UPDATE is made
    conditional on the stage read). ``status`` stays "open" until the item is closed."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    rule = models.CharField(_("rule"), max_length=24, choices=RuleCode.choices)
    key = models.CharField(_("clue key"), max_length=80)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    severity = models.CharField(_("severity"), max_length=10)
    shared_value = models.CharField(_("shared value (masked)"), max_length=80, blank=True)
    reason_zh = models.TextField(_("reason (zh)"))
    reason_en = models.TextField(_("reason (en)"))
    evidence = models.JSONField(_("evidence"), default=dict)
    first_seen_on = models.DateField(_("first seen (business date)"))
    last_seen_on = models.DateField(_("last seen (business date)"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # --- the case (PW-1 … PW-5); database defaults, so detection's COPY need not name them
    stage = FSMField(
        _("stage"), max_length=16, choices=Stage.choices, default=Stage.NEW, db_default=Stage.NEW
    )
    assigned_channel = models.CharField(
        _("distributed to channel"), max_length=20, blank=True, default="", db_default=""
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("investigator"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    distributed_on = models.DateField(_("distributed on"), null=True, blank=True)
    due_on = models.DateField(_("investigation due"), null=True, blank=True)
    due_basis = models.CharField(max_length=16, blank=True, default="", db_default="")
    due_provisional = models.BooleanField(default=False, db_default=False)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, blank=True, default="", db_default=""
    )
    findings = models.TextField(_("findings"), blank=True, default="", db_default="")
    correction = models.JSONField(_("corrected values"), null=True, blank=True)
    returned_times = models.PositiveSmallIntegerField(default=0, db_default=0)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        verbose_name_plural = _("problem items")
        db_table = "detection_problemitem"  # kept from before the model moved to cases
        verbose_name = _("problem item")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "key"],
                condition=models.Q(status="open"),
                name="one_open_problem_item_per_clue",
            )
        ]
        indexes = [
            models.Index(fields=["status", "rule"], name="problem_status_rule"),
            # work queues: my items, my channel's items, by stage and due date
            models.Index(fields=["assignee", "stage", "due_on"], name="problem_assignee_stage"),
            models.Index(
                fields=["assigned_channel", "stage", "due_on"], name="problem_channel_stage"
            ),
            models.Index(fields=["stage", "due_on"], name="problem_stage_due"),
            # a work queue's first page, most urgent first, read in order off the index
            models.Index(
                fields=["due_on", "first_seen_on", "id"],
                condition=models.Q(status="open"),
                name="problem_open_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} #{self.pk}"

    # The legal moves; who may make them is decided in veracity.cases.policy (``permission=``).

    @transition(
        field=stage,
        source=[Stage.NEW, Stage.DISTRIBUTED],
        target=Stage.DISTRIBUTED,
        permission=_allowed("may_distribute"),
    )
    def distribute(self) -> None:
        """Customer service sends the item to a channel's management (again, to re-route)."""

    @transition(
        field=stage,
        source=[Stage.NEW, Stage.DISTRIBUTED],
        target=Stage.INVESTIGATING,
        permission=_allowed("may_claim"),
    )
    def claim(self) -> None:
        """Channel back-office (or customer service itself) takes up the investigation."""

    @transition(
        field=stage,
        source=[Stage.INVESTIGATING, Stage.RETURNED],
        target=Stage.SUBMITTED,
        permission=_allowed("may_investigate"),
    )
    def submit(self) -> None:
        """The investigator hands in findings, outcome and evidence."""

    @transition(
        field=stage,
        source=[Stage.SUBMITTED, Stage.VERIFIED],
        target=Stage.RETURNED,
        permission=_allowed("may_verify"),
    )
    def send_back(self) -> None:
        """Compliance or customer service returns the findings with reasons (also a verified
        item not yet closed, e.g. when new customers joined the clue since the findings)."""

    @transition(
        field=stage,
        source=Stage.SUBMITTED,
        target=Stage.VERIFIED,
        permission=_allowed("may_verify"),
    )
    def verify(self) -> None:
        """Compliance or customer service accepts the result (PW-4)."""

    @transition(
        field=stage,
        source=Stage.VERIFIED,
        target=Stage.CLOSED,
        permission=_allowed("may_close"),
    )
    def close(self) -> None:
        """The item leaves the list."""


class ProblemItemMember(models.Model):
    """A customer (and the policy through which they are involved) on a problem item.

    The customer and policy references carry no database constraint: a full back-check
    writes hundreds of thousands of members at once, and PostgreSQL checks each deferred
    constraint at commit by locking the referenced customer and policy row (``FOR KEY
    SHARE``) — 13 s of a 34 s rule at 10M customers. Neither is ever deleted (a destroyed
    customer keeps a row without personal data; policies are protected) and members are
    written only from rows just read, like the history tables' references."""

    item = models.ForeignKey(ProblemItem, on_delete=models.CASCADE, related_name="members")
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    policy = models.ForeignKey(
        Policy, on_delete=models.PROTECT, null=True, related_name="+", db_constraint=False
    )
    added_on = models.DateField(_("added (business date)"))

    class Meta:
        verbose_name = _("problem item member")
        verbose_name_plural = _("problem item members")
        db_table = "detection_problemitemmember"
        constraints = [
            models.UniqueConstraint(
                fields=["item", "customer", "policy"],
                name="problem_member_unique",
                nulls_distinct=False,
            )
        ]
        indexes = [models.Index(fields=["customer"], name="problem_member_customer")]

    def __str__(self) -> str:
        return f"{self.item_id}:{self.customer_id}"


class ClueExplanation(models.Model):
    """An item closed as "explained": the same clue (rule and shared value) on these
    customers is not raised again until one of them changes the data it rests on."""

    rule = models.CharField(max_length=24)
    key = models.CharField(max_length=80)
    customer_ids = models.JSONField(default=list)
    item = models.ForeignKey(ProblemItem, on_delete=models.CASCADE, related_name="+")
    explained_at = models.DateTimeField()

    class Meta:
        verbose_name = _("clue explanation")
        verbose_name_plural = _("clue explanations")
        db_table = "detection_clueexplanation"
        indexes = [models.Index(fields=["rule", "key"], name="clue_explanation_clue")]

    def __str__(self) -> str:
        return f"{self.rule}:{self.key}"


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
    STATEMENT = "statement", pgettext_lazy("case step", "Agent's statement")
    CALLBACK = "callback", pgettext_lazy("case step", "Second callback recorded")


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
        verbose_name_plural = _("case steps")
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


#: Verification needs the customer's proof with signed confirmation (D1.13, as for a
#: policy-service change): a file of this kind among the item's evidence.
VERIFYING_KIND = EvidenceKind.CUSTOMER_CONFIRMATION

#: What a verifier may ask for when returning an item "where needed" (D1.13): the
#: statements of the partner institution and the agent, the investigator's signed report,
#: and the customer's own proof or confirmation when it is missing or unclear.
REQUESTABLE_KINDS = (
    EvidenceKind.CUSTOMER_PROOF,
    EvidenceKind.CUSTOMER_CONFIRMATION,
    EvidenceKind.PARTNER_STATEMENT,
    EvidenceKind.AGENT_STATEMENT,
    EvidenceKind.INVESTIGATOR_REPORT,
)


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
    # a seller (agent, specialist) or an agency: an item may name both (D1.23)
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="escalations")
    # what the misconduct is (``core.conduct.Reason``): false data feeds the regulator report
    misconduct = models.CharField(
        _("misconduct"),
        max_length=24,
        choices=[(r.value, r.value) for r in Reason],
        default=Reason.FALSE_DATA.value,
    )
    reason = models.TextField(_("reason"))
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    escalated_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = _("escalations")
        verbose_name = _("escalation")

    def __str__(self) -> str:
        return f"escalation {self.seller_id} ({self.item_id})"


class SavedQueueFilter(models.Model):
    """A work-queue filter a person keeps under a name of their own (the stage tab and the
    filters as the queue's URL carries them). Each person sees and deletes only their own."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    query = models.JSONField(_("filters"), default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = _("saved queue filters")
        verbose_name = _("saved queue filter")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_queue_filter_name")
        ]

    def __str__(self) -> str:
        return self.name
