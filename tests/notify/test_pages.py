"""/notifications/: one's own notices, the unread count in the navigation, marking read."""

from __future__ import annotations

import pytest

from veracity.notify.models import Notification
from veracity.notify.services import notify_users

pytestmark = pytest.mark.django_db


def _notify(users, link="/incidents/"):
    return notify_users(
        users=users,
        kind="test_kind",
        title_zh="有新的泄露事件",
        title_en="A new leak incident",
        body_zh="请处理",
        body_en="Please respond",
        link=link,
    )


def test_list_shows_own_notifications_and_unread_count(client, personas):
    _notify([personas["ivan"]])
    notify_users(users=[personas["mona"]], kind="x", title_zh="给孟娜的", title_en="For Mona")
    client.force_login(personas["ivan"])
    page = client.get("/notifications/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "有新的泄露事件" in text and "请处理" in text
    assert "给孟娜的" not in text
    assert page.context["nav_unread"] == 1
    assert 'id="nav-notifications"' in text


def test_english_user_sees_the_english_title(client, personas):
    _notify([personas["ivan"]])
    client.force_login(personas["ivan"])
    client.cookies["django_language"] = "en"
    text = client.get("/notifications/").content.decode()
    assert "A new leak incident" in text


def test_mark_one_and_all_read(client, personas):
    first, second = _notify([personas["ivan"]]) + _notify([personas["ivan"]])
    client.force_login(personas["ivan"])
    response = client.post("/notifications/read/", {"id": first.pk})
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    client.post("/notifications/read/", {"all": "1"})
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert client.get("/notifications/").context["nav_unread"] == 0


def test_open_marks_read_and_follows_the_link(client, personas):
    [note] = _notify([personas["ivan"]], link="/incidents/")
    client.force_login(personas["ivan"])
    response = client.post(f"/notifications/{note.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/incidents/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_an_outside_link_is_not_followed(client, personas):
    [note] = _notify([personas["ivan"]], link="//evil.example.com/")
    client.force_login(personas["ivan"])
    response = client.post(f"/notifications/{note.pk}/open/")
    assert response["Location"] == "/notifications/"


def test_anothers_notification_cannot_be_opened_nor_marked(client, personas):
    [monas] = _notify([personas["mona"]])
    client.force_login(personas["ivan"])
    assert client.post(f"/notifications/{monas.pk}/open/").status_code == 404
    client.post("/notifications/read/", {"id": monas.pk})
    client.post("/notifications/read/", {"id": "not-a-number"})
    monas.refresh_from_db()
    assert monas.read_at is None


def test_anonymous_is_sent_to_login(client, personas):
    [note] = _notify([personas["ivan"]])
    assert client.get("/notifications/")["Location"].startswith("/login/")
    assert client.post(f"/notifications/{note.pk}/open/").status_code == 302
    note.refresh_from_db()
    assert note.read_at is None


def test_get_on_a_post_only_url_is_refused(client, personas):
    client.force_login(personas["ivan"])
    assert client.get("/notifications/read/").status_code == 405
