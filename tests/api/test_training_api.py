"""/api/v1/training: the sales-management system sends training courses and tests in
batches, read by the import's schema and stored by the import's service — idempotent, each
bad record answered with its index, field and reason — as its designated person, who needs
the training department's action; refusals store nothing."""

from __future__ import annotations

from datetime import date

import pytest

from tests.sales.test_training import COURSE, TEST
from veracity.access.models import ApiClient
from veracity.audit.models import AuditEvent
from veracity.sales import qualification
from veracity.sales.models import Seller, SellerKind, TrainingRecord

pytestmark = pytest.mark.django_db
ON = date(2026, 6, 1)


@pytest.fixture
def agent():
    Seller.objects.create(code="AY1", kind=SellerKind.AGENCY, name="代理机构")
    return Seller.objects.create(code="AG00017", kind=SellerKind.AGENT, name="李爱丽")


@pytest.fixture
def send(client, personas):
    """``send(body, as_=username | None)``: a POST from a client designated to that person."""
    tokens: dict[str | None, str] = {}

    def post(body, as_: str | None = "tina"):
        if as_ not in tokens:
            made, token = ApiClient.issue(name=f"sales-mgmt-{as_}", system="sales")
            if as_:
                made.designated_user = personas[as_]
                made.save(update_fields=["designated_user"])
            tokens[as_] = token
        return client.post(
            "/api/v1/training",
            body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {tokens[as_]}"},
        )

    return post


def _records() -> list[tuple]:
    return list(
        TrainingRecord.objects.order_by("pk").values_list(
            "seller__code", "kind", "date", "course_code", "hours", "passed", "score"
        )
    )


def test_a_course_and_a_test_make_the_seller_qualified(send, agent, personas):
    assert not qualification.snapshot().qualification("AG00017", on=ON).holds
    response = send({"records": [COURSE, TEST]})
    assert response.status_code == 200, response.content
    assert response.json() == {
        "rows": 2,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "errors": [],
    }
    qualification.invalidate()
    assert qualification.snapshot().qualification("AG00017", on=ON).holds
    assert set(TrainingRecord.objects.values_list("recorded_by__username", flat=True)) == {"tina"}
    assert AuditEvent.objects.filter(action="api_call", object_type="training_record").exists()


def test_the_same_batch_again_changes_nothing_and_a_changed_score_updates(send, agent):
    send({"records": [COURSE, TEST]})
    stored = _records()
    again = send({"records": [COURSE, TEST]}).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    assert _records() == stored
    changed = send({"records": [{**TEST, "score": 91}]}).json()
    assert (changed["updated"], changed["unchanged"]) == (1, 0)
    assert TrainingRecord.objects.get(kind="test").score == 91


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({**COURSE, "seller_code": "NOPE1"}, "seller_code"),  # not in the register
        ({**COURSE, "seller_code": "AY1"}, "seller_code"),  # an agency takes no training
        ({**COURSE, "date": "2026-02-30"}, "date"),
        ({**COURSE, "hours": "2"}, "hours"),  # a wrong type is rejected, never coerced
        ({k: v for k, v in COURSE.items() if k != "hours"}, "hours"),
        ({**TEST, "passed": None}, "passed"),
        ({**COURSE, "title": "投保\u0000单"}, "title"),  # no control characters, on both DBs
        ({**COURSE, "extra": 1}, "extra"),
        ("not a record", ""),
    ],
)
def test_each_bad_record_is_reported_with_index_field_and_reason(send, agent, record, field):
    response = send({"records": [COURSE, record, TEST]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["rows"], body["created"], body["rejected"]) == (3, 2, 1)
    [error] = body["errors"]
    assert (error["index"], error["field"]) == (1, field)
    assert error["reason_zh"] and error["reason_en"]
    assert len(_records()) == 2  # the good ones went in, the bad one left nothing


@pytest.mark.parametrize("who", ["sam", "alice", None])
def test_without_the_training_role_nothing_is_stored(send, agent, who):
    refused = AuditEvent.objects.filter(action="access_refused").count()
    response = send({"records": [COURSE, TEST]}, as_=who)
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "forbidden"
    assert not TrainingRecord.objects.exists()
    assert AuditEvent.objects.filter(action="access_refused").count() == refused + 1


@pytest.mark.parametrize(
    "body",
    [
        {"records": [COURSE] * 1001},  # over the batch limit
        {"records": []},
        {"records": COURSE},
        {"rows": [COURSE]},
        {"records": [COURSE], "extra": 1},
    ],
)
def test_a_wrong_batch_is_422_and_stores_nothing(send, agent, body):
    assert send(body).status_code == 422
    assert not TrainingRecord.objects.exists()


def test_a_full_batch_of_1000_is_taken(send, agent):
    records = [{**COURSE, "course_code": f"FORM-{i:04d}", "hours": 0.5} for i in range(1000)]
    body = send({"records": records}).json()
    assert (body["rows"], body["created"], body["rejected"]) == (1000, 1000, 0)
