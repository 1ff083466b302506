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

from veracity.customers.models import Customer
from veracity.policies.models import Policy
from veracity.sales.models import Seller


class RuleCode(models.TextChoices):
    SHARED_PHONE = "SHARED_PHONE", _("Shared phone")
    SHARED_ACCOUNT = "SHARED_ACCOUNT", _("Shared bank account")
    AGENT_CONTACT = "AGENT_CONTACT", _("Customer contact equals a seller's")
    THIRD_PARTY_PAYER = "THIRD_PARTY_PAYER", _("Third-party premium payer")
    REPEAT_MISSELLING = "REPEAT_MISSELLING", _("Repeated misselling")
    MANUAL = "MANUAL", _("Added by staff")


class ProblemItem(models.Model):
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

    class Meta:
        verbose_name = _("problem item")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "key"],
                condition=models.Q(status="open"),
                name="one_open_problem_item_per_clue",
            )
        ]
        indexes = [models.Index(fields=["status", "rule"], name="problem_status_rule")]

    def __str__(self) -> str:
        return f"{self.rule} #{self.pk}"


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
