"""Sellers (D1.9–D1.11, D1.14): agents (营销员), bancassurance specialists (银保专管员) and
agencies (代理机构), with their own phones and addresses — a customer's contact equal to a
seller's is a clue of agent substitution (SD-2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from veracity.db.fields import EncryptedTextField


class SellerKind(models.TextChoices):
    AGENT = "agent", _("Agent")
    BANCA_SPECIALIST = "banca_specialist", _("Bancassurance specialist")
    AGENCY = "agency", _("Agency")


class Seller(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=SellerKind.choices)
    name = models.CharField(_("name"), max_length=200)
    agency = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        limit_choices_to={"kind": SellerKind.AGENCY},
        verbose_name=_("agency"),
    )
    leader = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="team",
        verbose_name=_("team leader"),
    )
    qualified = models.BooleanField(_("sales qualification"), default=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="seller",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(user_db_constraint=False)  # see veracity.db.bulk

    class Meta:
        verbose_name = _("seller")
        verbose_name_plural = _("sellers")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SellerContact(models.Model):
    """A phone or address of a seller (agent, specialist or agency)."""

    class Kind(models.TextChoices):
        PHONE = "phone", _("Phone")
        ADDRESS = "address", _("Address")

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = EncryptedTextField(_("value"))
    value_bidx = models.CharField(max_length=32)
    history = HistoricalRecords(user_db_constraint=False)  # see veracity.db.bulk

    class Meta:
        verbose_name = _("seller contact")
        verbose_name_plural = _("seller contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["seller", "kind", "value_bidx"], name="seller_contact_unique"
            )
        ]
        indexes = [models.Index(fields=["kind", "value_bidx"], name="seller_contact_bidx")]

    def __str__(self) -> str:
        return f"{self.kind} of {self.seller_id}"
