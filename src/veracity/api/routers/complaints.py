"""The complaints register for the customer-service system (SF-2, D1.14), and the results
of the second callbacks of a re-check (SD-4).

As for problem items (``api/routers/cases.py``), a system acts through the person designated
for it: each call runs the same service as the staff page *as that person*, with that
person's roles and the separation rule of 查实 (never the seller complained about, their team
leader or their agency's staff); the call itself is recorded under the system. A system
without a designated person is refused (403). Refusals keep the service's code, field and
zh/en message: 404 for a complaint one may not see, 403 for a step one may not take, 409 for
a complaint already decided, 400 otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias, TypeVar

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.params import P, PathEx
from pydantic import ConfigDict, Field, StringConstraints

from veracity.access.policy import endpoint_action, record_refusal
from veracity.api.auth import principal_of_client
from veracity.api.routers.cases import NO_DESIGNATED_PERSON, Said, Text
from veracity.api.schemas import CaseErrorOut
from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record
from veracity.conduct.callbacks import MAX_NOTE, callback_record
from veracity.conduct.complaints import (
    MAX_BASIS,
    ComplaintError,
    complaint_for,
    complaint_id_of,
    complaint_record,
    complaint_verify,
)
from veracity.conduct.models import Complaint
from veracity.core.complaints import ComplaintIn
from veracity.core.conduct import CallbackResult
from veracity.core.refusals import Kind, Refusal
from veracity.core.schema import IDENTIFIER
from veracity.org.principals import System

router = Router(tags=["complaints"])
callbacks_router = Router(tags=["complaints"])

MAX_ID = 2**63 - 1
ComplaintNo = PathEx[
    Annotated[str, StringConstraints(pattern=IDENTIFIER)],
    P(description="Complaint number (投诉编号)"),
]
PolicyNo = PathEx[
    Annotated[str, StringConstraints(pattern=IDENTIFIER)],
    P(description="Policy number (or the application number of a policy not issued yet)"),
]
ItemId = PathEx[int, P(ge=1, le=MAX_ID, description="Problem item id")]

if TYPE_CHECKING:
    ResultCode: TypeAlias = str
else:
    ResultCode = Literal[tuple(r.value for r in CallbackResult)]


class _In(Schema):
    model_config = ConfigDict(strict=True, extra="forbid")


class VerifyIn(_In):
    verified: bool = Field(description="true: verified (查实); false: found unfounded")
    basis: Said = Field(..., max_length=MAX_BASIS, description="What the decision rests on")
    verified_on: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")] = Field(
        description="YYYY-MM-DD"
    )


class CallbackIn(_In):
    result: ResultCode
    note: Text = Field("", max_length=MAX_NOTE)


class SellerOut(Schema):
    code: str
    name: str


class ComplaintOut(Schema):
    complaint_no: str
    received_on: date
    policy_no: str | None
    seller: SellerOut | None
    agency: SellerOut | None
    category: str
    summary: str
    status: Literal["received", "investigating", "verified", "not_verified"]
    verified: bool | None
    verified_on: date | None
    verified_by: str
    basis: str
    source: str
    investigator: str


class RecordedOut(ComplaintOut):
    outcome: Literal["created", "updated", "unchanged"]


class CallbackOut(Schema):
    item_id: int
    policy_no: str
    result: str
    note: str


def _seller(s: Any) -> dict[str, str] | None:
    return {"code": s.code, "name": s.name} if s is not None else None


def complaint_out(complaint: Complaint) -> dict[str, Any]:
    return {
        "complaint_no": complaint.complaint_no,
        "received_on": complaint.received_on,
        "policy_no": complaint.policy.policy_no if complaint.policy is not None else None,
        "seller": _seller(complaint.seller),
        "agency": _seller(complaint.agency),
        "category": complaint.category,
        "summary": complaint.summary,
        "status": complaint.status,
        "verified": complaint.verified,
        "verified_on": complaint.verified_on,
        "verified_by": complaint.verified_by.get_username() if complaint.verified_by else "",
        "basis": complaint.basis,
        "source": complaint.source,
        "investigator": complaint.investigator.get_username() if complaint.investigator else "",
    }


T = TypeVar("T")


def _as_designated(
    request: HttpRequest, action: str, object_id: str, step: Callable[[System], T]
) -> T | Status[Any]:
    """Run ``step`` as the client's designated person and record the call under the client,
    in one transaction; a refusal changes nothing, a forbidden one is recorded."""
    principal = principal_of_client(request)
    if principal.person is None:
        record_refusal(
            actor=Actor.of_principal(principal),
            action=action,
            object_type="complaint",
            object_id=object_id,
            detail={"code": "no_designated_person"},
        )
        return Status(403, NO_DESIGNATED_PERSON)
    try:
        with transaction.atomic():
            done = step(principal)
            audit_record(
                actor=Actor.of_principal(principal),
                event=Event(
                    action=Action.API_CALL,
                    object_type="complaint",
                    object_id=object_id[:64],
                    detail={"action": action, "as": principal.person.get_username()},
                ),
            )
    except Refusal as error:
        # what the service recorded inside the transaction went with it: a forbidden
        # attempt is recorded again, after the rollback
        if error.kind is Kind.FORBIDDEN:
            record_refusal(
                actor=Actor.of_principal(principal),
                action=action,
                object_type="complaint",
                object_id=object_id[:64],
                detail={"code": error.key, "as": principal.person.get_username()},
            )
        raise
    return done


def _id_of(complaint_no: str) -> int:
    found = complaint_id_of(complaint_no)
    if found is None:
        raise ComplaintError("not_found", "complaint_no")
    return found


ERRORS: dict[int, Any] = {
    400: CaseErrorOut,
    401: Any,
    403: CaseErrorOut,
    404: CaseErrorOut,
    409: CaseErrorOut,
    422: Any,
}


@router.post(
    "",
    response={200: RecordedOut, 201: RecordedOut, **ERRORS},
    summary="Record a complaint (or bring it up to date) by its number",
    description=(
        "The customer-service system records a complaint against a seller or an agency. "
        "Sent again with the same content: unchanged (200); changed: updated (200); new: 201. "
        "A decision it carries (verified true/false with verified_on) is recorded as the "
        "source system's; a verified complaint is never un-verified (409)."
    ),
)
@endpoint_action("complaints.record")
def record_complaint(request: HttpRequest, payload: ComplaintIn) -> Any:
    source = f"api:{principal_of_client(request, as_person=False).client_name.removeprefix('api:')}"

    def step(principal: System) -> Any:
        complaint, outcome = complaint_record(
            record=payload.model_dump(), principal=principal, source=source
        )
        complaint = Complaint.objects.select_related(
            "seller", "agency", "policy", "verified_by", "investigator"
        ).get(pk=complaint.pk)
        return Status(
            201 if outcome == "created" else 200, {**complaint_out(complaint), "outcome": outcome}
        )

    return _as_designated(request, "complaints.record", payload.complaint_no, step)


@router.get(
    "/{complaint_no}",
    response={200: ComplaintOut, **ERRORS},
    summary="One complaint: whom it is against, its status and verification",
)
@endpoint_action("complaints.view")
def read_complaint(request: HttpRequest, complaint_no: ComplaintNo) -> Any:
    def step(principal: System) -> Any:
        complaint = complaint_for(principal=principal, complaint_id=_id_of(complaint_no))
        return Status(200, complaint_out(complaint))

    return _as_designated(request, "complaints.view", complaint_no, step)


@router.post(
    "/{complaint_no}/verify",
    response={200: ComplaintOut, **ERRORS},
    summary="Decide a complaint: verified (查实) or not, with its basis and date",
    description=(
        "Taken as the designated person, whose roles decide (customer service, compliance), "
        "never the seller complained about, their team leader or their agency's staff (403)."
    ),
)
@endpoint_action("complaints.verify")
def verify_complaint(request: HttpRequest, complaint_no: ComplaintNo, payload: VerifyIn) -> Any:
    try:
        on = date.fromisoformat(payload.verified_on)
    except ValueError:
        raise ComplaintError(
            "required", "verified_on", what_zh="查实日期", what_en="the date"
        ) from None

    def step(principal: System) -> Any:
        done = complaint_verify(
            complaint_id=_id_of(complaint_no),
            principal=principal,
            verified=payload.verified,
            basis=payload.basis,
            verified_on=on,
        )
        complaint = complaint_for(principal=principal, complaint_id=done.pk)
        return Status(200, complaint_out(complaint))

    return _as_designated(request, "complaints.verify", complaint_no, step)


@callbacks_router.post(
    "/{item_id}/callbacks/{policy_no}",
    response={200: CallbackOut, **ERRORS},
    summary="Record the result of the second callback of one policy of a re-check (SD-4)",
)
@endpoint_action("callbacks.record")
def record_callback(
    request: HttpRequest, item_id: ItemId, policy_no: PolicyNo, payload: CallbackIn
) -> Any:
    def step(principal: System) -> Any:
        callback = callback_record(
            item_id=item_id,
            policy_no=policy_no,
            result=payload.result,
            note=payload.note,
            principal=principal,
        )
        return Status(
            200,
            {
                "item_id": item_id,
                "policy_no": policy_no,
                "result": callback.result,
                "note": callback.note,
            },
        )

    return _as_designated(request, "callbacks.record", f"{item_id}:{policy_no}", step)
