"""``POST /api/v1/sms/receipts``: the provider's receipt shape, only from the SMS gateway
system's client, answered as the provider expects; duplicates and receipts out of order
harmless; refusals change nothing."""

from __future__ import annotations

import pytest

from tests.notices.book import policy, record  # noqa: F401  (the notice tests' book)
from veracity.access.models import ApiClient
from veracity.audit.models import AuditEvent
from veracity.notices.models import CustomerNotice, DeliveryReceipt
from veracity.notices.sending import notices_send_due

URL = "/api/v1/sms/receipts"


@pytest.fixture(autouse=True)
def _outbox(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.VERACITY_SMS_BACKEND = "file"


@pytest.fixture
def gateway_token(db) -> str:
    _, token = ApiClient.issue(name="aliyun-sms", system="sms_gateway")
    return token


@pytest.fixture
def sent(policy, record) -> CustomerNotice:  # noqa: F811
    event = record(policy, "premium_received", {"amount": 100})
    notices_send_due()
    return CustomerNotice.objects.get(event=event, channel="sms")


def receipt(notice: CustomerNotice, *, success: bool, code: str = "DELIVERED") -> dict:
    return {
        "phone_number": "13800138000",
        "send_time": "2026-11-26 10:00:00",
        "report_time": "2026-11-26 10:00:05",
        "success": success,
        "err_code": code,
        "err_msg": "用户接收成功" if success else "空号",
        "sms_size": "1",
        "biz_id": notice.provider_id,
        "out_id": notice.notice_id,
    }


def post(client, body, token):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(URL, body, content_type="application/json", headers=headers)


def test_receipts_in_the_providers_shape(client, sent, gateway_token):
    answer = post(client, [receipt(sent, success=True)], gateway_token)
    assert answer.status_code == 200
    assert answer.json() == {"code": 0, "msg": "成功"}
    sent.refresh_from_db()
    assert sent.status == "delivered"


def test_out_of_order_and_duplicates(client, sent, gateway_token):
    """A failure reported, then a late success, then the failure again: the first stands."""
    for body in (
        [receipt(sent, success=False, code="MK:0001")],
        [receipt(sent, success=True), receipt(sent, success=True)],
        [receipt(sent, success=False, code="MK:0001")],
    ):
        assert post(client, body, gateway_token).json() == {"code": 0, "msg": "成功"}
    sent.refresh_from_db()
    assert (sent.status, sent.error_code) == ("failed", "MK:0001")
    assert DeliveryReceipt.objects.count() == 4


def test_an_unknown_message_is_taken(client, db, gateway_token):
    body = [
        {
            "success": True,
            "biz_id": "123^0",
            "out_id": "N-unknown",
            "phone_number": "13800138000",
        }
    ]
    assert post(client, body, gateway_token).status_code == 200
    assert DeliveryReceipt.objects.get().applied is False


@pytest.mark.parametrize("token", [None, "vty_wrong"])
def test_refused_without_the_client(client, sent, token):
    answer = post(client, [receipt(sent, success=True)], token)
    assert answer.status_code == 401
    sent.refresh_from_db()
    assert sent.status == "sent"
    assert DeliveryReceipt.objects.count() == 0


def test_refused_for_another_system(client, sent, api_token):
    answer = post(client, [receipt(sent, success=True)], api_token)
    assert answer.status_code == 403
    assert answer.json()["code"] == "sms_client"
    sent.refresh_from_db()
    assert sent.status == "sent"
    assert DeliveryReceipt.objects.count() == 0
    assert AuditEvent.objects.filter(action="access_refused").exists()


@pytest.mark.parametrize(
    "body",
    [{"success": True}, [{"out_id": "x"}], [{"success": "maybe"}], "nonsense"],
)
def test_a_malformed_body_is_refused(client, sent, gateway_token, body):
    answer = post(client, body, gateway_token)
    assert answer.status_code in (400, 422)
    assert DeliveryReceipt.objects.count() == 0
