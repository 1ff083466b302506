"""One customer number on the pages: forms and filters take the file number (档案号) as people
type it, errors name the field and the reason, pages show the number instead of an id, and
the picker answers with masked facts within reach."""

from __future__ import annotations

import json

import pytest
from django.utils import translation

from tests.web.factories import other_application, seller_for, store
from veracity.access.models import AccessRequest
from veracity.audit.models import Action, AuditEvent
from veracity.retention.models import LegalHold

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def book(personas, application):
    seller_for(personas["alice"])
    own, other = store(application, other_application())
    return {
        "wang": own.roles.get(role="policyholder").customer,
        "zhang": other.roles.get(role="policyholder").customer,
    }


def full_width(text: str) -> str:
    return text.translate({ord(c): ord(c) + 0xFEE0 for c in text if c.isalnum()})


SPELLINGS = {
    "canonical": lambda n: n,
    "lower case, no zeros": lambda n: "c" + n[1:].lstrip("0"),
    "full-width": full_width,
    "spaces around": lambda n: f"  {n}  ",
    "bare number": lambda n: n[1:].lstrip("0"),
}


def borrow(customers: str) -> dict[str, str]:
    return {
        "kind": "borrow",
        "customers": customers,
        "subject": "核实",
        "purpose": "callback",
        "reason": "客户来电",
        "scope": "view",
        "days": "2",
    }


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_an_access_request_takes_the_file_number_as_typed(login, personas, book, spelling):
    zhang = book["zhang"]
    client = login(personas["alice"])
    response = client.post("/access/new/", borrow(SPELLINGS[spelling](zhang.archive_no)))
    assert response.status_code == 302
    made = AccessRequest.objects.get()
    assert list(made.customers.all()) == [zhang]
    page = html(client.get(response["Location"]))
    assert zhang.archive_no in page and f"#{zhang.pk}<" not in page


def test_several_numbers_in_one_field(login, personas, book):
    wang, zhang = book["wang"], book["zhang"]
    client = login(personas["alice"])
    typed = f"{wang.archive_no}，{zhang.archive_no.lower()}、 {zhang.archive_no}"
    assert client.post("/access/new/", borrow(typed)).status_code == 302
    assert set(AccessRequest.objects.get().customers.all()) == {wang, zhang}


@pytest.mark.parametrize(
    ("typed", "zh", "en"),
    [
        ("C9999999999", "档案号 C9999999999 不存在或不在您的查看范围", "File number C9999999999"),
        ("李桂芝", "李桂芝 不是档案号", "李桂芝: not a file number"),
        ("C12345678901", "不是档案号", "not a file number"),
    ],
)
def test_a_wrong_number_is_named_with_the_reason(login, personas, book, typed, zh, en):
    client = login(personas["alice"])
    before = AccessRequest.objects.count()
    response = client.post("/access/new/", borrow(f"{book['wang'].archive_no}, {typed}"))
    assert response.status_code == 400
    body = html(response)
    assert zh in body and "客户档案（档案号）" in body  # the field's label with the reason
    with translation.override("en"):
        client.cookies["django_language"] = "en"
        english = html(client.post("/access/new/", borrow(typed)))
    assert en in english
    assert AccessRequest.objects.count() == before


def test_the_form_is_prefilled_with_the_file_number(login, personas, book):
    zhang = book["zhang"]
    client = login(personas["alice"])
    for given in (str(zhang.pk), zhang.archive_no, zhang.archive_no.lower()):
        page = html(client.get(f"/access/new/?customer={given}"))
        assert f'value="{zhang.archive_no}"' in page
        assert "data-customer-picker" in page and "/static/web/picker.js" in page


def test_the_register_and_the_request_show_file_numbers(login, personas, book):
    from veracity.access.governance import access_request_decide, access_request_submit
    from veracity.org.principals import Staff

    zhang = book["zhang"]
    made = access_request_submit(
        principal=Staff(personas["alice"]),
        customer_ids=[zhang.pk],
        subject="核实",
        purpose="callback",
        reason="客户来电",
        kind="borrow",
        scope="view",
        days=2,
        external={},
        export_of="",
    )
    for approver in ("henry", "sam"):
        access_request_decide(
            request_id=made.pk, principal=Staff(personas[approver]), approve=True, reason="同意"
        )
    alice = login(personas["alice"])
    register = html(alice.get("/access/register/?state=all"))
    assert zhang.archive_no in register and f"#{zhang.pk}<" not in register
    listing = html(alice.get("/access/"))
    assert zhang.archive_no in listing
    detail = html(alice.get(f"/access/{made.pk}/"))
    assert detail.count(zhang.archive_no) >= 2  # the files asked for and the grant


