"""/api/v1/penalties: the penalty register through the API (D1.14, D1.22, D1.23), each step
taken as the calling system's designated person, through the same services as the pages
(``veracity.conduct.penalties``): propose, complete a penalty to decide (left by a verified
escalation for false data), read, approve, reject, withdraw. A refusal is the catalogue's
JSON with the status of its kind, recorded in the audit trail, and changes nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, TypeAlias

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.params import P, PathEx
from pydantic import ConfigDict, Field, StringConstraints

from veracity.access.policy import endpoint_action, may, record_refusal
from veracity.api.auth import principal_of_client
from veracity.api.schemas import CaseErrorOut
from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record
from veracity.conduct import penalties as ps
from veracity.conduct.models import Penalty
from veracity.core.conduct import Measure, Reason
from veracity.core.refusals import Refusal
from veracity.org.principals import System

router = Router(tags=["penalties"])

MAX_ID = 2**63 - 1
PenaltyId = PathEx[int, P(ge=1, le=MAX_ID, description="Penalty id")]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{0,32}$")]
PolicyNo = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,40}$")]
Note = Annotated[
    str, StringConstraints(pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]*$", max_length=2000)
]
Day = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")]

if TYPE_CHECKING:
    ReasonCode: TypeAlias = str
    MeasureCode: TypeAlias = str
else:
    from typing import Literal

    ReasonCode = Literal[tuple(r.value for r in Reason)]
    MeasureCode = Literal[tuple(m.value for m in Measure)]


class _In(Schema):
    model_config = ConfigDict(strict=True, extra="forbid")


class PenaltyIn(_In):
    seller_code: Code = Field("", description="The seller's code (or give agency_code)")
    agency_code: Code = Field("", description="The agency's code (or give seller_code)")
    reason: ReasonCode
    measure: MeasureCode
    amount: float | None = Field(None, gt=0, le=9999999999.99, description="Deduction, yuan")
    decided_on: Day | None = Field(None, description="Leave out: the approval's date")
    policy_nos: list[PolicyNo] = Field(default_factory=list, max_length=200)
    note: Note = ""


class CompleteIn(_In):
    """A penalty to decide completed: the measure (a deduction with its amount), and
    optionally the reason (else the escalation's), the decision date and a note."""

    measure: MeasureCode
    amount: float | None = Field(None, gt=0, le=9999999999.99, description="Deduction, yuan")
    decided_on: Day | None = Field(None, description="Leave out: the approval's date")
    note: Note | None = Field(None, description="Leave out: the escalation's note stays")
    reason: ReasonCode | None = Field(None, description="Leave out: the escalation's reason")


class DecisionIn(_In):
    reason: Note = Field("", description="Needed to reject")


class ApprovalStepOut(Schema):
    step: str
    label_zh: str
    label_en: str
    decided: bool
    approve: bool | None
    by: str
    reason: str


class PenaltyOut(Schema):
    id: int
    seller_code: str
    seller_kind: str
    reason: str
    measure: str
    amount: str | None
    decided_on: str | None
    status: str
    steps: list[ApprovalStepOut]


RESPONSES: dict[int, Any] = {
    200: PenaltyOut,
    400: CaseErrorOut,
    401: Any,
    403: CaseErrorOut,
    404: CaseErrorOut,
    409: CaseErrorOut,
    422: Any,
}


def _out(penalty: Penalty) -> dict[str, Any]:
    steps = []
    for entry in ps.decisions_of(penalty):
        step, decision = entry["step"], entry["decision"]
        steps.append(
            {
                "step": step.name,
                "label_zh": step.label_zh,
                "label_en": step.label_en,
                "decided": decision is not None,
                "approve": decision.approve if decision is not None else None,
                "by": decision.decider.get_username() if decision is not None else "",
                "reason": decision.reason if decision is not None else "",
            }
        )
    return {
        "id": penalty.pk,
        "seller_code": penalty.seller.code,
        "seller_kind": penalty.seller.kind,
        "reason": penalty.reason,
        "measure": penalty.measure,
        "amount": str(penalty.amount) if penalty.amount is not None else None,
        "decided_on": penalty.decided_on.isoformat() if penalty.decided_on else None,
        "status": penalty.status,
        "steps": steps,
    }


def _called(principal: System, operation: str, penalty_id: int) -> None:
    audit_record(
        actor=Actor.of_principal(principal),
        event=Event(
            action=Action.API_CALL,
            object_type=ps.OWNER,
            object_id=str(penalty_id),
            detail={"operation": operation},
        ),
    )


def _penalty(principal: System, penalty_id: int) -> Penalty:
    """The penalty, for a designated person who may read the register (else refused,
    recorded; an unknown id is 404)."""
    if not may(principal, "penalties.view"):
        refusal = Refusal(
            "penalty.not_allowed", "principal", what_zh="查看处罚", what_en="read penalties"
        )
        record_refusal(
            actor=Actor.of_principal(principal),
            action="penalties.view",
            object_type=ps.OWNER,
            object_id=str(penalty_id),
            detail={"code": refusal.code, "via": "api"},
        )
        raise refusal
    penalty = Penalty.objects.select_related("seller").filter(pk=penalty_id).first()
    if penalty is None:
        raise Refusal("penalty.unknown", "penalty")
    return penalty


@router.post(
    "",
    response=RESPONSES,
    summary="Propose a penalty on a seller or an agency (channel management)",
    description="Sent for approval to the head of the proposer's department (and for a "
    "termination the general manager). Taken as the calling system's designated person.",
)
@endpoint_action("penalties.propose")
def propose(request: HttpRequest, payload: PenaltyIn) -> Any:
    principal = principal_of_client(request)
    # the service records a refusal after its own transaction rolled back: not inside another
    made = ps.penalty_propose(
        principal=principal,
        seller_code=payload.seller_code,
        agency_code=payload.agency_code,
        reason=payload.reason,
        measure=payload.measure,
        amount=payload.amount,
        decided_on=payload.decided_on,
        note=payload.note,
        policy_nos=payload.policy_nos,
    )
    _called(principal, "propose", made.pk)
    return _out(made)


@router.get(
    "/{penalty_id}",
    response=RESPONSES,
    summary="A penalty with its approval steps",
)
@endpoint_action("penalties.view")
def read(request: HttpRequest, penalty_id: PenaltyId) -> Any:
    principal = principal_of_client(request)
    return _out(_penalty(principal, penalty_id))


def _decide(request: HttpRequest, penalty_id: int, payload: DecisionIn, approve: bool) -> Any:
    principal = principal_of_client(request)
    _penalty(principal, penalty_id)
    done = ps.penalty_decide(
        principal=principal, penalty_id=penalty_id, approve=approve, reason=payload.reason
    )
    _called(principal, "approve" if approve else "reject", penalty_id)
    return _out(Penalty.objects.select_related("seller").get(pk=done.pk))


@router.post(
    "/{penalty_id}/approve",
    response=RESPONSES,
    summary="Approve the pending step of a penalty (never one's own proposal)",
)
@endpoint_action("penalties.view")
def approve(request: HttpRequest, penalty_id: PenaltyId, payload: DecisionIn) -> Any:
    return _decide(request, penalty_id, payload, True)


@router.post(
    "/{penalty_id}/reject",
    response=RESPONSES,
    summary="Reject a penalty, with the reason (told to the proposer)",
)
@endpoint_action("penalties.view")
def reject(request: HttpRequest, penalty_id: PenaltyId, payload: DecisionIn) -> Any:
    return _decide(request, penalty_id, payload, False)


@router.post(
    "/{penalty_id}/submit",
    response=RESPONSES,
    summary="Complete a penalty to decide (left by a verified escalation) and send it for "
    "approval (channel management)",
    description="The measure (a commission deduction with its amount), optionally the reason, "
    "the decision date and a note; the caller's designated person becomes the proposer. "
    "Refused (409) for a penalty that is not waiting for its measure.",
)
@endpoint_action("penalties.propose")
def submit(request: HttpRequest, penalty_id: PenaltyId, payload: CompleteIn) -> Any:
    principal = principal_of_client(request)
    _penalty(principal, penalty_id)
    done = ps.penalty_submit(
        principal=principal,
        penalty_id=penalty_id,
        measure=payload.measure,
        amount=payload.amount,
        decided_on=payload.decided_on,
        note=payload.note,
        reason=payload.reason,
    )
    _called(principal, "submit", penalty_id)
    return _out(Penalty.objects.select_related("seller").get(pk=done.pk))


@router.post(
    "/{penalty_id}/withdraw",
    response=RESPONSES,
    summary="Withdraw one's own proposal while it awaits approval",
    description="Only the proposer withdraws (403 for anyone else); a penalty decided or "
    "not sent for approval is refused (409).",
)
@endpoint_action("penalties.propose")
def withdraw(request: HttpRequest, penalty_id: PenaltyId) -> Any:
    principal = principal_of_client(request)
    _penalty(principal, penalty_id)
    done = ps.penalty_withdraw(principal=principal, penalty_id=penalty_id)
    _called(principal, "withdraw", penalty_id)
    return _out(Penalty.objects.select_related("seller").get(pk=done.pk))
