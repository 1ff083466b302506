"""Sales-force conduct (D1.14, D1.22–D1.24): complaints against sellers and agencies, the
re-check of a repeat misseller's policies with its second callbacks, penalties, compliance's
criticism, rectification demands and committee referrals, and the quarterly report to the
regulator with its editions and filings.

The words of every code (reasons, measures, categories, results) are the core's
(:mod:`veracity.core.conduct`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from veracity.cases.models import Escalation, ProblemItem
from veracity.core.conduct import (
    CallbackResult,
    ComplaintCategory,
    ComplianceActionKind,
    Measure,
    Reason,
)
from veracity.policies.models import Policy
from veracity.sales.models import Seller


def _choices(enum: type) -> list[tuple[str, str]]:
    return [(m.value, m.value) for m in enum]  # type: ignore[attr-defined]


class Complaint(models.Model):
    """A complaint (投诉) about a sale or a service, against a seller and/or an agency, and
    its investigation: verified (查实) or not, by whom, when and on what basis (D1.14).
    Verified misselling complaints feed SD-4 (``REPEAT_MISSELLING``)."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        INVESTIGATING = "investigating", _("Under investigation")
        VERIFIED = "verified", _("Verified")
        NOT_VERIFIED = "not_verified", _("Not verified")

    complaint_no = models.CharField(_("complaint no."), max_length=40, unique=True)
    received_on = models.DateField(_("received on"))
    policy = models.ForeignKey(
        Policy,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("policy"),
    )
    seller = models.ForeignKey(
        Seller,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("seller"),
    )
    agency = models.ForeignKey(
        Seller,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agency_complaints",
        verbose_name=_("agency"),
    )
    # the table and this column are the ones the first, minimal complaint record had
    category = models.CharField(
        _("category"), max_length=12, choices=_choices(ComplaintCategory), db_column="kind"
    )
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.RECEIVED
    )
    # None: not yet decided; True: verified (查实); False: found unfounded
    verified = models.BooleanField(_("verified"), null=True, blank=True)
    verified_on = models.DateField(_("verified on"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    basis = models.TextField(_("basis of the verification"), blank=True)
    investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("investigator"),
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("received by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "detection_complaint"
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(fields=["category", "verified", "verified_on"], name="complaint_verified"),
        ]

    def __str__(self) -> str:
        return self.complaint_no


class RecheckCallback(models.Model):
    """The second callback (再次回访) of one policy of a repeat misseller, re-checked under
    a ``REPEAT_MISSELLING`` problem item (D1.14), with its result."""

    item = models.ForeignKey(
        ProblemItem, on_delete=models.CASCADE, related_name="recheck_callbacks"
    )
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(
        _("result"), max_length=22, choices=_choices(CallbackResult), blank=True
    )
    note = models.TextField(_("note"), blank=True)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("called by"),
    )
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("second callback")
        verbose_name_plural = _("second callbacks")
        constraints = [
            models.UniqueConstraint(fields=["item", "policy"], name="one_recheck_callback")
        ]

    def __str__(self) -> str:
        return f"callback {self.policy_id} ({self.result or 'open'})"


class Penalty(models.Model):
    """A penalty on a seller or an agency (D1.14, D1.22, D1.23): proposed by channel
    management and approved on the approvals engine, or imported as decided in the insurer's
    sales-management system (``imported``)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Awaiting approval")
        APPROVED = "approved", _("In force")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        IMPORTED = "imported", _("Decided in the sales-management system")

    #: the statuses of a penalty in force
    IN_FORCE = (Status.APPROVED, Status.IMPORTED)

    seller = models.ForeignKey(
        Seller, on_delete=models.PROTECT, related_name="penalties", verbose_name=_("seller")
    )
    reason = models.CharField(_("reason"), max_length=24, choices=_choices(Reason))
    measure = models.CharField(_("measure"), max_length=24, choices=_choices(Measure))
    amount = models.DecimalField(
        _("amount (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    note = models.TextField(_("note"), blank=True)
    items = models.ManyToManyField(
        ProblemItem, blank=True, related_name="penalties", verbose_name=_("problem items")
    )
    escalations = models.ManyToManyField(
        Escalation, blank=True, related_name="penalties", verbose_name=_("escalations")
    )
    policies = models.ManyToManyField(
        Policy, blank=True, related_name="penalties", verbose_name=_("policies")
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    # an import is the same penalty when these are the same (a file may be loaded again)
    import_key = models.CharField(max_length=64, blank=True, db_index=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("penalty")
        verbose_name_plural = _("penalties")
        indexes = [
            models.Index(fields=["status", "decided_on"], name="penalty_decided"),
        ]

    def __str__(self) -> str:
        return f"penalty {self.pk} on {self.seller_id}"


class ComplianceAction(models.Model):
    """What compliance records against a dishonest seller, agency or department (D1.24):
    criticism, a rectification demand (with its due date, owner and follow-ups until done),
    or a referral to the compliance committee."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    kind = models.CharField(_("kind"), max_length=20, choices=_choices(ComplianceActionKind))
    seller = models.ForeignKey(
        Seller,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="compliance_actions",
        verbose_name=_("seller or agency"),
    )
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="compliance_actions",
        verbose_name=_("department"),
    )
    text = models.TextField(_("finding and demand"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    status = models.CharField(
        _("status"), max_length=6, choices=Status.choices, default=Status.OPEN
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    items = models.ManyToManyField(
        ProblemItem, blank=True, related_name="compliance_actions", verbose_name=_("problem items")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("compliance action")
        verbose_name_plural = _("compliance actions")
        indexes = [models.Index(fields=["kind", "status", "due_on"], name="compliance_due")]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"


class ComplianceFollowUp(models.Model):
    """One follow-up of a rectification demand: what was done, and whether it is done."""

    action = models.ForeignKey(
        ComplianceAction, on_delete=models.CASCADE, related_name="follow_ups"
    )
    note = models.TextField(_("note"))
    done = models.BooleanField(_("rectification done"), default=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"follow-up {self.pk}"


class RegulatorReport(models.Model):
    """One edition of the quarterly report to the regulator (D1.22, D1.23): prepared for a
    quarter from the data as of ``cut_off``, reviewed by the information manager and the
    customer service manager (D4.13) on the approvals engine, then released — frozen: its
    content, file hashes and reviewers no longer change; a correction is a new edition."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("Under review")
        REJECTED = "rejected", _("Returned by review")
        RELEASED = "released", _("Released")
        SUPERSEDED = "superseded", _("Superseded by a later edition")

    quarter = models.CharField(_("quarter"), max_length=6)  # e.g. 2026Q4
    edition = models.PositiveSmallIntegerField(_("edition"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    cut_off = models.DateTimeField(_("data cut-off"))
    content = models.JSONField(_("content"))
    content_sha256 = models.CharField(_("content hash"), max_length=64)
    files = models.JSONField(_("file hashes"), default=dict)  # format -> sha256
    correction_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField(_("prepared at"), default=timezone.now)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    reviewers = models.JSONField(_("reviewed by"), default=list)

    class Meta:
        verbose_name = _("regulator report")
        verbose_name_plural = _("regulator reports")
        constraints = [
            models.UniqueConstraint(fields=["quarter", "edition"], name="one_edition_number")
        ]

    def __str__(self) -> str:
        return f"{self.quarter} edition {self.edition}"


class RegulatorFiling(models.Model):
    """The general office's record of filing a released edition (D1.22): with the regulator
    (保监局) or the industry association (保险行业协会), on which date, by what means, under
    which reference."""

    class Recipient(models.TextChoices):
        REGULATOR = "regulator", _("Regulator (保监局)")
        ASSOCIATION = "association", _("Insurance industry association (保险行业协会)")

    report = models.ForeignKey(RegulatorReport, on_delete=models.PROTECT, related_name="filings")
    recipient = models.CharField(_("filed with"), max_length=12, choices=Recipient.choices)
    filed_on = models.DateField(_("filed on"))
    means = models.CharField(_("means"), max_length=100)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("filing")
        verbose_name_plural = _("filings")
        constraints = [
            models.UniqueConstraint(fields=["report", "recipient"], name="one_filing_per_recipient")
        ]

    def __str__(self) -> str:
        return f"{self.report_id} to {self.recipient}"


class RegulatorReportFile(models.Model):
    """A file of a released edition (json, xlsx, pdf), made once at release and kept as made:
    a download serves these bytes after checking them against the hash recorded on the
    edition (``RegulatorReport.files``)."""

    report = models.ForeignKey(
        RegulatorReport, on_delete=models.PROTECT, related_name="stored_files"
    )
    format = models.CharField(_("format"), max_length=8)
    data = models.BinaryField(_("file"))
    sha256 = models.CharField(_("file hash"), max_length=64)
    made_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("regulator report file")
        verbose_name_plural = _("regulator report files")
        constraints = [
            models.UniqueConstraint(fields=["report", "format"], name="one_file_per_format")
        ]

    def __str__(self) -> str:
        return f"{self.report_id}.{self.format}"
