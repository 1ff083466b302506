"""Per-token rate limit of API clients: over ``VERACITY_API_RATE`` a 429 with Retry-After
and the zh/en error shape; the first refusal of a window is audited, once."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache

from veracity.access.models import ApiClient
from veracity.api import throttle
from veracity.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch, settings):
    settings.VERACITY_API_RATE = "3/10"
    cache.clear()
    moved = Clock(1_800_000_002.5)  # 2.5 s into a 10-second window
    monkeypatch.setattr(throttle, "clock", moved)
    yield moved
    cache.clear()


def check(api, application, token=None):
    if token is None:
        return api.post("/applications/check", application)
    return api.post("/applications/check", application, token=token)


@pytest.mark.parametrize(
    ("requests", "refused"), [(3, 0), (4, 1), (6, 3)], ids=["at the limit", "one over", "flood"]
)
def test_over_the_limit_is_429_with_retry_after(api, application, clock, requests, refused):
    codes = [check(api, application).status_code for _ in range(requests)]
    assert codes.count(200) == min(requests, 3)
    assert codes.count(429) == refused
    assert AuditEvent.objects.filter(action=Action.API_THROTTLED).count() == (1 if refused else 0)


def test_the_refusal_says_why_and_when(api, application, clock):
    for _ in range(3):
        assert check(api, application).status_code == 200
    response = check(api, application)
    assert response.status_code == 429
    assert response["Retry-After"] == "8"  # the window ends 7.5 s later, rounded up
    body = response.json()
    assert body["code"] == "rate_limited"
    assert body["field"] == ""
    assert "8 秒" in body["message_zh"]
    assert "retry in 8 s" in body["message_en"]

    event = AuditEvent.objects.get(action=Action.API_THROTTLED)
    assert event.actor == "api:core-system"
    detail = json.loads(event.detail)
    assert (detail["limit"], detail["seconds"]) == (3, 10)
    assert detail["path"] == "/api/v1/applications/check"


def test_the_next_window_is_open_again(api, application, clock):
    for _ in range(4):
        check(api, application)
    clock.now += 7.5
    assert check(api, application).status_code == 200
    for _ in range(2):
        assert check(api, application).status_code == 200
    assert check(api, application).status_code == 429
    # one audit event per window that was refused in
    assert AuditEvent.objects.filter(action=Action.API_THROTTLED).count() == 2


def test_each_token_has_its_own_count(api, application, clock):
    _, other = ApiClient.issue(name="second-core-system", system="core")
    for _ in range(4):
        check(api, application)
    assert check(api, application).status_code == 429
    assert check(api, application, token=other).status_code == 200


def test_no_token_is_401_not_counted(api, application, clock):
    for _ in range(5):
        assert api.post("/applications/check", application, token=None).status_code == 401
    assert check(api, application).status_code == 200


def test_the_spec_declares_429(client):
    spec = client.get("/api/v1/openapi.json").json()
    operations = [op for item in spec["paths"].values() for op in item.values()]
    assert operations
    for operation in operations:
        declared = operation["responses"]["429"]
        assert "Retry-After" in declared["headers"]


@pytest.mark.parametrize(
    ("text", "rate"), [("60/10", (60, 10)), ("5/1", (5, 1)), ("100", (100, 1))]
)
def test_rate_setting(text, rate):
    parsed = throttle.Rate.parse(text)
    assert (parsed.requests, parsed.seconds) == rate


@pytest.mark.parametrize("text", ["0/10", "ten/10", "5/0"])
def test_bad_rate_setting_fails_loudly(text):
    with pytest.raises(ValueError):
        throttle.Rate.parse(text)
