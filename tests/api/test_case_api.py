"""/api/v1/problem-items/{id}/…: the investigation of one item through the API, each step
taken as the calling system's designated person; refusals change nothing."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.cases.test_listing import make_items
from veracity.access.models import ApiClient
from veracity.audit.models import Action, AuditEvent
from veracity.cases.models import CaseStep, Evidence, ProblemItem
from veracity.core.evidence import MAX_BYTES

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _evidence_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


@pytest.fixture
def item(personas) -> ProblemItem:
    """Two strangers on one phone: an agency policy sold by AG1 and a bancassurance one by
    BK7."""
    from veracity.sales.models import Seller, SellerKind

    Seller.objects.create(code="AG1", kind=SellerKind.AGENT, name="李爱丽", qualified=True)
    Seller.objects.create(code="BK7", kind=SellerKind.BANCA_SPECIALIST, name="白可", qualified=True)
    from tests.sales.factories import qualify_all

    qualify_all()
    return make_items()


@pytest.fixture
def systems(client, personas):
    """One API client per designated person (and one with none), each a small caller."""

    class System:
        def __init__(self, name: str, designated: str | None) -> None:
            made, self.token = ApiClient.issue(name=name, system="core")
            if designated:
                made.designated_user = personas[designated]
                made.save(update_fields=["designated_user"])
            self.name = name
            self.headers = {"Authorization": f"Bearer {self.token}"}

        def get(self, item_id: int):
            return client.get(f"/api/v1/problem-items/{item_id}", headers=self.headers)

        def post(self, item_id: int, step: str, body=None):
            """``body`` None: an empty request body."""
            return client.post(
                f"/api/v1/problem-items/{item_id}/{step}",
                "" if body is None else body,
                content_type="application/json",
                headers=self.headers,
            )

        def upload(self, item_id: int, data: bytes, name: str = "confirm.pdf", **fields):
            form = {"kind": "customer_confirmation", "description": "signed", **fields}
            return client.post(
                f"/api/v1/problem-items/{item_id}/evidence",
                {**form, "file": SimpleUploadedFile(name, data)},
                headers=self.headers,
            )

    return {
        "cs": System("call-centre", "sam"),  # customer service
        "bo": System("agency-backoffice", "carol"),  # channel back-office, agency channel
        "cmp": System("compliance-desk", "dave"),  # compliance
        "agent": System("agent-app", "alice"),
        "none": System("no-person", None),
    }


def snapshot(item: ProblemItem) -> tuple:
    return (
        ProblemItem.objects.values().get(pk=item.pk),
        list(CaseStep.objects.filter(item=item).values_list("pk", flat=True)),
        list(Evidence.objects.filter(item=item).values_list("pk", flat=True)),
        AuditEvent.objects.filter(action__in=[Action.CASE_STEP, Action.API_CALL]).count(),
    )


def assert_refused(response, status: int, code: str, field: str | None = None) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert body["message_zh"] and body["message_en"]
    if field is not None:
        assert body["field"] == field


def test_the_whole_path_through_the_api(item, systems, personas):
    cs, bo, cmp = systems["cs"], systems["bo"], systems["cmp"]

    distributed = cs.post(item.pk, "distribute", {})
    assert distributed.status_code == 200, distributed.content
    state = distributed.json()
    assert (state["stage"], state["assigned_channel"]) == ("distributed", "agency")
    assert state["due_on"] and state["due_basis"] in {"3_working_days", "callback"}

    claimed = bo.post(item.pk, "claim")
    assert claimed.status_code == 200, claimed.content
    assert (claimed.json()["stage"], claimed.json()["assignee"]) == ("investigating", "carol")
    assert "submit" in claimed.json()["actions"]

    uploaded = bo.upload(item.pk, PDF)
    assert uploaded.status_code == 201, uploaded.content
    evidence = uploaded.json()
    assert (evidence["kind"], evidence["content_type"], evidence["size"]) == (
        "customer_confirmation",
        "application/pdf",
        len(PDF),
    )
    assert evidence["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert evidence["uploaded_by"] == "carol"

    noted = bo.post(item.pk, "notes", {"note": "called both customers"})
    assert noted.status_code == 200 and noted.json()["stage"] == "investigating"

    first = bo.post(item.pk, "submit", {"outcome": "explained", "findings": "spouses"})
    assert first.status_code == 200, first.content
    assert (first.json()["stage"], first.json()["outcome"]) == ("submitted", "explained")

    returned = cmp.post(item.pk, "return", {"reason": "need the marriage certificate"})
    assert returned.status_code == 200, returned.content
    assert (returned.json()["stage"], returned.json()["returned_times"]) == ("returned", 1)

    again = bo.post(item.pk, "submit", {"outcome": "explained", "findings": "certificate"})
    assert again.status_code == 200 and again.json()["stage"] == "submitted"

    verified = cmp.post(item.pk, "verify", {"note": "certificate seen"})
    assert verified.status_code == 200, verified.content
    assert verified.json()["stage"] == "verified"

    closed = cmp.post(item.pk, "close")  # no body: the note is optional
    assert closed.status_code == 200, closed.content
    assert (closed.json()["stage"], closed.json()["status"]) == ("closed", "closed")
    assert closed.json()["closed_on"] and closed.json()["actions"] == []

    read = cmp.get(item.pk)
    assert read.status_code == 200, read.content
    body = read.json()
    assert (body["id"], body["stage"], body["findings"], body["returned_times"]) == (
        item.pk,
        "closed",
        "certificate",
        1,
    )
    assert [s["action"] for s in body["steps"]] == [
        "distribute",
        "claim",
        "evidence",
        "note",
        "submit",
        "return",
        "submit",
        "verify",
        "close",
    ]
    assert {s["actor"] for s in body["steps"]} == {"sam", "carol", "dave"}
    assert body["evidence"][0]["sha256"] == evidence["sha256"]
    assert "bytes" not in body["evidence"][0] and "stored_as" not in body["evidence"][0]
    assert sorted(m["name"] for m in body["members"]) == ["王*芳", "赵*海"]
    assert "13800138000" not in read.content.decode()
    assert body["deadline_basis"] in {"3_working_days", "callback"}

    # Each step audited by its service as the person, each call under the system.
    steps = AuditEvent.objects.filter(action=Action.CASE_STEP, object_id=str(item.pk))
    assert sorted(set(steps.values_list("actor", flat=True))) == ["carol", "dave", "sam"]
    calls = AuditEvent.objects.filter(action=Action.API_CALL, object_id=str(item.pk))
    assert set(calls.values_list("actor", flat=True)) == {
        "api:call-centre",
        "api:agency-backoffice",
        "api:compliance-desk",
    }
    reads = [json.loads(d)["operation"] for d in calls.values_list("detail", flat=True)]
    assert reads.count("read") == 1
    # The read itself is a read of personal data by the designated person.
    viewed = AuditEvent.objects.filter(action=Action.VIEW_PERSONAL_DATA).latest("seq")
    assert (viewed.actor, viewed.actor_id) == ("dave", personas["dave"].pk)


def test_a_corrected_item_shows_masked_values(item, systems):
    cs, bo = systems["cs"], systems["bo"]
    member = item.members.get(policy__channel="agency")  # within the agency back-office's reach
    from veracity.customers.models import Phone

    phone = Phone.objects.get(customer_id=member.customer_id)
    cs.post(item.pk, "distribute", {"channel": "agency"})
    bo.post(item.pk, "claim")
    change = {
        "customer_id": member.customer_id,
        "field": "phone",
        "record_id": phone.pk,
        "value": "13912345678",
    }
    submitted = bo.post(
        item.pk, "submit", {"outcome": "corrected", "findings": "typo", "changes": [change]}
    )
    assert submitted.status_code == 200, submitted.content
    read = bo.get(item.pk)
    number = member.customer.archive_no
    assert read.json()["changes"] == [{**change, "archive_no": number, "value": "139****5678"}]
    assert "13912345678" not in read.content.decode()  # neither in the timeline's detail


@pytest.mark.parametrize("typed", ["canonical", "short", "full-width"])
def test_a_correction_names_the_customer_by_file_number(item, systems, typed):
    cs, bo = systems["cs"], systems["bo"]
    member = item.members.get(policy__channel="agency")
    from veracity.customers.models import Phone

    phone = Phone.objects.get(customer_id=member.customer_id)
    number = member.customer.archive_no
    spelled = {
        "canonical": number,
        "short": "c" + number[1:].lstrip("0"),
        "full-width": number.translate({ord(c): ord(c) + 0xFEE0 for c in number}),
    }[typed]
    cs.post(item.pk, "distribute", {"channel": "agency"})
    bo.post(item.pk, "claim")
    change = {
        "archive_no": spelled,
        "field": "phone",
        "record_id": phone.pk,
        "value": "13912345678",
    }
    submitted = bo.post(
        item.pk, "submit", {"outcome": "corrected", "findings": "typo", "changes": [change]}
    )
    assert submitted.status_code == 200, submitted.content
    shown = bo.get(item.pk).json()["changes"]
    assert [(c["archive_no"], c["customer_id"]) for c in shown] == [(number, member.customer_id)]


@pytest.mark.parametrize("number", ["C9999999999", "李桂芝", ""])
def test_a_correction_of_an_unknown_file_number_is_refused(item, systems, number):
    cs, bo = systems["cs"], systems["bo"]
    cs.post(item.pk, "distribute", {"channel": "agency"})
    bo.post(item.pk, "claim")
    before = bo.get(item.pk).json()
    change = {"archive_no": number, "field": "sex", "value": "F"}
    refused = bo.post(
        item.pk, "submit", {"outcome": "corrected", "findings": "typo", "changes": [change]}
    )
    where = "changes[0].archive_no" if number else "changes[0].customer_id"
    assert_refused(refused, 400, "correction", where)
    after = bo.get(item.pk).json()
    assert (after["stage"], after["changes"]) == (before["stage"], before["changes"])


def test_escalation_names_the_seller(item, systems):
    cs, bo = systems["cs"], systems["bo"]
    cs.post(item.pk, "distribute", {"channel": "agency"})
    bo.post(item.pk, "claim")
    unknown = bo.post(
        item.pk, "submit", {"outcome": "escalated", "findings": "x", "seller_codes": ["NOPE"]}
    )
    assert_refused(unknown, 400, "seller", "seller_codes")
    done = bo.post(
        item.pk, "submit", {"outcome": "escalated", "findings": "x", "seller_codes": ["AG1"]}
    )
    assert done.status_code == 200, done.content
    assert bo.get(item.pk).json()["seller_codes"] == ["AG1"]
    bo.upload(item.pk, PDF, kind="investigator_report")
    bo.upload(item.pk, PDF, kind="customer_confirmation")
    assert systems["cmp"].post(item.pk, "verify").status_code == 200
    escalations = systems["cmp"].get(item.pk).json()["escalations"]
    assert escalations == [{"seller_code": "AG1", "reason": "x"}]


# --- refusals: each changes nothing ----------------------------------------------------------


def test_wrong_role(item, systems):
    before = snapshot(item)
    assert_refused(systems["bo"].post(item.pk, "distribute", {}), 403, "role", "user")
    assert snapshot(item) == before


def test_an_agent_never_sees_an_item(item, systems):
    before = snapshot(item)
    assert_refused(systems["agent"].get(item.pk), 404, "not_found", "item")
    assert_refused(systems["agent"].post(item.pk, "claim"), 404, "not_found")
    assert snapshot(item) == before


@pytest.mark.parametrize(
    ("who", "step", "body"),
    [
        ("cmp", "verify", {}),
        ("cmp", "close", {}),
        ("cmp", "return", {"reason": "r"}),
    ],
)
def test_wrong_stage(item, systems, who, step, body):
    before = snapshot(item)
    assert_refused(systems[who].post(item.pk, step, body), 409, "illegal_transition", "stage")
    assert snapshot(item) == before


def test_verify_needs_a_signed_confirmation_or_report(item, systems):
    systems["cs"].post(item.pk, "distribute", {"channel": "agency"})
    systems["bo"].post(item.pk, "claim")
    systems["bo"].post(item.pk, "submit", {"outcome": "explained", "findings": "f"})
    before = snapshot(item)
    assert_refused(systems["cmp"].post(item.pk, "verify"), 400, "evidence", "evidence")
    assert snapshot(item) == before


def test_only_the_investigator_submits(item, systems):
    systems["cs"].post(item.pk, "distribute", {"channel": "agency"})
    systems["bo"].post(item.pk, "claim")
    before = snapshot(item)
    refused = systems["cmp"].post(item.pk, "submit", {"outcome": "explained", "findings": "f"})
    assert_refused(refused, 403, "not_investigator", "assignee")
    assert snapshot(item) == before


def test_other_channel(item, systems):
    systems["cs"].post(item.pk, "distribute", {"channel": "bancassurance"})
    before = snapshot(item)
    assert_refused(systems["bo"].post(item.pk, "claim"), 403, "other_channel")
    assert snapshot(item) == before


def test_not_yet_distributed(item, systems):
    before = snapshot(item)
    assert_refused(systems["bo"].post(item.pk, "claim"), 409, "not_distributed")
    assert snapshot(item) == before


def test_unknown_channel(item, systems):
    before = snapshot(item)
    # The channels are the schema's enumeration: a 422 naming the field.
    response = systems["cs"].post(item.pk, "distribute", {"channel": "x"})
    assert_refused(response, 422, "invalid", "channel")
    assert snapshot(item) == before


@pytest.mark.parametrize("inactive", [False, True])
def test_no_designated_person(item, systems, personas, inactive):
    system = systems["none"]
    if inactive:
        system = systems["cs"]
        personas["sam"].is_active = False
        personas["sam"].save(update_fields=["is_active"])
    before = snapshot(item)
    assert_refused(system.get(item.pk), 403, "no_designated_person", "authorization")
    assert_refused(system.post(item.pk, "distribute", {}), 403, "no_designated_person")
    assert_refused(system.upload(item.pk, PDF), 403, "no_designated_person")
    assert snapshot(item) == before


def test_unknown_item(item, systems):
    before = snapshot(item)
    assert_refused(systems["cmp"].get(item.pk + 1000), 404, "not_found", "item")
    assert_refused(systems["cs"].post(item.pk + 1000, "distribute", {}), 404, "not_found")
    assert_refused(systems["cs"].upload(item.pk + 1000, PDF), 404, "not_found")
    assert snapshot(item) == before


@pytest.mark.parametrize(
    ("data", "name", "fields", "status", "code", "field"),
    [
        (b"MZ\x90\x00 not evidence", "tool.exe", {}, 400, "type", "file"),
        (PDF, "confirm.jpg", {}, 400, "mismatch", "file"),
        (b"", "empty.pdf", {}, 400, "empty", "file"),
        # The kinds and a description that says something are the schema's: a 422.
        (PDF, "confirm.pdf", {"kind": "selfie"}, 422, "invalid", "kind"),
        (PDF, "confirm.pdf", {"description": " "}, 422, "invalid", "description"),
    ],
)
def test_bad_evidence(item, systems, data, name, fields, status, code, field):
    systems["cs"].post(item.pk, "distribute", {"channel": "agency"})
    systems["bo"].post(item.pk, "claim")
    before = snapshot(item)
    assert_refused(systems["bo"].upload(item.pk, data, name, **fields), status, code, field)
    assert snapshot(item) == before


def test_oversized_evidence(item, systems, tmp_path):
    systems["cs"].post(item.pk, "distribute", {"channel": "agency"})
    systems["bo"].post(item.pk, "claim")
    before = snapshot(item)
    big = PDF + b"\0" * (MAX_BYTES + 1 - len(PDF))
    assert_refused(systems["bo"].upload(item.pk, big), 413, "too_large", "file")
    # …but the size says nothing about an item one may not see.
    assert_refused(systems["agent"].upload(item.pk, big), 404, "not_found")
    assert snapshot(item) == before
    stored = tmp_path / "evidence"
    assert not stored.exists() or not any(stored.iterdir())


def test_closed_item_takes_no_more_evidence(item, systems):
    cs, bo, cmp = systems["cs"], systems["bo"], systems["cmp"]
    cs.post(item.pk, "distribute", {"channel": "agency"})
    bo.post(item.pk, "claim")
    bo.upload(item.pk, PDF)
    bo.post(item.pk, "submit", {"outcome": "explained", "findings": "f"})
    cmp.post(item.pk, "verify")
    cmp.post(item.pk, "close")
    before = snapshot(item)
    assert_refused(cmp.upload(item.pk, PDF), 409, "closed", "stage")
    assert_refused(cmp.post(item.pk, "notes", {"note": "late"}), 409, "closed")
    assert snapshot(item) == before


@pytest.mark.parametrize(
    ("step", "body"),
    [
        ("notes", {"note": "a\x00b"}),
        ("notes", {}),
        ("notes", {"note": "x" * 4001}),
        ("submit", {"outcome": "explained"}),
        ("submit", {"outcome": "corrected", "findings": "f", "changes": [{"customer_id": 0}]}),
        ("distribute", {"channel": ["agency"]}),
    ],
)
def test_malformed_body_is_422(item, systems, step, body):
    before = snapshot(item)
    assert systems["cs"].post(item.pk, step, body).status_code == 422
    assert snapshot(item) == before


@pytest.mark.parametrize("item_id", [0, 2**63])
def test_an_id_out_of_range_is_422_not_an_overflow(systems, item_id):
    assert systems["cs"].post(item_id, "claim").status_code == 422
    assert systems["cs"].get(item_id).status_code == 422


def test_body_that_is_not_json(item, systems, client):
    before = snapshot(item)
    response = client.post(
        f"/api/v1/problem-items/{item.pk}/notes",
        "not json",
        content_type="application/json",
        headers=systems["cs"].headers,
    )
    assert response.status_code == 400
    assert response.json()["code"] == "malformed"
    assert snapshot(item) == before


def test_multipart_without_boundary(item, systems, client):
    before = snapshot(item)
    response = client.generic(
        "POST",
        f"/api/v1/problem-items/{item.pk}/evidence",
        b"--x\r\n",
        content_type="multipart/form-data",
        headers=systems["cs"].headers,
    )
    assert response.status_code == 400
    assert response.json()["code"] == "malformed"
    assert snapshot(item) == before


def test_a_body_over_the_upload_limit_is_413(item, systems, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    before = snapshot(item)
    response = systems["cs"].post(item.pk, "notes", {"note": "x" * 2000})
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert snapshot(item) == before


def test_token_required(item, client):
    before = snapshot(item)
    assert client.post(f"/api/v1/problem-items/{item.pk}/claim").status_code == 401
    assert client.get(f"/api/v1/problem-items/{item.pk}").status_code == 401
    assert snapshot(item) == before


def test_a_return_asks_for_evidence_by_kind(item, systems):
    from veracity.cases.models import CaseStep

    systems["cs"].post(item.pk, "distribute", {"channel": "agency"})
    systems["bo"].post(item.pk, "claim")
    systems["bo"].upload(item.pk, PDF)
    systems["bo"].post(item.pk, "submit", {"outcome": "explained", "findings": "f"})
    before = snapshot(item)
    unknown = systems["cmp"].post(item.pk, "return", {"reason": "r", "requested_kinds": ["a_poem"]})
    assert unknown.status_code == 422 or unknown.status_code == 400
    assert snapshot(item) == before
    done = systems["cmp"].post(
        item.pk, "return", {"reason": "r", "requested_kinds": ["agent_statement"]}
    )
    assert done.status_code == 200, done.content
    step = CaseStep.objects.get(item=item, action="return")
    assert step.detail == {"requested_kinds": ["agent_statement"]}
