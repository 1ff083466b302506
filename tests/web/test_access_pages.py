"""The need-to-know pages: asking for access, deciding, the register, the restricted file,
showing full values, marking a file classified."""

from __future__ import annotations

import json

import pytest

from tests.web.factories import HOLDER_PHONE, other_application, seller_for, store
from veracity.access.governance import access_request_decide, access_request_submit
from veracity.access.models import AccessGrant, AccessRequest
from veracity.audit.models import Action, AuditEvent
from veracity.audit.services import Actor
from veracity.customers.models import Customer
from veracity.customers.numbers import archive_no_of_id
from veracity.org.principals import system

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def book(personas, application):
    seller_for(personas["alice"])
    own, other = store(application, other_application())
    return {
        "wang": own.roles.get(role="policyholder").customer_id,
        "zhang": other.roles.get(role="policyholder").customer_id,
    }


def remember(client, purpose="callback"):
    session = client.session
    session["veracity_purpose"] = purpose
    session.save()
    return client


def test_out_of_reach_file_shows_nothing_but_a_way_to_ask(login, personas, book):
    client = remember(login(personas["alice"]))
    before = AuditEvent.objects.filter(action=Action.VIEW_PERSONAL_DATA).count()
    response = client.get(f"/customers/{book['zhang']}/")
    assert response.status_code == 404
    body = html(response)
    assert "张伟" not in body and "5678" not in body
    assert f"/access/new/?customer={archive_no_of_id(book['zhang'])}" in body
    assert AuditEvent.objects.filter(action=Action.VIEW_PERSONAL_DATA).count() == before


def test_exact_search_outside_the_book_gives_a_restricted_marker(login, personas, book):
    client = login(personas["alice"])
    body = html(
        client.post(
            "/customers/", {"query": "139 1234 5678", "kind": "phone", "purpose": "callback"}
        )
    )
    assert "restricted-matches" in body and f"?customer={archive_no_of_id(book['zhang'])}" in body
    assert "张伟" not in body
    by_name = html(
        client.get("/customers/", {"query": "张伟", "kind": "name", "purpose": "callback"})
    )
    assert "restricted-matches" not in by_name  # a name alone never reveals a file


def test_request_form_reports_bad_input_by_field(login, personas, book):
    client = login(personas["alice"])
    before = AccessRequest.objects.count()
    response = client.post(
        "/access/new/",
        {
            "kind": "borrow",
            "customers": f"{book['zhang']}",
            "subject": "核实",
            "purpose": "callback",
            "reason": "客户来电",
            "scope": "view",
            "days": "5",
        },
    )
    assert response.status_code == 400
    assert AccessRequest.objects.count() == before
    response = client.post(
        "/access/new/",
        {
            "kind": "borrow",
            "customers": "12, x",
            "subject": "核实",
            "purpose": "callback",
            "reason": "客户来电",
            "scope": "view",
            "days": "3",
        },
    )
    assert response.status_code == 400 and AccessRequest.objects.count() == before


def test_the_whole_loan_through_the_pages(login, personas, book, client):
    alice = login(personas["alice"])
    response = alice.post(
        "/access/new/",
        {
            "kind": "borrow",
            "customers": f"{book['zhang']}",
            "subject": "核实",
            "purpose": "callback",
            "reason": "客户来电",
            "scope": "unmask",
            "days": "2",
        },
    )
    assert response.status_code == 302
    made = AccessRequest.objects.get()
    # henry (her department head) sees it waiting; sam does not yet (not his step)
    client.force_login(personas["sam"])
    assert f"/access/{made.pk}/" not in html(client.get("/access/"))
    client.force_login(personas["henry"])
    assert f"/access/{made.pk}/" in html(client.get("/access/"))
    client.post(f"/access/{made.pk}/", {"action": "approve"})
    client.force_login(personas["sam"])
    client.post(f"/access/{made.pk}/", {"action": "reject"})  # no reason: refused
    assert AccessRequest.objects.get(pk=made.pk).status == "pending"
    client.post(f"/access/{made.pk}/", {"action": "approve"})
    assert AccessRequest.objects.get(pk=made.pk).status == "approved"

    alice = remember(login(personas["alice"]))
    page = html(alice.get(f"/customers/{book['zhang']}/"))
    assert "139****5678" in page and "unmask-button" in page
    full = html(alice.post(f"/customers/{book['zhang']}/unmask/", {"unmask": "1"}))
    assert "+8613912345678" in full or "13912345678" in full
    event = AuditEvent.objects.filter(action=Action.UNMASK).latest("seq")
    assert (event.customer_id, event.purpose, event.actor) == (book["zhang"], "callback", "alice")
    assert {"id_number", "phone", "account"} <= set(json.loads(event.detail)["fields"])
    assert f"#{made.pk}" in html(alice.get("/access/register/?state=open"))
    alice.post(f"/access/{made.pk}/", {"action": "return"})
    assert AccessGrant.objects.get(request=made).returned_at is not None
    assert alice.get(f"/customers/{book['zhang']}/").status_code == 404


def test_unmask_without_a_grant_is_refused_and_not_logged_as_unmasked(login, personas, book):
    sam = remember(login(personas["sam"]))
    before = AuditEvent.objects.filter(action=Action.UNMASK).count()
    response = sam.post(f"/customers/{book['wang']}/unmask/", {"unmask": "1"})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action=Action.UNMASK).count() == before
    assert HOLDER_PHONE not in html(sam.get(f"/customers/{book['wang']}/"))


@pytest.mark.parametrize(
    ("username", "allowed"), [("ivan", True), ("sam", False), ("alice", False)]
)
def test_marking_a_file_classified(login, personas, book, username, allowed):
    client = remember(login(personas[username]))
    response = client.post(
        f"/customers/{book['wang']}/classify/",
        {"classification": "general", "confidentiality": "confidential"},
    )
    customer = Customer.objects.get(pk=book["wang"])
    if allowed:
        assert response.status_code == 302
        assert (customer.confidentiality, customer.custodian_id) == (
            "confidential",
            personas["ivan"].pk,
        )
        # now restricted for customer service, still there for its custodian
        sam = remember(login(personas["sam"]))
        assert sam.get(f"/customers/{book['wang']}/").status_code == 404
    else:
        assert response.status_code == 403
        assert customer.confidentiality == "normal"


def test_request_pages_are_not_shown_to_strangers(login, personas, book):
    made = access_request_submit(
        principal=system("test", person=personas["alice"]),
        customer_ids=[book["zhang"]],
        subject="s",
        purpose="callback",
        reason="r",
    )
    assert login(personas["dave"]).get(f"/access/{made.pk}/").status_code == 200  # compliance
    assert login(personas["carol"]).get(f"/access/{made.pk}/").status_code == 404
    access_request_decide(
        principal=system("test", person=personas["henry"]), request_id=made.pk, approve=True
    )
    assert login(personas["henry"]).get(f"/access/{made.pk}/").status_code == 200
