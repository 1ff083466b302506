"""The outbox: notices written in the same transaction as the policy events they follow
(NT-1). Registered with ``veracity.policies.events.on_policy_events`` at app ready.

For each new event of ``NOTICE_KINDS`` (a ``policy_changed`` only when ``major``) the
policyholder gets one notice per channel — SMS to the valid mobile on file, e-mail to the
e-mail on file, the portal always — and for a claim's review or benefit payment also the
claimant when that is another person (the insured). A renewal premium due is sent
``VERACITY_PREMIUM_DUE_NOTICE_DAYS`` (default 10) days before ``due_on``, at once when that
day has passed. A notice is written once per event, channel and recipient: an event
announced again writes nothing.

A batch of thousands of events costs a few queries and one bulk insert."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record
from veracity.core.policy_events import NOTICE_KINDS, EventKind
from veracity.customers.models import Email, Phone
from veracity.db.batches import chunks
from veracity.db.bulk import any_of, insert_rows, select
from veracity.notices.models import CustomerNotice, NoticeChannel, NoticeStatus
from veracity.notices.templates import active_templates, notice_params, template_code
from veracity.org.principals import Principal
from veracity.policies.models import PolicyEvent, Role

_TRUE = "true"  # a boolean literal both databases read (SQLite 3.23+)
CLAIM_KINDS = frozenset({EventKind.CLAIM_REVIEWED, EventKind.BENEFIT_PAID})

_FIELDS = (
    "notice_id",
    "customer_id",
    "policy_id",
    "event_id",
    "event_kind",
    "recipient_role",
    "template_code",
    "template_version",
    "channel",
    "address",
    "params",
    "status",
    "send_after",
    "created_at",
    "sent_at",
    "final_at",
)


def new_notice_id() -> str:
    return "N" + secrets.token_hex(10)


def new_notice_ids(count: int) -> list[str]:
    """``count`` fresh notice ids from one read of the system's randomness (a read per id
    was a fifth of the listener's time)."""
    raw = secrets.token_bytes(10 * count).hex()
    return ["N" + raw[20 * i : 20 * (i + 1)] for i in range(count)]


def premium_due_days() -> int:
    return int(getattr(settings, "VERACITY_PREMIUM_DUE_NOTICE_DAYS", 10))


def wants_notice(event: PolicyEvent) -> bool:
    if event.kind not in NOTICE_KINDS:
        return False
    if event.kind == EventKind.POLICY_CHANGED:
        return (event.data or {}).get("major") is True
    return True


def _send_after(event: PolicyEvent, now: dt.datetime) -> dt.datetime:
    if event.kind != EventKind.PREMIUM_DUE:
        return now
    try:
        due_on = dt.date.fromisoformat(str((event.data or {}).get("due_on")))
    except ValueError:
        return now
    day = due_on - dt.timedelta(days=premium_due_days())
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
    return max(at, now)


def _latest_by_customer(
    model: Any, value: str, customer_ids: set[int], where: str = ""
) -> dict[int, str]:
    """customer → the newest row's ``value`` (decrypted). Raw SQL: Django's compiler takes
    longer to build an IN of thousands of values than the database to answer it."""
    table = model._meta.db_table
    column = model._meta.get_field(value)
    newest: dict[int, str] = {}
    for batch in chunks(sorted(customer_ids), 5000):
        sql = (
            f"SELECT t.customer_id, t.{column.column} FROM {table} t JOIN ("  # noqa: S608
            f"SELECT customer_id, MAX(id) AS last FROM {table} WHERE "
            + any_of("customer_id", batch)[0]
            + f"{where} GROUP BY customer_id) n ON t.id = n.last"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, any_of("customer_id", batch)[1])
            for cid, token in cursor.fetchall():
                newest[cid] = column.from_db_value(token, None, connection)
    return newest


