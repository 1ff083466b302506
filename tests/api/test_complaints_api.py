"""The complaints API (SF-2) and the second-callback results (SD-4): taken as the calling
system's designated person; refusals change nothing."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conduct.conftest import sellers  # noqa: F401  (fixture)
from tests.detection.test_rules import apply, person, run
from veracity.access.models import ApiClient
from veracity.audit.models import Action, AuditEvent
from veracity.cases.models import ProblemItem
from veracity.conduct.models import Complaint, RecheckCallback

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(client, personas, sellers):  # noqa: F811
    tokens = {}
    for name, who in (("cs-system", "sam"), ("cmp", "dave"), ("own", "sid"), ("nobody", None)):
        made, token = ApiClient.issue(name=name, system="core")
        if who:
            made.designated_user = sellers["users"].get(who) or personas[who]
            made.save(update_fields=["designated_user"])
        tokens[name] = token

    def do(who, path, body=None):
        headers = {"Authorization": f"Bearer {tokens[who]}"}
        if body is None:
            return client.get(f"/api/v1{path}", headers=headers)
        return client.post(f"/api/v1{path}", body, content_type="application/json", headers=headers)

    return do


BODY = {
    "complaint_no": "TS2026-0001",
    "received_on": "2026-05-10",
    "policy_no": None,
    "seller_code": "AG17",
    "agency_code": None,
    "category": "misselling",
    "summary": "夸大收益",
    "verified": None,
    "verified_on": None,
}


def test_a_complaint_is_recorded_and_verified_through_the_api(call):
    made = call("cs-system", "/complaints", BODY)
    assert made.status_code == 201, made.json()
    assert made.json()["seller"] == {"code": "AG17", "name": "司马成"}
    again = call("cs-system", "/complaints", BODY)
    assert again.status_code == 200 and again.json()["outcome"] == "unchanged"
    read = call("cmp", "/complaints/TS2026-0001")
    assert read.status_code == 200 and read.json()["status"] == "received"

    verify = {"verified": True, "basis": "录音证实夸大收益", "verified_on": "2026-05-20"}
    done = call("cmp", "/complaints/TS2026-0001/verify", verify)
    assert done.status_code == 200, done.json()
    assert done.json()["verified"] is True and done.json()["verified_by"] == "dave"
    assert call("cs-system", "/complaints/TS2026-0001/verify", verify).status_code == 409


def test_the_seller_cannot_verify_their_own_complaint_through_the_api(call):
    call("cs-system", "/complaints", BODY)
    refused = AuditEvent.objects.filter(action=Action.ACCESS_REFUSED).count()
    answer = call(
        "own",
        "/complaints/TS2026-0001/verify",
        {"verified": False, "basis": "不实", "verified_on": "2026-05-20"},
    )
    assert answer.status_code == 403 and answer.json()["code"] == "conflict"
    complaint = Complaint.objects.get()
    assert complaint.verified is None and complaint.status == "received"
    assert AuditEvent.objects.filter(action=Action.ACCESS_REFUSED).count() == refused + 1


def test_refusals(call):
    bad = call("cs-system", "/complaints", {**BODY, "seller_code": "AG99999"})
    assert bad.status_code == 404 and bad.json()["field"] == "seller_code"
    assert not Complaint.objects.exists()
    assert call("cs-system", "/complaints", {**BODY, "category": "x"}).status_code == 422
    assert call("cs-system", "/complaints/NOPE-1").status_code == 404
    assert call("nobody", "/complaints", BODY).status_code == 403
    assert not Complaint.objects.exists()


def test_two_verified_complaints_raise_a_recheck_whose_callbacks_are_recorded(call, sellers):  # noqa: F811
    apply("M1", person("客户甲", "1980-01-01", phones=["13700000011"]), seller="AG17")
    apply("M2", person("客户乙", "1981-01-01", phones=["13700000012"]), seller="AG17")
    for no, day in (("TS-1", "2026-03-01"), ("TS-2", "2026-09-01")):
        body = {**BODY, "complaint_no": no, "received_on": day}
        assert call("cs-system", "/complaints", body).status_code == 201
        verify = {"verified": True, "basis": "录音证实", "verified_on": day}
        assert call("cmp", f"/complaints/{no}/verify", verify).status_code == 200
    run(date(2026, 11, 26))
    [item] = ProblemItem.objects.filter(rule="REPEAT_MISSELLING")
    tasks = list(RecheckCallback.objects.filter(item=item).select_related("policy"))
    assert len(tasks) == 2
    for task in tasks:
        number = task.policy.policy_no or task.policy.application_no
        answer = call(
            "cs-system",
            f"/problem-items/{item.pk}/callbacks/{number}",
            {"result": "data_confirmed", "note": "客户确认资料无误"},
        )
        assert answer.status_code == 200, answer.json()
    assert set(RecheckCallback.objects.values_list("result", flat=True)) == {"data_confirmed"}
    # compliance may not record callbacks
    number = tasks[0].policy.policy_no or tasks[0].policy.application_no
    refused = call("cmp", f"/problem-items/{item.pk}/callbacks/{number}", {"result": "reached"})
    assert refused.status_code == 403
    assert RecheckCallback.objects.get(pk=tasks[0].pk).result == "data_confirmed"
    assert (
        call("cs-system", f"/problem-items/{item.pk}/callbacks/{number}", {"result": "x"})
    ).status_code == 422
