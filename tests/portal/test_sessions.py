"""The portal's own session: a customer is never a staff user. A portal session opens no
staff page and no API endpoint; a staff session opens no portal page; each cookie is read
only on its own side."""

from __future__ import annotations

import pytest

from tests.portal.helpers import portal_sign_in

pytestmark = pytest.mark.django_db


def test_the_portal_cookie_is_its_own(portal_book, client):
    answer = portal_sign_in(client, portal_book)
    cookie = answer.cookies["veracity_my"]
    assert cookie["path"] == "/my/"
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 900  # the idle expiry, moved on by every request
    assert "sessionid" not in answer.cookies
    again = client.get("/my/")
    assert again.status_code == 200
    assert "sessionid" not in again.cookies


def test_secure_where_the_staff_cookie_is(portal_book, client, settings):
    settings.SESSION_COOKIE_SECURE = True
    answer = portal_sign_in(client, portal_book)
    assert answer.cookies["veracity_my"]["secure"] is True


def test_a_portal_session_opens_no_staff_page_nor_the_api(portal_book, client):
    portal_sign_in(client, portal_book)
    portal_key = client.cookies["veracity_my"].value
    for path in ("/", "/customers/", "/customers/change-requests/", "/problems/"):
        answer = client.get(path)
        assert answer.status_code == 302 and answer["Location"].startswith("/login/"), path
    # even presented as the staff cookie, the portal session holds no staff login
    client.cookies["sessionid"] = portal_key
    answer = client.get("/customers/")
    assert answer.status_code == 302 and answer["Location"].startswith("/login/")
    assert client.get("/api/v1/problem-items").status_code == 401
    assert client.post("/api/v1/problem-items/1/claim").status_code == 401


def test_a_staff_session_opens_no_portal_page(portal_book, client, personas):
    client.force_login(personas["sam"])
    assert client.get("/customers/change-requests/").status_code == 200
    staff_key = client.cookies["sessionid"].value
    for path in ("/my/", "/my/notices/", "/my/contact/", "/my/policies/P2026000001/"):
        answer = client.get(path)
        assert answer.status_code == 302 and answer["Location"] == "/my/login/", path
    # the staff session key presented as the portal cookie signs nobody in
    client.cookies["veracity_my"] = staff_key
    answer = client.get("/my/")
    assert answer.status_code == 302 and answer["Location"] == "/my/login/"


def test_logging_out_of_the_portal_leaves_the_staff_session(portal_book, client, personas):
    client.force_login(personas["sam"])
    portal_sign_in(client, portal_book)
    assert client.get("/my/").status_code == 200
    client.post("/my/logout/")
    assert client.get("/my/").status_code == 302
    assert client.get("/customers/change-requests/").status_code == 200


def test_the_portal_session_expires_when_idle(portal_book, client, settings):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    portal_sign_in(client, portal_book)
    key = client.cookies["veracity_my"].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now())
    assert client.get("/my/").status_code == 302
