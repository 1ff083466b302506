"""Access governance: API clients of the truthfulness gate, access requests (their approvals
run on ``veracity.approvals``), and borrowing grants (D4.17–D4.24). Departments and staff
profiles are in ``veracity.org.models``.

An API client authenticates with a bearer token; only the token's SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from typing import Final

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "SCOPE_ORDER",
    "SYSTEM_CHANNELS",
    "AccessGrant",
    "AccessRequest",
    "ApiClient",
    "Scope",
    "hash_token",
]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


#: The sales channels (``veracity.policies.models.Channel``) whose applications each system
#: sends by default: the bancassurance system (银保通) those sold at bank counters, the core
#: business system every other channel. An unknown system sends none until it is configured.
SYSTEM_CHANNELS: Final[dict[str, tuple[str, ...]]] = {
    "core": ("agency", "intermediary", "direct", "telemarketing", "internet"),
    "bancassurance": ("bancassurance",),
    "sms_gateway": (),
    "call_centre": (),
    "counter": (),
    "other": (),
}


class ApiClient(models.Model):
    """A system that calls the gate API. It may create and update only applications of its
    own system, in the sales channels configured for it (``channels``)."""

    class System(models.TextChoices):
        CORE = "core", _("Core business system")
        BANCASSURANCE = "bancassurance", _("Bancassurance system (银保通)")
        # reports SMS delivery receipts (``POST /api/v1/sms/receipts``); submits no applications
        SMS_GATEWAY = "sms_gateway", _("SMS gateway")
        # verify inquirers (``POST /api/v1/inquiries/verify``); submit no applications
        CALL_CENTRE = "call_centre", _("Call centre system")
        COUNTER = "counter", _("Counter system")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=100, unique=True)
    system = models.CharField(_("system"), max_length=20, choices=System.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    token_prefix = models.CharField(max_length=8)
    active = models.BooleanField(_("active"), default=True)
    channels = models.JSONField(
        _("sales channels"),
        default=list,
        blank=True,
        help_text=_("The sales channels whose applications this system may submit."),
    )
    # D4.23: data is transmitted by designated people. A bulk read of personal data by this
    # system is made under the export approvals of the person designated for it.
    designated_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("designated person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = _("API clients")
        verbose_name = _("API client")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def issue(
        cls, *, name: str, system: str, channels: Sequence[str] | None = None
    ) -> tuple[ApiClient, str]:
        """Create a client and return it with its token (shown once, never stored). Without
        ``channels`` it may submit the channels its system sends (``SYSTEM_CHANNELS``)."""
        token = "vty_" + secrets.token_urlsafe(32)
        client = cls.objects.create(
            name=name,
            system=system,
            channels=list(SYSTEM_CHANNELS.get(system, ()) if channels is None else channels),
            token_hash=hash_token(token),
            token_prefix=token[:8],
        )
        return client, token


# --- need to know: borrowing (D4.17–D4.24) ------------------------------------------------


# --- classification of customer files (D4.22) ------------------------------------------------
# The levels the need-to-know rules read; the customer register stores them on each file.


class Classification(models.TextChoices):
    GENERAL = "general", _("General customer")
    SPECIAL = "special", _("Special customer")


class Confidentiality(models.TextChoices):
    """D4.22: classified files are marked, kept apart and have a named custodian."""

    NORMAL = "normal", _("Normal")
    CONFIDENTIAL = "confidential", _("Confidential (机密)")
    TOP_SECRET = "top_secret", _("Top secret (绝密)")


class Scope(models.TextChoices):
    """What a grant lets its holder do with the files it covers (each includes the ones
    before it)."""

    VIEW = "view", _("View (masked)")
    UNMASK = "unmask", _("View full values")
    DOWNLOAD = "download", _("Download / export")


SCOPE_ORDER = [Scope.VIEW, Scope.UNMASK, Scope.DOWNLOAD]


class AccessRequest(models.Model):
    """A request to read customer files (D4.18), to export them (D4.23) or to give them to
    an outside party (D4.24): subject, purpose, reason and requester, approved step by step
    by the people the regulation names."""

    class Kind(models.TextChoices):
        BORROW = "borrow", _("Borrow (read) customer files")
        EXPORT = "export", _("Copy or export customer data")
        EXTERNAL = "external", _("Provide customer data to an outside party")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.BORROW)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_requests"
    )
    customers = models.ManyToManyField(
        "customers.Customer", verbose_name=_("customer files"), related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=200)
    reason = models.TextField(_("reason"))
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.VIEW)
    days = models.PositiveSmallIntegerField(_("days requested"), default=3)
    # What a borrowing is for (issue 12): the policy or the problem item it is about, each
    # within the files asked for. The grant opens it to the borrower for the grant's term
    # (the reach rule, ``customers.reach``). Named by the apps above (a string reference:
    # this register imports neither); a policy or item removed later leaves the request.
    policy = models.ForeignKey(
        "policies.Policy",
        verbose_name=_("policy"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    item = models.ForeignKey(
        "cases.ProblemItem",
        verbose_name=_("problem item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # An export of a list or report rather than of named files (D4.23), e.g. "problem_items".
    export_of = models.CharField(_("list or report exported"), max_length=40, blank=True)
    classified = models.BooleanField(_("includes classified files"), default=False)
    # An outside person (D4.18): registered with a letter of introduction or a work ID.
    external_name = models.CharField(_("external person"), max_length=100, blank=True)
    external_org = models.CharField(_("organisation"), max_length=200, blank=True)
    external_credential = models.CharField(
        _("letter of introduction / work ID no."), max_length=100, blank=True
    )
    # External provision (D4.24): who receives what, on which legal basis.
    recipient = models.CharField(_("recipient"), max_length=200, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    data_items = models.CharField(_("data sent"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    steps = models.JSONField(_("approval steps"), default=list)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name_plural = _("access requests")
        verbose_name = _("access request")
        indexes = [models.Index(fields=["status", "kind"], name="access_request_status")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class AccessGrant(models.Model):
    """A loan of customer files (D4.19): at most three days, closed early by returning it.
    A grant is in force from ``starts_at`` until ``ends_at`` unless returned; the expiry job
    stamps ``expired_at`` (and the register then lists it as not returned)."""

    request = models.ForeignKey(AccessRequest, on_delete=models.PROTECT, related_name="grants")
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_grants"
    )
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    expired_at = models.DateTimeField(_("expired at"), null=True, blank=True)

    class Meta:
        verbose_name_plural = _("borrowing grants")
        verbose_name = _("borrowing grant")
        indexes = [
            models.Index(fields=["holder", "customer"], name="grant_holder_customer"),
            models.Index(fields=["ends_at"], name="grant_ends"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="grant_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"grant {self.pk} {self.holder_id}→{self.customer_id}"
