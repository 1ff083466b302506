"""The investigation of one problem item through the API (PW-1 … PW-5, D1.13): read it with
its timeline, take a step, attach evidence.

A system acts through the person designated for it (D4.23, ``veracity api-client …
--designated USER``): each call runs the same service as the staff page *as that person*,
with that person's role checks and visibility, so a step is audited under the person by the
service and the call itself under the system (``api:<client>``), in one transaction. A
system without a designated person takes no step and reads no item.

Refusals keep the service's code, field and zh/en message: 404 for an item one may not see,
403 for a step one's role may not take, 409 for a step the item's stage does not allow (or
that someone else has just taken), 413 for a file over the size limit, 400 otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias, TypeVar

from django.db import transaction
from django.http import HttpRequest
from ninja import File, Form, Router, Schema, Status, UploadedFile
from ninja.params import P, PathEx
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, StringConstraints

from veracity.access.policy import endpoint_action, record_refusal
from veracity.api.auth import principal_of_client
from veracity.api.routers.problem_items import MemberOut, item_out
from veracity.api.schemas import CaseErrorOut
from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record
from veracity.cases import services
from veracity.cases.listing import visible_to
from veracity.cases.models import Evidence, EvidenceKind, Outcome, ProblemItem
from veracity.cases.policy import CaseError, refuse, steps_open_to
from veracity.cases.selectors import CaseView, case_detail
from veracity.core.conduct import Reason
from veracity.core.evidence import MAX_BYTES
from veracity.core.refusals import Kind
from veracity.customers.corrections import FIELDS as CORRECTABLE_FIELDS
from veracity.customers.numbers import archive_no_of_id
from veracity.org.principals import System, with_purpose
from veracity.policies.models import Channel

router = Router(tags=["problem-item cases"])

#: The largest id a (64-bit) primary key holds; a larger one is a malformed request (422),
#: not a database overflow.
MAX_ID = 2**63 - 1
MAX_TEXT = services.MAX_TEXT

ItemId = PathEx[int, P(ge=1, le=MAX_ID, description="Problem item id")]

NO_DESIGNATED_PERSON = {
    "code": "no_designated_person",
    "field": "authorization",
    "message_zh": (
        "本系统没有指定人员：问题件的处理以指定人员的身份和权限进行，"
        "请管理员执行 veracity api-client … --designated 用户名"
    ),
    "message_en": (
        "This system has no designated person: problem-item steps are taken as that person, "
        "with that person's role; an administrator sets one with "
        "`veracity api-client … --designated USER`"
    ),
}


def _clean(value: str) -> str:
    """Text the database can store: no NUL (PostgreSQL refuses it in text and JSON) and no
    lone surrogates (not UTF-8)."""
    if "\x00" in value:
        raise ValueError("text must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode") from None
    return value


#: Free text as the database can store it (the pattern says so in the OpenAPI document).
Text = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$"), AfterValidator(_clean)]
#: Free text that must say something (not only spaces).
ArchiveNo = Annotated[str, StringConstraints(max_length=40, pattern=r"^[^\x00]*$")]
Said = Annotated[str, StringConstraints(pattern=r"^[^\x00]*\S[^\x00]*$"), AfterValidator(_clean)]


# --- wire shapes ----------------------------------------------------------------------------

if TYPE_CHECKING:
    OutcomeCode: TypeAlias = str
    EvidenceKindCode: TypeAlias = str
    FieldName: TypeAlias = str
    ChannelName: TypeAlias = str
    MisconductCode: TypeAlias = str
else:
    OutcomeCode = Literal[tuple(Outcome.values)]
    EvidenceKindCode = Literal[tuple(EvidenceKind.values)]
    FieldName = Literal[tuple(CORRECTABLE_FIELDS)]
    ChannelName = Literal[tuple(Channel.values)]
    MisconductCode = Literal[tuple(r.value for r in Reason)]


def _whole(value: object) -> object:
    """A JSON number with a zero fraction (``3.0``) is an integer, as JSON Schema says."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# The bounds before the validator, so that the OpenAPI document states them.
Id = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(_whole)]


