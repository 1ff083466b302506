"""Notifications to staff: what happened that needs someone's attention (a leak reported, a
problem item overdue…), shown in the application and sent by e-mail.

Every notice is kept with its e-mail delivery result (NT-2), so that a failed delivery is
seen rather than lost.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _


class EmailStatus(models.TextChoices):
    NONE = "none", _("No e-mail address")
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Sending failed")


class Notification(models.Model):
    """One notice to one user. ``kind`` is a stable code of what it is about
    (``incident_reported``, ``problem_item_overdue``…); the title and body are stored in both
    languages, and ``link`` points at the page to act on (a path within the site)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,  # the composite indexes below start with it
    )
    kind = models.CharField(_("kind"), max_length=40)
    title_zh = models.CharField(_("title (zh)"), max_length=200)
    title_en = models.CharField(_("title (en)"), max_length=200)
    body_zh = models.TextField(_("text (zh)"), blank=True)
    body_en = models.TextField(_("text (en)"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_status = models.CharField(
        _("e-mail"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.NONE
    )
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    email_error = models.CharField(_("e-mail error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # the user's list, newest first; the unread count in the navigation
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_new"),
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def title(self) -> str:
        """The title in the active language (Chinese unless English is chosen)."""
        return self.title_en if _english() and self.title_en else self.title_zh

    @property
    def body(self) -> str:
        return self.body_en if _english() and self.body_en else self.body_zh


def _english() -> bool:
    return (translation.get_language() or "").startswith("en")
