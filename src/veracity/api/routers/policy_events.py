"""``POST /api/v1/policy-events``: the core business system sends policy service events
(issue 14) — premiums due and received, claims, benefit payments, policy service changes, a
policy's start and end — in batches of at most 1,000, through the same recording service as
``veracity import policy-events FILE`` (``policies.event_services.policy_events_record``).

Each event is read by the one schema (``core.policy_events``); an event that does not fit,
or names an unknown policy or application, is answered in ``rejected`` with its index in the
body and every problem, and the others are taken. A re-sent event (same ``event_id``, same
content) counts as a duplicate and changes nothing. Only the core system's clients may send
(403 for any other, recorded in the audit trail, nothing written)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from veracity.access.policy import endpoint_action
from veracity.api.auth import client_of, principal_of_client
from veracity.api.schemas import CaseErrorOut
from veracity.policies.event_services import policy_events_record

router = Router(tags=["policy events"])

MAX_EVENTS = 1000


class EventsIn(Schema):
    model_config = ConfigDict(strict=True, extra="forbid")

    events: list[Any] = Field(
        max_length=MAX_EVENTS,
        description=(
            "At most 1,000 events, each {event_id, policy_no, kind, occurred_on, data} "
            "(policy_effective also application_no); each is checked on its own and a bad "
            "one is answered in `rejected` by its index"
        ),
        examples=[
            [
                {
                    "event_id": "E2026-000001",
                    "policy_no": "P2026110001",
                    "kind": "premium_due",
                    "occurred_on": "2026-11-20",
                    "data": {"due_on": "2026-12-20", "amount": 1200},
                }
            ]
        ],
    )


class ProblemOut(Schema):
    field: str
    zh: str
    en: str


class RejectedEventOut(Schema):
    index: int
    event_id: str
    problems: list[ProblemOut]


class EventsOut(Schema):
    accepted: int
    duplicates: int
    rejected: list[RejectedEventOut]


@router.post(
    "",
    response={200: EventsOut, 400: CaseErrorOut, 401: Any, 403: CaseErrorOut, 422: Any},
    summary="Record a batch of policy service events from the core business system",
    description="403 for a client of any other system; nothing is written. 422 when the "
    "body is not {events: [...]} or holds more than 1,000 events.",
)
@endpoint_action("policy_events.record")
def record_events(request: HttpRequest, payload: EventsIn) -> Any:
    client = client_of(request)
    result = policy_events_record(
        principal=principal_of_client(request, purpose="policy_events"),
        records=list(enumerate(payload.events)),
        source=f"api:{client.name}"[:40],
        system=client.system,
    )
    return Status(
        200,
        {
            "accepted": result.accepted,
            "duplicates": result.duplicates,
            "rejected": [r.to_dict() for r in result.rejected],
        },
    )