class _In(Schema):
    """Strict: a wrong type or an unknown field is a 422, never read as something else."""

    model_config = ConfigDict(strict=True, extra="forbid")


class DistributeIn(_In):
    channel: ChannelName | None = Field(
        None, description="Sales channel; by default the channel of most of the item's policies"
    )


class NoteIn(_In):
    note: Said = Field(..., max_length=MAX_TEXT)


class ChangeIn(_In):
    archive_no: ArchiveNo | None = Field(
        None,
        description="The customer's file number (档案号) as people type it: C0000000010, c10",
    )
    customer_id: Id | None = Field(
        None,
        description="The customer's internal id (kept for existing clients; prefer archive_no)",
    )
    field: FieldName
    record_id: Id | None = Field(
        None, description="The phone, address, account or document corrected"
    )
    value: Text = Field(..., max_length=300)


class SubmitIn(_In):
    outcome: OutcomeCode
    findings: Said = Field(..., max_length=MAX_TEXT)
    changes: list[ChangeIn] | None = Field(
        None, max_length=50, description="The corrected values (outcome `corrected`)"
    )
    seller_codes: list[Annotated[Text, Field(max_length=64)]] | None = Field(
        None, max_length=20, description="The sellers whose misconduct it is (`escalated`)"
    )
    agency_code: Annotated[Text, Field(max_length=32)] | None = Field(
        None, description="The agency whose misconduct it is as well, or alone (`escalated`)"
    )
    misconduct: MisconductCode | None = Field(
        None, description="What the misconduct is (`escalated`; false data by default)"
    )


class ReturnIn(_In):
    reason: Said = Field(..., max_length=MAX_TEXT)
    requested_kinds: list[EvidenceKindCode] = Field(
        default_factory=list,
        max_length=10,
        description="The kinds of evidence the investigator is to add (D1.13: where needed)",
    )


class OptionalNoteIn(_In):
    note: Text = Field("", max_length=MAX_TEXT)


class EvidenceIn(Schema):
    kind: EvidenceKindCode
    description: Said = Field(..., max_length=300)


StageName = Literal[
    "new", "distributed", "investigating", "submitted", "returned", "verified", "closed"
]


class StateOut(Schema):
    """The item's stage and what follows from it (no personal data)."""

    id: int
    stage: StageName
    status: str
    assigned_channel: str
    assignee: str
    distributed_on: date | None
    due_on: date | None
    due_basis: str
    due_provisional: bool
    outcome: str
    returned_times: int
    closed_on: date | None
    actions: list[str] = Field(description="The steps the designated person may take now")


class StepOut(Schema):
    action: str
    action_label: str
    from_stage: str
    to_stage: str
    actor: str
    at: datetime
    note: str
    detail: dict[str, Any]


class EvidenceOut(Schema):
    id: int
    kind: str
    kind_label: str
    description: str
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime


class EscalationOut(Schema):
    seller_code: str
    reason: str


class CorrectionChangeOut(Schema):
    customer_id: int
    archive_no: str = Field(description="The customer's file number (档案号)")
    field: str
    record_id: int | None
    value: str = Field(description="masked")


class CaseOut(Schema):
    id: int
    rule: str
    rule_name: str
    severity: str
    status: str
    stage: StageName
    assigned_channel: str
    assignee: str
    outcome: str
    shared_value: str = Field(description="masked")
    reason: str
    first_seen_on: date
    last_seen_on: date
    distributed_on: date
    deadline: date
    deadline_basis: Literal["3_working_days", "callback"]
    deadline_provisional: bool
    due: Literal["past", "near", ""]
    callback_due_on: date | None
    members: list[MemberOut]
    findings: str
    changes: list[CorrectionChangeOut] = Field(description="Corrections submitted (masked)")
    seller_codes: list[str] = Field(description="Sellers named by an escalation submitted")
    returned_times: int
    steps: list[StepOut]
    evidence: list[EvidenceOut]
    escalations: list[EscalationOut]
    actions: list[str] = Field(description="The steps the designated person may take now")
    channels: list[str]
    sellers: list[str]


# --- the caller -----------------------------------------------------------------------------


def _not_found() -> CaseError:
    return refuse("not_found", "item")


T = TypeVar("T")

