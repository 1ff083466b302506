"""Products, applications/policies and the truthfulness gate's records (D1.4–D1.6, D1.12).

An application (投保单) becomes a policy (保单) once underwritten; both are one row,
identified by the application number. The gate's verdict on each submission is kept
(``GateCheck``); a failed one opens a supplement request (补充告知, TG-6) that closes when
a corrected submission passes.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from veracity.customers.models import BankAccount, Customer
from veracity.sales.models import Seller


class ProductType(models.TextChoices):
    PARTICIPATING = "participating", _("Participating (分红险)")
    INVESTMENT_LINKED = "investment_linked", _("Investment-linked (投连险)")
    UNIVERSAL = "universal", _("Universal (万能险)")
    ORDINARY_LIFE = "ordinary_life", _("Ordinary life (普通寿险)")
    ACCIDENT = "accident", _("Accident (意外险)")
    HEALTH = "health", _("Health (健康险)")
    OTHER = "other", _("Other")


class Product(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    type = models.CharField(_("product type"), max_length=20, choices=ProductType.choices)
    term_years = models.DecimalField(_("term (years)"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name_plural = _("products")
        verbose_name = _("product")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def label(self) -> str:
        """The product's name ("福满堂终身寿险"), or its code when it has no name of its own
        (an import that carries only codes; the name can be set in the admin)."""
        name = (self.name or "").strip()
        return name or self.code


class Channel(models.TextChoices):
    AGENCY = "agency", _("Individual agency")
    BANCASSURANCE = "bancassurance", _("Bancassurance")
    INTERMEDIARY = "intermediary", _("Intermediary agency (专业/兼业代理)")
    DIRECT = "direct", _("Direct")
    TELEMARKETING = "telemarketing", _("Telemarketing")
    INTERNET = "internet", _("Internet")


class PolicyStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    BLOCKED = "blocked", _("Blocked by the truthfulness gate")
    PENDING_UNDERWRITING = "pending_underwriting", _("Awaiting underwriting")
    IN_FORCE = "in_force", _("In force")
    CANCELLED = "cancelled", _("Cancelled in cooling-off period")
    TERMINATED = "terminated", _("Terminated")
    LAPSED = "lapsed", _("Lapsed")


class Policy(models.Model):
    application_no = models.CharField(_("application number"), max_length=40, unique=True)
    policy_no = models.CharField(_("policy number"), max_length=40, unique=True, null=True)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, verbose_name=_("product"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    seller = models.ForeignKey(
        Seller,
        on_delete=models.PROTECT,
        null=True,
        related_name="policies",
        verbose_name=_("seller"),
    )
    agency = models.ForeignKey(
        Seller,
        on_delete=models.PROTECT,
        null=True,
        related_name="agency_policies",
        verbose_name=_("agency"),
    )
    seller_code = models.CharField(_("seller code as submitted"), max_length=32, blank=True)
    applied_on = models.DateField(_("applied on"), null=True)
    underwritten_on = models.DateField(_("underwritten on"), null=True, blank=True)
    effective_on = models.DateField(_("effective on"), null=True, blank=True)
    cooling_off_ends_on = models.DateField(_("cooling-off period ends"), null=True, blank=True)
    callback_due_on = models.DateField(_("cooling-off callback due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=24, choices=PolicyStatus.choices, default=PolicyStatus.APPLIED
    )
    verdict = models.CharField(_("gate verdict"), max_length=8, blank=True)
    # The system whose API client created the application (``ApiClient.System``); only that
    # system may update it. Blank for applications loaded from files.
    source_system = models.CharField(_("submitted by system"), max_length=20, blank=True)
    payer_account = models.ForeignKey(
        BankAccount,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="paid_policies",
        verbose_name=_("premium payer account"),
    )
    # The coverage the core system reports when the policy takes effect (issue 14): sum
    # assured in yuan, and {"coverage_period", "premium", "payment_period", "riders": [...]}.
    sum_assured = models.DecimalField(
        _("sum assured"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    coverage = models.JSONField(_("coverage"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(
        user_db_constraint=False,  # see veracity.db.bulk
        # History is read per policy (by id); these copies need no index of their own.
        no_db_index=["application_no", "policy_no", "product", "seller", "agency", "payer_account"],
    )

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        indexes = [models.Index(fields=["seller", "status"], name="policy_seller_status")]

    def __str__(self) -> str:
        return self.policy_no or self.application_no


class Role(models.TextChoices):
    POLICYHOLDER = "policyholder", _("Policyholder")
    INSURED = "insured", _("Insured")
    BENEFICIARY = "beneficiary", _("Beneficiary")


class PolicyRole(models.Model):
    """A person's part in a policy. An unidentified beneficiary (name only) has no customer."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="roles")
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, related_name="policy_roles"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    relation = models.CharField(_("relation to policyholder"), max_length=20, blank=True)
    name = models.CharField(_("name"), max_length=100, blank=True)
    share = models.DecimalField(_("share %"), max_digits=5, decimal_places=2, null=True)
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords(user_db_constraint=False)  # see veracity.db.bulk

    class Meta:
        verbose_name = _("policy party")
        verbose_name_plural = _("policy parties")
        indexes = [
            # policy_id carried in the index (PostgreSQL): "are these two customers parties
            # of one policy?" — asked for every shared phone by the detection's family
            # exemption — is answered from the index alone, without visiting the table.
            models.Index(
                fields=["customer", "role"], include=["policy"], name="policyrole_customer_policy"
            )
        ]
        ordering = ["role", "position"]

    def __str__(self) -> str:
        return f"{self.role} of {self.policy_id}"

    def relation_label(self) -> str:
        """The relation to the policyholder in words."""
        return relation_label(self.relation)


