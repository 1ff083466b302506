"""Every staff member can change their password (the old one checked, the rules applied);
the change and each refusal are in the audit trail, without the values."""

from __future__ import annotations

import json

import pytest

from veracity.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db

NEW = "Correct-Horse-Battery-9"


def change(client, old: str, new: str, again: str | None = None):
    return client.post(
        "/account/password/",
        {"old_password": old, "new_password1": new, "new_password2": again or new},
    )


@pytest.mark.parametrize("username", ["alice", "carol", "audrey", "george", "admin"])
def test_every_staff_member_has_the_page_in_the_menu(login, personas, username):
    client = login(personas[username])
    assert 'href="/account/password/"' in client.get("/").content.decode()
    page = client.get("/account/password/")
    assert page.status_code == 200
    assert "修改密码" in page.content.decode()


def test_change_is_audited_and_keeps_the_session(login, personas):
    alice = personas["alice"]
    client = login(alice)
    response = change(client, "pw-alice", NEW)
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW)
    assert client.get("/").status_code == 200  # still logged in
    event = AuditEvent.objects.get(action=Action.PASSWORD_CHANGE)
    assert event.actor == "alice"
    assert json.loads(event.detail) == {"ok": True}
    assert NEW not in event.detail and "pw-alice" not in event.detail


@pytest.mark.parametrize(
    ("old", "new", "again", "field", "code", "shown"),
    [
        ("wrong-old-password", NEW, None, "old_password", "password_incorrect", "旧密码不正确"),
        ("pw-alice", "baoxian123456", None, "new_password2", "password_common_chinese", "拼音"),
        ("pw-alice", "veracity-2026-x", None, "new_password2", "password_product_name", "系统"),
        ("pw-alice", "20261202", None, "new_password2", "password_too_short", "至少需要 12 个字符"),
        ("pw-alice", NEW, NEW + "x", "new_password2", "password_mismatch", "不一致"),
    ],
)
def test_refusals_change_nothing_and_are_audited(
    login, personas, old, new, again, field, code, shown
):
    alice = personas["alice"]
    client = login(alice)
    response = change(client, old, new, again)
    assert response.status_code == 200
    assert shown in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password("pw-alice")
    event = AuditEvent.objects.get(action=Action.PASSWORD_CHANGE)
    detail = json.loads(event.detail)
    assert detail["ok"] is False
    assert field in detail["fields"]
    assert code in detail["codes"]
    assert new not in event.detail


def test_anonymous_is_sent_to_login(client):
    response = client.get("/account/password/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
