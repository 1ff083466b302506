"""Reads of customer notices: a customer's own (for the portal), the failures for customer
service, and the effect report (D1.20, D1.26)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record_many
from veracity.core.masking import mask
from veracity.core.policy_events import KIND_WORDS, EventKind
from veracity.customers.selectors import visible_to
from veracity.notices.errors import class_words
from veracity.notices.listener import premium_due_days
from veracity.notices.models import CustomerNotice, NoticeChannel, NoticeStatus
from veracity.notices.templates import render, template_texts
from veracity.org.principals import Principal
from veracity.policies.models import PolicyEvent

CHANNEL_WORDS: dict[str, tuple[str, str]] = {
    NoticeChannel.SMS: ("短信", "SMS"),
    NoticeChannel.EMAIL: ("电子邮件", "e-mail"),
    NoticeChannel.PORTAL: ("网上服务", "portal"),
}
STATUS_WORDS: dict[str, tuple[str, str]] = {
    NoticeStatus.QUEUED: ("待发送", "queued"),
    NoticeStatus.SENT: ("已发送", "sent"),
    NoticeStatus.DELIVERED: ("已送达", "delivered"),
    NoticeStatus.FAILED: ("发送失败", "failed"),
}
_MASK_KIND: dict[str, str] = {NoticeChannel.SMS: "phone", NoticeChannel.EMAIL: "email"}


def kind_words(kind: str) -> tuple[str, str]:
    return KIND_WORDS.get(kind, (kind, kind))


# --- a customer's own notices (the portal) --------------------------------------------


@dataclass(frozen=True, slots=True)
class CustomerNoticeView:
    notice_id: str
    event_id: int  # the policy event the notice tells of (one line per event on the portal)
    policy_no: str
    kind: str
    kind_zh: str
    kind_en: str
    channel: str
    channel_zh: str
    channel_en: str
    status: str
    status_zh: str
    status_en: str
    subject: str
    text: str
    at: dt.datetime


def notices_of(*, customer_id: int, limit: int = 100) -> list[CustomerNoticeView]:
    """The notices sent to ``customer_id`` (those whose time has come), newest first, with
    their text rendered from the template they were written with. The caller (the portal)
    has verified the customer and audits the page."""
    now = timezone.now()
    rows = list(
        CustomerNotice.objects.filter(customer_id=customer_id, send_after__lte=now)
        .select_related("policy")
        .order_by("-send_after", "-id")[:limit]
    )
    texts = template_texts({(n.template_code, n.channel, n.template_version) for n in rows})
    out = []
    for n in rows:
        template = texts.get((n.template_code, n.channel, n.template_version))
        kz, ke = kind_words(n.event_kind)
        cz, ce = CHANNEL_WORDS.get(n.channel, (n.channel, n.channel))
        sz, se = STATUS_WORDS.get(n.status, (n.status, n.status))
        out.append(
            CustomerNoticeView(
                notice_id=n.notice_id,
                event_id=n.event_id,
                policy_no=n.policy.policy_no or "",
                kind=n.event_kind,
                kind_zh=kz,
                kind_en=ke,
                channel=n.channel,
                channel_zh=cz,
                channel_en=ce,
                status=n.status,
                status_zh=sz,
                status_en=se,
                subject=template.subject if template else kz,
                text=render(template.text, n.params) if template else "",
                at=n.send_after,
            )
        )
    return out


# --- failures (customer service) -------------------------------------------------------


def failures_count(*, since_days: int = 30) -> int:
    """How many notices failed in the last ``since_days`` days (a figure for customer
    service's home page; no personal data)."""
    since = timezone.now() - dt.timedelta(days=since_days)
    return CustomerNotice.objects.filter(status=NoticeStatus.FAILED, final_at__gte=since).count()


@dataclass(frozen=True, slots=True)
class FailureRow:
    notice_id: str
    archive_no: str
    policy_no: str
    kind_zh: str
    kind_en: str
    channel_zh: str
    channel_en: str
    address: str  # masked
    error_zh: str
    error_en: str
    at: dt.datetime | None


def failures_page(
    *, principal: Principal, page: int | str | None = 1, per_page: int = 50
) -> tuple[Page[CustomerNotice], list[FailureRow]]:
    """The failed notices of the customers ``principal`` may see, newest first, the address
    masked; the customers shown are audited as a read with the page's purpose."""
    qs = (
        CustomerNotice.objects.filter(
            status=NoticeStatus.FAILED,
            customer__in=visible_to(principal=principal, action="customers.view"),
        )
        .select_related("customer", "policy")
        .order_by("-final_at", "-id")
    )
    current = Paginator(qs, per_page).get_page(page)
    rows = []
    for n in current.object_list:
        kz, ke = kind_words(n.event_kind)
        cz, ce = CHANNEL_WORDS.get(n.channel, (n.channel, n.channel))
        ez, ee = class_words(n.error_class)
        rows.append(
            FailureRow(
                notice_id=n.notice_id,
                archive_no=n.customer.archive_no or "",
                policy_no=n.policy.policy_no or "",
                kind_zh=kz,
                kind_en=ke,
                channel_zh=cz,
                channel_en=ce,
                address=mask(n.address, _MASK_KIND.get(n.channel, "")) if n.address else "",
                error_zh=ez,
                error_en=ee,
                at=n.final_at,
            )
        )
    customers = sorted({n.customer_id for n in current.object_list})
    if customers:
        audit_record_many(
            actor=Actor.of_principal(principal),
            events=[
                Event(
                    action=Action.VIEW_PERSONAL_DATA,
                    object_type="customer_notice",
                    customer_id=cid,
                    purpose=principal.purpose or "通知失败处理",
                    detail={"fields": ["notice address (masked)"], "page": "notice failures"},
                )
                for cid in customers
            ],
        )
    return current, rows


# --- the effect report (D1.20, D1.26) --------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeliveryFigure:
    kind: str
    channel: str
    month: str  # YYYY-MM
    sent: int
    delivered: int
    failed: int


EFFECT_GROUPS = ("delivered", "failed", "sent", "not_sent")
EFFECT_WORDS = {
    "delivered": ("短信已送达", "SMS delivered"),
    "failed": ("短信发送失败", "SMS failed"),
    "sent": ("已发送、尚无回执", "sent, no receipt yet"),
    "not_sent": ("未发送通知", "no notice sent"),
}
EFFECT_DAYS = 30


@dataclass(frozen=True, slots=True)
class EffectFigure:
    group: str
    dues: int
    paid: int  # followed by premium_received within EFFECT_DAYS

    @property
    def share(self) -> float:
        return self.paid / self.dues if self.dues else 0.0


@dataclass
class EffectReport:
    start: dt.date
    end: dt.date  # exclusive
    delivery: list[DeliveryFigure] = field(default_factory=list)
    effect: list[EffectFigure] = field(default_factory=list)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _delivery(start: dt.date, end: dt.date) -> list[DeliveryFigure]:
    rows = (
        CustomerNotice.objects.filter(send_after__gte=_aware(start), send_after__lt=_aware(end))
        .annotate(month=TruncMonth("send_after"))
        .values("event_kind", "channel", "month")
        .annotate(
            sent=Count("id", filter=Q(sent_at__isnull=False)),
            delivered=Count("id", filter=Q(status=NoticeStatus.DELIVERED)),
            failed=Count("id", filter=Q(status=NoticeStatus.FAILED)),
        )
        .order_by("month", "event_kind", "channel")
    )
    out = []
    for r in rows:
        month = r["month"]
        label = f"{month.year:04d}-{month.month:02d}" if month else ""
        out.append(
            DeliveryFigure(
                r["event_kind"], r["channel"], label, r["sent"], r["delivered"], r["failed"]
            )
        )
    return out


def _effect(start: dt.date, end: dt.date) -> list[EffectFigure]:
    """Each renewal premium due whose reminder day falls in the period, grouped by what
    became of its SMS notice to the policyholder; ``paid`` when a ``premium_received`` of the
    policy followed within :data:`EFFECT_DAYS` days of the reminder day."""
    days = premium_due_days()
    dues: list[tuple[int, int, dt.date]] = []  # event, policy, reminder day
    for pk, policy_id, occurred_on, data in PolicyEvent.objects.filter(
        kind=EventKind.PREMIUM_DUE,
        occurred_on__lt=end,
        occurred_on__gte=start - dt.timedelta(days=366),
    ).values_list("id", "policy_id", "occurred_on", "data"):
        try:
            due_on = dt.date.fromisoformat(str((data or {}).get("due_on")))
        except ValueError:
            continue
        reminder = max(due_on - dt.timedelta(days=days), occurred_on)
        if start <= reminder < end:
            dues.append((pk, policy_id, reminder))
    if not dues:
        return [EffectFigure(g, 0, 0) for g in EFFECT_GROUPS]
    status: dict[int, str] = {}
    ids = [d[0] for d in dues]
    for i in range(0, len(ids), 5000):
        for event_id, st in CustomerNotice.objects.filter(
            event_id__in=ids[i : i + 5000],
            channel=NoticeChannel.SMS,
            recipient_role="policyholder",
        ).values_list("event_id", "status"):
            status[event_id] = st
    received: dict[int, list[dt.date]] = defaultdict(list)
    policies = sorted({d[1] for d in dues})
    for i in range(0, len(policies), 5000):
        for policy_id, on in PolicyEvent.objects.filter(
            kind=EventKind.PREMIUM_RECEIVED,
            policy_id__in=policies[i : i + 5000],
            occurred_on__gte=start,
            occurred_on__lt=end + dt.timedelta(days=EFFECT_DAYS + 1),
        ).values_list("policy_id", "occurred_on"):
            received[policy_id].append(on)
    tally = {g: [0, 0] for g in EFFECT_GROUPS}
    for event_id, policy_id, reminder in dues:
        st = status.get(event_id, "")
        group = st if st in ("delivered", "failed", "sent") else "not_sent"
        tally[group][0] += 1
        limit = reminder + dt.timedelta(days=EFFECT_DAYS)
        if any(reminder <= on <= limit for on in received.get(policy_id, ())):
            tally[group][1] += 1
    return [EffectFigure(g, *tally[g]) for g in EFFECT_GROUPS]


def effect_report(*, start: dt.date, end: dt.date) -> EffectReport:
    """The report for the months from ``start`` to before ``end`` (counts only)."""
    return EffectReport(
        start=start, end=end, delivery=_delivery(start, end), effect=_effect(start, end)
    )


def recent_months(today: dt.date, count: int = 12) -> tuple[dt.date, dt.date]:
    end = next_month(month_start(today))
    start = end
    for _ in range(count):
        start = month_start(start - dt.timedelta(days=1))
    return start, end


def month_totals(figures: Sequence[DeliveryFigure]) -> dict[str, tuple[int, int, int]]:
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for f in figures:
        t = out[f.month]
        t[0] += f.sent
        t[1] += f.delivered
        t[2] += f.failed
    return {m: (v[0], v[1], v[2]) for m, v in sorted(out.items())}
