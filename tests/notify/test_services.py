"""notify_users: stored per recipient, e-mailed after commit, delivery result kept (NT-2)."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core import mail
from django.db import transaction

from veracity.notify.models import EmailStatus, Notification
from veracity.notify.selectors import notifications_of, unread_count
from veracity.notify.services import notifications_mark_read, notify_users
from veracity.org.principals import Staff

pytestmark = pytest.mark.django_db


def _notify(users, **extra):
    return notify_users(
        users=users,
        kind="test_kind",
        title_zh="测试通知",
        title_en="Test notice",
        body_zh="正文",
        body_en="Body",
        link="/incidents/1/",
        **extra,
    )


def test_one_notification_per_user_and_mail_after_commit(
    personas, django_capture_on_commit_callbacks
):
    ivan, mona = personas["ivan"], personas["mona"]
    ivan.email = "ivan@example.com"
    ivan.save()
    with django_capture_on_commit_callbacks(execute=True):
        notes = _notify([ivan, mona, ivan])  # ivan twice: told once
    assert sorted(n.recipient_id for n in notes) == sorted([ivan.pk, mona.pk])
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["ivan@example.com"]
    assert "测试通知" in sent.subject and "Test notice" in sent.subject
    assert "正文" in sent.body and "Body" in sent.body and "/incidents/1/" in sent.body
    by_user = {n.recipient_id: n for n in Notification.objects.all()}
    assert by_user[ivan.pk].email_status == EmailStatus.SENT
    assert by_user[ivan.pk].emailed_at is not None
    assert by_user[mona.pk].email_status == EmailStatus.NONE  # no address: nothing to send


def test_nothing_is_mailed_before_commit_nor_after_a_rollback(
    personas, django_capture_on_commit_callbacks
):
    ivan = personas["ivan"]
    ivan.email = "ivan@example.com"
    ivan.save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                _notify([ivan])
                assert mail.outbox == []  # not before the commit
                raise RuntimeError("the action failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_a_failed_delivery_is_recorded_not_raised(personas, django_capture_on_commit_callbacks):
    ivan = personas["ivan"]
    ivan.email = "ivan@example.com"
    ivan.save()
    with (
        mock.patch("veracity.notify.services.send_mail", side_effect=OSError("SMTP down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _notify([ivan])
    note = Notification.objects.get()
    assert note.email_status == EmailStatus.FAILED
    assert "SMTP down" in note.email_error


def test_inactive_users_are_not_notified(personas):
    mona = personas["mona"]
    mona.is_active = False
    mona.save()
    assert _notify([mona, personas["ivan"]])[0].recipient_id == personas["ivan"].pk
    assert Notification.objects.count() == 1


def test_a_title_is_required(personas):
    with pytest.raises(ValueError):
        notify_users(users=[personas["ivan"]], kind="x", title_zh="", title_en="")
    assert not Notification.objects.exists()


def test_title_follows_the_language(personas):
    from django.utils import translation

    note = _notify([personas["ivan"]])[0]
    with translation.override("zh-hans"):
        assert note.title == "测试通知" and note.body == "正文"
    with translation.override("en"):
        assert note.title == "Test notice" and note.body == "Body"


def test_mark_read_touches_only_ones_own(personas):
    ivan, mona = personas["ivan"], personas["mona"]
    _notify([ivan, mona])
    monas = Notification.objects.get(recipient=mona)
    assert notifications_mark_read(principal=Staff(ivan), ids=[monas.pk]) == 0  # not his
    monas.refresh_from_db()
    assert monas.read_at is None
    assert unread_count(principal=Staff(ivan)) == 1
    assert notifications_mark_read(principal=Staff(ivan)) == 1
    assert unread_count(principal=Staff(ivan)) == 0 and unread_count(principal=Staff(mona)) == 1
    assert list(notifications_of(principal=Staff(ivan))) == list(
        Notification.objects.filter(recipient=ivan)
    )