#: The action of each operation (``veracity.access.policy.ACTIONS``); the role checks
#: themselves are the object-level rules of ``veracity.cases.policy``.
OPERATION_ACTIONS: dict[str, str] = {
    "read": "cases.view",
    "distribute": "cases.distribute",
    "claim": "cases.investigate",
    "note": "cases.support",
    "evidence": "cases.support",
    "submit": "cases.investigate",
    "return": "cases.verify",
    "verify": "cases.verify",
    "close": "cases.close",
}


def _as_designated(
    request: HttpRequest,
    item_id: int,
    operation: str,
    step: Callable[[System], T],
    render: Callable[[System, T], Any],
) -> Any:
    """Run ``step(principal)`` as the client acting through its designated person and
    record the call under the client, in one transaction; a refusal changes nothing and
    records nothing."""
    principal = principal_of_client(request)
    user = principal.person
    action = OPERATION_ACTIONS[operation]
    if user is None:
        record_refusal(
            actor=Actor.of_principal(principal),
            action=action,
            object_type="problem_item",
            object_id=str(item_id),
            detail={"code": "no_designated_person", "operation": operation},
        )
        return Status(403, NO_DESIGNATED_PERSON)
    # A refusal (CaseError) leaves the transaction and is answered by the API's one handler;
    # a forbidden step is written to the audit trail first.
    try:
        with transaction.atomic():
            done = step(principal)
            audit_record(
                actor=Actor.of_principal(principal),
                event=Event(
                    action=Action.API_CALL,
                    object_type="problem_item",
                    object_id=str(item_id),
                    detail={"operation": operation, "as": user.get_username()},
                ),
            )
    except CaseError as error:
        # a forbidden step, and an item the person may not see (or that does not exist: the
        # same 404, recorded alike so the trail does not reveal which ids exist); what the
        # selector recorded inside the transaction went with it
        if error.kind in (Kind.FORBIDDEN, Kind.NOT_FOUND):
            record_refusal(
                actor=Actor.of_principal(principal),
                action=action,
                object_type="problem_item",
                object_id=str(item_id),
                detail={"code": error.code, "operation": operation, "as": user.get_username()},
            )
        raise
    return render(principal, done)


def state_out(principal: System, item: ProblemItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "stage": item.stage,
        "status": item.status,
        "assigned_channel": item.assigned_channel,
        "assignee": item.assignee.get_username() if item.assignee is not None else "",
        "distributed_on": item.distributed_on,
        "due_on": item.due_on,
        "due_basis": item.due_basis,
        "due_provisional": item.due_provisional,
        "outcome": item.outcome,
        "returned_times": item.returned_times,
        "closed_on": item.closed_on,
        "actions": steps_open_to(item, principal=principal),
    }


def _state(principal: System, item: ProblemItem) -> Any:
    return Status(200, state_out(principal, item))


