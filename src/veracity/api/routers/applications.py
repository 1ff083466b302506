"""Applications: check only (``/check``) or check and store."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from veracity.api.auth import client_of, scope_of
from veracity.api.schemas import ApplicationIn, CaseErrorOut, ErrorOut, StoredOut, VerdictOut
from veracity.audit.services import Actor
from veracity.policies.services import (
    OutOfScope,
    RejectedRow,
    StoreResult,
    application_check,
    applications_store,
)

router = Router(tags=["applications"])


@router.post(
    "/check",
    response={200: VerdictOut, 400: ErrorOut, 401: Any, 403: CaseErrorOut, 422: Any},
    summary="Check one application before automatic underwriting (nothing is stored)",
    description="403 for a channel the calling system does not sell through.",
)
def check_application(request: HttpRequest, payload: ApplicationIn) -> Any:
    client = client_of(request)
    try:
        verdict = application_check(
            payload.dict(),
            as_of=timezone.localdate(),
            scope=scope_of(client),
            actor=_actor(request),
        )
    except OutOfScope as refusal:
        return _refused(refusal)
    return Status(200, verdict.to_dict())


@router.post(
    "",
    response={200: StoredOut, 201: StoredOut, 400: ErrorOut, 401: Any, 403: CaseErrorOut, 422: Any},
    summary="Check and store one application; a failed one opens a supplement request",
    description="403 for an application of another system, or of a channel the calling"
    " system does not sell through; nothing is changed.",
)
def store_application(request: HttpRequest, payload: ApplicationIn) -> Any:
    client = client_of(request)
    [result] = applications_store(
        [payload.dict()],
        source=f"api:{client.system}",
        actor=_actor(request),
        as_of=timezone.localdate(),
        scope=scope_of(client),
    )
    if isinstance(result, OutOfScope):
        return _refused(result)
    if isinstance(result, RejectedRow):
        return Status(
            400,
            {"field": result.field, "message_zh": result.reason_zh, "message_en": result.reason_en},
        )
    return Status(201 if result.outcome == "created" else 200, stored_out(result))


def _actor(request: HttpRequest) -> Actor:
    client = client_of(request)
    return Actor(label=f"api:{client.name}", ip=str(request.META.get("REMOTE_ADDR", ""))[:45])


def _refused(refusal: OutOfScope) -> Any:
    return Status(
        403,
        {
            "code": refusal.code,
            "field": refusal.field,
            "message_zh": refusal.reason_zh,
            "message_en": refusal.reason_en,
        },
    )


def stored_out(result: StoreResult) -> dict[str, Any]:
    policy = result.policy
    assert policy is not None
    request = result.supplement_request
    return {
        **result.verdict.to_dict(),
        "outcome": result.outcome,
        "policy_id": policy.pk,
        "status": policy.status,
        "supplement_request": (
            {"id": request.pk, "status": request.status, "items": request.items}
            if request is not None
            else None
        ),
    }
