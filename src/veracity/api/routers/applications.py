"""Applications: check only (``/check``) or check and store.

The body is the one strict schema of every entry path (``veracity.core.schema``); the ID-type
codes of the calling system (``VERACITY_ID_TYPE_ALIASES``) are read as the project's codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from veracity.access.models import ApiClient
from veracity.access.policy import endpoint_action, record_refusal
from veracity.api.auth import client_of, scope_of
from veracity.api.errors import rejected_body
from veracity.api.schemas import (
    ApplicationIn,
    CaseErrorOut,
    RejectedOut,
    StoredOut,
    VerdictOut,
)
from veracity.audit.services import Actor
from veracity.core.refusals import HTTP_STATUS
from veracity.core.schema import Problem, Rejected, application_record
from veracity.db.addresses import request_address
from veracity.policies.services import (
    OutOfScope,
    RejectedRow,
    StoreResult,
    application_check,
    applications_store,
)

router = Router(tags=["applications"])


def id_type_aliases(client: ApiClient) -> Mapping[str, str]:
    """The ID-type codes this system sends, read as the project's codes."""
    aliases: Mapping[str, Mapping[str, str]] = getattr(settings, "VERACITY_ID_TYPE_ALIASES", {})
    return aliases.get(client.system, {})


@router.post(
    "/check",
    response={200: VerdictOut, 400: CaseErrorOut, 401: Any, 403: CaseErrorOut, 422: RejectedOut},
    summary="Check one application before automatic underwriting (nothing is stored)",
    description="403 for a channel the calling system does not sell through.",
)
@endpoint_action("applications.check")
def check_application(request: HttpRequest, payload: ApplicationIn) -> Any:
    client = client_of(request)
    try:
        record = application_record(payload, id_type_aliases=id_type_aliases(client))
    except Rejected as rejected:
        return Status(422, rejected_body(list(rejected.problems)))
    try:
        verdict = application_check(
            record, as_of=timezone.localdate(), scope=scope_of(client), actor=_actor(request)
        )
    except OutOfScope as refusal:
        return _refused(request, refusal, "applications.check", payload.application_no)
    return Status(200, verdict.to_dict())


@router.post(
    "",
    response={
        200: StoredOut,
        201: StoredOut,
        400: CaseErrorOut,
        401: Any,
        403: CaseErrorOut,
        422: RejectedOut,
    },
    summary="Check and store one application; a failed one opens a supplement request",
    description="403 for an application of another system, or of a channel the calling"
    " system does not sell through; nothing is changed.",
)
@endpoint_action("applications.store")
def store_application(request: HttpRequest, payload: ApplicationIn) -> Any:
    client = client_of(request)
    [result] = applications_store(
        [payload.model_dump(exclude_unset=True)],
        source=f"api:{client.system}",
        actor=_actor(request),
        as_of=timezone.localdate(),
        id_type_aliases=id_type_aliases(client),
        scope=scope_of(client),
    )
    if isinstance(result, OutOfScope):
        return _refused(request, result, "applications.store", payload.application_no)
    if isinstance(result, RejectedRow):
        return Status(
            422, rejected_body([Problem(result.field, result.reason_zh, result.reason_en)])
        )
    return Status(201 if result.outcome == "created" else 200, stored_out(result))


def _actor(request: HttpRequest) -> Actor:
    client = client_of(request)
    return Actor(label=f"api:{client.name}", ip=request_address(request))


def _refused(request: HttpRequest, refusal: OutOfScope, action: str, number: str) -> Any:
    """403: outside the calling system's scope; the refusal is in the audit trail."""
    record_refusal(
        actor=_actor(request),
        action=action,
        object_type="application",
        object_id=number,
        detail={"code": refusal.code, "field": refusal.field},
    )
    return Status(HTTP_STATUS[refusal.kind], refusal.to_dict())


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
