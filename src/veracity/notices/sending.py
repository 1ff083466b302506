"""Sending what is due from the outbox (NT-2).

A sender claims due rows with one conditional UPDATE (``claimed_until`` is set only where it
is empty or expired, with the sender's token): two senders never hold one row, and a row that
left ``queued`` is never sent again. SMS goes through ``veracity.notify.sms.send_sms``,
e-mail through Django's mail; portal notices were delivered when written. A gateway that
cannot be reached (``SmsUnavailable``) is retried with exponential backoff
(``VERACITY_NOTICE_RETRY_BASE_SECONDS`` × 2^(attempt−1), at most
``VERACITY_NOTICE_MAX_ATTEMPTS`` attempts, then the notice has failed).

Status only moves forward: a delivery receipt that arrived while the message was being sent
has already made the notice final, and the send result then only adds the provider's id."""

from __future__ import annotations

import datetime as dt
import secrets
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from veracity.notices.errors import NOT_IN_SERVICE, error_class
from veracity.notices.models import CustomerNotice, NoticeChannel, NoticeStatus, NoticeTemplate
from veracity.notices.receipts import apply_pending, notices_poll
from veracity.notices.templates import render, template_texts
from veracity.notices.undeliverable import undeliverable_raise
from veracity.notify.sms import SmsMessage, SmsResult, SmsUnavailable, backend

LEASE = dt.timedelta(minutes=5)


def max_attempts() -> int:
    return int(getattr(settings, "VERACITY_NOTICE_MAX_ATTEMPTS", 5))


