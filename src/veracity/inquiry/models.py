"""Policy inquiries (IQ-1 … IQ-5, D1.15–D1.21): what was told to whom, on which channel."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from veracity.customers.models import Customer
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
