"""tell: stored per recipient as a catalogue kind with its parameters, rendered in the
reader's language, e-mailed after commit in the recipient's language, delivery result kept
(NT-2)."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.utils import translation

from veracity.notify.catalogue import CATALOGUE, render
from veracity.notify.models import EmailStatus, Notification, ReaderLanguage
from veracity.notify.selectors import notifications_of, unread_count
from veracity.notify.services import (
    notifications_mark_read,
    reader_language,
    reader_language_set,
    tell,
)
from veracity.org.principals import Staff

pytestmark = pytest.mark.django_db


def _notify(users, **extra):
    return tell(
        users,
        "problem_item_returned",
        {"item": "#7", "by": "孙明", "reason": "缺少签字"},
        link="/problems/7/",
        object_type="problem_item",
        object_id=7,
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
    assert sent.subject == "[Veracity] 问题件 #7 已退回给您"
    assert "孙明 退回，原因：缺少签字" in sent.body and "/problems/7/" in sent.body
    assert "returned" not in sent.body  # one language: the recipient's
    by_user = {n.recipient_id: n for n in Notification.objects.all()}
    assert by_user[ivan.pk].email_status == EmailStatus.SENT
    assert by_user[ivan.pk].emailed_at is not None
    assert by_user[mona.pk].email_status == EmailStatus.NONE  # no address: in-app only
    assert by_user[ivan.pk].object_type == "problem_item" and by_user[ivan.pk].object_id == "7"


def test_the_mail_is_in_the_recipients_language(personas, django_capture_on_commit_callbacks):
    ivan, mona = personas["ivan"], personas["mona"]
    for user in (ivan, mona):
        user.email = f"{user.username}@example.com"
        user.save()
    assert reader_language_set(principal=Staff(ivan), language="en")
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        _notify([ivan, mona])
    by_to = {m.to[0]: m for m in mail.outbox}
    english, chinese = by_to["ivan@example.com"], by_to["mona@example.com"]
    assert english.subject == "[Veracity] Problem item #7 has been returned to you"
    assert "Returned by 孙明: 缺少签字" in english.body and "退回" not in english.body
    assert chinese.subject == "[Veracity] 问题件 #7 已退回给您"


def test_the_notice_language_is_remembered_per_person(personas):
    ivan = personas["ivan"]
    assert reader_language(ivan) == "zh-hans"  # never chosen: the default
    assert reader_language_set(principal=Staff(ivan), language="en")
    assert reader_language(ivan) == "en"
    assert not reader_language_set(principal=Staff(ivan), language="fr")  # not offered
    assert reader_language(ivan) == "en"
    assert ReaderLanguage.objects.count() == 1


def test_switching_the_page_language_sets_the_notice_language(client, personas):
    client.force_login(personas["ivan"])
    with translation.override("zh-hans"):  # the pages activate the language they serve
        response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        assert response.status_code == 302
        assert reader_language(personas["ivan"]) == "en"
        client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
        assert reader_language(personas["ivan"]) == "zh-hans"
        client.logout()
        client.post("/i18n/setlang/", {"language": "en", "next": "/"})  # nobody signed in
    assert ReaderLanguage.objects.get().language == "zh-hans"


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


def test_inactive_and_excluded_users_are_not_notified(personas):
    mona = personas["mona"]
    mona.is_active = False
    mona.save()
    assert _notify([mona, personas["ivan"]])[0].recipient_id == personas["ivan"].pk
    assert _notify([personas["ivan"]], exclude=[personas["ivan"]]) == []
    assert Notification.objects.count() == 1


def test_an_unknown_kind_is_refused(personas):
    with pytest.raises(ValueError):
        tell([personas["ivan"]], "no_such_kind", {})
    assert not Notification.objects.exists()


def test_words_follow_the_readers_language(personas):
    note = _notify([personas["ivan"]])[0]
    assert not note.title_zh and not note.title_en  # words are not stored
    with translation.override("zh-hans"):
        assert note.title == "问题件 #7 已退回给您" and note.body == "孙明 退回，原因：缺少签字"
    with translation.override("en"):
        assert note.title == "Problem item #7 has been returned to you"


def test_a_notice_kept_from_before_the_catalogue_reads_its_stored_words(personas):
    note = Notification.objects.create(
        recipient=personas["ivan"], kind="old_kind", title_zh="旧通知", title_en="Old notice"
    )
    with translation.override("zh-hans"):
        assert note.title == "旧通知"
    with translation.override("en"):
        assert note.title == "Old notice"


def test_lists_and_translated_parameters_read_in_the_readers_words():
    params = {
        "incident": "#3",
        "certainty": "Suspected",
        "reporter": "李",
        "when": "",
        "data": ["Name", "Address"],
    }
    with translation.override("zh-hans"):
        title, body = render("incident_reported", params)
    assert title == "疑似客户信息泄露事件 #3" and "涉及信息：姓名、地址" in body
    title, body = render("incident_reported", params, "en")
    assert title == "Suspected customer information leak #3" and "Name, Address" in body
    assert render("problem_item_closed", {}, "en")[0] == "Problem item  has been closed"


@pytest.mark.parametrize("kind", sorted(CATALOGUE))
def test_every_kind_has_its_chinese(kind):
    notice = CATALOGUE[kind]
    with translation.override("zh-hans"):
        assert render(kind, {}) != render(kind, {}, "en") or not notice.title
        title, body = render(kind, {})
    assert not any("a" <= c.lower() <= "z" for c in title + body), (kind, title, body)


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
