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
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from veracity.access import figures as access_figures
from veracity.access.policy import action_required, roles_for
from veracity.access.roles import RoleName, roles_of
from veracity.audit import figures as audit_figures
from veracity.cases import figures as case_figures
from veracity.cases.selectors import queue_counts
from veracity.conduct import figures as conduct_figures
from veracity.core.findings import CATALOGUE, finding_name
from veracity.customers import figures as customer_figures
from veracity.incidents import figures as incident_figures
from veracity.notices import selectors as notice_selectors
from veracity.org.actions import may
from veracity.org.principals import Principal
from veracity.policies import figures as policy_figures
from veracity.policies import selectors as policies
from veracity.portal import selectors as portal_selectors
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
    "conduct",
    "training",
    "channels",
    "office",
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
    RoleName.COMPLIANCE: ("quality", "conduct"),
    RoleName.INFORMATION_MANAGER: ("approvals", "managers"),
    RoleName.CUSTOMER_SERVICE_MANAGER: ("approvals", "managers"),
    RoleName.GENERAL_MANAGER: ("approvals", "general"),
    RoleName.AUDITOR: ("auditor",),
    RoleName.TRAINING: ("training",),
    RoleName.CHANNEL_MANAGEMENT: ("channels",),
    RoleName.GENERAL_OFFICE: ("office",),
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
        # the portal's reported contact changes to verify, and the notices that did not reach
        # the customer in the last 30 days (counts only)
        "contact_changes_pending": (
            portal_selectors.pending_change_requests().count()
            if may(principal, "contact_changes.review")
            else None
        ),
        "notices_failed": (
            notice_selectors.failures_count() if may(principal, "notices.view") else None
        ),
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


# --- the sales force's conduct (SF-1 … SF-6): compliance and the three new roles ------------


def _url(name: str, query: str = "") -> str:
    """The address of a page that may not exist yet in this build (the seller register, the
    training, penalty, assessment and regulator-report pages): empty when it does not, and
    the section shows its words without a link."""
    try:
        return reverse(name) + query
    except NoReverseMatch:
        return ""


def _quarter_label(quarter: str) -> str:
    """2026Q4 in the page's language: 2026年第4季度, 2026 Q4."""
    year, _q, number = quarter.partition("Q")
    return f"{year}年第{number}季度" if _chinese() else f"{year} Q{number}"


def _conduct(principal: Principal, request: HttpRequest) -> dict[str, Any]:
    today = timezone.localdate()
    figures = conduct_figures.compliance_figures(principal=principal, today=today)
    chart = None
    if figures is not None and (figures.open_demands or figures.open_referrals):
        chart = bar_chart(
            [
                Bar(_("Overdue rectifications"), figures.overdue, "fail"),
                Bar(_("Rectifications on time"), figures.open_demands - figures.overdue, "brand"),
                Bar(_("Referrals to the committee"), figures.open_referrals, "warn"),
            ],
            title=_("Open compliance actions"),
        )
    return {"conduct": figures, "conduct_chart": chart}


def _training(principal: Principal, request: HttpRequest) -> dict[str, Any]:
    figures = conduct_figures.training_figures(principal=principal, today=timezone.localdate())
    chart = None
    if figures is not None and figures.unqualified:
        chart = bar_chart(
            [
                Bar(_("No passed test and under 2 class hours"), figures.neither, "fail"),
                Bar(_("No passed test"), figures.no_test, "warn"),
                Bar(_("Under 2 class hours"), figures.no_hours, "warn"),
            ],
            title=_("Sellers without sales qualification, by what is missing"),
        )
    return {
        "training": figures,
        "training_chart": chart,
        "training_url": _url("web:training"),
        "sellers_url": _url("web:sellers"),
    }


def _channels(principal: Principal, request: HttpRequest) -> dict[str, Any]:
    today = timezone.localdate()
    figures = conduct_figures.channel_figures(principal=principal, today=today)
    chart = None
    if figures is not None and (figures.awaiting or figures.decided_total or figures.escalations):
        decided = dict(figures.decided)
        chart = bar_chart(
            [
                Bar(_("Penalties awaiting approval"), figures.awaiting, "warn"),
                Bar(_("Penalties in force"), decided.get("in_force", 0), "fail"),
                Bar(_("Penalties rejected"), decided.get("rejected", 0), "muted"),
                Bar(_("Escalations of misconduct"), figures.escalations, "brand"),
            ],
            title=_("Penalties and escalations this quarter"),
        )
    return {
        "channels": figures,
        "channels_quarter": _quarter_label(figures.quarter) if figures else "",
        "channels_chart": chart,
        "channels_conduct": conduct_figures.compliance_figures(principal=principal, today=today),
        "penalties_url": _url("web:penalties"),
        "assessment_url": _url("web:assessment"),
        "compliance_url": _url("web:compliance_actions"),
        "repeat_url": _url("web:problems", "?rule=REPEAT_MISSELLING")
        if may(principal, "problems.list")
        else "",
    }


def _office(principal: Principal, request: HttpRequest) -> dict[str, Any]:
    office = conduct_figures.office_figures(principal=principal, today=timezone.localdate())
    return {
        "office": office,
        "office_rows": [(e, _quarter_label(e.quarter)) for e in office.unfiled] if office else [],
        "reports_url": _url("web:regulator_reports"),
    }


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
    "conduct": _conduct,
    "training": _training,
    "channels": _channels,
    "office": _office,
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
