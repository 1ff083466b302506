"""The inquiry desk with the test client: verify, the answer page for the verifier only, the
counter's documents, disclosures recorded, third parties, legal bases, the usage summary."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from tests.inquiry.book import CHILD_ID, HOLDER_ID, STRANGER_ID, Book, make_book
from veracity.approvals.models import ApprovalRequest
from veracity.inquiry.models import ChannelEvent, Disclosure, Inquiry, ThirdPartyBasis

pytestmark = pytest.mark.django_db

FORM = {
    "mode": "party",
    "channel": "phone",
    "policy_no": "P2026000001",
    "name": "王芳",
    "id_type": "resident_id",
    "id_number": HOLDER_ID,
    "role": "",
}


@pytest.fixture
def book(db) -> Book:
    return make_book()


def verify(client, **changes):
    return client.post("/inquiries/", {**FORM, **changes})


def nothing_changed_since(before):
    return (Inquiry.objects.count(), Disclosure.objects.count()) == before


def test_the_desk_opens_for_customer_service_only(book, login, personas) -> None:
    assert login(personas["sam"]).get("/inquiries/").status_code == 200
    for who in ("alice", "dave", "audrey"):
        assert login(personas[who]).get("/inquiries/").status_code == 403


def test_a_verified_caller_sees_that_policy_and_the_showing_is_recorded(
    book, login, personas
) -> None:
    client = login(personas["sam"])
    answer = verify(client)
    assert answer.status_code == 302
    inquiry = Inquiry.objects.get()
    assert answer["Location"] == f"/inquiries/{inquiry.inquiry_id}/"
    page = client.get(answer["Location"])
    body = page.content.decode()
    assert page.status_code == 200
    assert "P2026000001" in body and "P2026000002" not in body
    assert "投保人" in body and "王芳" in body and "李小明" in body
    assert HOLDER_ID not in body and CHILD_ID not in body and "1234 567" not in body
    shown = Disclosure.objects.get()
    assert shown.inquiry_ref == inquiry.inquiry_id and shown.channel == "phone"
    assert shown.role == "policyholder" and shown.staff == personas["sam"]
    assert set(shown.sections) == {"policy", "coverage", "premiums", "claims", "changes", "payer"}


def test_a_beneficiary_sees_no_premiums_and_no_account(book, login, personas) -> None:
    client = login(personas["sam"])
    answer = verify(client, policy_no="P2026000002", name="李小明", id_number=CHILD_ID)
    body = client.get(answer["Location"]).content.decode()
    assert 'id="section-premiums"' not in body and "缴费账户" not in body.split("本页告知范围")[1]
    assert Disclosure.objects.get().sections == ["claims", "coverage", "policy"]


@pytest.mark.parametrize(
    "changes",
    [
        {"name": "王芬"},
        {"id_number": STRANGER_ID},
        {"policy_no": "P2099999999"},
        {"role": "insured"},
    ],
)
def test_a_failed_verification_says_only_that_it_failed(book, login, personas, changes) -> None:
    page = verify(login(personas["sam"]), **changes)
    body = page.content.decode()
    assert page.status_code == 200 and "信息不符，无法核实身份" in body
    assert "P2026000002" not in body and "李小明" not in body
    assert Inquiry.objects.get().outcome == "not_verified"
    assert not Disclosure.objects.exists()


def test_a_locked_verification_says_until_when(book, login, personas) -> None:
    client = login(personas["sam"])
    for i in range(5):
        verify(client, name=f"某{i}")
    body = verify(client).content.decode()
    assert "已锁定" in body and "后再试" in body
    assert ChannelEvent.objects.filter(kind="lockout").count() == 1
    assert not Disclosure.objects.exists()


def test_the_counter_without_the_id_card_is_refused_and_nothing_changed(
    book, login, personas
) -> None:
    client = login(personas["sam"])
    before = (Inquiry.objects.count(), Disclosure.objects.count())
    page = verify(client, channel="counter", contract_presented="on")
    assert page.status_code == 400
    assert "柜面查询须由客户出示身份证件和保险合同" in page.content.decode()
    assert nothing_changed_since(before)
    page = verify(client, channel="counter", contract_presented="on", id_card_presented="on")
    assert page.status_code == 302
    inquiry = Inquiry.objects.get()
    assert inquiry.id_card_presented and inquiry.contract_presented


def test_the_answer_page_is_refused_to_another_member_of_staff(book, login, personas) -> None:
    verify(login(personas["sam"]))
    inquiry = Inquiry.objects.get()
    before = (Inquiry.objects.count(), Disclosure.objects.count())
    other = login(personas["mona"])
    assert other.get(f"/inquiries/{inquiry.inquiry_id}/").status_code == 404
    assert nothing_changed_since(before)


def test_the_answer_page_expires(book, login, personas) -> None:
    client = login(personas["sam"])
    verify(client)
    inquiry = Inquiry.objects.get()
    Inquiry.objects.filter(pk=inquiry.pk).update(at=inquiry.at - dt.timedelta(minutes=31))
    page = client.get(f"/inquiries/{inquiry.inquiry_id}/")
    assert page.status_code == 302 and page["Location"] == "/inquiries/"
    assert not Disclosure.objects.exists()


PDF = b"%PDF-1.4 signed"


def test_consent_then_the_third_party_sees_the_consented_sections(book, login, personas) -> None:
    client = login(personas["sam"])
    answer = verify(client, channel="counter", id_card_presented="on", contract_presented="on")
    inquiry_id = Inquiry.objects.get().inquiry_id
    upload = io.BytesIO(PDF)
    upload.name = "consent.pdf"
    made = client.post(
        f"/inquiries/{inquiry_id}/consent/",
        {
            "party_name": "赵律师",
            "party_id_type": "resident_id",
            "party_id_number": STRANGER_ID,
            "sections": ["policy", "claims"],
            "valid_until": (dt.date.today() + dt.timedelta(days=10)).isoformat(),
            "document": upload,
        },
    )
    assert made.status_code == 302 and made["Location"] == answer["Location"]
    assert ThirdPartyBasis.objects.get().status == "in_force"
    third = verify(
        client, mode="third_party", name="赵律师", id_number=STRANGER_ID, channel="phone"
    )
    assert third.status_code == 302
    body = client.get(third["Location"]).content.decode()
    assert 'id="section-policy"' in body and 'id="section-claims"' in body
    assert 'id="section-premiums"' not in body and 'id="section-coverage"' not in body
    assert Disclosure.objects.filter(role="third_party").get().sections == ["claims", "policy"]


def test_a_third_party_without_consent_gets_nothing(book, login, personas) -> None:
    page = verify(login(personas["sam"]), mode="third_party", name="赵律师", id_number=STRANGER_ID)
    assert "信息不符，无法核实身份" in page.content.decode()
    assert not Disclosure.objects.exists()
    assert Inquiry.objects.get().third_party


def test_a_legal_basis_is_recorded_and_approved_on_the_pages(book, login, personas) -> None:
    client = login(personas["sam"])
    upload = io.BytesIO(PDF)
    upload.name = "order.pdf"
    made = client.post(
        "/inquiries/bases/",
        {
            "policy_no": "P2026000001",
            "kind": "court",
            "reference": "(2026)京0101民初1号",
            "party_name": "赵律师",
            "party_id_type": "resident_id",
            "party_id_number": STRANGER_ID,
            "sections": ["policy"],
            "valid_until": (dt.date.today() + dt.timedelta(days=10)).isoformat(),
            "document": upload,
        },
    )
    basis = ThirdPartyBasis.objects.get()
    assert made.status_code == 302 and basis.status == "pending"
    assert ApprovalRequest.objects.filter(owner_id=basis.pk).exists()
    # the recorder sees no decision form; compliance does
    assert 'id="decide"' not in client.get(f"/inquiries/bases/{basis.pk}/").content.decode()
    dave = login(personas["dave"])
    assert 'id="decide"' in dave.get(f"/inquiries/bases/{basis.pk}/").content.decode()
    dave.post(f"/inquiries/bases/{basis.pk}/decide/", {"decision": "approve"})
    mona = login(personas["mona"])
    mona.post(f"/inquiries/bases/{basis.pk}/decide/", {"decision": "approve"})
    basis.refresh_from_db()
    assert basis.status == "in_force"


def test_the_usage_summary_and_its_export(book, login, personas) -> None:
    sam = login(personas["sam"])
    verify(sam)
    verify(sam, name="王芬")
    ChannelEvent.objects.create(channel="web", kind="registration")
    ChannelEvent.objects.create(channel="web", kind="login_failed")
    assert sam.get("/inquiries/usage/").status_code == 403
    client = login(personas["george"])
    page = client.get("/inquiries/usage/")
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and "电话" in body
    assert "王芳" not in body and "P2026000001" not in body
    export = client.get("/inquiries/usage/export.xlsx")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("月份", "渠道", "查询次数", "核实通过")
    phone = [r for r in rows[1:] if r[1] == "电话" and r[2]]
    assert len(phone) == 1 and phone[0][2:5] == (2, 1, 1)
    web = [r for r in rows[1:] if r[1] == "网站自助" and r[7]]
    assert web[0][7] == 1 and web[0][9] == 1
    text = str(rows)
    assert "王芳" not in text and HOLDER_ID not in text


def test_the_customer_service_home_page_links_to_the_desk(book, login, personas) -> None:
    body = login(personas["sam"]).get("/").content.decode()
    assert 'href="/inquiries/"' in body and 'id="home-inquiry-link"' in body
