"""The customer's pages: their policies in each role, one policy scoped to their role (a
beneficiary is not told the premiums), a policy not their own is not found exactly like an
unknown one, and every view is recorded as a disclosure on channel ``web``."""

from __future__ import annotations

import json
import re

import pytest

from tests.portal.factories import P1, P2, P3
from tests.portal.helpers import portal_sign_in
from veracity.audit.models import AuditEvent
from veracity.inquiry.models import Disclosure
from veracity.policies.models import Policy

pytestmark = pytest.mark.django_db


def test_the_customer_sees_their_policies_in_two_roles(portal_book, client):
    portal_sign_in(client, portal_book)
    page = client.get("/my/").content.decode()
    assert P1 in page and P2 in page and P3 not in page
    assert 'data-role="policyholder"' in page and 'data-role="insured"' in page
    assert "投保人" in page and "被保险人" in page
    assert "保费待缴" in page  # P1's premium due, at a glance
    shown = Disclosure.objects.filter(channel="web", customer_id=portal_book.wang)
    assert sorted(shown.values_list("policy__policy_no", "role")) == [
        (P1, "policyholder"),
        (P2, "insured"),
    ]


def test_a_policy_page_is_recorded_as_a_web_disclosure(portal_book, client):
    portal_sign_in(client, portal_book)
    page = client.get(f"/my/policies/{P1}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "1200.00" in text and "保费待缴" in text
    assert "4567" in text and "6222 0202" not in text  # the payer's account masked
    row = Disclosure.objects.get(channel="web", policy__policy_no=P1)
    assert row.customer_id == portal_book.wang and row.role == "policyholder"
    assert row.staff is None
    assert "premiums" in row.sections and "payer" in row.sections
    event = AuditEvent.objects.filter(action="inquiry.disclosed").order_by("-seq").first()
    assert event.actor == f"customer:{portal_book.wang}"
    assert json.loads(event.detail)["channel"] == "web"


def test_a_beneficiary_sees_no_premiums(portal_book, client):
    portal_sign_in(client, portal_book, who="li")
    home = client.get("/my/").content.decode()
    assert 'data-role="beneficiary"' in home and "受益人" in home
    page = client.get(f"/my/policies/{P1}/").content.decode()
    assert 'id="policy-claims"' in page
    assert 'id="policy-premiums"' not in page
    assert "1200" not in page and "4567" not in page
    row = Disclosure.objects.filter(policy__policy_no=P1, customer_id=portal_book.li).last()
    assert row.role == "beneficiary"
    assert not {"premiums", "payer", "changes"} & set(row.sections)


@pytest.mark.parametrize("policy_no", [P3, "P2099999999", "A2026120001", "x" * 60, "'\"<b>"])
def test_a_policy_not_ones_own_is_not_found_like_an_unknown_one(portal_book, client, policy_no):
    portal_sign_in(client, portal_book)
    before = Disclosure.objects.count()
    answer = client.get(f"/my/policies/{policy_no}/")
    unknown = client.get("/my/policies/P2000000000/")
    assert answer.status_code == unknown.status_code == 404

    def strip(html: str) -> str:
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
        html = re.sub(r'name="next" type="hidden" value="[^"]+"', "", html)
        return html.replace(policy_no, "").replace("P2000000000", "")

    assert strip(answer.content.decode()) == strip(unknown.content.decode())
    assert "未找到该保单" in answer.content.decode()
    assert Disclosure.objects.count() == before
    assert Policy.objects.filter(policy_no=P3).exists()


def test_the_notices_page_exists(portal_book, client):
    portal_sign_in(client, portal_book)
    page = client.get("/my/notices/")
    assert page.status_code == 200
    assert "暂无发送给您的通知" in page.content.decode()


def test_the_notices_page_lists_a_notice_once_with_its_channels(portal_book, client):
    """A premium received, recorded through the events service, is noticed to the
    policyholder (portal, SMS); the page shows it once, with the SMS's state in words."""
    from veracity.org.principals import system
    from veracity.policies.event_services import policy_events_record

    result = policy_events_record(
        principal=system("test"),
        records=[
            (
                1,
                {
                    "event_id": "E-P1-2",
                    "policy_no": P1,
                    "kind": "premium_received",
                    "occurred_on": "2026-11-25",
                    "data": {"amount": 1200, "period": 2},
                },
            )
        ],
        source="test",
    )
    assert result.accepted == 1, result
    portal_sign_in(client, portal_book)
    page = client.get("/my/notices/").content.decode()
    items = re.findall(r"<li>.*?</li>", page.split('id="my-notices"')[1], flags=re.S)
    assert len(items) == 1, items
    assert "1,200.00" in items[0] and "短信 待发送" in items[0]
    assert "暂无发送给您的通知" not in page


def test_english_on_request(portal_book, client):
    portal_sign_in(client, portal_book)
    client.post("/my/language/", {"language": "en", "next": "/my/"})
    page = client.get("/my/").content.decode()
    assert "My policies" in page and "Policyholder" in page
    client.post("/my/language/", {"language": "zh-hans", "next": "/my/"})
    assert "我的保单" in client.get("/my/").content.decode()


def test_chinese_portal_pages_hold_no_english(portal_book, client):
    portal_sign_in(client, portal_book)
    for path in ("/my/", f"/my/policies/{P1}/", "/my/notices/", "/my/contact/"):
        html = client.get(path).content.decode()
        body = re.sub(r"<[^>]+>", " ", html.split("<body", 1)[1].split(">", 1)[1])
        body = re.sub(r"&[a-z]+;", " ", body)
        words = set(re.findall(r"[A-Za-z]{3,}", body)) - {"Veracity", "English", "WL"}
        assert words == set(), (path, words)