class GateCheck(models.Model):
    """One evaluation of one submission of an application by the truthfulness gate."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="gate_checks")
    checked_at = models.DateTimeField(_("checked at"), auto_now_add=True)
    source = models.CharField(_("source"), max_length=20)  # api, import, ui
    verdict = models.CharField(_("verdict"), max_length=8)
    findings = models.JSONField(_("findings"), default=list)  # codes, fields, masked evidence
    digest = models.CharField(max_length=64, blank=True)  # of the submission, for idempotency

    class Meta:
        verbose_name = _("gate check")
        verbose_name_plural = _("gate checks")
        ordering = ["-checked_at", "-id"]
        get_latest_by = "checked_at"

    def __str__(self) -> str:
        return f"{self.verdict} @ {self.checked_at:%Y-%m-%d %H:%M}"


class SupplementRequest(models.Model):
    """TG-6: the customer must supplement or correct data before underwriting can pass."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="supplement_requests")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    opened_by_check = models.ForeignKey(GateCheck, on_delete=models.PROTECT, related_name="+")
    closed_by_check = models.ForeignKey(
        GateCheck, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    items = models.JSONField(_("items to supplement"), default=list)
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("supplement request")
        verbose_name_plural = _("supplement requests")
        constraints = [
            models.UniqueConstraint(
                fields=["policy"],
                condition=models.Q(status="open"),
                name="one_open_supplement_request_per_policy",
            )
        ]

    def __str__(self) -> str:
        return f"supplement request #{self.pk} ({self.status})"


class QualitySnapshot(models.Model):
    """The data-quality figures of one business date that are too costly to count on every
    home page (open problem items per sales channel and per seller, a GROUP BY over every
    member of every open item joined to its policy): written once a day by the T+1 job
    (``cases.figures.quality_snapshot_take``), read by the compliance and general manager's
    homes with their "as of" time. Counts only, organisation-wide (``reports.view``)."""

    class Scope(models.TextChoices):
        CHANNEL = "channel", _("Sales channel")
        SELLER = "seller", _("Seller")

    business_date = models.DateField(_("business date"))
    taken_at = models.DateTimeField(_("taken at"))
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices)
    key = models.CharField(_("channel or seller"), max_length=32)  # channel code, seller id
    policies = models.PositiveIntegerField(_("policies"), default=0)
    items = models.PositiveIntegerField(_("open problem items"), default=0)

    class Meta:
        verbose_name_plural = _("data-quality snapshots")
        verbose_name = _("data-quality snapshot")
        constraints = [
            models.UniqueConstraint(
                fields=["business_date", "scope", "key"], name="one_quality_figure_per_day"
            )
        ]
        indexes = [models.Index(fields=["-taken_at"], name="quality_snapshot_latest")]

    def __str__(self) -> str:
        return f"{self.business_date} {self.scope} {self.key}"


RELATION_LABELS = {
    "self": _("Self (本人)"),
    "spouse": _("Spouse (配偶)"),
    "child": _("Child (子女)"),
    "parent": _("Parent (父母)"),
    "sibling": _("Sibling (兄弟姐妹)"),
    "grandparent": _("Grandparent (祖父母/外祖父母)"),
    "grandchild": _("Grandchild (孙子女/外孙子女)"),
    "employer": _("Employer (雇主)"),
    "other": _("Other (其他)"),
    "legal": _("Statutory heirs (法定)"),
}


def relation_label(code: str) -> str:
    """The relation to the policyholder in words; an unknown code is shown as submitted."""
    return str(RELATION_LABELS.get(code, code))


class PolicyEvent(models.Model):
    """One policy service event from the core business system (``core.policy_events``):
    premium due and received, claims, benefit payments, policy service changes (保全), the
    policy's start and end. Taken once per ``event_id``; never changed afterwards."""

    event_id = models.CharField(_("event id"), max_length=40, unique=True)
    policy = models.ForeignKey(
        Policy, on_delete=models.CASCADE, related_name="events", verbose_name=_("policy")
    )
    kind = models.CharField(_("event"), max_length=24)
    occurred_on = models.DateField(_("occurred on"))
    data = models.JSONField(_("event data"), default=dict, blank=True)
    # claim_no of claim events, for "this claim's history" without reading every event.
    claim_no = models.CharField(_("claim number"), max_length=40, blank=True)
    source = models.CharField(_("source"), max_length=40, blank=True)  # api:<client>, import
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        verbose_name = _("policy event")
        verbose_name_plural = _("policy events")
        indexes = [
            models.Index(fields=["policy", "occurred_on"], name="policyevent_policy_day"),
            models.Index(fields=["kind", "occurred_on"], name="policyevent_kind_day"),
        ]
        ordering = ["occurred_on", "id"]

    def __str__(self) -> str:
        return self.event_id
