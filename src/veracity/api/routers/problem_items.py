"""The problem-item list (可疑客户信息资料问题件清单, D1.7) for other systems: masked values,
paginated, the same read as the staff page and the CLI (audited under the API client)."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import BeforeValidator, Field

from veracity.access.governance import export_authorisation, export_record
from veracity.access.policy import endpoint_action, record_refusal
from veracity.api.auth import client_of, principal_of_client
from veracity.api.schemas import ErrorOut
from veracity.audit.services import Actor
from veracity.cases.listing import (
    CHANNELS,
    RULES,
    STATUSES,
    ProblemItemRow,
    problem_items,
)
from veracity.core.schema import IDENTIFIER_32

router = Router(tags=["problem items"])

MAX_LIMIT = 200


def _iso_date(value: object) -> object:
    """Only ``YYYY-MM-DD`` (pydantic would also read ``0`` as a time stamp)."""
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise ValueError("expected a date YYYY-MM-DD")
    return value


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
IsoDate = Annotated[date, BeforeValidator(_iso_date)]

# The filters' enumerations, stated in the OpenAPI document (a value outside them is a 422).
if TYPE_CHECKING:
    RuleCode: TypeAlias = str
    StatusCode: TypeAlias = str
    ChannelCode: TypeAlias = str
else:
    RuleCode = Literal[tuple(RULES)]
    StatusCode = Literal[tuple(STATUSES)]
    ChannelCode = Literal[tuple(CHANNELS)]


class ProblemItemFilters(Schema):
    business_date: IsoDate | None = Field(
        None, description="Open items first seen on or before this date (YYYY-MM-DD)"
    )
    rule: RuleCode | None = Field(None, description="Rule code")
    status: StatusCode | None = None
    channel: ChannelCode | None = None
    seller: str | None = Field(None, pattern=IDENTIFIER_32, description="Agent (seller) code")
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=1_000_000)


class MemberOut(Schema):
    customer_id: int
    name: str = Field(description="masked")
    archive_no: str
    application_no: str
    policy_no: str
    channel: str
    seller_code: str
    callback_due_on: date | None


class ProblemItemOut(Schema):
    id: int
    rule: str
    rule_name: str
    severity: str
    status: str
    shared_value: str = Field(description="masked")
    reason: str
    first_seen_on: date
    last_seen_on: date
    distributed_on: date
    deadline: date
    deadline_basis: Literal["3_working_days", "callback"]
    deadline_provisional: bool
    callback_due_on: date | None
    members: list[MemberOut]


class ProblemItemPage(Schema):
    total: int
    limit: int
    offset: int
    items: list[ProblemItemOut]


def item_out(item: ProblemItemRow) -> dict[str, Any]:
    return {
        "id": item.id,
        "rule": item.rule,
        "rule_name": item.rule_name,
        "severity": item.severity,
        "status": item.status,
        "shared_value": item.shared_value,
        "reason": item.reason,
        "first_seen_on": item.first_seen_on,
        "last_seen_on": item.last_seen_on,
        "distributed_on": item.distributed_on,
        "deadline": item.deadline,
        "deadline_basis": item.deadline_basis,
        "deadline_provisional": item.deadline_provisional,
        "callback_due_on": item.callback_due_on,
        "members": [
            {
                "customer_id": m.customer_id,
                "name": m.name,
                "archive_no": m.archive_no,
                "application_no": m.application_no,
                "policy_no": m.policy_no,
                "channel": m.channel,
                "seller_code": m.seller_code,
                "callback_due_on": m.callback_due_on,
            }
            for m in item.members
        ],
    }


NOT_APPROVED = {
    "field": "authorization",
    "message_zh": "批量读取客户信息须经总经理或客户信息主管批准：请为本系统的指定人员办理导出申请",
    "message_en": (
        "A bulk read of customer data needs an export approved by the general manager or the "
        "customer information manager for the person designated for this system"
    ),
}


@router.get(
    "",
    response={200: ProblemItemPage, 400: ErrorOut, 401: Any, 403: ErrorOut, 422: Any},
    summary="The problem-item list (masked), filtered and paginated",
    description=(
        "A bulk read (D4.23): allowed while the person designated for the calling system holds "
        "an approved export request for the problem-item list; each read is recorded."
    ),
)
@endpoint_action("problems.export")
def list_problem_items(request: HttpRequest, filters: Query[ProblemItemFilters]) -> Any:
    client = client_of(request)
    # the list is read by the system itself (the export approval is its person's)
    principal = principal_of_client(request, as_person=False, purpose="problem_item")
    actor = Actor.of_principal(principal)
    designated = client.designated_user
    # the approval is the designated person's own (D4.23)
    approval = export_authorisation("problem_items", principal=principal_of_client(request))
    if approval is None:
        record_refusal(
            actor=Actor(
                label=actor.label,
                user_id=designated.pk if designated is not None else None,
                ip=actor.ip,
            ),
            action="problems.export",
            object_type="problem_items",
            object_id="list",
            detail={"field": "authorization"},
        )
        return Status(403, NOT_APPROVED)
    # an unknown filter value (ListingError) is answered by the API's one refusal handler
    listing = problem_items(
        principal=principal,
        action="problems.export",  # the bulk read is an export of the list
        business_date=filters.business_date,
        rule=filters.rule,
        status=filters.status,
        channel=filters.channel,
        seller_code=filters.seller,
        limit=filters.limit,
        offset=filters.offset,
    )
    export_record(
        principal=principal,
        request=approval,
        what=f"problem_items via api:{client.name}",
        rows=len(listing.items),
    )
    return Status(
        200,
        {
            "total": listing.total,
            "limit": filters.limit,
            "offset": filters.offset,
            "items": [item_out(i) for i in listing.items],
        },
    )
