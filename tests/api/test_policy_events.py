"""POST /api/v1/policy-events: accepted / duplicates / rejected, only the core system, at most
1,000 events."""

from __future__ import annotations

import pytest

from tests.conftest import TODAY
from tests.policies.test_event_services import due, effective
from veracity.access.models import ApiClient
from veracity.audit.models import AuditEvent
from veracity.audit.services import Actor
from veracity.policies.models import Policy, PolicyEvent
from veracity.policies.services import applications_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(make_application):
    applications_store(
        [make_application("A1")], source="test", actor=Actor.system("test"), as_of=TODAY
    )


def test_accepted_duplicates_and_rejected(api, application):
    bad = {"event_id": "E-bad", "policy_no": "P1", "kind": "premium_due", "occurred_on": "x"}
    body = {"events": [effective(), due("E2"), bad, "not an event", due("E3", policy_no="P9")]}
    first = api.post("/policy-events", body)
    assert first.status_code == 200, first.content
    answer = first.json()
    assert (answer["accepted"], answer["duplicates"]) == (2, 0)
    assert [(r["index"], r["event_id"]) for r in answer["rejected"]] == [
        (2, "E-bad"),
        (3, ""),
        (4, "E3"),
    ]
    assert answer["rejected"][0]["problems"][0]["field"] == "occurred_on"
    assert set(answer["rejected"][2]["problems"][0]) == {"field", "zh", "en"}
    assert answer["rejected"][2]["problems"][0]["zh"] == "没有这个保单号的保单"
    assert Policy.objects.get(application_no="A1").policy_no == "P1"
    assert PolicyEvent.objects.filter(source="api:core-system").count() == 2

    again = api.post("/policy-events", {"events": [effective(), due("E2")]}).json()
    assert again == {"accepted": 0, "duplicates": 2, "rejected": []}
    assert PolicyEvent.objects.count() == 2


@pytest.mark.parametrize("system", ["bancassurance", "other"])
def test_refused_for_a_client_of_another_system(api, application, system):
    _, token = ApiClient.issue(name=f"client-{system}", system=system)
    response = api.post("/policy-events", {"events": [effective()]}, token=token)
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert PolicyEvent.objects.count() == 0
    assert Policy.objects.get(application_no="A1").policy_no is None
    assert AuditEvent.objects.filter(action="access_refused", object_type="policy_events").exists()


def test_no_token_no_events(api, application):
    assert api.post("/policy-events", {"events": [effective()]}, token=None).status_code == 401
    assert PolicyEvent.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        {"events": [due(f"E{i}") for i in range(1001)]},
        {"events": "E1"},
        {"events": [], "more": 1},
        {},
    ],
)
def test_a_body_out_of_shape_is_refused(api, application, body):
    response = api.post("/policy-events", body)
    assert response.status_code == 422
    assert PolicyEvent.objects.count() == 0


def test_a_thousand_events_are_taken(api, application):
    api.post("/policy-events", {"events": [effective()]})
    body = {"events": [due(f"E{i}") for i in range(1000)]}
    answer = api.post("/policy-events", body).json()
    assert answer["accepted"] == 1000
