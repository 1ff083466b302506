"""The home page: one view, sections chosen by the user's roles."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from veracity.access.governance import requests_awaiting
from veracity.access.policy import action_required, roles_for
from veracity.access.roles import RoleName, roles_of
from veracity.cases.selectors import queue_counts
from veracity.core.findings import CATALOGUE
from veracity.org.principals import Principal
from veracity.policies import selectors as policies
from veracity.web.forms import DEFAULT_SEARCH_KIND, CustomerSearchForm
from veracity.web.views.common import principal_of, remembered_purpose

RECENT = 10


def sections_for(roles: set[RoleName]) -> list[str]:
    """Which home sections a user sees, in page order."""
    sections: list[str] = []
    if roles & roles_for("cases.queue"):  # who has a problem-item work queue
        sections.append("queue")
    if RoleName.AGENT in roles:
        sections.append("agent")
    if roles & {RoleName.CUSTOMER_SERVICE, RoleName.CHANNEL_BACKOFFICE}:
        sections.append("service")
    if roles & {RoleName.COMPLIANCE, RoleName.INFORMATION_MANAGER}:
        sections.append("statistics")
    if RoleName.AUDITOR in roles:
        sections.append("auditor")
    if RoleName.ADMIN in roles:
        sections.append("admin")
    return sections


@action_required("home.view")
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    principal = principal_of(request)
    sections = sections_for(roles_of(user))
    context: dict[str, Any] = {"sections": sections, "to_decide": requests_to_decide(principal)}
    if "agent" in sections or "service" in sections:
        context["open_requests"] = list(
            policies.supplement_requests_open(principal=principal)[:RECENT]
        )
    if "agent" in sections:
        context["recent"] = list(policies.applications_list(principal=principal)[:RECENT])
    if "service" in sections:
        context["failed"] = list(
            policies.applications_list(principal=principal, verdict="fail")[:RECENT]
        )
        context["search_form"] = CustomerSearchForm(
            initial={"kind": DEFAULT_SEARCH_KIND, "purpose": remembered_purpose(request)}
        )
    if "statistics" in sections:
        context.update(statistics(principal))
    if "queue" in sections:
        context["queue"] = queue_counts(principal=principal)
    return render(request, "web/home.html", context)


def requests_to_decide(principal: Principal) -> int:
    """How many access requests wait for this principal's decision (D4.18)."""

    return len(requests_awaiting(principal=principal))


def statistics(principal: Principal) -> dict[str, Any]:
    counts = policies.finding_counts(principal=principal, days=30)
    top = max((n for _, n in counts), default=0)
    bars = [
        {
            "code": code,
            "count": n,
            "percent": round(100 * n / top) if top else 0,
            "severity": str(CATALOGUE[code][0]) if code in CATALOGUE else "info",
        }
        for code, n in counts
    ]
    verdicts = policies.verdict_counts(principal=principal, days=30)
    total = sum(verdicts.values())
    return {
        "finding_bars": bars,
        "verdicts": verdicts,
        "verdict_total": total,
        "pass_percent": round(100 * verdicts.get("pass", 0) / total) if total else 0,
        "fail_percent": round(100 * verdicts.get("fail", 0) / total) if total else 0,
    }
