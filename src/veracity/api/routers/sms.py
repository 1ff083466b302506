"""SMS delivery receipts (NT-2): ``POST /api/v1/sms/receipts`` in the provider's receipt shape
(Alibaba Cloud's SmsReport message: a JSON list), from the SMS gateway system's API client;
answered ``{"code": 0, "msg": "成功"}`` as the provider expects. Duplicates, receipts out of
order and receipts for unknown messages are taken without error (``notices.receipts``)."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Body, Router, Schema, Status
from pydantic import ConfigDict, Field

from veracity.access.models import ApiClient
from veracity.access.policy import endpoint_action, record_refusal
from veracity.api.auth import client_of, principal_of_client
from veracity.api.schemas import CaseErrorOut, RejectedOut
from veracity.audit.services import Actor
from veracity.db.addresses import request_address
from veracity.notices.receipts import Receipt, receipts_record
from veracity.notices.refusals import NoticeError

router = Router(tags=["sms"])

Short = Annotated[str, Field(max_length=64)]


class ReceiptIn(Schema):
    """One delivery receipt as the provider sends it (``out_id`` = the notice id)."""

    model_config = ConfigDict(extra="ignore")

    phone_number: Annotated[str, Field(max_length=20)] = ""
    send_time: Annotated[str, Field(max_length=32)] = ""
    report_time: Annotated[str, Field(max_length=32)] = ""
    success: bool
    err_code: Short = ""
    err_msg: Annotated[str, Field(max_length=200)] = ""
    sms_size: Annotated[str, Field(max_length=8)] = ""
    biz_id: Short = ""
    out_id: Short = ""


class ReceiptsOut(Schema):
    code: int
    msg: str


@router.post(
    "/receipts",
    response={
        200: ReceiptsOut,
        400: CaseErrorOut,
        401: Any,
        403: CaseErrorOut,
        413: CaseErrorOut,
        422: RejectedOut,
    },
    summary="Delivery receipts of SMS notices (the provider's receipt shape)",
    description="Only the SMS gateway system's client; 403 for any other, nothing recorded;"
    " 422 for a body that is not a list of receipts (at most 1,000).",
)
@endpoint_action("sms.receipts")
def sms_receipts(
    request: HttpRequest, payload: Annotated[list[ReceiptIn], Body(max_length=1000)]
) -> Any:
    client = client_of(request)
    if client.system != ApiClient.System.SMS_GATEWAY:
        refusal = NoticeError("sms_client")
        record_refusal(
            actor=Actor(label=f"api:{client.name}", ip=request_address(request)),
            action="sms.receipts",
            object_type="delivery_receipt",
            object_id="",
            detail={"code": refusal.code},
        )
        return Status(403, refusal.to_dict())
    receipts_record(
        principal=principal_of_client(request, as_person=False),
        receipts=[
            Receipt(
                success=r.success,
                out_id=r.out_id,
                biz_id=r.biz_id,
                err_code=r.err_code,
                err_msg=r.err_msg,
                report_time=r.report_time,
                raw=r.model_dump(),
            )
            for r in payload
        ],
    )
    return Status(200, {"code": 0, "msg": "成功"})
