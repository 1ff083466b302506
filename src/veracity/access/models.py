"""API clients of the truthfulness gate (the core business system, the bancassurance system).

A client authenticates with a bearer token; only the token's SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ApiClient(models.Model):
    class System(models.TextChoices):
        CORE = "core", _("Core business system")
        BANCASSURANCE = "bancassurance", _("Bancassurance system (银保通)")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=100, unique=True)
    system = models.CharField(_("system"), max_length=20, choices=System.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    token_prefix = models.CharField(max_length=8)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("API client")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def issue(cls, *, name: str, system: str) -> tuple[ApiClient, str]:
        """Create a client and return it with its token (shown once, never stored)."""
        token = "vty_" + secrets.token_urlsafe(32)
        client = cls.objects.create(
            name=name, system=system, token_hash=hash_token(token), token_prefix=token[:8]
        )
        return client, token
