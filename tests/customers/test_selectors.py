"""Customer selectors: who sees which customers, exact search by normalised personal data,
one audit event with the purpose per read, masked values only (AG-10)."""

from __future__ import annotations

import json

import pytest
from django.http import Http404
from django.utils import translation

from tests.web.factories import HOLDER_ACCOUNT, HOLDER_PHONE, other_application, seller_for, store
from veracity.audit.models import Action, AuditEvent
from veracity.customers.models import Customer
from veracity.customers.selectors import (
    SearchError,
    customer_detail,
    customer_search,
    visible_to,
)
from veracity.org.principals import Staff, with_purpose

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Labels are compared in English (the default language is zh-Hans)."""
    with translation.override("en"):
        yield


@pytest.fixture
def book(personas, application):
    """alice sold 王芳's application (王芳 + her son); another agent sold 张伟's."""
    seller_for(personas["alice"])
    own, other = store(application, other_application())
    wang = own.roles.get(role="policyholder").customer
    zhang = other.roles.get(role="policyholder").customer
    return {"wang": wang, "zhang": zhang, "holder_id": application["policyholder"]["id_number"]}


def reads() -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action__in=[Action.SEARCH_PERSONAL_DATA, Action.VIEW_PERSONAL_DATA]
        ).order_by("seq")
    )


@pytest.mark.parametrize(
    ("username", "sees_wang", "sees_zhang"),
    [
        ("alice", True, False),
        ("carol", True, True),
        ("sam", True, True),
        ("dave", True, True),
        ("ivan", True, True),
        ("admin", True, True),
        ("audrey", False, False),
    ],
)
def test_visible_to_per_role(personas, book, username, sees_wang, sees_zhang):
    visible = set(
        visible_to(principal=Staff(personas[username]), action="customers.view").values_list(
            "pk", flat=True
        )
    )
    assert (book["wang"].pk in visible) is sees_wang
    assert (book["zhang"].pk in visible) is sees_zhang


def test_agent_sees_only_the_parties_of_own_policies(personas, book):
    visible = visible_to(principal=Staff(personas["alice"]), action="customers.view")
    assert set(visible.values_list("name", flat=True)) == {"王芳", "李小明"}


def test_user_without_role_and_anonymous_see_nobody(book, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    nobody = django_user_model.objects.create_user(username="nobody", password="x")
    assert not visible_to(principal=Staff(nobody), action="customers.view").exists()
    assert not visible_to(principal=Staff(AnonymousUser()), action="customers.view").exists()
    assert Customer.objects.count() >= 3  # the customers exist; they are just not visible


@pytest.mark.parametrize(
    "typed",
    [
        "+86 138-0013-8000",
        "13800138000",
        "１３８００１３８０００",
        "138 0013 8000",
        "0086 138 0013 8000",
    ],
)
def test_search_by_phone_normalises_what_was_typed(personas, book, typed):
    found = customer_search(
        principal=with_purpose(Staff(personas["sam"]), "callback"), query=typed, kind="phone"
    )
    assert [c.pk for c in found] == [book["wang"].pk]


def test_search_by_id_number_with_lower_case_x(personas, make_application):
    from tests.conftest import resident_id

    # find a sequence whose check digit is X
    number = next(
        n
        for seq in range(100, 400)
        if (n := resident_id("110101", "1990-01-01", seq)).endswith("X")
    )
    store(
        make_application(
            "A2026110077",
            policyholder__id_number=number,
            policyholder__birth_date="1990-01-01",
            policyholder__sex=("M" if int(number[16]) % 2 else "F"),
            payer_account__holder_id_number=number,
        )
    )
    typed = " " + number[:6] + " " + number[6:14] + " " + number[14:].lower()
    found = customer_search(
        principal=with_purpose(Staff(personas["sam"]), "customer_service"),
        query=typed,
        kind="id_number",
    )
    assert len(found) == 1
    assert found[0].documents.get().number == number


def test_search_by_id_number_full_width(personas, book):
    full_width = book["holder_id"].translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    found = customer_search(
        principal=with_purpose(Staff(personas["sam"]), "customer_service"),
        query=full_width,
        kind="id_number",
    )
    assert [c.pk for c in found] == [book["wang"].pk]


def test_search_by_account_with_spaces(personas, book):
    typed = " ".join(HOLDER_ACCOUNT[i : i + 4] for i in range(0, len(HOLDER_ACCOUNT), 4))
    found = customer_search(
        principal=with_purpose(Staff(personas["dave"]), "compliance_check"),
        query=typed,
        kind="account",
    )
    assert [c.pk for c in found] == [book["wang"].pk]


def test_search_by_name_is_partial_and_audited_with_the_name_masked(personas, book):
    before = len(reads())
    found = customer_search(
        principal=with_purpose(Staff(personas["sam"]), "callback"), query="王芳", kind="name"
    )
    assert [c.name for c in found] == ["王芳"]
    [event] = reads()[before:]
    assert (event.action, event.actor, event.purpose) == (
        Action.SEARCH_PERSONAL_DATA,
        "sam",
        "callback",
    )
    detail = json.loads(event.detail)
    assert detail == {"kind": "name", "query": "王*", "results": [book["wang"].pk]}
    assert "王芳" not in event.detail


def test_search_results_tell_namesakes_apart(personas, book):
    from veracity.customers.selectors import customer_search_page

    page = customer_search_page(
        principal=with_purpose(Staff(personas["sam"]), "callback"), query="王芳", kind="name"
    )
    [hit] = page.hits
    assert hit.customer.pk == book["wang"].pk and hit.customer.archive_no
    number = "".join(book["wang"].documents.get(is_primary=True).number.split())
    assert hit.id_last4 == number[-4:] and len(hit.id_last4) == 4
    address = book["wang"].addresses.order_by("pk").first()
    assert hit.city and hit.city in address.text and hit.city != address.text
    assert (page.page, page.more) == (1, False)


def test_search_pages_past_the_limit(personas, book, monkeypatch):
    from veracity.customers import selectors

    Customer.objects.filter(pk=book["zhang"].pk).update(name="王伟")  # two 王 now
    monkeypatch.setattr(selectors, "MAX_RESULTS", 1)
    principal = with_purpose(Staff(personas["sam"]), "callback")
    first = selectors.customer_search_page(principal=principal, query="王", kind="name")
    second = selectors.customer_search_page(principal=principal, query="王", kind="name", page=2)
    assert len(first.hits) == 1 and first.more
    assert len(second.hits) == 1 and second.hits[0].customer.pk != first.hits[0].customer.pk
    assert json.loads(reads()[-1].detail)["page"] == 2


def test_search_starts_from_visible_to(personas, book):
    assert (
        customer_search(
            principal=with_purpose(Staff(personas["alice"]), "callback"),
            query="139 1234 5678",
            kind="phone",
        )
        == []
    )
    assert (
        customer_search(
            principal=with_purpose(Staff(personas["alice"]), "callback"), query="张伟", kind="name"
        )
        == []
    )
    assert (
        customer_search(
            principal=with_purpose(Staff(personas["audrey"]), "callback"),
            query=HOLDER_PHONE,
            kind="phone",
        )
        == []
    )


def test_every_personal_data_search_writes_one_audit_event_with_purpose(personas, book):
    before = len(reads())
    customer_search(
        principal=with_purpose(Staff(personas["sam"], address="10.0.0.7"), "callback"),
        query=HOLDER_PHONE,
        kind="phone",
    )
    customer_search(
        principal=with_purpose(Staff(personas["sam"]), "problem_item"),
        query="no such number",
        kind="account",
    )
    events = reads()[before:]
    assert [(e.action, e.purpose, e.actor) for e in events] == [
        (Action.SEARCH_PERSONAL_DATA, "callback", "sam"),
        (Action.SEARCH_PERSONAL_DATA, "problem_item", "sam"),
    ]
    assert events[0].ip == "10.0.0.7"
    # the typed number itself is never written to the audit trail
    assert HOLDER_PHONE not in events[0].detail


@pytest.mark.parametrize(
    ("query", "kind", "purpose", "code"),
    [
        ("13800138000", "shoe_size", "callback", "kind"),
        ("   ", "phone", "callback", "query"),
        ("", "name", "callback", "query"),
        ("13800138000", "phone", "", "purpose"),
    ],
)
def test_bad_search_is_refused_and_writes_nothing(personas, book, query, kind, purpose, code):
    before = len(reads())
    with pytest.raises(SearchError) as refused:
        customer_search(
            principal=with_purpose(Staff(personas["sam"]), purpose), query=query, kind=kind
        )
    assert refused.value.code == code
    assert len(reads()) == before


def test_customer_detail_is_masked_and_audited(personas, book):
    before = len(reads())
    view = customer_detail(
        book["wang"].pk, principal=with_purpose(Staff(personas["sam"]), "customer_service")
    )
    assert view.name == "王芳"
    assert [p.number for p in view.phones] == ["138****8000"]
    assert view.documents[0].number == book["holder_id"][0] + "*" * 16 + book["holder_id"][-1]
    assert view.accounts[0].number == "622202*********4567"
    assert view.addresses[0].text.endswith("****")
    assert [p.application_no for p in view.policies] == ["A2026110001"]
    assert view.policies[0].verdict in {"pass", "fail"}
    text = repr(view)
    for secret in (HOLDER_PHONE, book["holder_id"], HOLDER_ACCOUNT, "东长安街1号"):
        assert secret not in text
    events = reads()[before:]
    assert len(events) == 1
    assert events[0].action == Action.VIEW_PERSONAL_DATA
    assert events[0].purpose == "customer_service"
    assert events[0].customer_id == book["wang"].pk


def test_customer_detail_history_lists_every_field_masked(personas, book, application):
    # the customer changes their phone: a resubmission adds the new one
    application["policyholder"]["phones"] = ["139 0000 1111"]
    store(application)
    view = customer_detail(
        book["wang"].pk, principal=with_purpose(Staff(personas["sam"]), "customer_service")
    )
    fields = {(h.record, h.field) for h in view.history}
    assert ("customer", "name") in fields
    assert ("phone", "phone") in fields
    assert ("identity document", "ID number") in fields
    assert ("bank account", "account number") in fields
    new_values = {h.new for h in view.history}
    assert "139****1111" in new_values
    assert "138****8000" in new_values
    text = repr(view.history)
    for secret in (HOLDER_PHONE, "13900001111", book["holder_id"], HOLDER_ACCOUNT):
        assert secret not in text


def test_customer_detail_records_changes_of_facts(personas, book):
    wang = Customer.objects.get(pk=book["wang"].pk)
    wang.name = "王芳芳"
    wang.save()
    view = customer_detail(
        wang.pk, principal=with_purpose(Staff(personas["sam"]), "customer_service")
    )
    change = next(h for h in view.history if h.change == "~" and h.field == "name")
    assert (change.old, change.new) == ("王芳", "王芳芳")


@pytest.mark.parametrize("username", ["alice", "audrey"])
def test_customer_detail_outside_the_book_is_404_and_not_audited(personas, book, username):
    before = len(reads())
    with pytest.raises(Http404):
        customer_detail(
            book["zhang"].pk, principal=with_purpose(Staff(personas[username]), "callback")
        )
    assert len(reads()) == before


@pytest.mark.parametrize("garbage", ["abc", None, -1, 0, 10**30, "1; DROP TABLE"])
def test_customer_detail_garbage_id_is_404(personas, book, garbage):
    with pytest.raises(Http404):
        customer_detail(garbage, principal=with_purpose(Staff(personas["sam"]), "callback"))


def test_customer_detail_needs_a_purpose(personas, book):
    with pytest.raises(SearchError):
        customer_detail(book["wang"].pk, principal=with_purpose(Staff(personas["sam"]), " "))


def test_agent_sees_only_own_policies_of_a_shared_customer(personas, book, make_application):
    # 王芳 also bought a policy through another agent: alice must not see that one
    app = make_application("A2026110088", seller={"code": "AG00099", "agency_code": None})
    store(app)
    mine = customer_detail(
        book["wang"].pk, principal=with_purpose(Staff(personas["alice"]), "callback")
    )
    assert [p.application_no for p in mine.policies] == ["A2026110001"]
    all_ = customer_detail(
        book["wang"].pk, principal=with_purpose(Staff(personas["sam"]), "callback")
    )
    assert {p.application_no for p in all_.policies} == {"A2026110001", "A2026110088"}
