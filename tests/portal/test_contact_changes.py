"""A customer reports a new phone, address or e-mail (D1.12): customer service is told, then
verifies and applies it through the recorded-change path (history kept, the phone re-checked
by the core rules) or rejects it with a reason; the customer sees the result."""

from __future__ import annotations

import pytest

from tests.portal.helpers import portal_sign_in
from veracity.audit.models import AuditEvent
from veracity.customers.models import Address, Email, Phone
from veracity.notify.models import Notification
from veracity.portal.models import ContactChangeRequest

pytestmark = pytest.mark.django_db

NEW_PHONE = "13700137000"


def report(client, kind: str, value: str):
    return client.post("/my/contact/", {"kind": kind, "value": value})


def decide(client, row, decision: str, reason: str = ""):
    return client.post(
        "/customers/change-requests/",
        {"request": row.pk, "decision": decision, "reason": reason},
    )


def phones(customer_id: int) -> list[str]:
    return sorted(p.number for p in Phone.objects.filter(customer_id=customer_id))


def test_a_new_phone_is_told_verified_and_applied_with_history(portal_book, client, personas):
    portal_sign_in(client, portal_book)
    assert report(client, "phone", NEW_PHONE).status_code == 302
    row = ContactChangeRequest.objects.get()
    assert row.status == "pending" and row.customer_id == portal_book.wang
    told = Notification.objects.filter(kind="contact_change_requested")
    assert {n.recipient.username for n in told} == {"sam", "mona"}
    assert all(n.link == "/customers/change-requests/" for n in told)
    # the value is kept encrypted
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM portal_contactchangerequest")
        assert NEW_PHONE not in cursor.fetchone()[0]

    old = phones(portal_book.wang)
    client.force_login(personas["sam"])
    page = client.get("/customers/change-requests/").content.decode()
    assert NEW_PHONE not in page and "137****7000" in page  # masked
    assert AuditEvent.objects.filter(action="contact_change.listed", actor="sam").exists()
    assert decide(client, row, "apply", "回访确认").status_code == 302
    row.refresh_from_db()
    assert row.status == "applied" and row.reviewed_by == personas["sam"]
    assert phones(portal_book.wang) == ["+8613700137000"]
    phone = Phone.objects.get(customer_id=portal_book.wang)
    history = list(phone.history.order_by("history_date"))
    assert history[0].number in old and history[-1].number == "+8613700137000"
    assert history[-1].history_user == personas["sam"]
    mine = client.get("/my/contact/").content.decode()
    assert "已办理" in mine


def test_an_invalid_phone_is_refused_at_apply_and_nothing_changes(portal_book, client, personas):
    # reported before a rule change (the portal now refuses it on entry, below)
    row = ContactChangeRequest.objects.create(
        customer_id=portal_book.wang, kind="phone", value="1380013"
    )
    before = phones(portal_book.wang)
    client.force_login(personas["sam"])
    answer = decide(client, row, "apply")
    assert answer.status_code == 400
    assert "电话" in answer.content.decode() or "号码" in answer.content.decode()
    row.refresh_from_db()
    assert row.status == "pending" and row.reviewed_by is None
    assert phones(portal_book.wang) == before


def test_the_portal_refuses_an_invalid_value_on_entry(portal_book, client):
    portal_sign_in(client, portal_book)
    for kind, value in (("phone", "12345"), ("email", "not-an-address"), ("address", "  ")):
        answer = report(client, kind, value)
        assert answer.status_code == 400, (kind, value)
    assert not ContactChangeRequest.objects.exists()
    assert not Notification.objects.filter(kind="contact_change_requested").exists()


def test_rejected_with_a_reason_the_customer_sees(portal_book, client, personas):
    portal_sign_in(client, portal_book)
    report(client, "address", "上海市浦东新区世纪大道100号")
    row = ContactChangeRequest.objects.get()
    before = sorted(a.text for a in Address.objects.filter(customer_id=portal_book.wang))
    client.force_login(personas["sam"])
    assert decide(client, row, "reject", "").status_code == 400  # a reason is needed
    row.refresh_from_db()
    assert row.status == "pending"
    assert decide(client, row, "reject", "回访未能联系到本人").status_code == 302
    row.refresh_from_db()
    assert row.status == "rejected" and row.reason == "回访未能联系到本人"
    after = sorted(a.text for a in Address.objects.filter(customer_id=portal_book.wang))
    assert after == before
    mine = client.get("/my/contact/").content.decode()
    assert "已驳回" in mine and "回访未能联系到本人" in mine
    # decided once: a second decision is refused
    assert decide(client, row, "apply").status_code == 400


def test_a_new_address_and_email_are_applied(portal_book, client, personas):
    portal_sign_in(client, portal_book)
    report(client, "address", "上海市浦东新区世纪大道100号")
    report(client, "email", "Wang.Fang@example.com")
    client.force_login(personas["mona"])
    for row in ContactChangeRequest.objects.order_by("pk"):
        assert decide(client, row, "apply").status_code == 302
    texts = [a.text for a in Address.objects.filter(customer_id=portal_book.wang)]
    assert "上海市浦东新区世纪大道100号" in texts
    assert [e.address for e in Email.objects.filter(customer_id=portal_book.wang)] == [
        "wang.fang@example.com"
    ]


@pytest.mark.parametrize("username", ["alice", "carol", "dave", "audrey"])
def test_only_customer_service_reviews(portal_book, client, personas, username):
    row = ContactChangeRequest.objects.create(
        customer_id=portal_book.wang, kind="phone", value=NEW_PHONE
    )
    before = phones(portal_book.wang)
    client.force_login(personas[username])
    assert client.get("/customers/change-requests/").status_code == 403
    assert decide(client, row, "apply").status_code == 403
    row.refresh_from_db()
    assert row.status == "pending" and phones(portal_book.wang) == before
