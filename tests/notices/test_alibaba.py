"""The Alibaba Cloud SMS backend against a local fake of the service (plain http): SendSms
with the approved template code, the params and our notice id; BizId kept; refusals with
the provider's code; an unreachable service is SmsUnavailable; QuerySendDetails polling."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone

from veracity.notices.alibaba import AlibabaBackend
from veracity.notices.models import CustomerNotice
from veracity.notices.receipts import notices_poll
from veracity.notices.sending import notices_send_due
from veracity.notify.sms import SmsMessage, SmsUnavailable


class FakeDysms(BaseHTTPRequestHandler):
    """Answers SendSms and QuerySendDetails like the service (RPC style, JSON)."""

    calls: list[dict[str, str]] = []
    send_code = "OK"
    detail_status = 3

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        params = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
        params.update({k: v[0] for k, v in parse_qs(body).items()})
        # the SDK's v3 signature names the action and the key in headers
        params["Action"] = self.headers.get("x-acs-action", params.get("Action", ""))
        params["Authorization"] = self.headers.get("Authorization", "")
        type(self).calls.append(params)
        if params.get("Action") == "SendSms":
            answer: dict[str, Any] = {"Code": self.send_code, "Message": "OK", "RequestId": "r1"}
            if self.send_code == "OK":
                answer["BizId"] = "900619^4112"
            else:
                answer["Message"] = "手机号码格式错误"
        else:
            answer = {
                "Code": "OK",
                "Message": "OK",
                "RequestId": "r2",
                "TotalCount": 1,
                "SmsSendDetailDTOs": {
                    "SmsSendDetailDTO": [
                        {
                            "PhoneNum": params.get("PhoneNumber", ""),
                            "SendStatus": self.detail_status,
                            "ErrCode": "DELIVERED" if self.detail_status == 3 else "MK:0001",
                            "TemplateCode": "SMS_470100003",
                            "SendDate": "2026-11-26 10:00:00",
                            "ReceiveDate": "2026-11-26 10:00:05",
                            "OutId": params.get("OutId", ""),
                        }
                    ]
                },
            }
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def fake(settings):
    FakeDysms.calls = []
    FakeDysms.send_code = "OK"
    FakeDysms.detail_status = 3
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeDysms)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.VERACITY_SMS_BACKEND = "alibaba"
    settings.VERACITY_ALIBABA_SMS_ENDPOINT = f"127.0.0.1:{server.server_address[1]}"
    settings.VERACITY_ALIBABA_SMS_PROTOCOL = "http"
    settings.VERACITY_ALIBABA_SMS_ACCESS_KEY_ID = "test-key"
    settings.VERACITY_ALIBABA_SMS_ACCESS_KEY_SECRET = "test-secret"
    settings.VERACITY_ALIBABA_SMS_SIGN_NAME = "测试保险"
    yield FakeDysms
    server.shutdown()
    server.server_close()


MESSAGE = SmsMessage(
    notice_id="N1", to="+8613800138000", template="SMS_470100003", params={"amount": "1,200.00"}
)


def test_send_sms(fake):
    result = AlibabaBackend().send(MESSAGE)
    assert result.accepted and result.provider_id == "900619^4112"
    [call] = fake.calls
    assert call["Action"] == "SendSms"
    assert call["PhoneNumbers"] == "13800138000"
    assert call["TemplateCode"] == "SMS_470100003"
    assert call["SignName"] == "测试保险"
    assert call["OutId"] == "N1"
    assert json.loads(call["TemplateParam"]) == {"amount": "1,200.00"}
    assert "Credential=test-key" in call["Authorization"]


def test_a_refusal_carries_the_providers_code(fake):
    fake.send_code = "isv.MOBILE_NUMBER_ILLEGAL"
    result = AlibabaBackend().send(MESSAGE)
    assert not result.accepted
    assert result.code == "isv.MOBILE_NUMBER_ILLEGAL"


def test_an_unreachable_service_is_unavailable(settings):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.VERACITY_ALIBABA_SMS_ENDPOINT = f"127.0.0.1:{port}"
    settings.VERACITY_ALIBABA_SMS_PROTOCOL = "http"
    settings.VERACITY_ALIBABA_SMS_TIMEOUT_MS = 500
    settings.VERACITY_ALIBABA_SMS_ACCESS_KEY_ID = "test-key"
    settings.VERACITY_ALIBABA_SMS_ACCESS_KEY_SECRET = "test-secret"
    with pytest.raises(SmsUnavailable):
        AlibabaBackend().send(MESSAGE)


def test_through_the_outbox_and_the_poll(fake, policy, record):
    event = record(policy, "premium_received", {"amount": 1200})
    notices_send_due()
    notice = CustomerNotice.objects.get(event=event, channel="sms")
    assert (notice.status, notice.provider_id) == ("sent", "900619^4112")
    polled = notices_poll(now=timezone.now() + timedelta(hours=7))
    assert polled == (1, 1)
    notice.refresh_from_db()
    assert notice.status == "delivered"
    query = fake.calls[-1]
    assert query["Action"] == "QuerySendDetails"
    assert query["BizId"] == "900619^4112"
    assert query["PhoneNumber"] == "13800138000"


def test_an_empty_number_found_by_polling_raises_the_clue(fake, policy, record):
    from veracity.cases.models import ProblemItem

    fake.detail_status = 2
    record(policy, "premium_received", {"amount": 1200})
    notices_send_due()
    notices_poll(now=timezone.now() + timedelta(hours=7))
    notice = CustomerNotice.objects.get(channel="sms")
    assert (notice.status, notice.error_code) == ("failed", "MK:0001")
    assert ProblemItem.objects.filter(rule="CONTACT_UNDELIVERABLE").count() == 1


def test_without_credentials_it_is_refused_as_the_accounts_fault(fake, settings):
    from veracity.notices.errors import error_class

    settings.VERACITY_ALIBABA_SMS_ACCESS_KEY_ID = ""
    settings.VERACITY_ALIBABA_SMS_ACCESS_KEY_SECRET = ""
    result = AlibabaBackend().send(MESSAGE)
    assert not result.accepted
    assert error_class(result.code) == "account"
    assert fake.calls == []
