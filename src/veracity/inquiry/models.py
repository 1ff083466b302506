"""Policy inquiries (IQ-1 … IQ-5, D1.15–D1.21): what was told to whom, on which channel."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from veracity.customers.models import Customer
from veracity.db.fields import EncryptedTextField
from veracity.policies.models import Policy


class InquiryChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    COUNTER = "counter", _("Counter")
    WEB = "web", _("Web self-service")


class Disclosure(models.Model):
    """One disclosure of a policy's information (D1.17, D1.18): which sections were shown of
    which policy, to which verified party in which role, on which channel, by whom (a member
    of staff at the desk, or the customer's own portal session). Never changed."""

    channel = models.CharField(_("channel"), max_length=10, choices=InquiryChannel.choices)
    policy = models.ForeignKey(
        Policy, on_delete=models.CASCADE, related_name="disclosures", verbose_name=_("policy")
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        null=True,
        related_name="disclosures",
        verbose_name=_("told to"),
    )
    role = models.CharField(
        _("as"), max_length=16
    )  # policyholder / insured / beneficiary / third_party
    sections = models.JSONField(_("what was shown"), default=list)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shown by"),
    )
    inquiry_ref = models.CharField(_("inquiry"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=45, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        indexes = [
            models.Index(fields=["channel", "at"], name="disclosure_channel_at"),
            models.Index(fields=["policy", "at"], name="disclosure_policy_at"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.policy_id} {self.role}"


class ChannelEventKind(models.TextChoices):
    REGISTRATION = "registration", _("Registration")
    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOCKOUT = "lockout", _("Lockout")
    OTP_SENT = "otp_sent", _("One-time code sent")


class ChannelEvent(models.Model):
    """One use of a self-service channel that is not an inquiry (IQ-5): a portal registration,
    a login, a failed login, a lockout, a one-time code sent. Counted by the usage summary
    beside the inquiries and disclosures."""

    channel = models.CharField(_("channel"), max_length=10, choices=InquiryChannel.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=ChannelEventKind.choices)
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    address = models.CharField(_("address"), max_length=45, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("channel use")
        verbose_name_plural = _("channel uses")
        indexes = [models.Index(fields=["channel", "kind", "at"], name="channelevent_kind_at")]

    def __str__(self) -> str:
        return f"{self.channel} {self.kind}"


class InquiryOutcome(models.TextChoices):
    VERIFIED = "verified", _("Verified")
    NOT_VERIFIED = "not_verified", _("Not verified")
    LOCKED = "locked", _("Locked")


class Inquiry(models.Model):
    """One attempt to verify an inquirer (IQ-1, D1.17, D1.19): what they stated (the policy
    number as typed; the ID number only as its blind index, never the number), the outcome,
    the matched party, who asked (a member of staff at the desk or an API client) from which
    address, and when. Never changed; the lockout counts its failures."""

    inquiry_id = models.CharField(_("inquiry"), max_length=40, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=InquiryChannel.choices)
    policy_no = models.CharField(_("stated policy number"), max_length=40)
    id_bidx = models.CharField(max_length=32, blank=True)
    stated_role = models.CharField(_("stated role"), max_length=16, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=InquiryOutcome.choices)
    role = models.CharField(_("verified role"), max_length=16, blank=True)
    # third_party: a non-party verified against a consent or an approved legal basis
    third_party = models.BooleanField(_("third party"), default=False)
    policy = models.ForeignKey(
        Policy, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # the sections a third party may be told (from the consent or legal basis)
    sections = models.JSONField(_("sections allowed"), default=list, blank=True)
    basis_ref = models.CharField(max_length=40, blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("asked by"),
    )
    asked_by = models.CharField(_("asked by"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=45, blank=True)
    # D1.19: at the counter the ID card and the contract were presented
    id_card_presented = models.BooleanField(_("ID card presented"), default=False)
    contract_presented = models.BooleanField(_("contract presented"), default=False)
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        indexes = [
            models.Index(fields=["policy_no", "at"], name="inquiry_policy_no_at"),
            models.Index(fields=["id_bidx", "at"], name="inquiry_id_bidx_at"),
            models.Index(fields=["channel", "at"], name="inquiry_channel_at"),
        ]

    def __str__(self) -> str:
        return self.inquiry_id


class InquiryLock(models.Model):
    """A lock on verification attempts for one stated policy number or one ID number (by
    its blind index) until ``until``: set after too many failures within the window."""

    class Subject(models.TextChoices):
        POLICY = "policy", _("Policy number")
        ID_NUMBER = "id_number", _("ID number")

    subject = models.CharField(_("subject"), max_length=10, choices=Subject.choices)
    key = models.CharField(max_length=64)
    until = models.DateTimeField(_("locked until"))
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("inquiry lock")
        verbose_name_plural = _("inquiry locks")
        indexes = [models.Index(fields=["key", "until"], name="inquirylock_key_until")]

    def __str__(self) -> str:
        return f"{self.subject} {self.until}"


class ThirdPartyBasis(models.Model):
    """Why a non-party of a policy may be told some of it (IQ-4, D1.21): a consent given by a
    verified party (with the signed form), or a legal basis (a court order, a regulator's
    request, public security's request, other) approved on the approvals engine. The third
    party is named by name and ID document (the number encrypted, with its blind index)."""

    class Kind(models.TextChoices):
        CONSENT = "consent", _("Consent of a party")
        COURT = "court", _("Court order")
        REGULATOR = "regulator", _("Regulator request")
        POLICE = "police", _("Public security request")
        OTHER = "other", _("Other legal basis")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        IN_FORCE = "in_force", _("In force")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    kind = models.CharField(_("basis"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    policy = models.ForeignKey(
        Policy, on_delete=models.CASCADE, related_name="+", verbose_name=_("policy")
    )
    # a consent: the verified party who gave it, and the inquiry that verified them
    given_by = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("given by"),
    )
    given_by_role = models.CharField(_("given as"), max_length=16, blank=True)
    inquiry_ref = models.CharField(_("inquiry"), max_length=40, blank=True)
    party_name = models.CharField(_("third party"), max_length=100)
    party_id_type = models.CharField(_("ID type"), max_length=20)
    party_id_number = EncryptedTextField(_("ID number"))
    party_id_bidx = models.CharField(max_length=32)
    sections = models.JSONField(_("information allowed"), default=list)
    valid_until = models.DateField(_("valid until"))
    reference = models.CharField(_("document reference"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # the signed consent form or the legal document, sealed as case evidence is
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=80)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    stored_as = models.CharField(max_length=80, unique=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("third-party basis")
        verbose_name_plural = _("third-party bases")
        indexes = [
            models.Index(fields=["policy", "party_id_bidx"], name="thirdparty_policy_bidx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.policy_id}"