def retry_delay(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failed attempt (1, 2, …): base × 2^(n−1), capped at
    a day."""
    base = float(getattr(settings, "VERACITY_NOTICE_RETRY_BASE_SECONDS", 60))
    return dt.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 86_400))


@dataclass
class SendCounts:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    retried: int = 0
    polled: int = 0
    receipts: int = 0
    details: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {
            "claimed": self.claimed,
            "sent": self.sent,
            "failed": self.failed,
            "retried": self.retried,
            "polled": self.polled,
            "receipts": self.receipts,
        }


def notices_claim(*, limit: int, now: dt.datetime | None = None) -> list[CustomerNotice]:
    """Claim up to ``limit`` due queued SMS and e-mail notices for this sender."""
    now = now or timezone.now()
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    due = CustomerNotice.objects.filter(
        free,
        status=NoticeStatus.QUEUED,
        send_after__lte=now,
        channel__in=[NoticeChannel.SMS, NoticeChannel.EMAIL],
    )
    ids = list(due.order_by("send_after", "id").values_list("id", flat=True)[:limit])
    if not ids:
        return []
    token = secrets.token_hex(8)
    with transaction.atomic():
        CustomerNotice.objects.filter(free, id__in=ids, status=NoticeStatus.QUEUED).update(
            claimed_until=now + LEASE, claim_token=token
        )
    return list(
        CustomerNotice.objects.filter(
            id__in=ids, claim_token=token, status=NoticeStatus.QUEUED
        ).order_by("id")
    )


def _fail(notice: CustomerNotice, code: str, klass: str, now: dt.datetime) -> bool:
    """Record a final failure (only from queued or sent); True when it was recorded."""
    changed = CustomerNotice.objects.filter(
        pk=notice.pk, status__in=[NoticeStatus.QUEUED, NoticeStatus.SENT]
    ).update(
        status=NoticeStatus.FAILED,
        error_code=code[:64],
        error_class=klass,
        final_at=now,
        attempts=F("attempts") + 1,
        claimed_until=None,
    )
    if changed and klass == NOT_IN_SERVICE:
        notice.error_code = code
        undeliverable_raise([notice])
    return bool(changed)


def _retry(notice: CustomerNotice, now: dt.datetime, counts: SendCounts) -> None:
    attempts = notice.attempts + 1
    if attempts >= max_attempts():
        with transaction.atomic():
            _fail(notice, "GATEWAY_UNAVAILABLE", "gateway", now)
        counts.failed += 1
        return
    CustomerNotice.objects.filter(pk=notice.pk, status=NoticeStatus.QUEUED).update(
        attempts=attempts, send_after=now + retry_delay(attempts), claimed_until=None
    )
    counts.retried += 1


def _email(notice: CustomerNotice, texts: dict[tuple[str, str, int], NoticeTemplate]) -> None:
    template = texts.get((notice.template_code, notice.channel, notice.template_version))
    subject = template.subject if template else ""
    body = render(template.text, notice.params) if template else ""
    send_mail(
        subject or "保单服务通知",
        body,
        getattr(settings, "DEFAULT_FROM_EMAIL", None),
        [notice.address],
    )


def notices_send_due(*, limit: int = 500, now: dt.datetime | None = None) -> SendCounts:
    """Send one batch of due notices; returns what happened."""
    counts = SendCounts()
    now = now or timezone.now()
    claimed = notices_claim(limit=limit, now=now)
    counts.claimed = len(claimed)
    if not claimed:
        return counts
    texts = template_texts(
        {(n.template_code, n.channel, n.template_version) for n in claimed if n.channel == "email"}
    )
    codes = template_texts(
        {(n.template_code, n.channel, n.template_version) for n in claimed if n.channel == "sms"}
    )
    accepted: list[tuple[CustomerNotice, str]] = []
    texts_sms: list[tuple[CustomerNotice, SmsMessage]] = []
    for notice in claimed:
        if notice.channel == NoticeChannel.EMAIL:
            try:
                _email(notice, texts)
            except smtplib.SMTPRecipientsRefused:
                with transaction.atomic():
                    _fail(notice, "SMTP_RECIPIENT_REFUSED", "invalid_address", now)
                counts.failed += 1
                continue
            except (smtplib.SMTPException, OSError):
                _retry(notice, now, counts)
                continue
            accepted.append((notice, ""))
            continue
        template = codes.get((notice.template_code, notice.channel, notice.template_version))
        texts_sms.append(
            (
                notice,
                SmsMessage(
                    notice_id=notice.notice_id,
                    to=notice.address,
                    template=template.provider_code if template else notice.template_code,
                    params=notice.params,
                ),
            )
        )
    for notice, result in _send_sms(texts_sms):
        if result is None:
            _retry(notice, now, counts)
        elif result.accepted:
            accepted.append((notice, result.provider_id))
        else:
            with transaction.atomic():
                _fail(
                    notice, result.code or "REFUSED", error_class(result.code, result.message), now
                )
            counts.failed += 1
    counts.sent += _record_sent(accepted, now)
    return counts


def _send_sms(
    batch: Sequence[tuple[CustomerNotice, SmsMessage]],
) -> list[tuple[CustomerNotice, SmsResult | None]]:
    """Each message's result (``None``: the gateway could not be reached, try again): in one
    call when the backend sends many at once (``send_many``), else one by one."""
    if not batch:
        return []
    try:
        gateway = backend()
    except SmsUnavailable:
        return [(notice, None) for notice, _ in batch]
    many = getattr(gateway, "send_many", None)
    if many is not None:
        try:
            results = many([message for _, message in batch])
        except SmsUnavailable:
            return [(notice, None) for notice, _ in batch]
        return list(zip([n for n, _ in batch], results, strict=True))
    out: list[tuple[CustomerNotice, SmsResult | None]] = []
    for notice, message in batch:
        try:
            out.append((notice, gateway.send(message)))
        except SmsUnavailable:
            out.append((notice, None))
    return out


def _record_sent(accepted: Sequence[tuple[CustomerNotice, str]], now: dt.datetime) -> int:
    """The send results of a batch, in a few statements: queued → sent; a notice a receipt
    already made final keeps its status and gets the provider's id. Receipts that came before
    (kept, not yet applied) are applied now."""
    if not accepted:
        return 0
    with transaction.atomic():
        ids = [n.pk for n, _ in accepted]
        CustomerNotice.objects.filter(id__in=ids, status=NoticeStatus.QUEUED).update(
            status=NoticeStatus.SENT,
            sent_at=now,
            attempts=F("attempts") + 1,
            claimed_until=None,
        )
        CustomerNotice.objects.filter(id__in=ids, sent_at__isnull=True).update(
            sent_at=Coalesce("final_at", now)
        )
        with_ids = [(n, pid) for n, pid in accepted if pid]
        for notice, pid in with_ids:
            notice.provider_id = pid
        if with_ids:
            CustomerNotice.objects.bulk_update(
                [n for n, _ in with_ids], ["provider_id"], batch_size=500
            )
        apply_pending([n.notice_id for n, _ in accepted])
    return len(accepted)


def notices_run(*, batches: int = 0, limit: int = 500) -> SendCounts:
    """Send what is due (every batch, or ``batches`` of them) and poll the notices still
    without a final result; what the Huey job and ``veracity notify send --once`` do."""
    total = SendCounts()
    done = 0
    while True:
        counts = notices_send_due(limit=limit)
        for name in ("claimed", "sent", "failed", "retried"):
            setattr(total, name, getattr(total, name) + getattr(counts, name))
        done += 1
        if counts.claimed < limit or (batches and done >= batches):
            break
    polled = notices_poll()
    total.polled, total.receipts = polled
    return total
