"""The login lockout: 10 failed logins for one account, or 30 from one address, within 15
minutes lock that account / address for 15 minutes — the right password included; each
lockout is audited and raises a leak-incident candidate."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client

from veracity.audit.models import Action, AuditEvent
from veracity.incidents.models import LeakIncident
from veracity.notify.models import Notification
from veracity.signin.models import LoginFailure, LoginLockout

pytestmark = pytest.mark.django_db

ATTACKER = "198.51.100.7"  # documentation range; only a REMOTE_ADDR value here
OTHER = "198.51.100.8"
LOCKED_ZH = "登录失败次数过多"
LOCKED_EN = "Too many failed logins"
WRONG_ZH = "区分大小写"  # Django's "wrong username or password" ends so in Chinese


def attempt(username: str, password: str, ip: str = ATTACKER, language: str = "zh-hans"):
    client = Client(REMOTE_ADDR=ip)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post("/login/", {"username": username, "password": password})
    return response


def logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/"


def page(response) -> str:
    return response.content.decode()


def move_back(minutes: int) -> None:
    """As if ``minutes`` had passed: every stored failure and lockout is that much older."""
    shift = timedelta(minutes=minutes)
    for failure in LoginFailure.objects.all():
        failure.at -= shift
        failure.save(update_fields=["at"])
    for lock in LoginLockout.objects.all():
        lock.started_at -= shift
        lock.until -= shift
        lock.save(update_fields=["started_at", "until"])


@pytest.mark.parametrize(
    ("failures", "locked"),
    [(9, False), (10, True)],
    ids=["nine failures: still in", "ten failures: locked"],
)
def test_account_limit_refuses_the_right_password(personas, failures, locked):
    for _ in range(failures - 1):
        assert WRONG_ZH in page(attempt("alice", "wrong-password"))
    last = attempt("alice", "wrong-password")
    # the failure that reaches the limit already says so
    assert (LOCKED_ZH in page(last)) is locked
    # the right password, even from another address
    right = attempt("alice", "pw-alice", ip=OTHER)
    assert logged_in(right) is not locked
    if locked:
        assert right.status_code == 200
        assert LOCKED_ZH in page(right)
        assert WRONG_ZH not in page(right)  # not the wrong-password message
    # other accounts from the attacker's address are not affected by an account lockout
    assert logged_in(attempt("carol", "pw-carol"))


def test_account_limit_counts_any_spelling_of_the_name(personas):
    for name in ["alice", "Alice", "ALICE", " alice"] * 2 + ["alice", "Alice"]:
        attempt(name, "wrong-password")
    assert LOCKED_ZH in page(attempt("alice", "pw-alice"))


def test_the_message_in_english(personas):
    for _ in range(10):
        attempt("alice", "wrong-password")
    response = attempt("alice", "pw-alice", language="en")
    assert LOCKED_EN in page(response)
    assert LOCKED_ZH not in page(response)


def test_address_limit_across_accounts(personas):
    # 30 failures from one address, no account reaching its own limit (3 per account)
    names = ["alice", "carol", "sam", "dave", "ivan", "mona", "george", "henry", "terry", "x"]
    for name in names * 3:
        attempt(name, "wrong-password")
    assert not LoginLockout.objects.filter(kind="account").exists()
    # every account is refused from that address, the right password included …
    for name in ["audrey", "admin", "alice"]:
        response = attempt(name, "pw-" + name)
        assert not logged_in(response)
        assert LOCKED_ZH in page(response)
    # … and they all log in from elsewhere
    assert logged_in(attempt("audrey", "pw-audrey", ip=OTHER))
    assert logged_in(attempt("alice", "pw-alice", ip=OTHER))


def test_twenty_nine_failures_from_one_address_do_not_lock_it(personas):
    names = ["alice", "carol", "sam", "dave", "ivan", "mona", "george", "henry", "terry", "x"]
    for name in (names * 3)[:29]:
        attempt(name, "wrong-password")
    assert logged_in(attempt("audrey", "pw-audrey"))


def test_unlocked_after_fifteen_minutes(personas):
    for _ in range(10):
        attempt("alice", "wrong-password")
    assert not logged_in(attempt("alice", "pw-alice"))
    move_back(14)
    assert not logged_in(attempt("alice", "pw-alice")), "still locked at 14 minutes"
    move_back(2)
    assert logged_in(attempt("alice", "pw-alice"))
    # the failures that locked once do not lock again: one more failure is just one
    attempt("alice", "wrong-password")
    assert logged_in(attempt("alice", "pw-alice"))


def test_failures_outside_the_window_do_not_count(personas):
    for _ in range(9):
        attempt("alice", "wrong-password")
    move_back(16)
    attempt("alice", "wrong-password")
    assert logged_in(attempt("alice", "pw-alice"))


def test_lockout_is_audited_and_raises_an_incident_candidate(personas):
    for _ in range(10):
        attempt("alice", "wrong-password")
    attempt("alice", "pw-alice")

    lock = LoginLockout.objects.get()
    assert (lock.kind, lock.key, lock.failures) == ("account", "alice", 10)
    assert lock.until - lock.started_at == timedelta(minutes=15)

    event = AuditEvent.objects.get(action=Action.LOGIN_LOCKOUT)
    detail = json.loads(event.detail)
    assert detail["locked"] == "account"
    assert detail["key"] == "alice"
    assert detail["failures"] == 10
    assert detail["limit"] == 10
    assert detail["incident"] == lock.incident_id
    assert event.ip == ATTACKER

    incident = LeakIncident.objects.get(pk=lock.incident_id)
    assert incident.status == LeakIncident.Status.CANDIDATE
    assert incident.source == LeakIncident.Source.LOGIN_LOCKOUT
    assert "alice" in incident.description
    assert AuditEvent.objects.filter(action=Action.INCIDENT, object_id=str(incident.pk)).exists()
    # the information manager is told
    [note] = Notification.objects.filter(
        recipient=personas["ivan"], kind="incident_lockout_account"
    )
    assert note.title == "登录锁定：账户 alice 多次登录失败"
    assert note.link == f"/incidents/{incident.pk}/"

    # the refused right password is a failed login in the trail, marked as met by the lockout
    refused = AuditEvent.objects.filter(action=Action.LOGIN_FAILED, actor="alice").last()
    assert json.loads(refused.detail)["locked"] == "account"
    assert not AuditEvent.objects.filter(action=Action.LOGIN, actor="alice").exists()


def test_a_second_lockout_joins_the_open_candidate(personas):
    for _ in range(10):
        attempt("alice", "wrong-password")
    move_back(16)
    for _ in range(10):
        attempt("alice", "wrong-password")
    locks = list(LoginLockout.objects.order_by("started_at"))
    assert len(locks) == 2
    assert locks[0].incident_id == locks[1].incident_id
    assert LeakIncident.objects.count() == 1
    assert AuditEvent.objects.filter(action=Action.LOGIN_LOCKOUT).count() == 2
