"""The list of suspicious customer information (可疑客户信息资料问题件清单, D1.7) and the runs
that produce it.

A problem item is one clue: a rule and what the members share (a phone's blind index, a
policy, a seller). There is at most one open item per (rule, key); a later run that finds
more customers on the same clue adds them to the open item instead of opening another.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from veracity.customers.models import Customer
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


class ProblemItem(ConcurrentTransitionMixin, models.Model):
    """A clue and, once customer service takes it up, the case that resolves it.

    ``stage`` moves only through the transitions below (django-fsm), each called by one
    service of ``veracity.cases.services`` that checks who may take it and records the step;
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

    # The legal moves; who may make them is decided in veracity.cases.policy.

    @transition(field=stage, source=[Stage.NEW, Stage.DISTRIBUTED], target=Stage.DISTRIBUTED)
    def distribute(self) -> None:
        """Customer service sends the item to a channel's management (again, to re-route)."""

    @transition(field=stage, source=[Stage.NEW, Stage.DISTRIBUTED], target=Stage.INVESTIGATING)
    def claim(self) -> None:
        """Channel back-office (or customer service itself) takes up the investigation."""

    @transition(field=stage, source=[Stage.INVESTIGATING, Stage.RETURNED], target=Stage.SUBMITTED)
    def submit(self) -> None:
        """The investigator hands in findings, outcome and evidence."""

    @transition(field=stage, source=[Stage.SUBMITTED, Stage.VERIFIED], target=Stage.RETURNED)
    def send_back(self) -> None:
        """Compliance or customer service returns the findings with reasons (also a verified
        item not yet closed, e.g. when new customers joined the clue since the findings)."""

    @transition(field=stage, source=Stage.SUBMITTED, target=Stage.VERIFIED)
    def verify(self) -> None:
        """Compliance or customer service accepts the result (PW-4)."""

    @transition(field=stage, source=Stage.VERIFIED, target=Stage.CLOSED)
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
        indexes = [models.Index(fields=["rule", "key"], name="clue_explanation_clue")]

    def __str__(self) -> str:
        return f"{self.rule}:{self.key}"


class DetectionRun(models.Model):
    """One run of the rules for a business date: incremental (what changed since the last
    completed run) or full (the legacy back-check, SD-5). ``done_rules`` is the checkpoint
    that lets an interrupted run resume where it stopped."""

    class Mode(models.TextChoices):
        INCREMENTAL = "incremental", _("Incremental (T+1)")
        FULL = "full", _("Full back-check")

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    business_date = models.DateField(_("business date"))
    mode = models.CharField(_("mode"), max_length=12, choices=Mode.choices)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    since = models.DateTimeField(_("changes since"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    done_rules = models.JSONField(default=list)
    counts = models.JSONField(_("counts"), default=dict)
    timings = models.JSONField(_("timings (s)"), default=dict)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("detection run")
        constraints = [
            models.UniqueConstraint(fields=["business_date", "mode"], name="one_run_per_day_mode")
        ]

    def __str__(self) -> str:
        return f"{self.mode} {self.business_date}"


class PayerException(models.Model):
    """SD-3: an approved exception — the premium may come from this account of another
    person (e.g. a parent paying for an adult child), with who approved it and why."""

    policy = models.OneToOneField(Policy, on_delete=models.CASCADE, related_name="payer_exception")
    reason = models.TextField(_("reason"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    approved_at = models.DateTimeField(_("approved at"))

    def __str__(self) -> str:
        return f"payer exception {self.policy_id}"


class Complaint(models.Model):
    """A complaint against a seller (minimal here; the sales-force issue extends it)."""

    class Kind(models.TextChoices):
        MISSELLING = "misselling", _("Misselling")
        OTHER = "other", _("Other")

    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="complaints")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    received_on = models.DateField(_("received on"))
    verified = models.BooleanField(_("verified"), default=False)
    verified_on = models.DateField(_("verified on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"complaint {self.pk} against {self.seller_id}"
