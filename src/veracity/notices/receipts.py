"""Delivery receipts (NT-2): the SMS provider's reports of what became of each message, and
polling for the messages still without one.

Each receipt is kept as received (``DeliveryReceipt``) and applied to its notice — found by
``out_id`` (our ``notice_id``) or by the provider's message id (``biz_id``):

- the status only moves forward (queued → sent → delivered | failed); the first final receipt
  wins, a later one (or the same one again) changes nothing;
- a receipt may come before the send result was recorded (the message went out while the
  sender was still writing): it makes the notice final at once, and the send result then
  only adds the provider's id;
- a receipt for a notice not known yet is kept and applied when the send result is
  recorded (``apply_pending``).

A failure of class ``not_in_service`` raises ``CONTACT_UNDELIVERABLE`` (``undeliverable``).
Notices still ``sent`` ``VERACITY_NOTICE_POLL_AFTER_HOURS`` (default 6) after sending are
polled through the SMS backend's ``query`` (the Alibaba backend's ``QuerySendDetails``; the
file backend has none)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record
from veracity.notices.errors import NOT_IN_SERVICE, error_class
from veracity.notices.models import CustomerNotice, DeliveryReceipt, NoticeChannel, NoticeStatus
from veracity.notices.undeliverable import undeliverable_raise
from veracity.notify.sms import SmsUnavailable, backend
from veracity.org.principals import Principal


@dataclass(frozen=True, slots=True)
class Receipt:
    """One receipt in the provider's shape (``biz_id``, ``out_id`` = our notice id)."""

    success: bool
    out_id: str = ""
    biz_id: str = ""
    err_code: str = ""
    err_msg: str = ""
    report_time: str = ""
    raw: Mapping[str, Any] | None = None


@dataclass
class ReceiptCounts:
    received: int = 0
    applied: int = 0
    unchanged: int = 0
    unknown: int = 0


def _find(receipt: Receipt) -> CustomerNotice | None:
    if receipt.out_id:
        found = CustomerNotice.objects.filter(notice_id=receipt.out_id).first()
        if found is not None:
            return found
    if receipt.biz_id:
        return CustomerNotice.objects.filter(provider_id=receipt.biz_id).first()
    return None


def _apply(notice: CustomerNotice, receipt: Receipt, now: dt.datetime) -> bool:
    """Make ``notice`` final by ``receipt`` unless it already is (first final wins)."""
    if receipt.success:
        values: dict[str, Any] = {
            "status": NoticeStatus.DELIVERED,
            "error_code": "",
            "error_class": "",
        }
    else:
        values = {
            "status": NoticeStatus.FAILED,
            "error_code": (receipt.err_code or "UNKNOWN")[:64],
            "error_class": error_class(receipt.err_code, receipt.err_msg),
        }
    changed = CustomerNotice.objects.filter(
        pk=notice.pk, status__in=[NoticeStatus.QUEUED, NoticeStatus.SENT]
    ).update(final_at=now, **values)
    if (
        changed
        and values["status"] == NoticeStatus.FAILED
        and values["error_class"] == NOT_IN_SERVICE
    ):
        notice.error_code = values["error_code"]
        undeliverable_raise([notice])
    return bool(changed)


def _record(receipts: Sequence[Receipt], source: str, now: dt.datetime) -> ReceiptCounts:
    counts = ReceiptCounts(received=len(receipts))
    for receipt in receipts:
        notice = _find(receipt)
        applied = notice is not None and _apply(notice, receipt, now)
        DeliveryReceipt.objects.create(
            notice_id=(notice.notice_id if notice else receipt.out_id)[:64],
            biz_id=receipt.biz_id[:64],
            success=receipt.success,
            err_code=receipt.err_code[:64],
            err_msg=receipt.err_msg[:200],
            report_time=receipt.report_time[:32],
            raw=dict(receipt.raw or {}),
            source=source,
            received_at=now,
            applied=notice is not None,
        )
        if notice is None:
            counts.unknown += 1
        elif applied:
            counts.applied += 1
        else:
            counts.unchanged += 1
    return counts


@transaction.atomic
def receipts_record(*, principal: Principal, receipts: Sequence[Receipt]) -> ReceiptCounts:
    """Keep and apply a batch of delivery receipts from the SMS gateway."""
    counts = _record(receipts, "receipt", timezone.now())
    audit_record(
        actor=Actor.of_principal(principal),
        event=Event(
            action=Action.API_CALL,
            object_type="delivery_receipt",
            detail={
                "received": counts.received,
                "applied": counts.applied,
                "unchanged": counts.unchanged,
                "unknown": counts.unknown,
            },
        ),
    )
    return counts


def apply_pending(notice_ids: Sequence[str]) -> int:
    """Apply the kept receipts of these notices that came before the notice was known."""
    if not notice_ids:
        return 0
    pending = list(
        DeliveryReceipt.objects.filter(notice_id__in=list(notice_ids), applied=False).order_by("id")
    )
    if not pending:
        return 0
    now = timezone.now()
    notices = {
        n.notice_id: n
        for n in CustomerNotice.objects.filter(notice_id__in=[r.notice_id for r in pending])
    }
    for kept in pending:
        notice = notices.get(kept.notice_id)
        if notice is None:
            continue
        _apply(
            notice,
            Receipt(
                success=kept.success,
                out_id=kept.notice_id,
                err_code=kept.err_code,
                err_msg=kept.err_msg,
            ),
            now,
        )
        kept.applied = True
        kept.save(update_fields=["applied"])
    return len(pending)


def poll_after() -> dt.timedelta:
    return dt.timedelta(hours=float(getattr(settings, "VERACITY_NOTICE_POLL_AFTER_HOURS", 6)))


def notices_poll(*, limit: int = 200, now: dt.datetime | None = None) -> tuple[int, int]:
    """Ask the SMS backend about notices still ``sent`` after :func:`poll_after`; returns
    (notices polled, receipts found). A backend without ``query`` is not asked."""
    now = now or timezone.now()
    try:
        gateway = backend()
    except SmsUnavailable:
        return (0, 0)
    query = getattr(gateway, "query", None)
    if query is None:
        return (0, 0)
    every = poll_after()
    due = list(
        CustomerNotice.objects.filter(
            Q(polled_at__isnull=True) | Q(polled_at__lt=now - every),
            status=NoticeStatus.SENT,
            channel=NoticeChannel.SMS,
            sent_at__lt=now - every,
        ).order_by("sent_at")[:limit]
    )
    found = 0
    for notice in due:
        try:
            answers: Sequence[Receipt] = query(notice)
        except SmsUnavailable:
            break
        with transaction.atomic():
            found += _record(list(answers), "poll", now).received
            CustomerNotice.objects.filter(pk=notice.pk).update(polled_at=now)
    return (len(due), found)
