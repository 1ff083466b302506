"""The customer portal's own records (IQ-3, D1.18, D1.12): a customer's portal account, the
one-time codes sent by SMS and the sends counted for the limits, the portal's login failures
and lockouts, and the contact changes a customer reports.

A portal account is never a Django user: a customer has no staff role and signs in with the
portal's own session (``veracity.portal.sessions``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from veracity.customers.models import Customer
from veracity.db.fields import EncryptedTextField


class PortalAccount(models.Model):
    """A customer's portal login: the password hash (Django's hashers), never the password."""

    customer = models.OneToOneField(
        Customer,
        on_delete=models.CASCADE,
        related_name="portal_account",
        verbose_name=_("customer"),
    )
    password = models.CharField(_("password hash"), max_length=128)
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    last_login = models.DateTimeField(_("last login"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("portal account")
        verbose_name_plural = _("portal accounts")

    def __str__(self) -> str:
        return f"portal account #{self.pk}"


class CodePurpose(models.TextChoices):
    REGISTRATION = "registration", _("Registration")
    RESET = "reset", _("Password reset")


class OneTimeCode(models.Model):
    """A 6-digit code sent by SMS to the mobile on file: kept only as a keyed hash, valid for
    ``VERACITY_PORTAL_OTP["valid_minutes"]``, at most ``max_tries`` attempts, used once."""

    purpose = models.CharField(_("purpose"), max_length=16, choices=CodePurpose.choices)
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    code_hash = models.CharField(_("code hash"), max_length=128)
    phone_bidx = models.CharField(max_length=32)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    tries = models.PositiveSmallIntegerField(_("tries"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")

    def __str__(self) -> str:
        return f"code #{self.pk}"


class CodeSend(models.Model):
    """One code sent to a phone (its blind index), counted for the sending limits."""

    phone_bidx = models.CharField(max_length=32)
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("code sent")
        verbose_name_plural = _("codes sent")
        indexes = [models.Index(fields=["phone_bidx", "at"], name="portal_codesend_phone_at")]

    def __str__(self) -> str:
        return f"code send {self.at:%Y-%m-%d %H:%M:%S}"


class LockKind(models.TextChoices):
    ACCOUNT = "account", _("account")
    ADDRESS = "address", _("address")


class PortalLoginFailure(models.Model):
    """One failed portal login: the account (the blind index of the ID document typed) and the
    address."""

    account_key = models.CharField(max_length=64)
    ip = models.CharField(_("IP address"), max_length=45, blank=True)
    at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("failed portal login")
        verbose_name_plural = _("failed portal logins")
        indexes = [
            models.Index(fields=["account_key", "at"], name="portal_failure_account_at"),
            models.Index(fields=["ip", "at"], name="portal_failure_ip_at"),
        ]

    def __str__(self) -> str:
        return f"portal failure {self.at:%Y-%m-%d %H:%M:%S}"


class PortalLockout(models.Model):
    kind = models.CharField(_("locked"), max_length=10, choices=LockKind.choices)
    key = models.CharField(_("account or address"), max_length=64)
    failures = models.PositiveIntegerField(_("failed logins"))
    started_at = models.DateTimeField(_("locked at"))
    until = models.DateTimeField(_("locked until"))

    class Meta:
        verbose_name = _("portal lockout")
        verbose_name_plural = _("portal lockouts")
        indexes = [models.Index(fields=["kind", "key", "until"], name="portal_lockout_key_until")]

    def __str__(self) -> str:
        return f"portal lockout {self.kind} until {self.until:%Y-%m-%d %H:%M}"


class ContactKind(models.TextChoices):
    PHONE = "phone", _("Mobile phone")
    ADDRESS = "address", _("Contact address")
    EMAIL = "email", _("E-mail")


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for customer service")
    APPLIED = "applied", _("Applied to the file")
    REJECTED = "rejected", _("Rejected")


class ContactChangeRequest(models.Model):
    """A change of phone, address or e-mail a customer reported on the portal (D1.12), until
    customer service verifies it (a call back) and applies it through the recorded-change
    path, or rejects it with a reason."""

    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="contact_change_requests",
        verbose_name=_("customer"),
    )
    kind = models.CharField(_("what"), max_length=10, choices=ContactKind.choices)
    value = EncryptedTextField(_("new value"))
    status = models.CharField(
        _("status"), max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING
    )
    requested_at = models.DateTimeField(_("reported at"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("contact change request")
        verbose_name_plural = _("contact change requests")
        indexes = [models.Index(fields=["status", "requested_at"], name="contact_change_status")]

    def __str__(self) -> str:
        return f"contact change #{self.pk}"
