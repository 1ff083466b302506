"""Customer notices (NT-1, NT-2, D1.20, D1.26): the templates they are written from, every
notice sent to a policyholder or claimant with its delivery result, and the provider's
delivery receipts as received.

A notice's status only moves forward: ``queued`` → ``sent`` → ``delivered`` | ``failed``
(``queued`` → ``failed`` when it could not be sent at all). The address it went to is
encrypted like the customers' own phones and shown masked."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from veracity.db.fields import EncryptedTextField


class NoticeChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    PORTAL = "portal", _("Portal")


class NoticeStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


#: How far each status is along the way; a notice never moves to a lower rank.
STATUS_RANK = {"queued": 0, "sent": 1, "delivered": 2, "failed": 2}
FINAL_STATUSES = ("delivered", "failed")


class NoticeTemplate(models.Model):
    """The words of one notice on one channel: ``text`` (zh-Hans) with ``{placeholders}``
    filled from the notice's params, and for SMS the provider's approved template code.
    A new wording is a new version; the notice keeps the code and version it was sent with."""

    code = models.CharField(_("template code"), max_length=40)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    event_kind = models.CharField(_("event"), max_length=24)
    channel = models.CharField(_("channel"), max_length=8, choices=NoticeChannel.choices)
    subject = models.CharField(_("subject"), max_length=100, blank=True)
    text = models.TextField(_("text"))
    provider_code = models.CharField(_("provider template code"), max_length=40, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("notice template")
        verbose_name_plural = _("notice templates")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "channel", "version"], name="noticetemplate_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code}/{self.channel} v{self.version}"


class CustomerNotice(models.Model):
    """One notice to one person on one channel about one event (the outbox row, written in
    the event's transaction). Unique per event, channel and recipient: an event announced
    twice writes nothing the second time."""

    notice_id = models.CharField(_("notice id"), max_length=32, unique=True)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="notices",
        verbose_name=_("customer"),
    )
    policy = models.ForeignKey(
        "policies.Policy", on_delete=models.CASCADE, related_name="+", verbose_name=_("policy")
    )
    event = models.ForeignKey(
        "policies.PolicyEvent",
        on_delete=models.CASCADE,
        related_name="notices",
        verbose_name=_("policy event"),
    )
    event_kind = models.CharField(_("event"), max_length=24)
    recipient_role = models.CharField(_("recipient's part"), max_length=16)
    template_code = models.CharField(_("template code"), max_length=40)
    template_version = models.PositiveSmallIntegerField(_("template version"))
    channel = models.CharField(_("channel"), max_length=8, choices=NoticeChannel.choices)
    address = EncryptedTextField(_("sent to"), blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    send_after = models.DateTimeField(_("send after"), default=timezone.now)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    claim_token = models.CharField(max_length=16, blank=True)
    provider_id = models.CharField(_("provider message id"), max_length=64, blank=True)
    error_code = models.CharField(_("error code"), max_length=64, blank=True)
    error_class = models.CharField(_("error class"), max_length=24, blank=True)
    created_at = models.DateTimeField(_("written at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    final_at = models.DateTimeField(_("final result at"), null=True, blank=True)
    polled_at = models.DateTimeField(_("last polled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer notice")
        verbose_name_plural = _("customer notices")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "channel", "customer"], name="customernotice_once"
            )
        ]
        indexes = [
            models.Index(fields=["status", "send_after"], name="customernotice_due"),
            models.Index(fields=["customer", "created_at"], name="customernotice_customer"),
            models.Index(fields=["provider_id"], name="customernotice_provider"),
        ]

    def __str__(self) -> str:
        return self.notice_id


class DeliveryReceipt(models.Model):
    """One delivery receipt as the SMS provider sent it (kept for the record, applied to its
    notice when that is known)."""

    notice_id = models.CharField(_("notice id"), max_length=64, blank=True, db_index=True)
    biz_id = models.CharField(_("provider message id"), max_length=64, blank=True)
    success = models.BooleanField(_("delivered"))
    err_code = models.CharField(_("error code"), max_length=64, blank=True)
    err_msg = models.CharField(_("error message"), max_length=200, blank=True)
    report_time = models.CharField(_("reported at"), max_length=32, blank=True)
    raw = models.JSONField(_("as received"), default=dict)
    source = models.CharField(_("source"), max_length=16, default="receipt")  # receipt, poll
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    applied = models.BooleanField(_("applied"), default=False)

    class Meta:
        verbose_name = _("delivery receipt")
        verbose_name_plural = _("delivery receipts")

    def __str__(self) -> str:
        return f"receipt {self.notice_id or self.biz_id}"
