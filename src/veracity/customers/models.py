"""The customer register: natural persons and their personal data (D1.2, D1.3, D4.4).

A customer is one person however many policies they hold; the person is identified by the
type and number of an identity document. Every personal datum (ID number, phone, bank
account, address, e-mail) is encrypted at rest and carries a blind index of its normalised
value for exact search and duplicate detection. Every table keeps the history of its fields.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from veracity.access.models import Classification as Classification  # the levels of a file
from veracity.access.models import Confidentiality as Confidentiality
from veracity.db.fields import EncryptedTextField


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident ID card")
    HMT_RESIDENCE_PERMIT = "hmt_residence_permit", _("HK/Macao/Taiwan residence permit")
    FOREIGN_PERMANENT_RESIDENCE = (
        "foreign_permanent_residence",
        _("Foreign permanent residence ID"),
    )
    HK_MACAO_HOME_RETURN = "hk_macao_home_return_permit", _("Home-return permit (HK/Macao)")
    TAIWAN_COMPATRIOT = "taiwan_compatriot_permit", _("Taiwan compatriot permit")
    PASSPORT = "passport", _("Passport")
    OTHER = "other", _("Other")


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Customer(models.Model):
    """One natural person (D1.2): policyholder, insured or beneficiary of any policy."""

    name = models.CharField(_("name"), max_length=100)  # searched with LIKE: no b-tree
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    classification = models.CharField(
        _("classification"),
        max_length=10,
        choices=Classification.choices,
        default=Classification.GENERAL,
    )
    confidentiality = models.CharField(
        _("confidentiality"),
        max_length=12,
        choices=Confidentiality.choices,
        default=Confidentiality.NORMAL,
    )
    custodian = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("custodian"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,  # history rows copy it; a user is never deleted (PROTECT above)
    )
    archive_no = models.CharField(_("archive number"), max_length=20, unique=True, null=True)
    # A person submitted without an identity document (a minor insured, a policyholder of an
    # old file) is known only by where they were submitted: the keyed blind index of the
    # application number and role. A resubmission, or a rerun of an interrupted import,
    # finds the same customer by it instead of creating another.
    anchor_bidx = models.CharField(max_length=32, unique=True, null=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(
        user_db_constraint=False,  # see veracity.db.bulk
        no_db_index=["archive_no", "anchor_bidx"],  # history is read per customer (by id)
    )

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return f"{self.archive_no or self.pk}"


class IdentityDocument(models.Model):
    """An identity document of a customer; (type, number) identifies the person."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="documents")
    id_type = models.CharField(_("ID type"), max_length=32, choices=IdType.choices)
    number = EncryptedTextField(_("ID number"))
    number_bidx = models.CharField(max_length=32)
    is_primary = models.BooleanField(_("primary"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(user_db_constraint=False)  # see veracity.db.bulk

    class Meta:
        verbose_name_plural = _("identity documents")
        verbose_name = _("identity document")
        constraints = [
            models.UniqueConstraint(
                fields=["id_type", "number_bidx"], name="identity_document_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_id_type_display()} #{self.pk}"


class Phone(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="phones")
    number = EncryptedTextField(_("phone"))  # E.164 when valid, else as typed
    number_bidx = models.CharField(max_length=32)  # indexed with the customer, below
    kind = models.CharField(_("kind"), max_length=10, default="mobile")
    valid = models.BooleanField(_("valid"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(user_db_constraint=False)  # see veracity.db.bulk

    class Meta:
        verbose_name_plural = _("phones")
        verbose_name = _("phone")
        constraints = [
            models.UniqueConstraint(fields=["customer", "number_bidx"], name="phone_unique")
        ]
        indexes = [models.Index(fields=["number_bidx", "customer"], name="phone_bidx_customer")]

    def __str__(self) -> str:
        return f"phone #{self.pk}"


class Address(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(_("kind"), max_length=10, default="contact")
    text = EncryptedTextField(_("address"))
    text_bidx = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(user_db_constraint=False)  # see veracity.db.bulk

    class Meta:
        verbose_name_plural = _("addresses")
        verbose_name = _("address")
        constraints = [
            models.UniqueConstraint(fields=["customer", "kind", "text_bidx"], name="address_unique")
        ]
        indexes = [models.Index(fields=["text_bidx", "customer"], name="address_bidx_customer")]

    def __str__(self) -> str:
        return f"address #{self.pk}"


class Email(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="emails")
    address = EncryptedTextField(_("e-mail"))
    address_bidx = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(user_db_constraint=False)  # see veracity.db.bulk

    class Meta:
        verbose_name_plural = _("e-mails")
        verbose_name = _("e-mail")
        constraints = [
            models.UniqueConstraint(fields=["customer", "address_bidx"], name="email_unique")
        ]
        indexes = [models.Index(fields=["address_bidx", "customer"], name="email_bidx_customer")]

    def __str__(self) -> str:
        return f"e-mail #{self.pk}"


class BankAccount(models.Model):
    """A bank card or account as it appears in a customer's data (D1.2). The same number in
    the data of two different customers is a clue (SD-1); the holder named on a premium
    account who is not the policyholder is another (SD-3)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="bank_accounts")
    number = EncryptedTextField(_("account number"))
    number_bidx = models.CharField(max_length=32)
    holder_name = models.CharField(_("holder name"), max_length=100, blank=True)
    holder_id_type = models.CharField(_("holder ID type"), max_length=32, blank=True)
    holder_id_number = EncryptedTextField(_("holder ID number"), blank=True, null=True)
    holder_id_bidx = models.CharField(max_length=32, null=True, blank=True)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(user_db_constraint=False)  # see veracity.db.bulk

    class Meta:
        verbose_name_plural = _("bank accounts")
        verbose_name = _("bank account")
        constraints = [
            models.UniqueConstraint(fields=["customer", "number_bidx"], name="bank_account_unique")
        ]
        indexes = [models.Index(fields=["number_bidx", "customer"], name="account_bidx_customer")]

    def __str__(self) -> str:
        return f"account #{self.pk}"


class IdentityChange(models.Model):
    """A submission that gave another name, sex or birth date for a customer's identity
    document (D1.6). The register is not overwritten: the customer keeps the values on file
    and this record keeps what was submitted, where and when, until customer service has
    checked it (a problem item, rule IDENTITY_CHANGED) and, if the new values are true,
    corrected the customer through the correction path, which records the change in the
    customer's history. Only the differing facts are filled in."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="identity_changes"
    )
    application_no = models.CharField(_("application number"), max_length=40)
    role = models.CharField(_("role"), max_length=20)
    name = models.CharField(_("submitted name"), max_length=100, blank=True)
    sex = models.CharField(_("submitted sex"), max_length=1, blank=True)
    birth_date = models.DateField(_("submitted birth date"), null=True, blank=True)
    on_file = models.JSONField(_("values on file"), default=dict)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name_plural = _("identity changes")
        verbose_name = _("identity change")
        constraints = [
            # the same submission read again (a rerun) records nothing new
            models.UniqueConstraint(
                fields=["customer", "application_no", "role", "name", "sex", "birth_date"],
                name="identity_change_once",
                nulls_distinct=False,
            )
        ]
        indexes = [models.Index(fields=["recorded_at"], name="identity_change_recorded")]

    def __str__(self) -> str:
        return f"identity change #{self.pk}"