# --- the picker ----------------------------------------------------------------------------


def test_the_picker_answers_json_within_reach(login, personas, book):
    wang, zhang = book["wang"], book["zhang"]
    alice = login(personas["alice"])
    mine = alice.get("/customers/pick/", {"q": "王", "purpose": "callback"})
    assert mine.status_code == 200 and mine["Content-Type"] == "application/json"
    results = json.loads(mine.content)["results"]
    assert [r["archive_no"] for r in results] == [wang.archive_no]
    assert results[0]["name"] == "王*" and "王芳" not in mine.content.decode()
    outside = alice.get("/customers/pick/", {"q": zhang.archive_no, "purpose": "callback"})
    assert json.loads(outside.content)["results"] == []
    event = AuditEvent.objects.filter(action=Action.SEARCH_PERSONAL_DATA).order_by("-seq")[0]
    assert (event.actor, event.purpose) == ("alice", "callback")


def test_the_picker_needs_a_purpose_and_a_query(login, personas, book):
    client = login(personas["sam"])
    before = AuditEvent.objects.filter(action=Action.SEARCH_PERSONAL_DATA).count()
    no_purpose = client.get("/customers/pick/", {"q": "王"})
    assert no_purpose.status_code == 400
    error = json.loads(no_purpose.content)["error"]
    assert error["field"] == "purpose" and "目的" in error["message"]
    assert client.get("/customers/pick/", {"purpose": "callback"}).status_code == 400
    assert client.get("/customers/pick/", {"q": "王", "purpose": "bogus"}).status_code == 400
    assert AuditEvent.objects.filter(action=Action.SEARCH_PERSONAL_DATA).count() == before
    # the purpose remembered for the session serves when the form states none
    session = client.session
    session["veracity_purpose"] = "compliance_check"
    session.save()
    assert client.get("/customers/pick/", {"q": "王"}).status_code == 200


def test_the_picker_is_refused_to_roles_without_customer_files(login, personas, book):
    client = login(personas["audrey"])  # the auditor reads the trail, not files
    before = AuditEvent.objects.filter(action=Action.ACCESS_REFUSED).count()
    assert client.get("/customers/pick/", {"q": "王", "purpose": "callback"}).status_code == 403
    assert AuditEvent.objects.filter(action=Action.ACCESS_REFUSED).count() == before + 1


# --- the other forms and filters -----------------------------------------------------------


def test_a_legal_hold_is_placed_by_the_number_as_typed(login, personas, book):
    wang = book["wang"]
    client = login(personas["mona"])
    response = client.post(
        "/retention/holds/place/",
        {"customer": full_width(wang.archive_no.lower()), "reason": "监管调阅"},
        follow=True,
    )
    assert "msg success" in html(response)
    assert LegalHold.objects.filter(customer=wang).exists()
    missing = html(
        client.post(
            "/retention/holds/place/", {"customer": "C9999999999", "reason": "x"}, follow=True
        )
    )
    assert "档案号 C9999999999 不存在或不在您的查看范围" in missing


def test_the_audit_filter_takes_the_file_number(login, personas, book):
    from veracity.customers.selectors import customer_detail
    from veracity.org.principals import Staff

    wang = book["wang"]
    customer_detail(wang.pk, principal=Staff(personas["sam"], purpose="callback"))
    client = login(personas["audrey"])
    for typed in (wang.archive_no, "c" + wang.archive_no[1:].lstrip("0")):
        response = client.get("/audit/", {"customer": typed})
        assert response.status_code == 200
        events = list(response.context["page"].events)
        assert events and {e.customer_id for e in events} == {wang.pk}


def test_the_problem_list_filters_by_file_number(login, personas, book, monkeypatch):
    from veracity.cases import listing

    seen = {}
    real = listing.problem_items

    def spy(**kwargs):
        seen.update(kwargs)
        return real(**kwargs)

    monkeypatch.setattr("veracity.web.views.problems.problem_items", spy)
    client = login(personas["sam"])
    wang = book["wang"]
    assert client.get("/problems/", {"customer": wang.archive_no.lower()}).status_code == 200
    assert seen["customer_id"] == wang.pk
    unknown = client.get("/problems/", {"customer": "C9999999999"})
    assert unknown.status_code == 200 and seen["customer_id"] == 9999999999
