"""The Alibaba Cloud SMS backend (``VERACITY_SMS_BACKEND = "alibaba"``).

``SendSms`` with the notice's approved template code and its parameters (``OutId`` = our
notice id, so the delivery receipt names it); the provider's ``BizId`` is kept as the
message id. ``QuerySendDetails`` answers the polling of notices without a receipt.

Settings: ``VERACITY_ALIBABA_SMS_ACCESS_KEY_ID`` / ``…_ACCESS_KEY_SECRET`` (from the
environment, never in a settings file), ``VERACITY_ALIBABA_SMS_SIGN_NAME``,
``VERACITY_ALIBABA_SMS_ENDPOINT`` (default ``dysmsapi.aliyuncs.com``),
``VERACITY_ALIBABA_SMS_PROTOCOL`` (``https``; ``http`` only for a local test server),
``VERACITY_ALIBABA_SMS_TIMEOUT_MS`` (default 5000).

A refusal (``Code`` other than ``OK``) is a refused :class:`SmsResult` with the provider's
code; a service that cannot be reached, or answers with a server error, raises
:class:`SmsUnavailable` so that the sender retries."""

from __future__ import annotations

import json
import os
from typing import Any

from django.conf import settings

from veracity.notify.sms import SmsMessage, SmsResult, SmsUnavailable, register_backend


def _setting(name: str, default: str = "") -> str:
    return str(getattr(settings, name, "") or os.environ.get(name, "") or default)


def _national(number: str) -> str:
    """Alibaba wants mainland numbers without +86."""
    return number[3:] if number.startswith("+86") else number


class AlibabaBackend:
    def __init__(self) -> None:
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi.models import Config

        config = Config(
            access_key_id=_setting("VERACITY_ALIBABA_SMS_ACCESS_KEY_ID"),
            access_key_secret=_setting("VERACITY_ALIBABA_SMS_ACCESS_KEY_SECRET"),
            endpoint=_setting("VERACITY_ALIBABA_SMS_ENDPOINT", "dysmsapi.aliyuncs.com"),
            protocol=_setting("VERACITY_ALIBABA_SMS_PROTOCOL", "https"),
            region_id="cn-hangzhou",
        )
        self.client = Client(config)
        self.sign_name = _setting("VERACITY_ALIBABA_SMS_SIGN_NAME")
        self.timeout = int(_setting("VERACITY_ALIBABA_SMS_TIMEOUT_MS", "5000"))

    def _runtime(self) -> Any:
        from darabonba.runtime import RuntimeOptions

        return RuntimeOptions(
            autoretry=False, read_timeout=self.timeout, connect_timeout=self.timeout
        )

    def _call(self, method: str, request: Any) -> Any:
        from alibabacloud_tea_openapi.exceptions import ClientException

        try:
            return getattr(self.client, method)(request, self._runtime()).body
        except ClientException as exc:  # the provider's "no" (throttling is tried again)
            return _Refused(str(getattr(exc, "code", "") or "REFUSED"), str(exc))
        except Exception as exc:
            raise SmsUnavailable(f"Alibaba SMS: {type(exc).__name__}") from exc

    def send(self, message: SmsMessage) -> SmsResult:
        from alibabacloud_dysmsapi20170525 import models

        request = models.SendSmsRequest(
            phone_numbers=_national(message.to),
            sign_name=self.sign_name,
            template_code=message.template,
            template_param=json.dumps(
                {k: str(v) for k, v in dict(message.params).items()}, ensure_ascii=False
            ),
            out_id=message.notice_id,
        )
        body = self._call("send_sms_with_options", request)
        if isinstance(body, _Refused):
            return SmsResult(accepted=False, code=body.code, message=body.message)
        if str(body.code) == "OK":
            return SmsResult(accepted=True, provider_id=str(body.biz_id or ""))
        return SmsResult(accepted=False, code=str(body.code or ""), message=str(body.message or ""))

    def query(self, notice: Any) -> list[Any]:
        """The receipts ``QuerySendDetails`` knows of ``notice`` (a sent CustomerNotice):
        only final ones (status 2 failed, 3 delivered; 1 is still waiting)."""
        from alibabacloud_dysmsapi20170525 import models

        from veracity.notices.receipts import Receipt

        sent_on = notice.sent_at.astimezone().strftime("%Y%m%d") if notice.sent_at else ""
        request = models.QuerySendDetailsRequest(
            phone_number=_national(notice.address),
            biz_id=notice.provider_id or None,
            send_date=sent_on,
            page_size=10,
            current_page=1,
        )
        body = self._call("query_send_details_with_options", request)
        if isinstance(body, _Refused) or str(body.code) != "OK":
            return []
        dtos = getattr(body.sms_send_detail_dtos, "sms_send_detail_dto", None) or []
        out = []
        for dto in dtos:
            if dto.out_id and dto.out_id != notice.notice_id:
                continue
            if dto.send_status not in (2, 3):
                continue
            out.append(
                Receipt(
                    success=dto.send_status == 3,
                    out_id=notice.notice_id,
                    biz_id=notice.provider_id,
                    err_code="" if dto.send_status == 3 else str(dto.err_code or ""),
                    report_time=str(dto.receive_date or ""),
                    raw=dto.to_map(),
                )
            )
        return out


class _Refused:
    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message


register_backend("alibaba", AlibabaBackend)