def notices_for_events(events: Sequence[PolicyEvent], principal: Principal) -> int:
    """Write the notices of newly taken ``events`` (in the caller's transaction); returns
    how many were written."""
    wanted = [e for e in events if wants_notice(e)]
    if not wanted:
        return 0
    now = timezone.now()
    policy_ids = {e.policy_id for e in wanted}
    parties: dict[int, dict[str, int]] = {}
    policy_nos: dict[int, str] = {}
    for batch in chunks(sorted(policy_ids), 5000):
        party_rows = select(
            "SELECT policy_id, customer_id, role, position, id FROM policies_policyrole",
            [
                any_of("policy_id", batch),
                ("role IN (%s, %s) AND customer_id IS NOT NULL", [Role.POLICYHOLDER, Role.INSURED]),
            ],
        )
        for pid, cid, role, _position, _id in sorted(party_rows, key=lambda r: (r[0], r[3], r[4])):
            parties.setdefault(pid, {}).setdefault(role, cid)
        for pid, policy_no in select(
            "SELECT id, policy_no FROM policies_policy", [any_of("id", batch)]
        ):
            policy_nos[pid] = policy_no or ""
    customers = {cid for roles in parties.values() for cid in roles.values()}
    mobiles = _latest_by_customer(
        Phone, "number", customers, " AND kind = 'mobile' AND valid = " + _TRUE
    )
    emails = _latest_by_customer(Email, "address", customers)
    templates = active_templates()
    done: set[tuple[int, str, int]] = set()
    for batch in chunks(sorted(e.pk for e in wanted), 5000):
        done.update(
            select(
                "SELECT event_id, channel, customer_id FROM notices_customernotice",
                [any_of("event_id", batch)],
            )
        )
    rows: list[tuple[Any, ...]] = []
    for event in wanted:
        roles = parties.get(event.policy_id, {})
        holder = roles.get(Role.POLICYHOLDER)
        recipients: list[tuple[int, str]] = [(holder, Role.POLICYHOLDER)] if holder else []
        claimant = roles.get(Role.INSURED)
        data = event.data or {}
        is_claim = event.kind in CLAIM_KINDS and (
            event.kind == EventKind.CLAIM_REVIEWED or data.get("claim_no")
        )
        if is_claim and claimant and claimant != holder:
            recipients.append((claimant, "claimant"))
        if not recipients:
            continue
        code = template_code(event.kind, data)
        params = notice_params(
            kind=event.kind,
            policy_no=policy_nos.get(event.policy_id) or "",
            occurred_on=str(event.occurred_on),
            data=data,
        )
        send_after = _send_after(event, now)
        for cid, part in recipients:
            for channel, address in (
                (NoticeChannel.SMS, mobiles.get(cid)),
                (NoticeChannel.EMAIL, emails.get(cid)),
                (NoticeChannel.PORTAL, ""),
            ):
                if address is None or (event.pk, channel, cid) in done:
                    continue
                template = templates.get((code, channel))
                if template is None:
                    continue
                done.add((event.pk, channel, cid))
                portal = channel == NoticeChannel.PORTAL
                rows.append(
                    (
                        "",
                        cid,
                        event.policy_id,
                        event.pk,
                        event.kind,
                        part,
                        template.code,
                        template.version,
                        channel,
                        address,
                        params,
                        NoticeStatus.DELIVERED if portal else NoticeStatus.QUEUED,
                        send_after,
                        now,
                        send_after if portal else None,
                        send_after if portal else None,
                    )
                )
    ids = new_notice_ids(len(rows))
    rows = [(ids[i], *row[1:]) for i, row in enumerate(rows)]
    insert_rows(CustomerNotice, _FIELDS, rows)
    if rows:
        audit_record(
            actor=Actor.of_principal(principal),
            event=Event(
                action=Action.CREATE,
                object_type="customer_notice",
                detail={"notices": len(rows), "events": len(wanted)},
            ),
        )
    return len(rows)
