"""The customer picker and the customers a form names: only files within reach, masked,
every answer audited with its purpose, every refused number recorded."""

from __future__ import annotations

import json

import pytest

from tests.web.factories import other_application, seller_for, store
from veracity.audit.models import Action, AuditEvent
from veracity.customers.picker import customer_pick, customers_named
from veracity.customers.selectors import SearchError
from veracity.org.principals import Staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(personas, application):
    """alice sold 王芳's application (王芳 + her son); another agent sold 张伟's."""
    seller_for(personas["alice"])
    own, other = store(application, other_application())
    return {
        "wang": own.roles.get(role="policyholder").customer,
        "zhang": other.roles.get(role="policyholder").customer,
        "wang_id": application["policyholder"]["id_number"],
        "zhang_id": other_application()["policyholder"]["id_number"],
    }


def staff(user, purpose="callback"):
    return Staff(user, address="127.0.0.1", purpose=purpose)


def short(number: str) -> str:
    """How people type a file number: lower case, without the leading zeros."""
    return "c" + number.lstrip("C").lstrip("0")


def test_the_picker_offers_masked_facts_by_file_number(personas, book):
    wang = book["wang"]
    before = AuditEvent.objects.filter(action=Action.SEARCH_PERSONAL_DATA).count()
    picks = customer_pick(principal=staff(personas["sam"]), query=short(wang.archive_no))
    assert [p.archive_no for p in picks] == [wang.archive_no]
    pick = picks[0]
    assert pick.name == "王*" and wang.name not in pick.name
    assert pick.birth_year == wang.birth_date.year
    assert pick.id_last4 == book["wang_id"][-4:]
    shown = pick.as_json()
    assert set(shown) == {"archive_no", "name", "birth_year", "id_last4"}  # no internal id
    assert book["wang_id"] not in str(shown)
    events = AuditEvent.objects.filter(action=Action.SEARCH_PERSONAL_DATA)
    assert events.count() == before + 1
    event = events.order_by("-seq").first()
    assert event.purpose == "callback" and event.actor == "sam"
    detail = json.loads(event.detail)
    assert detail["kind"] == "picker" and detail["results"] == [wang.pk]
    assert short(wang.archive_no) not in str(event.detail)  # the query itself is not kept


def test_the_picker_finds_by_part_of_a_name_within_reach_only(personas, book):
    assert {p.archive_no for p in customer_pick(principal=staff(personas["sam"]), query="张")} == {
        book["zhang"].archive_no
    }
    # alice the agent reaches only the customers of her own sales
    alice = staff(personas["alice"])
    assert customer_pick(principal=alice, query="张") == []
    assert customer_pick(principal=alice, query=book["zhang"].archive_no) == []
    assert [p.archive_no for p in customer_pick(principal=alice, query="王芳")] == [
        book["wang"].archive_no
    ]


@pytest.mark.parametrize(
    ("query", "purpose", "field"),
    [("", "callback", "q"), ("x" * 51, "callback", "q"), ("王", "", "purpose")],
)
def test_the_picker_refuses_without_a_query_or_a_purpose(personas, book, query, purpose, field):
    before = AuditEvent.objects.count()
    with pytest.raises(SearchError) as refused:
        customer_pick(principal=staff(personas["sam"], purpose), query=query)
    assert refused.value.field == field
    assert AuditEvent.objects.count() == before


def test_named_customers_within_reach_and_the_rest_recorded_as_refused(personas, book):
    wang, zhang = book["wang"], book["zhang"]
    before = AuditEvent.objects.filter(action=Action.ACCESS_REFUSED).count()
    named = customers_named(
        [short(wang.archive_no), zhang.archive_no, "C9999999999", "李"],
        principal=staff(personas["alice"]),
    )
    assert named.ids == [wang.pk]
    assert named.missing == [zhang.archive_no, "C9999999999", "李"]
    refused = AuditEvent.objects.filter(action=Action.ACCESS_REFUSED).order_by("seq")
    assert refused.count() == before + 3
    # an existing file out of reach and a number of no file are recorded alike
    assert [e.object_id for e in refused][-3:-1] == [zhang.archive_no, "C9999999999"]


def test_a_borrower_names_any_existing_file(book):
    zhang = book["zhang"]
    before = AuditEvent.objects.count()
    full_width = zhang.archive_no.translate({ord(c): ord(c) + 0xFEE0 for c in zhang.archive_no})
    named = customers_named([full_width, "C9999999999"], principal=None)
    assert named.ids == [zhang.pk] and named.missing == ["C9999999999"]
    assert AuditEvent.objects.count() == before
