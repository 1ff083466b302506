"""D1.12: a failed delivery to a number not in service raises CONTACT_UNDELIVERABLE once per
customer and phone, on the case workflow's list; any other error class does not."""

from __future__ import annotations

import pytest

from veracity.cases.models import ProblemItem, ProblemItemMember
from veracity.notices.errors import error_class
from veracity.notices.models import CustomerNotice
from veracity.notices.receipts import Receipt, receipts_record
from veracity.notices.sending import notices_send_due
from veracity.notify import sms
from veracity.notify.sms import SmsResult
from veracity.org.principals import system

GATEWAY = system("api:sms-gateway")


@pytest.fixture(autouse=True)
def _outbox(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.VERACITY_SMS_BACKEND = "file"


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        ("isv.MOBILE_NUMBER_ILLEGAL", "", "not_in_service"),
        ("MK:0001", "", "not_in_service"),
        ("MN:0017", "", "not_in_service"),
        ("UNDELIV", "", "not_in_service"),
        ("IC:0055", "空号", "not_in_service"),
        ("XX:1", "用户停机", "not_in_service"),
        ("EXPIRED", "", "unreachable"),
        ("isv.OUT_OF_SERVICE", "业务停机", "account"),  # our account, not the number
        ("isv.BUSINESS_LIMIT_CONTROL", "", "rate_limited"),
        ("BLACK", "", "blocked"),
        ("isv.SMS_TEMPLATE_ILLEGAL", "", "template"),
        ("SOMETHING", "", "other"),
    ],
)
def test_error_classes(code, message, expected):
    assert error_class(code, message) == expected


def items() -> list[ProblemItem]:
    return list(ProblemItem.objects.filter(rule="CONTACT_UNDELIVERABLE"))


def test_an_empty_number_raises_one_item_however_many_notices_fail(policy, holder, record):
    for amount in (100, 200, 300):
        record(policy, "premium_received", {"amount": amount})
    notices_send_due()
    failed = CustomerNotice.objects.filter(channel="sms", recipient_role="policyholder")
    receipts_record(
        principal=GATEWAY,
        receipts=[
            Receipt(success=False, out_id=n.notice_id, err_code="MK:0001", err_msg="空号")
            for n in failed
        ],
    )
    [item] = items()
    assert item.status == "open"
    assert "138****8000" in item.reason_zh
    assert "8000" in item.shared_value and "13800138000" not in item.reason_zh
    members = ProblemItemMember.objects.filter(item=item)
    assert {m.customer_id for m in members} == {holder}
    assert policy.pk in {m.policy_id for m in members}


def test_a_refused_send_with_an_invalid_number_raises_it(policy, record, settings, monkeypatch):
    class Illegal:
        def send(self, message):
            return SmsResult(accepted=False, code="isv.MOBILE_NUMBER_ILLEGAL")

    monkeypatch.setitem(sms._BACKENDS, "illegal", Illegal)
    settings.VERACITY_SMS_BACKEND = "illegal"
    record(policy, "premium_received", {"amount": 100})
    notices_send_due()
    assert len(items()) == 1


@pytest.mark.parametrize("code", ["EXPIRED", "BLACK", "isv.OUT_OF_SERVICE", "OTHER"])
def test_other_error_classes_raise_nothing(policy, record, code):
    record(policy, "premium_received", {"amount": 100})
    notices_send_due()
    notice = CustomerNotice.objects.get(channel="sms")
    receipts_record(
        principal=GATEWAY, receipts=[Receipt(success=False, out_id=notice.notice_id, err_code=code)]
    )
    notice.refresh_from_db()
    assert notice.status == "failed"
    assert items() == []


def test_another_phone_of_the_customer_is_another_item(policy, insured, record):
    event = record(policy, "claim_reviewed", {"claim_no": "C1", "result": "approved"})
    notices_send_due()
    receipts_record(
        principal=GATEWAY,
        receipts=[
            Receipt(success=False, out_id=n.notice_id, err_code="MK:0001")
            for n in CustomerNotice.objects.filter(event=event, channel="sms")
        ],
    )
    assert len(items()) == 2
