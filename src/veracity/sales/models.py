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
    # Read only as an imported legacy qualification (a ``TrainingRecord`` of kind ``legacy``
    # with its source); what decides is :mod:`veracity.sales.qualification`.
    qualified = models.BooleanField(_("legacy qualification flag"), default=False)
    # the contract (agent, specialist) or the cooperation (agency) ended by a penalty in force
    # (D1.22): no sales qualification from this date
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
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


class SellerRelative(models.Model):
    """A registered relative (亲属) of a seller (SD-2): a customer's contact equal to a
    relative's is a clue of substitution, as a seller's own is. The relative's phones and
    address are :class:`SellerContact` rows naming the relative."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="relatives")
    name = models.CharField(_("name"), max_length=100)
    relation = models.CharField(_("relation"), max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(user_db_constraint=False)  # see veracity.db.bulk

    class Meta:
        verbose_name = _("seller's relative")
        verbose_name_plural = _("sellers' relatives")
        constraints = [
            models.UniqueConstraint(fields=["seller", "name"], name="seller_relative_unique")
        ]

    def __str__(self) -> str:
        return f"{self.relation} of {self.seller_id}"


class SellerContact(models.Model):
    """A phone or address of a seller (agent, specialist or agency), or of a seller's
    registered relative (``relative`` set)."""

    class Kind(models.TextChoices):
        PHONE = "phone", _("Phone")
        ADDRESS = "address", _("Address")

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="contacts")
    relative = models.ForeignKey(
        SellerRelative,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("relative"),
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = EncryptedTextField(_("value"))
    value_bidx = models.CharField(max_length=32)
    history = HistoricalRecords(user_db_constraint=False)  # see veracity.db.bulk

    class Meta:
        verbose_name = _("seller contact")
        verbose_name_plural = _("seller contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["seller", "relative", "kind", "value_bidx"],
                name="seller_contact_unique_owner",
                nulls_distinct=False,
            )
        ]
        indexes = [models.Index(fields=["kind", "value_bidx"], name="seller_contact_bidx")]

    def __str__(self) -> str:
        return f"{self.kind} of {self.seller_id}"


class TrainingRecord(models.Model):
    """One training fact of a seller (D1.9, D1.10), kept by the training department: a
    course attended (class hours of form-filling training, 投保单规范填写), a qualification
    test taken (passed or not, with the score), or a qualification recorded by an earlier
    system (``legacy``, with its source). The same seller, kind, date and course or test code
    is the same record: an import may be run again."""

    class Kind(models.TextChoices):
        COURSE = "course", _("Course")
        TEST = "test", _("Qualification test")
        LEGACY = "legacy", _("Legacy qualification")

    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="training")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    date = models.DateField(_("date"))
    course_code = models.CharField(_("course or test code"), max_length=32, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    hours = models.DecimalField(
        _("class hours"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["seller", "kind", "date", "course_code"], name="training_record_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.date} of {self.seller_id}"
