"""The counters behind the login lockout.

A failed login is one ``LoginFailure`` row (the username tried and the address); a lockout
is one ``LoginLockout`` row per account or address, with the time it ends. Both are
working state, kept a day; the audit trail keeps the record for good.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LoginFailure(models.Model):
    username = models.CharField(_("username tried"), max_length=150)
    ip = models.CharField(_("IP address"), max_length=45, blank=True)
    at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name_plural = _("failed logins")
        verbose_name = _("failed login")
        indexes = [
            models.Index(fields=["username", "at"], name="login_failure_username_at"),
            models.Index(fields=["ip", "at"], name="login_failure_ip_at"),
            models.Index(fields=["at"], name="login_failure_at"),
        ]

    def __str__(self) -> str:
        return f"{self.username}@{self.ip} {self.at:%Y-%m-%d %H:%M:%S}"


class LoginLockout(models.Model):
    class Kind(models.TextChoices):
        ACCOUNT = "account", _("account")
        ADDRESS = "address", _("address")

    kind = models.CharField(_("locked"), max_length=10, choices=Kind.choices)
    key = models.CharField(_("username or address"), max_length=150)
    failures = models.PositiveIntegerField(_("failed logins"))
    started_at = models.DateTimeField(_("locked at"))
    until = models.DateTimeField(_("locked until"))
    # the leak-incident candidate raised (or the open one it was added to)
    incident_id = models.BigIntegerField(_("incident"), null=True, blank=True)

    class Meta:
        verbose_name_plural = _("login lockouts")
        verbose_name = _("login lockout")
        indexes = [models.Index(fields=["kind", "key", "until"], name="login_lockout_key_until")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} until {self.until:%Y-%m-%d %H:%M}"
