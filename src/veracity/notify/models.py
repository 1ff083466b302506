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

from veracity.notify.catalogue import render


class EmailStatus(models.TextChoices):
    NONE = "none", _("No e-mail address")
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Sending failed")


class Notification(models.Model):
    """One notice to one user. ``kind`` is a key of the notice catalogue
    (``veracity.notify.catalogue``), ``params`` its named parameters; the words are rendered
    when read, in the reader's language. ``link`` points at the page to act on (a path within
    the site), ``object_type``/``object_id`` name the object it is about. Notices stored
    before the catalogue keep their words in the ``title_*``/``body_*`` columns, which are
    read when they are filled."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,  # the composite indexes below start with it
    )
    kind = models.CharField(_("kind"), max_length=40)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    object_type = models.CharField(_("object type"), max_length=40, blank=True)
    object_id = models.CharField(_("object id"), max_length=40, blank=True)
    # the words of notices stored before the catalogue (kept, read when filled)
    title_zh = models.CharField(_("title (zh)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (en)"), max_length=200, blank=True)
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
            # the notices about one object (a daily job tells once per object)
            models.Index(fields=["object_type", "object_id"], name="notification_object"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def title(self) -> str:
        """The title in the active language (Chinese unless English is chosen)."""
        return self.words()[0]

    @property
    def body(self) -> str:
        return self.words()[1]

    def words(self, language: str | None = None) -> tuple[str, str]:
        """(title, text) in ``language`` (the active one by default): from the catalogue,
        or the stored words of a notice kept from before it."""
        if self.title_zh or self.title_en:
            english = (language or translation.get_language() or "").startswith("en")
            title = self.title_en if english and self.title_en else self.title_zh
            body = self.body_en if english and self.body_en else self.body_zh
            return title or self.title_en, body or self.body_en
        return render(self.kind, self.params, language)


class ReaderLanguage(models.Model):
    """The language a person reads their notices in outside the site (e-mail): the page
    language they last chose; Chinese when never chosen."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reader_language",
        primary_key=True,
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)

    class Meta:
        verbose_name = _("notice language")
        verbose_name_plural = _("notice languages")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language}"
