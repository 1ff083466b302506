"""The usage summary of the inquiry channels (IQ-5, D1.18, D1.26): per channel (phone,
counter, web) and month — inquiries, verifications passed and failed, lockouts,
registrations, logins and failed logins (the portal's ``ChannelEvent`` rows), disclosures by
section. Counts only: no person, no policy, no number appears in it.

Read by head office (``inquiries.usage``); the page and its Excel export are the same figures.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from veracity.audit.services import Actor, Event, audit_record
from veracity.core.refusals import Refusal
from veracity.core.sheets import TextSheet, workbook
from veracity.inquiry import refusals as _refusals  # noqa: F401  (registers the words)
from veracity.inquiry.models import (
    ChannelEvent,
    ChannelEventKind,
    Disclosure,
    Inquiry,
    InquiryChannel,
    InquiryOutcome,
)
from veracity.inquiry.words import CHANNEL_WORDS, SECTION_ORDER, SECTION_WORDS
from veracity.org.actions import may
from veracity.org.principals import Principal

__all__ = ["Month", "UsageRow", "month_parse", "usage_export", "usage_summary"]

CHANNELS: Final = tuple(InquiryChannel.values)
MAX_MONTHS: Final = 36


@dataclass(frozen=True, slots=True, order=True)
class Month:
    year: int
    month: int

    @property
    def name(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def minus(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 - months
        return Month(index // 12, index % 12 + 1)


def month_parse(text: str) -> Month:
    """``2026-11`` as a month, or ``inquiry.month``."""
    try:
        day = dt.date.fromisoformat(f"{(text or '').strip()}-01")
    except ValueError:
        raise Refusal("inquiry.month", "month") from None
    if not 2000 <= day.year <= 2100:
        raise Refusal("inquiry.month", "month")
    return Month(day.year, day.month)


@dataclass(slots=True)
class UsageRow:
    channel: str
    month: Month
    inquiries: int = 0
    passed: int = 0
    failed: int = 0
    locked: int = 0
    lockouts: int = 0
    registrations: int = 0
    logins: int = 0
    failed_logins: int = 0
    disclosures: int = 0
    sections: Counter[str] = field(default_factory=Counter)


def _month_of(value: Any) -> Month:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return Month(value.year, value.month)


def usage_summary(*, principal: Principal, first: Month, last: Month) -> list[UsageRow]:
    """The figures of every channel and month from ``first`` to ``last`` (at most three
    years), months with nothing included (zeros)."""
    if not may(principal, "inquiries.usage"):
        raise Refusal("inquiry.role_forbidden", "principal")
    if (
        last < first
        or (last.year * 12 + last.month) - (first.year * 12 + first.month) >= MAX_MONTHS
    ):
        raise Refusal("inquiry.month", "month")
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first.first_day(), dt.time(), tzinfo=tz)
    end = dt.datetime.combine(last.next().first_day(), dt.time(), tzinfo=tz)
    rows: dict[tuple[str, Month], UsageRow] = {}
    month = first
    while month <= last:
        for channel in CHANNELS:
            rows[(channel, month)] = UsageRow(channel, month)
        month = month.next()

    def row(channel: str, when: Any) -> UsageRow | None:
        return rows.get((channel, _month_of(when)))

    span = {"at__gte": start, "at__lt": end}
    for r in (
        Inquiry.objects.filter(**span)
        .annotate(m=TruncMonth("at"))
        .values("channel", "m", "outcome")
        .annotate(n=Count("id"))
    ):
        target = row(r["channel"], r["m"])
        if target is None:
            continue
        target.inquiries += r["n"]
        if r["outcome"] == InquiryOutcome.VERIFIED:
            target.passed += r["n"]
        elif r["outcome"] == InquiryOutcome.NOT_VERIFIED:
            target.failed += r["n"]
        else:
            target.locked += r["n"]
    kinds = {
        ChannelEventKind.LOCKOUT: "lockouts",
        ChannelEventKind.REGISTRATION: "registrations",
        ChannelEventKind.LOGIN: "logins",
        ChannelEventKind.LOGIN_FAILED: "failed_logins",
    }
    for e in (
        ChannelEvent.objects.filter(**span, kind__in=list(kinds))
        .annotate(m=TruncMonth("at"))
        .values("channel", "m", "kind")
        .annotate(n=Count("id"))
    ):
        target = row(e["channel"], e["m"])
        if target is not None:
            name = kinds[ChannelEventKind(e["kind"])]
            setattr(target, name, getattr(target, name) + e["n"])
    by_sections: dict[tuple[str, Month], Counter[str]] = defaultdict(Counter)
    for channel, at, sections in (
        Disclosure.objects.filter(**span)
        .values_list("channel", "at", "sections")
        .iterator(chunk_size=5000)
    ):
        target = row(channel, at)
        if target is None:
            continue
        target.disclosures += 1
        for section in sections or ():
            by_sections[(channel, target.month)][str(section)] += 1
    for key, counted in by_sections.items():
        rows[key].sections = counted
    return sorted(rows.values(), key=lambda r: (r.month, CHANNELS.index(r.channel)))


HEAD_ZH: Final = (
    "月份",
    "渠道",
    "查询次数",
    "核实通过",
    "核实未通过",
    "锁定期内查询",
    "锁定次数",
    "注册",
    "登录",
    "登录失败",
    "信息告知次数",
)


def _sheet_rows(rows: Iterable[UsageRow]) -> list[list[object]]:
    out: list[list[object]] = []
    for r in rows:
        out.append(
            [
                r.month.name,
                CHANNEL_WORDS[r.channel][0],
                r.inquiries,
                r.passed,
                r.failed,
                r.locked,
                r.lockouts,
                r.registrations,
                r.logins,
                r.failed_logins,
                r.disclosures,
                *(r.sections.get(s, 0) for s in SECTION_ORDER),
            ]
        )
    return out


def usage_export(*, principal: Principal, first: Month, last: Month) -> bytes:
    """The summary as an Excel workbook (aggregates only, written through the one export
    helper), its download audited."""
    rows = usage_summary(principal=principal, first=first, last=last)
    buffer = io.BytesIO()
    book = workbook(buffer, {"in_memory": True})
    sheet = TextSheet(book.add_worksheet("渠道使用情况"), numeric=range(2, 40))
    head = [*HEAD_ZH, *(f"告知：{SECTION_WORDS[s][0]}" for s in SECTION_ORDER)]
    sheet.row(0, head)
    for i, values in enumerate(_sheet_rows(rows), start=1):
        sheet.row(i, values)
    book.close()
    audit_record(
        actor=Actor.of_principal(principal),
        event=Event(
            action="inquiry.usage_export",
            object_type="inquiry_usage",
            object_id=f"{first.name}..{last.name}",
            detail={"rows": len(rows)},
        ),
    )
    return buffer.getvalue()
