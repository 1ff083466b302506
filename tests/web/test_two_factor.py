"""Two-factor login (TOTP): enrolment with a QR code and a confirming code, the code step
after the password, and the roles for which production requires it."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.test_settings import ENV_KEYS, manage
from veracity.audit.models import Action, AuditEvent
from veracity.signin.models import LoginLockout

pytestmark = pytest.mark.django_db

REQUIRED = ["admin", "information_manager", "auditor"]


def code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the user's app shows (``steps_ahead`` 30-second steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def enrol(client: Client, user) -> TOTPDevice:
    page = client.get("/account/two-factor/")
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    html = page.content.decode()
    assert "<svg" in html  # the QR code
    assert 'id="two-factor-secret"' in html
    answer = client.post("/account/two-factor/", {"code": code(device)})
    assert answer.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def password_login(username: str) -> Client:
    client = Client()
    response = client.post("/login/", {"username": username, "password": "pw-" + username})
    assert response.status_code == 302
    return client


def test_enrolment_with_a_wrong_code_is_refused_and_audited(login, personas):
    client = login(personas["alice"])
    client.get("/account/two-factor/")
    response = client.post("/account/two-factor/", {"code": "000000"})
    assert response.status_code == 200
    assert "验证码错误" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=personas["alice"], confirmed=True).exists()
    event = AuditEvent.objects.filter(action=Action.LOGIN_FAILED).last()
    assert json.loads(event.detail) == {"ok": False, "step": "enrol"}


def test_the_qr_code_stays_the_same_until_confirmed(login, personas):
    client = login(personas["alice"])
    first = client.get("/account/two-factor/").content.decode()
    again = client.get("/account/two-factor/").content.decode()
    assert TOTPDevice.objects.filter(user=personas["alice"]).count() == 1
    secret = first.split('id="two-factor-secret">')[1].split("<")[0]
    assert secret in again


def test_enrol_then_login_needs_the_code(login, personas):
    enrolled = enrol(login(personas["alice"]), personas["alice"])
    assert AuditEvent.objects.filter(action=Action.TWO_FACTOR).count() == 1

    client = password_login("alice")
    # the password alone opens nothing
    for path in ["/", "/customers/", "/account/password/"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/code/?next=")
    wrong = client.post("/login/code/", {"code": "000000", "next": "/customers/"})
    assert wrong.status_code == 200
    assert "验证码错误" in wrong.content.decode()
    assert client.get("/").status_code == 302
    # django-otp's back-off: after a wrong code the next try waits a second
    TOTPDevice.objects.filter(pk=enrolled.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=5)
    )
    # the app's code (the next step: the one used to enrol is spent) lets her in
    right = client.post("/login/code/", {"code": code(enrolled, 1), "next": "/customers/"})
    assert right.status_code == 302
    assert right["Location"] == "/customers/"
    assert client.get("/").status_code == 200
    steps = [
        json.loads(e.detail)
        for e in AuditEvent.objects.filter(action__in=[Action.TWO_FACTOR, Action.LOGIN_FAILED])
    ]
    assert {"ok": False, "step": "login"} in steps
    assert steps[-1] == {"ok": True, "step": "login"}


def test_wrong_codes_count_toward_the_lockout(login, personas, settings):
    settings.VERACITY_LOGIN_LIMITS = {**settings.VERACITY_LOGIN_LIMITS, "account": 3}
    enrolled = enrol(login(personas["alice"]), personas["alice"])
    client = password_login("alice")
    for _ in range(2):
        assert client.post("/login/code/", {"code": "000000"}).status_code == 200
    locked = client.post("/login/code/", {"code": "000000"})
    # locked: logged out, told why on the login page
    assert locked.status_code == 302 and locked["Location"] == "/login/"
    assert "登录失败次数过多" in client.get("/login/").content.decode()
    assert LoginLockout.objects.filter(kind="account", key="alice").exists()
    # and neither the password nor a right code gets in now
    again = Client()
    response = again.post("/login/", {"username": "alice", "password": "pw-alice"})
    assert response.status_code == 200
    assert enrolled.confirmed


def test_without_a_device_nothing_changes(login, personas):
    client = login(personas["ivan"])
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    ("username", "required"),
    [
        ("admin", True),
        ("ivan", True),
        ("audrey", True),
        ("alice", False),
        ("sam", False),
        ("mona", False),
    ],
)
def test_required_roles_are_sent_to_enrolment(login, personas, settings, username, required):
    settings.VERACITY_OTP_REQUIRED_ROLES = REQUIRED
    client = login(personas[username])
    response = client.get("/notifications/")
    if not required:
        assert response.status_code == 200
        return
    assert response.status_code == 302
    assert response["Location"].startswith("/account/two-factor/")
    page = client.get("/account/two-factor/").content.decode()
    assert 'id="two-factor-required"' in page
    enrol(client, personas[username])
    assert client.get("/notifications/").status_code == 200


def test_logging_out_stays_possible_before_enrolment(login, personas, settings):
    settings.VERACITY_OTP_REQUIRED_ROLES = REQUIRED
    client = login(personas["ivan"])
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302
    assert client.get("/")["Location"].startswith("/login/")


def test_the_api_is_not_behind_the_code_step(api, application, settings):
    settings.VERACITY_OTP_REQUIRED_ROLES = REQUIRED
    assert api.post("/applications/check", application).status_code == 200


def test_production_requires_two_factor_for_admin_information_manager_and_auditor():
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(sorted(settings.VERACITY_OTP_REQUIRED_ROLES))",
        extra=ENV_KEYS,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(sorted(REQUIRED))