def masked_changes(correction: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The corrected values of a submission as the item keeps them to show: masked (the
    true values are sealed on the item and never leave it)."""
    return [
        {
            "customer_id": c.get("customer_id"),
            "archive_no": archive_no_of_id(int(c["customer_id"])) if c.get("customer_id") else "",
            "field": c.get("field", ""),
            "record_id": c.get("record_id"),
            "value": str(c.get("value") or ""),
        }
        for c in (correction or {}).get("changes", [])
    ]


def _masked_detail(detail: dict[str, Any]) -> dict[str, Any]:
    if isinstance(detail.get("correction"), dict) and "changes" in detail["correction"]:
        correction = {**detail["correction"], "changes": masked_changes(detail["correction"])}
        return {**detail, "correction": correction}
    return detail


STEP_RESPONSES: dict[int, Any] = {
    200: StateOut,
    400: CaseErrorOut,
    401: Any,
    403: CaseErrorOut,
    404: CaseErrorOut,
    409: CaseErrorOut,
    422: Any,
}
WHO = (
    " Taken as the person designated for the calling system, with that person's role; "
    "403 when the system has none."
)


# --- endpoints ------------------------------------------------------------------------------


@router.get(
    "/{item_id}",
    response={200: CaseOut, 401: Any, 403: CaseErrorOut, 404: CaseErrorOut, 422: Any},
    summary="One problem item: members (masked), stage, deadline, findings, timeline, evidence",
    description="Read as the person designated for the calling system; the read is recorded."
    " Evidence is listed by its metadata and SHA-256, never its bytes.",
)
@endpoint_action("cases.view")
def read_case(request: HttpRequest, item_id: ItemId) -> Any:
    def read(principal: System) -> CaseView:
        view = case_detail(item_id, principal=with_purpose(principal, "problem_item"))
        if view is None:
            raise _not_found()
        return view

    return _as_designated(request, item_id, "read", read, lambda _principal, view: case_out(view))


def case_out(view: CaseView) -> Any:
    correction = view.correction or {}
    return Status(
        200,
        {
            **item_out(view.item),
            "stage": view.item.stage,
            "assigned_channel": view.item.assigned_channel,
            "assignee": view.item.assignee,
            "outcome": view.item.outcome,
            "due": view.item.due,
            "findings": view.findings,
            "changes": masked_changes(correction),
            "seller_codes": list(correction.get("sellers", [])),
            "returned_times": view.returned_times,
            "steps": [{**asdict(s), "detail": _masked_detail(s.detail)} for s in view.steps],
            "evidence": [asdict(e) for e in view.evidence],
            "escalations": [{"seller_code": c, "reason": r} for c, r in view.escalations],
            "actions": view.actions,
            "channels": view.channels,
            "sellers": view.sellers,
        },
    )


@router.post(
    "/{item_id}/distribute",
    response=STEP_RESPONSES,
    summary="Distribute the item to the management of a sales channel (customer service)",
    description="The investigation is then due 3 working days later, or by the earliest "
    "cooling-off callback of the item's policies, whichever is earlier." + WHO,
)
@endpoint_action("cases.distribute")
def distribute(request: HttpRequest, item_id: ItemId, payload: DistributeIn | None = None) -> Any:
    channel = payload.channel if payload is not None else None
    return _as_designated(
        request,
        item_id,
        "distribute",
        lambda principal: services.problem_item_distribute(
            item_id=item_id, channel=channel or None, principal=principal
        ),
        _state,
    )


@router.post(
    "/{item_id}/claim",
    response=STEP_RESPONSES,
    summary="Claim the item for investigation (channel back-office of its channel)",
    description="Customer service may also take up an item itself." + WHO,
)
@endpoint_action("cases.investigate")
def claim(request: HttpRequest, item_id: ItemId) -> Any:
    return _as_designated(
        request,
        item_id,
        "claim",
        lambda principal: services.problem_item_claim(item_id=item_id, principal=principal),
        _state,
    )


@router.post(
    "/{item_id}/notes",
    response=STEP_RESPONSES,
    summary="Add a remark to the item's timeline (a callback made, a call to the agent)",
    description="The investigator, compliance or customer service." + WHO,
)
@endpoint_action("cases.support")
def add_note(request: HttpRequest, item_id: ItemId, payload: NoteIn) -> Any:
    def step(principal: System) -> ProblemItem:
        services.problem_item_note(item_id=item_id, principal=principal, note=payload.note)
        item: ProblemItem = ProblemItem.objects.select_related("assignee").get(pk=item_id)
        return item

    return _as_designated(request, item_id, "note", step, _state)


@router.post(
    "/{item_id}/evidence",
    response={
        201: EvidenceOut,
        400: CaseErrorOut,
        401: Any,
        403: CaseErrorOut,
        404: CaseErrorOut,
        409: CaseErrorOut,
        413: CaseErrorOut,
        422: Any,
    },
    summary="Attach an evidence file (PDF, image or recording, at most 20 MB)",
    description="Multipart: `file`, `kind` (" + ", ".join(EvidenceKind.values) + ") and "
    "`description`. The file's type is decided from its bytes; it is stored encrypted with "
    "its SHA-256." + WHO,
)
@endpoint_action("cases.support")
def attach_evidence(
    request: HttpRequest,
    item_id: ItemId,
    payload: Form[EvidenceIn],
    # Optional in the schema: a missing or empty file is the service's refusal (400, "file"),
    # as it is on the staff page.
    file: UploadedFile | None = File(None),  # type: ignore[type-arg]  # noqa: B008
) -> Any:
    oversized = file is not None and file.size is not None and file.size > MAX_BYTES

    def step(principal: System) -> Evidence:
        if oversized:
            # Refused before the bytes are read; an item one may not see is still "not found".
            if not visible_to(principal=principal, action="cases.view").filter(pk=item_id).exists():
                raise _not_found()
            raise refuse("too_large", "file", mb=MAX_BYTES // (1024 * 1024))
        return services.problem_item_attach(
            item_id=item_id,
            principal=principal,
            kind=payload.kind,
            description=payload.description,
            filename=(file.name or "") if file is not None else "",
            data=file.read() if file is not None else b"",
        )

    def render(_principal: System, evidence: Evidence) -> Any:
        return Status(
            201,
            {
                "id": evidence.pk,
                "kind": evidence.kind,
                "kind_label": str(EvidenceKind(evidence.kind).label),
                "description": evidence.description,
                "filename": evidence.filename,
                "content_type": evidence.content_type,
                "size": evidence.size,
                "sha256": evidence.sha256,
                "uploaded_by": evidence.uploaded_by.get_username(),
                "uploaded_at": evidence.uploaded_at,
            },
        )

    return _as_designated(request, item_id, "evidence", step, render)


@router.post(
    "/{item_id}/submit",
    response=STEP_RESPONSES,
    summary="Submit the findings and the outcome (the investigator)",
    description="`corrected` with `changes` (applied when verified), `explained` (the data "
    "is true), or `escalated` with `seller_codes`." + WHO,
)
@endpoint_action("cases.investigate")
def submit(request: HttpRequest, item_id: ItemId, payload: SubmitIn) -> Any:
    changes = [c.dict() for c in payload.changes] if payload.changes is not None else None
    return _as_designated(
        request,
        item_id,
        "submit",
        lambda principal: services.problem_item_submit(
            item_id=item_id,
            principal=principal,
            outcome=payload.outcome,
            findings=payload.findings,
            changes=changes,
            seller_codes=payload.seller_codes,
            agency_code=payload.agency_code,
            misconduct=payload.misconduct,
        ),
        _state,
    )


@router.post(
    "/{item_id}/return",
    response=STEP_RESPONSES,
    summary="Return the findings to the investigator, with the reason (compliance or "
    "customer service)",
    description="Nobody returns or verifies an item they investigated." + WHO,
)
@endpoint_action("cases.verify")
def send_back(request: HttpRequest, item_id: ItemId, payload: ReturnIn) -> Any:
    return _as_designated(
        request,
        item_id,
        "return",
        lambda principal: services.problem_item_return(
            item_id=item_id,
            principal=principal,
            reason=payload.reason,
            requested_kinds=payload.requested_kinds,
        ),
        _state,
    )


@router.post(
    "/{item_id}/verify",
    response=STEP_RESPONSES,
    summary="Accept the findings (compliance or customer service); the outcome takes effect",
    description="Needs the customer's signed confirmation "
    "among the evidence. Corrections are written with history and the customers re-checked; "
    "an explanation lifts the clue; an escalation is recorded against the seller." + WHO,
)
@endpoint_action("cases.verify")
def verify(request: HttpRequest, item_id: ItemId, payload: OptionalNoteIn | None = None) -> Any:
    note = payload.note if payload is not None else ""
    return _as_designated(
        request,
        item_id,
        "verify",
        lambda principal: services.problem_item_verify(
            item_id=item_id, principal=principal, note=note
        ),
        _state,
    )


@router.post(
    "/{item_id}/close",
    response=STEP_RESPONSES,
    summary="Close a verified item (compliance or customer service)",
    description="Its evidence is kept." + WHO,
)
@endpoint_action("cases.close")
def close(request: HttpRequest, item_id: ItemId, payload: OptionalNoteIn | None = None) -> Any:
    note = payload.note if payload is not None else ""
    return _as_designated(
        request,
        item_id,
        "close",
        lambda principal: services.problem_item_close(
            item_id=item_id, principal=principal, note=note
        ),
        _state,
    )
