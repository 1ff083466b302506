"""The home page: one view; the sections a person opens every morning, chosen by their roles
(each section once, whatever the number of roles that bring it), each a partial
``web/home/_<section>.html`` with its figures from the apps' read-only ``figures`` selectors
(counts only, restricted by the reader's reach) and its charts drawn here as SVG."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from veracity.access import figures as access_figures
from veracity.access.policy import action_required, roles_for
from veracity.access.roles import RoleName, roles_of
from veracity.audit import figures as audit_figures
from veracity.cases import figures as case_figures
from veracity.cases.selectors import queue_counts
from veracity.core.findings import CATALOGUE, finding_name
from veracity.customers import figures as customer_figures
from veracity.incidents import figures as incident_figures
from veracity.org.actions import may
from veracity.org.principals import Principal
from veracity.policies import figures as policy_figures
from veracity.policies import selectors as policies
from veracity.retention import figures as retention_figures
from veracity.web.charts import Bar, Segment, bar_chart, sparkline, stacked_bar_chart
from veracity.web.forms import DEFAULT_SEARCH_KIND, CustomerSearchForm
from veracity.web.views.common import principal_of, remembered_purpose

RECENT = 10
QUALITY_DAYS = 30

#: Every section in page order; a person sees those their roles bring, each once.
ORDER = (
    "approvals",
    "queue",
    "service",
    "backoffice",
    "agent",
    "quality",
    "managers",
    "general",
    "auditor",
    "admin",
)

#: Which roles open which sections (the morning's view of each job, issue 12); what the
#: figures count is decided by actions in the selectors, not here.
_BY_ROLE: dict[RoleName, tuple[str, ...]] = {
    RoleName.AGENT: ("agent",),
    RoleName.TEAM_LEADER: (),
    RoleName.CHANNEL_BACKOFFICE: ("backoffice",),
    RoleName.CUSTOMER_SERVICE: ("service",),
    RoleName.COMPLIANCE: ("quality",),
    RoleName.INFORMATION_MANAGER: ("approvals", "managers"),
    RoleName.CUSTOMER_SERVICE_MANAGER: ("approvals", "managers"),
    RoleName.GENERAL_MANAGER: ("approvals", "general"),
    RoleName.AUDITOR: ("auditor",),
    RoleName.ADMIN: ("admin",),
}


def sections_for(roles: set[RoleName], *, approver: bool = False) -> list[str]:
    """The home sections of a person with ``roles``, in page order, each once; ``approver``
    (a step of an approval plan names them, e.g. as a department head) adds the approvals."""
    wanted: set[str] = set()
    for role in roles:
        wanted.update(_BY_ROLE.get(role, ()))
    if roles & roles_for("cases.queue"):  # who has a problem-item work queue
        wanted.add("queue")
    if approver:
        wanted.add("approvals")
    return [s for s in ORDER if s in wanted]


def _chinese() -> bool:
    return (get_language() or "zh-hans").lower().startswith("zh")


def _month(today: date) -> tuple[datetime, datetime, date, date]:
    """This month as an aware half-open interval and as its first and last day."""
    first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(first, time.min, tzinfo=tz),
        datetime.combine(following, time.min, tzinfo=tz),
        first,
        following - timedelta(days=1),
    )


def _day_label(day: date) -> str:
    return f"{day.month}月{day.day}日" if _chinese() else day.strftime("%d %b")


# --- one builder per section: principal → the section's context ---------------------------


def _approvals(principal: Principal, request: HttpRequest) -> dict[str, Any]:
    waiting = access_figures.approvals_waiting(principal=principal)
    total = sum(n for _k, _l, n in waiting)
    chart = (
        bar_chart(
            [Bar(label, n, "warn") for _k, label, n in waiting],
            title=_("Requests waiting for my decision, by kind"),
        )
        if waiting
        else None
    )
    return {
        "approvals_waiting": waiting,
        "approvals_kinds": {k for k, _l, _n in waiting},
        "approvals_total": total,
        "approvals_chart": chart,
    }


def _queue(principal: Principal, request: HttpRequest) -> dict[str, Any]:
    return {"queue": queue_counts(principal=principal)}


STAGE_TONES = {"new": "info", "returned": "warn", "submitted": "brand", "verified": "pass"}


def _service(principal: Principal, request: HttpRequest) -> dict[str, Any]:
    today = timezone.localdate()
    stages, clues = case_figures.stages_and_new_clues(principal=principal, today=today)
    return {
        "stage_chart": bar_chart(
            [Bar(label, n, STAGE_TONES.get(stage, "brand")) for stage, label, n in stages],
            title=_("Open problem items by stage"),
        ),
        "open_items": sum(n for _s, _l, n in stages),
        "clues_today": clues[-1][1] if clues else 0,
        "clues_chart": sparkline(
            [n for _d, n in clues],
            labels=[_day_label(d) for d, _n in clues],
            title=_("New clues per day, last 14 days"),
            width=220,
        ),
        "supplements_open": policy_figures.supplement_requests_open_count(principal=principal),
        "open_requests": list(policies.supplement_requests_open(principal=principal)[:RECENT]),
        "failed": list(policies.applications_list(principal=principal, verdict="fail")[:RECENT]),
        "search_form": CustomerSearchForm(
            initial={"kind": DEFAULT_SEARCH_KIND, "purpose": remembered_purpose(request)}
        ),
    }


def _backoffice(principal: Principal, request: HttpRequest) -> dict[str, Any]:
    deadlines = case_figures.my_items_by_deadline(principal=principal)
    bars = [
        Bar(_("Past due"), deadlines.past, "fail"),
        Bar(_("Due today"), deadlines.today, "warn"),
        Bar(_("Due this week"), deadlines.week, "brand"),
        Bar(_("Due later"), deadlines.later, "info"),
        Bar(_("No deadline yet"), deadlines.undated, "muted"),
    ]
    return {
        "deadlines": deadlines,
        "deadline_chart": bar_chart(bars, title=_("My problem items by deadline")),
        "open_requests": list(policies.supplement_requests_open(principal=principal)[:RECENT]),
        "failed": list(policies.applications_list(principal=principal, verdict="fail")[:RECENT]),
    }


def _agent(principal: Principal, request: HttpRequest) -> dict[str, Any]:
    return {
        "recent": list(policies.applications_list(principal=principal)[:RECENT]),
        "agent_requests": list(policies.supplement_requests_open(principal=principal)[:RECENT]),
    }


def _quality(principal: Principal, request: HttpRequest) -> dict[str, Any]:
    since = timezone.now() - timedelta(days=QUALITY_DAYS)
    gate_sellers = policy_figures.gate_rates_by_seller(principal=principal, since=since)
    channels = case_figures.quality_by_channel(principal=principal, since=since)
    sellers = case_figures.quality_by_seller(principal=principal, since=since)
    verdicts = policies.verdict_counts(principal=principal, days=QUALITY_DAYS)
    chinese = _chinese()
    findings = policies.finding_counts(principal=principal, days=QUALITY_DAYS)
    tone = {"error": "fail", "warning": "warn", "info": "info"}
    return {
        "quality_as_of": case_figures.quality_as_of(principal=principal),
        "verdicts": verdicts,
        "verdict_total": sum(verdicts.values()),
        "verdict_chart": stacked_bar_chart(
            [(_("Gate checks"), [verdicts.get("pass", 0), verdicts.get("fail", 0)])],
            segments=[Segment(_("Passed"), "pass"), Segment(_("Failed"), "fail")],
            title=_("Gate verdicts, last 30 days"),
        ),
        "finding_chart": bar_chart(
            [
                Bar(
                    finding_name(code, chinese=chinese),
                    n,
                    tone.get(str(CATALOGUE[code][0]) if code in CATALOGUE else "info", "info"),
                )
                for code, n in findings[:10]
            ],
            title=_("Gate findings, last 30 days"),
        )
        if findings
        else None,
        **_channel_charts(
            policy_figures.gate_rates_by_channel(principal=principal, since=since), channels
        ),
        "gate_seller_chart": bar_chart(
            [Bar(g.name, g.per_100, "fail", f"{g.per_100:g}") for g in gate_sellers],
            title=_("Gate failures per 100 applications, by agent"),
        )
        if gate_sellers
        else None,
        "seller_chart": bar_chart(
            [Bar(s.name, s.items_per_100, "warn", f"{s.items_per_100:g}") for s in sellers],
            title=_("Open problem items per 100 policies, by agent"),
        )
        if sellers
        else None,
        "outcome_chart": stacked_bar_chart(
            [(c.name, [c.overdue, c.corrections, c.escalations]) for c in channels],
            segments=[
                Segment(_("Overdue"), "fail"),
                Segment(_("Corrections"), "brand"),
                Segment(_("Escalations"), "warn"),
            ],
            title=_("Overdue investigations, corrections and escalations, by channel"),
        )
        if any(c.overdue or c.corrections or c.escalations for c in channels)
        else None,
    }


def _managers(principal: Principal, request: HttpRequest) -> dict[str, Any]:
    incidents = incident_figures.incidents_open(principal=principal)
    return {
        "classified": customer_figures.classified_files(principal=principal),
        "incidents": incidents,
        "incident_chart": bar_chart(
            [Bar(label, n, "fail") for _s, label, n in incidents.by_status],
            title=_("Open leak incidents by status"),
        )
        if incidents and incidents.total
        else None,
        "inspections": retention_figures.inspections(principal=principal),
        "may_incidents": may(principal, "incidents.view"),
        "may_retention": may(principal, "retention.view"),
    }


def _channel_charts(
    gate: list[policy_figures.GateRate], channels: list[case_figures.ChannelQuality]
) -> dict[str, Any]:
    """The two data-quality rates per channel (compliance and the general manager)."""
    return {
        "gate_chart": bar_chart(
            [Bar(g.name, g.per_100, "fail", f"{g.per_100:g}") for g in gate],
            title=_("Gate failures per 100 applications, by channel"),
        )
        if gate
        else None,
        "items_chart": bar_chart(
            [Bar(c.name, c.items_per_100, "warn", f"{c.items_per_100:g}") for c in channels],
            title=_("Open problem items per 100 policies, by channel"),
        )
        if channels
        else None,
    }


def _general(principal: Principal, request: HttpRequest) -> dict[str, Any]:
    today = timezone.localdate()
    since, until, first, last = _month(today)
    since_30 = timezone.now() - timedelta(days=QUALITY_DAYS)
    gate = policy_figures.gate_month(principal=principal, since=since, until=until)
    items = case_figures.items_month(principal=principal, first=first, last=last)
    return {
        "month_start": first,
        "quality_as_of": case_figures.quality_as_of(principal=principal),
        "month": {
            "customers": customer_figures.new_customers(
                principal=principal, since=since, until=until
            ),
            "applications": gate.applications,
            "checks": gate.checks,
            "pass_percent": gate.pass_percent,
            "opened": items.opened,
            "closed": items.closed,
            "incidents": incident_figures.incidents_month(
                principal=principal, since=since, until=until
            ),
        },
        "month_chart": bar_chart(
            [
                Bar(_("Items opened"), items.opened, "warn"),
                Bar(_("Items closed"), items.closed, "pass"),
            ],
            title=_("Problem items this month"),
        ),
        **_channel_charts(
            policy_figures.gate_rates_by_channel(principal=principal, since=since_30),
            case_figures.quality_by_channel(principal=principal, since=since_30),
        ),
    }


def _auditor(principal: Principal, request: HttpRequest) -> dict[str, Any]:
    refused = audit_figures.refused_by_day(principal=principal)
    return {
        "chain": audit_figures.chain_status(principal=principal),
        "refused_total": sum(n for _d, n in refused),
        "refused_chart": bar_chart(
            [Bar(_day_label(d), n, "fail") for d, n in refused],
            title=_("Refused attempts per day, last 7 days"),
        ),
        "anomalies": incident_figures.anomaly_candidates(
            principal=principal, since=timezone.now() - timedelta(days=30)
        ),
    }


def _admin(principal: Principal, request: HttpRequest) -> dict[str, Any]:
    return {}


BUILDERS: dict[str, Callable[[Principal, HttpRequest], dict[str, Any]]] = {
    "approvals": _approvals,
    "queue": _queue,
    "service": _service,
    "backoffice": _backoffice,
    "agent": _agent,
    "quality": _quality,
    "managers": _managers,
    "general": _general,
    "auditor": _auditor,
    "admin": _admin,
}


@action_required("home.view")
def home(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    sections = sections_for(
        roles_of(request.user), approver=access_figures.may_approve(principal=principal)
    )
    context: dict[str, Any] = {
        "sections": sections,
        "section_templates": [f"web/home/_{s}.html" for s in sections],
    }
    for section in sections:
        context.update(BUILDERS[section](principal, request))
    return render(request, "web/home.html", context)
