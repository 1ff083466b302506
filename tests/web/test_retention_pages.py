"""Retention pages: who sees them (information manager, customer service manager, auditor,
administrator; everyone else 403), who acts (the auditor only reads), the destruction
workflow clicked through, and refusals shown as messages with nothing changed."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.retention.conftest import DEFAULT_YEARS, end, store
from tests.web.factories import other_application
from veracity.approvals.models import ApprovalDecision
from veracity.audit.models import Action, AuditEvent
from veracity.org.principals import Staff, system
from veracity.policies.models import Policy, PolicyStatus
from veracity.retention.models import (
    DESTROYED_NAME,
    DestructionCertificate,
    DestructionRequest,
    InspectionRecord,
    LegalHold,
    RetentionRule,
)
from veracity.retention.services import (
    destruction_request_approve,
    destruction_request_submit,
    inspection_run,
    legal_hold_place,
)

pytestmark = pytest.mark.django_db

READERS = ["ivan", "mona", "audrey", "admin"]
OTHERS = ["alice", "carol", "sam", "dave", "george", "henry"]


@pytest.fixture
def book(personas, make_application) -> dict[str, Any]:
    for record_class, years in DEFAULT_YEARS.items():
        RetentionRule.objects.get_or_create(
            record_class=record_class, defaults={"years": years, "basis": "test"}
        )
    ended, live = store(make_application("A1"), other_application("A2"))
    end(ended)
    Policy.objects.filter(pk=live.pk).update(status=PolicyStatus.IN_FORCE)
    roles = {r.role: r.customer for r in ended.roles.all()}
    request = destruction_request_submit(
        principal=Staff(personas["admin"]),
        reason="retention period expired",
        customer_ids=[roles["insured"].pk],
    )
    hold = legal_hold_place(
        customer_id=live.roles.get(role="policyholder").customer_id,
        reason="诉讼",
        principal=Staff(personas["ivan"]),
    )
    inspection = inspection_run(principal=system("t"))
    return {
        "wang": roles["policyholder"],
        "son": roles["insured"],
        "request": request,
        "hold": hold,
        "inspection": inspection,
    }


def pages(book: dict[str, Any]) -> list[str]:
    return [
        reverse("web:retention"),
        reverse("web:retention_due"),
        reverse("web:retention_due") + "?class=customer_no_policy",
        reverse("web:retention_due") + "?class=problem_item_closed",
        reverse("web:retention_holds"),
        reverse("web:retention_requests"),
        reverse("web:retention_request", args=[book["request"].pk]),
        reverse("web:retention_certificates"),
        reverse("web:retention_inspections"),
        reverse("web:retention_inspection", args=[book["inspection"].pk]),
    ]


def actions(book: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    request = book["request"].pk
    return [
        (
            reverse("web:retention_request_submit"),
            {"customer": str(book["wang"].pk), "reason": "x"},
        ),
        (reverse("web:retention_request_approve", args=[request]), {}),
        (reverse("web:retention_request_reject", args=[request]), {"reason": "no"}),
        (reverse("web:retention_request_execute", args=[request]), {}),
        (reverse("web:retention_hold_place"), {"customer": book["wang"].archive_no, "reason": "x"}),
        (reverse("web:retention_hold_lift", args=[book["hold"].pk]), {"reason": "x"}),
        (reverse("web:retention_inspection_run"), {}),
    ]


def state() -> tuple[Any, ...]:
    return (
        list(DestructionRequest.objects.values_list("pk", "status")),
        ApprovalDecision.objects.count(),
        DestructionCertificate.objects.count(),
        list(LegalHold.objects.values_list("pk", "lifted_at")),
        InspectionRecord.objects.count(),
        AuditEvent.objects.exclude(action=Action.ACCESS_REFUSED).exclude(action="login").count(),
    )


def html(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize("username", READERS)
def test_managers_auditor_and_admin_see_every_page(login, personas, book, username):
    client = login(personas[username])
    for url in pages(book):
        response = client.get(url)
        assert response.status_code == 200, url
    assert 'href="/retention/"' in html(client.get("/"))


@pytest.mark.parametrize("username", OTHERS)
def test_everyone_else_is_refused(login, personas, book, username):
    client = login(personas[username])
    before = state()
    for url in pages(book):
        assert client.get(url).status_code == 403, url
    for url, data in actions(book):
        assert client.post(url, data).status_code == 403, url
    assert state() == before
    assert 'href="/retention/"' not in html(client.get("/"))


def test_the_auditor_reads_but_changes_nothing(login, personas, book):
    client = login(personas["audrey"])
    before = state()
    for url, data in actions(book):
        assert client.post(url, data).status_code == 403, url
    assert state() == before
    page = html(client.get(reverse("web:retention_due")))
    assert 'name="customer"' not in page  # no checkboxes to request with


def test_pages_need_a_login(client, book):
    for url in pages(book):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_actions_are_posts_and_unknown_records_are_404(login, personas, book):
    client = login(personas["ivan"])
    assert (
        client.get(reverse("web:retention_request_execute", args=[book["request"].pk])).status_code
        == 405
    )
    assert client.get(reverse("web:retention_request", args=[99999])).status_code == 404
    assert client.get(reverse("web:retention_certificate", args=[99999])).status_code == 404
    assert client.get(reverse("web:retention_inspection", args=[99999])).status_code == 404
    assert client.post(reverse("web:retention_request_approve", args=[99999])).status_code == 404
    assert (
        client.post(reverse("web:retention_hold_lift", args=[99999]), {"reason": "x"}).status_code
        == 404
    )
    assert client.get(reverse("web:retention_due") + "?class=nonsense&page=x").status_code == 200


def test_destruction_clicked_through(login, personas, book):
    wang = book["wang"]
    admin = login(personas["admin"])
    due = html(admin.get(reverse("web:retention_due")))
    assert wang.archive_no in due and "王芳" not in due  # archive numbers, never names
    response = admin.post(
        reverse("web:retention_request_submit"),
        {"record_class": "customer_policies_ended", "customer": [str(wang.pk)], "reason": "期满"},
    )
    request = DestructionRequest.objects.latest("pk")
    assert response["Location"] == reverse("web:retention_request", args=[request.pk])
    for name in ("ivan", "mona"):
        client = login(personas[name])
        page = html(client.get(reverse("web:retention_request", args=[request.pk])))
        assert 'id="approve"' in page
        response = client.post(reverse("web:retention_request_approve", args=[request.pk]))
        assert response.status_code == 302
    client = login(personas["ivan"])
    page = html(client.get(reverse("web:retention_request", args=[request.pk])))
    assert 'id="execute"' in page and 'id="approve"' not in page
    response = client.post(reverse("web:retention_request_execute", args=[request.pk]), follow=True)
    certificate = DestructionCertificate.objects.get(request=request)
    assert response.redirect_chain[-1][0] == reverse(
        "web:retention_certificate", args=[certificate.pk]
    )
    page = html(response)
    assert wang.archive_no in page and "customers_historicalphone" in page
    wang.refresh_from_db()
    assert wang.name == DESTROYED_NAME
    # the list of certificates shows it; a second execution changes nothing
    assert f"#{certificate.pk}" in html(client.get(reverse("web:retention_certificates")))
    before = state()
    client.post(reverse("web:retention_request_execute", args=[request.pk]))
    assert state() == before


def test_refusals_are_shown_and_change_nothing(login, personas, book):
    request = book["request"]
    destruction_request_approve(request_id=request.pk, principal=Staff(personas["ivan"]))
    client = login(personas["ivan"])
    before = state()
    response = client.post(reverse("web:retention_request_approve", args=[request.pk]), follow=True)
    assert "两项审批须由两位不同人员作出" in html(response)  # zh-Hans by default
    response = client.post(reverse("web:retention_request_execute", args=[request.pk]), follow=True)
    assert "方可执行" in html(response)
    response = client.post(
        reverse("web:retention_request_reject", args=[request.pk]), {"reason": ""}, follow=True
    )
    assert "msg error" in html(response)
    assert state() == before
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.post(reverse("web:retention_request_approve", args=[request.pk]), follow=True)
    assert "the two approvals must come from two different people" in html(response)
    assert state() == before


def test_bad_submissions_are_shown(login, personas, book):
    client = login(personas["mona"])
    before = state()
    for data in (
        {"customer": "abc", "reason": "x"},
        {"customer": "²", "reason": "x"},
        {"customer": "9" * 30, "reason": "x"},
        {"customer": str(book["wang"].pk), "reason": " "},
        {"reason": "x"},
        {"customer": "99999", "reason": "x"},
    ):
        response = client.post(reverse("web:retention_request_submit"), data, follow=True)
        assert response.status_code == 200
        assert "msg error" in html(response), data
    assert state() == before


def test_request_every_due_record_of_a_class(login, personas, book):
    client = login(personas["mona"])
    client.post(
        reverse("web:retention_request_submit"),
        {"record_class": "customer_policies_ended", "all_due": "1", "reason": "期满"},
    )
    request = DestructionRequest.objects.latest("pk")
    # 王芳 only: her son is already in the open request of the fixture
    assert list(request.items.values_list("object_id", flat=True)) == [book["wang"].pk]


def test_holds_placed_and_lifted_through_the_page(login, personas, book):
    client = login(personas["mona"])
    response = client.post(
        reverse("web:retention_hold_place"),
        {"customer": book["wang"].archive_no, "reason": "监管调阅"},
        follow=True,
    )
    assert "msg success" in html(response)
    hold = LegalHold.objects.get(customer=book["wang"], lifted_at__isnull=True)
    for reference in ("C404", "9" * 30, "²"):
        response = client.post(
            reverse("web:retention_hold_place"), {"customer": reference, "reason": "x"}, follow=True
        )
        assert "msg error" in html(response)
    client.post(reverse("web:retention_hold_lift", args=[hold.pk]), {"reason": "结束"})
    hold.refresh_from_db()
    assert hold.lifted_by == personas["mona"]


def test_inspection_run_from_the_page(login, personas, book):
    client = login(personas["ivan"])
    response = client.post(reverse("web:retention_inspection_run"), {"period": "2026-H2"})
    record = InspectionRecord.objects.latest("pk")
    assert response["Location"] == reverse("web:retention_inspection", args=[record.pk])
    page = html(client.get(response["Location"]))
    assert "2026-H2" in page and "customers_historicalphone" in page
    response = client.post(reverse("web:retention_inspection_run"), {"period": "26H2"}, follow=True)
    assert "msg error" in html(response)
