"""The borrowed file's pages (issue 12): the request form names the policy or item, errors
naming the field in both languages; the customer file says it is borrowed, for what and
until when, and returns it; the customer-360 panel for every role that opens the file."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.web.factories import other_application, seller_for, store
from veracity.access.governance import access_request_decide, access_request_submit
from veracity.access.models import AccessGrant, AccessRequest
from veracity.cases.models import ProblemItem
from veracity.detection.services import problem_item_add_manual
from veracity.org.principals import Staff

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def remember(client, purpose="callback"):
    session = client.session
    session["veracity_purpose"] = purpose
    session.save()
    return client


@pytest.fixture
def zhang(personas, application):
    seller_for(personas["alice"])
    _own, other = store(application, other_application())
    customer = other.roles.get(role="policyholder").customer
    problem_item_add_manual(
        customer_ids=[customer.pk],
        reason="回访中客户称未签名",
        business_date=timezone.localdate(),
        principal=Staff(personas["sam"]),
    )
    return customer


def form(customer, **changes):
    return {
        "kind": "borrow",
        "customers": customer.archive_no,
        "subject": "客户来电核实保单",
        "purpose": "callback",
        "reason": "客户称曾通过本人购买保单",
        "scope": "view",
        "days": "3",
        **changes,
    }


def lent(personas, customer, **named):
    made = access_request_submit(
        principal=Staff(personas["alice"]),
        customer_ids=[customer.pk],
        subject="客户来电核实保单",
        purpose="callback",
        reason="客户称曾通过本人购买保单",
        **named,
    )
    for approver in ("henry", "sam"):
        access_request_decide(principal=Staff(personas[approver]), request_id=made.pk, approve=True)
    return AccessGrant.objects.get(request=made)


@pytest.mark.parametrize(
    ("field", "value", "zh", "en"),
    [
        (
            "policy",
            "A2026110001",  # alice's own policy, not one of 张伟's
            "所涉保单: 所申请的客户档案中没有此保单",
            "Policy it is about: no such policy in the customer files asked for",
        ),
        (
            "item",
            "99999",
            "所涉问题件: 所申请的客户档案中没有此问题件",
            "Problem item it is about: no such problem item in the customer files asked for",
        ),
    ],
)
def test_the_form_names_the_field_of_a_policy_or_item_outside_the_file(
    login, personas, zhang, field, value, zh, en
):
    client = login(personas["alice"])
    response = client.post("/access/new/", form(zhang, **{field: value}))
    assert response.status_code == 400 and not AccessRequest.objects.exists()
    assert zh in html(response)
    client.cookies["django_language"] = "en"
    english = client.post("/access/new/", form(zhang, **{field: value}))
    assert english.status_code == 400 and en in html(english)
    assert not AccessRequest.objects.exists()


def test_the_form_takes_a_policy_number_and_an_item_number(login, personas, zhang):
    item = ProblemItem.objects.get(rule="MANUAL")
    client = login(personas["alice"])
    response = client.post("/access/new/", form(zhang, policy=" A2026110099 ", item=f"#{item.pk}"))
    assert response.status_code == 302
    made = AccessRequest.objects.get()
    assert (made.policy.application_no, made.item_id) == ("A2026110099", item.pk)
    page = html(client.get(f"/access/{made.pk}/"))
    assert 'id="borrowed-for"' in page and "A2026110099" in page and f"#{item.pk}" in page


def test_the_borrowed_file_says_so_and_is_returned_from_its_page(login, personas, zhang):
    grant = lent(personas, zhang, policy_no="A2026110099")
    client = remember(login(personas["alice"]))
    page = html(client.get(f"/customers/{zhang.pk}/"))
    until = timezone.localtime(grant.ends_at).strftime("%Y-%m-%d %H:%M")
    assert f"借阅至 {until}" in page
    assert "本档案系借阅查看" in page and "用途：回访" in page
    assert "借阅事项：保单" in page and "A2026110099" in page
    assert f'action="/access/grants/{grant.pk}/return/"' in page and ">归还<" in page
    # the policy it was asked for is listed and opens
    assert "/applications/" in page and "您的查看范围内没有保单" not in page
    assert client.get(f"/applications/{grant.request.policy_id}/").status_code == 200

    response = client.post(f"/access/grants/{grant.pk}/return/")
    assert response.status_code == 302 and response["Location"].endswith("?state=returned")
    grant.refresh_from_db()
    assert grant.returned_at is not None
    register = html(client.get(response["Location"]))
    assert f"#{grant.request_id}" in register and "已归还" in register
    assert client.get(f"/customers/{zhang.pk}/").status_code == 404
    assert client.get(f"/applications/{grant.request.policy_id}/").status_code == 404
    # returning again is refused with words, not an error page
    again = client.post(f"/access/grants/{grant.pk}/return/", follow=True)
    assert again.status_code == 200 and "没有待归还的借阅" in html(again)


def test_nobody_returns_somebody_elses_loan_from_the_page(login, personas, zhang):
    grant = lent(personas, zhang)
    client = login(personas["sam"])
    response = client.post(f"/access/grants/{grant.pk}/return/", follow=True)
    assert "没有待归还的借阅" in html(response)
    grant.refresh_from_db()
    assert grant.returned_at is None
    assert client.get(f"/access/grants/{grant.pk}/return/").status_code == 405


# who opens 张伟's file, and whether the panel shows the item, alice's request and her loan
PANEL = {
    "alice": (False, True, True),
    "carol": (True, False, False),
    "sam": (True, True, False),
    "dave": (True, True, True),
    "ivan": (True, True, True),
    "mona": (True, True, True),
}


@pytest.mark.parametrize("reader", sorted(PANEL))
def test_the_panel_on_the_customer_page_per_role(login, personas, zhang, reader):
    grant = lent(personas, zhang)
    item = ProblemItem.objects.get(rule="MANUAL")
    client = remember(login(personas[reader]))
    response = client.get(f"/customers/{zhang.pk}/")
    assert response.status_code == 200
    page = html(response)
    assert 'id="customer-panel"' in page and "客户全景" in page
    shows_item, shows_request, shows_loan = PANEL[reader]
    panel = page.split('id="customer-panel"', 1)[1].split("</section>", 1)[0]
    assert (f"/problems/{item.pk}/" in panel) is shows_item
    assert (f"/access/{grant.request_id}/" in panel.split('id="panel-grants"')[0]) is shows_request
    assert (f"/access/{grant.request_id}/" in panel.split('id="panel-grants"')[1]) is shows_loan
    assert ("本档案系借阅查看" in page) is (reader == "alice")
    assert "MANUAL" not in panel and "callback" not in panel  # words, not codes


@pytest.mark.parametrize("reader", ["audrey", "george"])
def test_no_panel_for_those_who_may_not_open_the_file(login, personas, zhang, reader):
    lent(personas, zhang)
    client = remember(login(personas[reader]))
    response = client.get(f"/customers/{zhang.pk}/")
    assert response.status_code in (403, 404)
    assert "customer-panel" not in html(response)
