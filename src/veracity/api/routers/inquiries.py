"""``/api/v1/inquiries``: verification of an inquirer for the call centre's and the counters'
systems (IQ-1, D1.17, D1.19), through the one verification service
(``veracity.inquiry.verification.inquirer_verify``) the staff desk uses.

The answer is the same shape whatever was wrong: ``verified`` false with ``reason_code``
``not_verified`` for an unknown policy, a wrong name, a wrong ID number or a wrong role; after
too many failures ``locked``. Every attempt is recorded and audited with the client's address.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import ConfigDict, StringConstraints

from veracity.access.policy import endpoint_action
from veracity.api.auth import client_of, principal_of_client
from veracity.api.schemas import CaseErrorOut, RejectedOut
from veracity.inquiry.verification import inquirer_verify

router = Router(tags=["inquiries"])

Printable = r"^[^\x00-\x1f\x7f]*\S[^\x00-\x1f\x7f]*$"
PolicyNo = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,40}$")]
Name = Annotated[str, StringConstraints(pattern=Printable, min_length=1, max_length=100)]
IdType = Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,20}$")]
IdNumber = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9()（）-]{1,40}$")]

if TYPE_CHECKING:
    ChannelCode: TypeAlias = str
    RoleCode: TypeAlias = str
else:
    from typing import Literal

    ChannelCode = Literal["phone", "counter", "web"]
    RoleCode = Literal["policyholder", "insured", "beneficiary"]


class InquiryVerifyIn(Schema):
    model_config = ConfigDict(strict=True, extra="forbid")

    channel: ChannelCode
    policy_no: PolicyNo
    name: Name
    id_type: IdType
    id_number: IdNumber
    role: RoleCode | None = None


class InquiryVerifyOut(Schema):
    verified: bool
    role: str | None
    inquiry_id: str
    reason_code: str


@router.post(
    "/verify",
    response={
        200: InquiryVerifyOut,
        400: CaseErrorOut,
        401: Any,
        403: CaseErrorOut,
        422: RejectedOut,
    },
    summary="Verify an inquirer as a party of a policy (policyholder, insured, beneficiary)",
    description="The same answer for an unknown policy as for wrong data (reason_code "
    "not_verified); after 5 failures for one policy number or one ID number within 24 hours, "
    "locked for 30 minutes (reason_code locked). Every attempt is audited.",
)
@endpoint_action("inquiries.verify")
def verify(request: HttpRequest, payload: InquiryVerifyIn) -> Any:
    principal = principal_of_client(request, purpose="inquiry")
    result = inquirer_verify(
        principal=principal,
        system=client_of(request).system,
        channel=payload.channel,
        policy_no=payload.policy_no,
        name=payload.name,
        id_type=payload.id_type,
        id_number=payload.id_number,
        role=payload.role,
    )
    return result.to_dict()
