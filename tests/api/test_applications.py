"""The gate API: check without storing, store with supplement requests, auth, errors."""

from __future__ import annotations

import pytest

from veracity.policies.models import Customer, GateCheck, Policy, SupplementRequest

pytestmark = pytest.mark.django_db


def codes(body: dict) -> set[str]:
    return {f["code"] for f in body["findings"]}


def test_check_passes_a_true_application(api, application):
    response = api.post("/applications/check", application)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body == {
        "application_no": "A2026110001",
        "verdict": "pass",
        "findings": body["findings"],
    }
    assert not [f for f in body["findings"] if f["severity"] == "error"]
    assert Policy.objects.count() == 0, "check must not store anything"


def test_check_fails_and_lists_every_problem(api, make_application):
    app = make_application(
        policyholder__sex="M", policyholder__address=None, policyholder__phones=[]
    )
    body = api.post("/applications/check", app).json()
    assert body["verdict"] == "fail"
    assert {"ID_SEX_MISMATCH", "MISSING_FIELD"} <= codes(body)
    missing = {f["field"] for f in body["findings"] if f["code"] == "MISSING_FIELD"}
    assert {"policyholder.address", "policyholder.phones"} <= missing
    for f in body["findings"]:
        assert f["message_zh"] and f["message_en"]


def test_check_requires_a_token(api, application):
    assert api.post("/applications/check", application, token=None).status_code == 401
    assert api.post("/applications/check", application, token="vty_wrong").status_code == 401


def test_malformed_body_is_a_422_not_a_500(api):
    response = api.post("/applications/check", {"application_no": 5, "beneficiaries": "x"})
    assert response.status_code == 422
    assert "message_zh" in response.json()


def test_out_of_scope_product_passes_untouched(api, make_application):
    app = make_application(
        product={"code": "TRAVEL-1", "type": "other", "term_years": 0.1},
        policyholder__id_number="123",
    )
    body = api.post("/applications/check", app).json()
    assert body["verdict"] == "pass"
    assert codes(body) == {"OUT_OF_SCOPE"}


def test_store_opens_then_closes_a_supplement_request(api, make_application):
    bad = make_application(policyholder__birth_date="1985-03-15")
    first = api.post("/applications", bad)
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["verdict"] == "fail" and body["status"] == "blocked"
    request = body["supplement_request"]
    assert request["status"] == "open"
    assert [i["code"] for i in request["items"]] == ["ID_BIRTH_MISMATCH"]

    good = make_application()
    second = api.post("/applications", good)
    assert second.status_code == 200
    body = second.json()
    assert body["verdict"] == "pass" and body["outcome"] == "updated"
    assert body["status"] == "pending_underwriting"
    assert body["supplement_request"]["status"] == "closed"
    assert SupplementRequest.objects.get().status == "closed"
    assert GateCheck.objects.count() == 2
    # the corrected birth date replaced the wrong one; history keeps the old value
    holder = Customer.objects.get(name="王芳")
    assert str(holder.birth_date) == "1985-03-14"
    old = {str(h.birth_date) for h in holder.history.all()}
    assert "1985-03-15" in old


def test_store_is_idempotent(api, application):
    assert api.post("/applications", application).json()["outcome"] == "created"
    again = api.post("/applications", application)
    assert again.status_code == 200
    assert again.json()["outcome"] == "unchanged"
    assert Policy.objects.count() == 1
    assert GateCheck.objects.count() == 1


def test_store_rejects_what_cannot_be_stored(api, make_application):
    response = api.post("/applications", make_application(channel="carrier-pigeon"))
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "channel" and body["message_zh"] and body["message_en"]
    assert Policy.objects.count() == 0


def test_openapi_is_published(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/applications/check" in spec["paths"]
    assert "/api/v1/applications" in spec["paths"]


def test_an_unqualified_seller_fails_the_gate_and_a_qualified_one_passes(api, application):
    """SF-1: the seller is in the register without training: SELLER_UNQUALIFIED (an error,
    naming what is missing); once qualified, the same application passes; a seller not in
    the register is only a warning."""
    from tests.sales.factories import qualify
    from veracity.sales.models import Seller

    seller = Seller.objects.create(code="AG00017", kind="agent", name="李爱丽")
    body = api.post("/applications/check", application).json()
    assert body["verdict"] == "fail"
    [found] = [f for f in body["findings"] if f["code"] == "SELLER_UNQUALIFIED"]
    assert found["severity"] == "error" and found["field"] == "seller.code"
    assert found["evidence"]["missing"] == ["hours", "test"]
    assert "不足2课时" in found["message_zh"]
    qualify(seller)
    body = api.post("/applications/check", application).json()
    assert body["verdict"] == "pass", body
    assert not [f for f in body["findings"] if f["code"].startswith("SELLER_")]
    application["seller"]["code"] = "AG40404"
    body = api.post("/applications/check", application).json()
    assert body["verdict"] == "pass"
    assert [f["severity"] for f in body["findings"] if f["code"] == "SELLER_UNKNOWN"] == ["warning"]
