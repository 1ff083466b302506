"""The audit trail records the forwarded client address only behind a trusted proxy."""

from __future__ import annotations

import pytest
from django.test import Client

from veracity.audit.models import Action, AuditEvent
from veracity.db.addresses import request_address
from veracity.signin.models import LoginFailure

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"
CLIENT = "203.0.113.5"


def login(remote: str, forwarded: str) -> AuditEvent:
    client = Client(REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    response = client.post("/login/", {"username": "alice", "password": "pw-alice"})
    assert response.status_code == 302
    return AuditEvent.objects.filter(action=Action.LOGIN, actor="alice").latest("pk")


@pytest.mark.parametrize(
    ("trusted", "remote", "expected"),
    [
        ([], PROXY, PROXY),  # no proxy configured: the header is ignored
        (["10.0.0.0/8"], PROXY, CLIENT),  # behind our proxy: the forwarded client
        (["10.0.0.0/8"], "198.51.100.7", "198.51.100.7"),  # spoofed header from outside
    ],
    ids=["no trusted proxy", "behind a trusted proxy", "untrusted peer spoofing"],
)
def test_login_audit_records_the_client_address(personas, settings, trusted, remote, expected):
    settings.VERACITY_TRUSTED_PROXIES = trusted
    event = login(remote, CLIENT)
    assert event.ip == expected


def test_failed_login_counts_the_forwarded_address(personas, settings):
    settings.VERACITY_TRUSTED_PROXIES = ["10.0.0.0/8"]
    Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT).post(
        "/login/", {"username": "alice", "password": "wrong"}
    )
    failure = LoginFailure.objects.latest("pk")
    assert failure.ip == CLIENT


def test_request_address_without_a_request():
    assert request_address(None) == ""
