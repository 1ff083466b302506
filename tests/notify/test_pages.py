"""/notifications/: one's own notices, the unread count in the navigation, marking read."""

from __future__ import annotations

import pytest

from veracity.notify.models import Notification
from veracity.notify.services import tell

pytestmark = pytest.mark.django_db


def _notify(users, link="/incidents/"):
    return tell(
        users,
        "incident_reported",
        {"incident": "#1", "certainty": "Confirmed", "reporter": "孙明", "data": ["Name"]},
        link=link,
    )


def test_list_shows_own_notifications_and_unread_count(client, personas):
    _notify([personas["ivan"]])
    tell([personas["mona"]], "problem_item_closed", {"item": "#99"})
    client.force_login(personas["ivan"])
    page = client.get("/notifications/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "已确认客户信息泄露事件 #1" in text and "请立即处理" in text
    assert "#99" not in text
    assert page.context["nav_unread"] == 1
    assert 'id="nav-notifications"' in text


def test_english_user_sees_the_english_title(client, personas):
    _notify([personas["ivan"]])
    client.force_login(personas["ivan"])
    client.cookies["django_language"] = "en"
    text = client.get("/notifications/").content.decode()
    assert "Confirmed customer information leak #1" in text


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
