"""Customer notices (NT-2, D1.20, D1.26): the failed notices for customer service and the
effect report with its Excel export. Thin views over ``veracity.notices.selectors``."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from veracity.access.policy import action_required
from veracity.notices.exports import effect_workbook
from veracity.notices.selectors import (
    CHANNEL_WORDS,
    EFFECT_WORDS,
    effect_report,
    failures_page,
    kind_words,
    month_totals,
    next_month,
    recent_months,
)
from veracity.web.charts import Bar, Segment, bar_chart, stacked_bar_chart
from veracity.web.views.common import in_language, principal_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@action_required("notices.view")
def failures(request: HttpRequest) -> HttpResponse:
    """The notices that could not be delivered, newest first."""
    page, rows = failures_page(
        principal=principal_of(request, purpose="通知失败处理"), page=request.GET.get("page")
    )
    shown = [
        {
            "archive_no": r.archive_no,
            "policy_no": r.policy_no,
            "kind": in_language(r.kind_zh, r.kind_en),
            "channel": in_language(r.channel_zh, r.channel_en),
            "address": r.address,
            "error": in_language(r.error_zh, r.error_en),
            "at": r.at,
        }
        for r in rows
    ]
    return render(request, "web/notices/failures.html", {"page": page, "rows": shown})


def _month(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(f"{text}-01")
    except ValueError:
        return None
    return day if len(text) == 7 and 2000 <= day.year <= 2100 else None


def _period(request: HttpRequest) -> tuple[dt.date, dt.date, bool]:
    """From the first month to after the last (``?from=YYYY-MM&to=YYYY-MM``); the last 12
    months when absent; ``False`` when what was given is not a month range."""
    start, end = recent_months(timezone.localdate())
    first, last = request.GET.get("from"), request.GET.get("to")
    if not first and not last:
        return start, end, True
    a, b = _month(first) or start, _month(last)
    b_end = next_month(b) if b else end
    ok = (not first or _month(first) is not None) and (not last or b is not None) and a < b_end
    if not ok:
        return start, end, False
    return a, b_end, True


@action_required("notices.effect")
def effect(request: HttpRequest) -> HttpResponse:
    """Per event kind, channel and month: sent, delivered, failed; and the share of renewal
    reminders followed by the premium within 30 days, by what became of the SMS."""
    start, end, valid = _period(request)
    report = effect_report(start=start, end=end)
    if request.GET.get("format") == "xlsx" and valid:
        data = effect_workbook(
            principal=principal_of(request, purpose="通知效果统计"), report=report
        )
        response = HttpResponse(data, content_type=XLSX)
        name = f"notice-effect-{start:%Y%m}-{(end - dt.timedelta(days=1)):%Y%m}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    totals = month_totals(report.delivery)
    rows = [
        {
            "month": f.month,
            "kind": in_language(*kind_words(f.kind)),
            "channel": in_language(*CHANNEL_WORDS.get(f.channel, (f.channel, f.channel))),
            "sent": f.sent,
            "delivered": f.delivered,
            "failed": f.failed,
        }
        for f in report.delivery
    ]
    effect_rows = [
        {
            "group": in_language(*EFFECT_WORDS[e.group]),
            "dues": e.dues,
            "paid": e.paid,
            "share": f"{e.share * 100:.1f}%",
        }
        for e in report.effect
    ]
    delivery_chart = stacked_bar_chart(
        [(month, (d, f, max(s - d - f, 0))) for month, (s, d, f) in totals.items()],
        segments=[
            Segment(_("Delivered"), "pass"),
            Segment(_("Failed"), "fail"),
            Segment(_("No result yet"), "warn"),
        ],
        title=_("Notices sent per month"),
    )
    effect_chart = bar_chart(
        [
            Bar(
                in_language(*EFFECT_WORDS[e.group]),
                round(e.share * 100, 1),
                "pass" if e.group == "delivered" else "brand",
                f"{e.share * 100:.1f}%",
            )
            for e in report.effect
        ],
        title=_("Premium received within 30 days of the reminder"),
        scale_max=100,
    )
    return render(
        request,
        "web/notices/effect.html",
        {
            "start": start,
            "last": end - dt.timedelta(days=1),
            "valid": valid,
            "rows": rows,
            "effect_rows": effect_rows,
            "delivery_chart": delivery_chart if totals else None,
            "effect_chart": effect_chart,
            "query": request.GET.urlencode(),
        },
        status=200 if valid else 400,
    )
