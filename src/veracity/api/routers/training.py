"""/api/v1/training: training courses and qualification tests from the insurer's
sales-management system (SF-1, D1.9, D1.10), in batches of at most 1,000 records.

Each record is the one of ``veracity import training FILE`` (``core.schema.parse_training``)
and goes through the same service (``sales.training.training_import``, by way of
:func:`~veracity.sales.training.training_batch_record`): idempotent — the same batch again
changes nothing — every good record goes in, and every bad one is answered with its index in
the batch (from 0), the field and the reason in Chinese and English. The batch is taken as
the calling system's designated person, who needs the training department's action
(``training.record``); without it the call is refused (403, recorded) and nothing is stored.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from veracity.access.policy import endpoint_action
from veracity.api.auth import principal_of_client
from veracity.api.schemas import CaseErrorOut
from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record
from veracity.sales.training import MAX_BATCH, training_batch_record

router = Router(tags=["training"])


class TrainingBatchIn(Schema):
    model_config = ConfigDict(strict=True, extra="forbid")

    records: list[Any] = Field(
        ...,
        min_length=1,
        max_length=MAX_BATCH,
        description=(
            "Training records, each as a line of `veracity import training`: "
            '{"seller_code": "AG00017", "kind": "course", "date": "2026-03-02", "hours": 2, '
            '"course_code": "FORM-101", "title": "投保单规范填写"} or {"seller_code": '
            '"AG00017", "kind": "test", "date": "2026-03-09", "passed": true, "score": 86}'
        ),
    )


class RecordErrorOut(Schema):
    index: int = Field(description="The record's position in the batch, from 0")
    field: str
    reason_zh: str
    reason_en: str


class TrainingBatchOut(Schema):
    rows: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    errors: list[RecordErrorOut]


@router.post(
    "",
    response={200: TrainingBatchOut, 400: CaseErrorOut, 401: Any, 403: CaseErrorOut, 422: Any},
    summary="Record a batch of training courses and qualification tests (at most 1,000)",
    description=(
        "The same records and rules as `veracity import training`: a record is the same when "
        "the seller, the kind, the date and the course or test code are the same (sent again: "
        "unchanged; changed hours, score or result: updated). Good records are stored even "
        "when others are rejected; each rejected one is listed with its index, field and "
        "reason. Taken as the system's designated person, who needs the training role (403)."
    ),
)
@endpoint_action("training.record")
def record_training(request: HttpRequest, payload: TrainingBatchIn) -> Any:
    principal = principal_of_client(request)
    report = training_batch_record(principal=principal, records=payload.records)
    audit_record(
        actor=Actor.of_principal(principal),
        event=Event(
            action=Action.API_CALL,
            object_type="training_record",
            object_id="batch",
            detail={"operation": "record", **report.summary()},
        ),
    )
    return {
        **report.summary(),
        "errors": [
            {
                "index": e.line,
                "field": e.field,
                "reason_zh": e.reason_zh,
                "reason_en": e.reason_en,
            }
            for e in report.errors
        ],
    }
