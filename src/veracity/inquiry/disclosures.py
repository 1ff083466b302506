"""Recording a disclosure: the one way a policy's information is shown to an inquirer
(the staff desk on phone and counter, the customer portal on the web)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from veracity.audit.services import Actor, Event, audit_record
from veracity.inquiry.models import ChannelEvent, Disclosure
from veracity.org.principals import Customer, Principal, acting_user
from veracity.policies.models import Policy


@transaction.atomic
def disclosure_record(
    *,
    principal: Principal,
    channel: str,
    policy: Policy,
    role: str,
    customer_id: int | None,
    sections: Iterable[str],
    inquiry_ref: str = "",
    detail: dict[str, Any] | None = None,
) -> Disclosure:
    """Record that ``sections`` of ``policy`` were shown to ``customer_id`` as ``role`` on
    ``channel``, with an audit event (``inquiry.disclosed``) in the same transaction."""
    shown = sorted(set(sections))
    staff = acting_user(principal)
    row = Disclosure.objects.create(
        channel=channel,
        policy=policy,
        customer_id=customer_id,
        role=role,
        sections=shown,
        staff=staff,
        inquiry_ref=inquiry_ref,
        address=getattr(principal, "address", "")[:45],
    )
    audit_record(
        actor=Actor.of_principal(principal),
        event=Event(
            action="inquiry.disclosed",
            object_type="policy",
            object_id=str(policy.pk),
            customer_id=customer_id,
            purpose=getattr(principal, "purpose", "") or f"inquiry:{channel}",
            detail={
                "channel": channel,
                "role": role,
                "sections": shown,
                "inquiry": inquiry_ref,
                "by_customer": isinstance(principal, Customer),
                **(detail or {}),
            },
        ),
    )
    return row


def channel_event_record(
    *, channel: str, kind: str, customer_id: int | None = None, address: str = ""
) -> ChannelEvent:
    """Count one use of a channel (``inquiry.models.ChannelEventKind``) for the usage summary
    (IQ-5); the caller audits the step itself."""
    return ChannelEvent.objects.create(
        channel=channel, kind=kind, customer_id=customer_id, address=address[:45]
    )
