"""GET /api/v1/problem-items: the masked list, its filters, paging and refusals."""

from __future__ import annotations

import pytest

from tests.cases.test_listing import make_items
from veracity.access.governance import access_request_decide, access_request_submit
from veracity.access.models import ApiClient
from veracity.audit.models import AuditEvent
from veracity.audit.services import Actor
from veracity.org.principals import system

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


def approve_bulk_read(designated, approver):
    made = access_request_submit(
        principal=system("test", person=designated),
        customer_ids=[],
        subject="核心系统读取问题件清单",
        purpose="problem_item",
        reason="daily distribution to the channels",
        kind="export",
        export_of="problem_items",
    )
    return access_request_decide(
        principal=system("test", person=approver), request_id=made.pk, approve=True
    )


@pytest.fixture(autouse=True)
def bulk_read_approved(request, api_token, personas):
    """The core system's designated person (sam) holds an approved export of the list."""
    if "unapproved" in request.keywords:
        return None
    ApiClient.objects.filter(name="core-system").update(designated_user=personas["sam"])
    return approve_bulk_read(personas["sam"], personas["ivan"])


def test_list_is_masked_with_deadlines(api):
    item = make_items()
    response = api.get("/problem-items")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["total"], body["limit"], body["offset"]) == (1, 50, 0)
    [out] = body["items"]
    assert (out["id"], out["rule"], out["shared_value"]) == (item.pk, "SHARED_PHONE", "138****8000")
    assert (out["first_seen_on"], out["distributed_on"], out["deadline"]) == (
        "2026-09-29",
        "2026-09-30",
        "2026-10-10",
    )
    assert (out["deadline_basis"], out["deadline_provisional"]) == ("3_working_days", False)
    assert sorted(m["name"] for m in out["members"]) == ["王*芳", "赵*海"]
    assert "13800138000" not in response.content.decode()
    assert (
        AuditEvent.objects.filter(object_type="problem_item_list", actor="api:core-system").count()
        == 1
    )


@pytest.mark.parametrize(
    ("query", "total"),
    [
        ("business_date=2026-09-28", 0),
        ("business_date=2026-09-29", 1),
        ("rule=SHARED_PHONE", 1),
        ("rule=SHARED_ACCOUNT", 0),
        ("status=open", 1),
        ("status=closed", 0),
        ("channel=bancassurance", 1),
        ("channel=internet", 0),
        ("seller=BK7", 1),
        ("seller=NOPE", 0),
    ],
)
def test_filters(api, query, total):
    make_items()
    response = api.get(f"/problem-items?{query}")
    assert response.status_code == 200
    assert response.json()["total"] == total


def test_paging(api):
    make_items()
    body = api.get("/problem-items?limit=1&offset=1").json()
    assert (body["total"], body["items"]) == (1, [])


@pytest.mark.parametrize(
    ("query", "field"), [("rule=NOPE", "rule"), ("channel=x", "channel"), ("status=x", "status")]
)
def test_unknown_filter_is_422_with_the_error_shape(api, query, field):
    # The enumerations are the schema's (stated in the OpenAPI document).
    response = api.get(f"/problem-items?{query}")
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == field and body["message_zh"] and body["message_en"]


@pytest.mark.parametrize(
    "query", ["business_date=2026-13-40", "limit=0", "limit=1000", "offset=-1"]
)
def test_malformed_query_is_422(api, query):
    assert api.get(f"/problem-items?{query}").status_code == 422


def test_token_required(api):
    make_items()
    before = AuditEvent.objects.count()
    assert api.get("/problem-items", token=None).status_code == 401
    assert api.get("/problem-items", token="vty_wrong").status_code == 401
    assert AuditEvent.objects.count() == before


@pytest.mark.unapproved
def test_a_bulk_read_needs_an_export_approval_of_the_designated_person(api, personas):
    make_items()
    before = AuditEvent.objects.filter(object_type="problem_item_list").count()
    refused = api.get("/problem-items")
    assert refused.status_code == 403
    assert refused.json()["field"] == "authorization"
    ApiClient.objects.filter(name="core-system").update(designated_user=personas["sam"])
    assert api.get("/problem-items").status_code == 403  # designated, but nothing approved
    assert AuditEvent.objects.filter(object_type="problem_item_list").count() == before
    approval = approve_bulk_read(personas["sam"], personas["george"])
    assert api.get("/problem-items").status_code == 200
    recorded = AuditEvent.objects.filter(action="export").latest("seq")
    assert (recorded.object_id, recorded.actor) == (str(approval.pk), "api:core-system")


def test_items_on_classified_files_are_not_read_through_the_api(api, personas):
    from veracity.customers.services import customer_classify

    item = make_items()
    assert api.get("/problem-items").json()["total"] == 1
    customer_classify(
        customer_id=item.members.first().customer_id,
        classification="general",
        confidentiality="top_secret",
        custodian=personas["ivan"],
        principal=system("test"),
    )
    assert api.get("/problem-items").json()["total"] == 0
