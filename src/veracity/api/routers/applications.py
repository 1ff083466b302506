"""Applications: check only (``/check``) or check and store."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from veracity.api.auth import client_of
from veracity.api.schemas import ApplicationIn, ErrorOut, StoredOut, VerdictOut
from veracity.audit.services import Actor
from veracity.core import gate
from veracity.policies.services import RejectedRow, StoreResult, applications_store

router = Router(tags=["applications"])


@router.post(
    "/check",
    response={200: VerdictOut, 400: ErrorOut, 401: Any, 422: Any},
    summary="Check one application before automatic underwriting (nothing is stored)",
)
def check_application(request: HttpRequest, payload: ApplicationIn) -> Any:
    verdict = gate.evaluate(payload.dict(), as_of=timezone.localdate())
    return Status(200, verdict.to_dict())


@router.post(
    "",
    response={200: StoredOut, 201: StoredOut, 400: ErrorOut, 401: Any, 422: Any},
    summary="Check and store one application; a failed one opens a supplement request",
)
def store_application(request: HttpRequest, payload: ApplicationIn) -> Any:
    client = client_of(request)
    actor = Actor(label=f"api:{client.name}", ip=str(request.META.get("REMOTE_ADDR", "")))
    [result] = applications_store(
        [payload.dict()], source=f"api:{client.system}", actor=actor, as_of=timezone.localdate()
    )
    if isinstance(result, RejectedRow):
        return Status(
            400,
            {"field": result.field, "message_zh": result.reason_zh, "message_en": result.reason_en},
        )
    return Status(201 if result.outcome == "created" else 200, stored_out(result))


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
