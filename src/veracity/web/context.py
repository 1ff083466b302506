from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from veracity.access.policy import may
from veracity.access.roles import ROLE_LABELS, RoleName, roles_of
from veracity.incidents.selectors import may_handle_incidents
from veracity.notify.selectors import unread_count
from veracity.web.views.common import principal_of


def roles(request: HttpRequest) -> dict[str, Any]:
    """The user's roles and what the navigation offers them."""
    user_roles = roles_of(getattr(request, "user", None))
    return {
        "user_roles": sorted(r.value for r in user_roles),
        "user_role_labels": [ROLE_LABELS[r] for r in sorted(user_roles)],
        "nav_casework": may(getattr(request, "user", None), "customers.view"),
        "nav_admin": RoleName.ADMIN in user_roles,
    }


#: The top navigation, in order: (url name, label, element id, url names it is active on,
#: who sees it). At most ``NAV_PRIMARY`` entries stand in the bar; the rest fold into one
#: "more" menu, so the bar keeps one row from 1280 to 1920 px in both languages.
NAV_PRIMARY = 6
_CASEWORK = "casework"
# Who sees an entry is asked by action (org.actions), never by role: an entry stands for
# anyone who may take one of its actions.
_PROBLEMS = ("problems.list",)
_QUEUE = ("cases.queue", "cases.statement")  # agents answer their items from their queue
_RETENTION = ("retention.view",)
_AUDIT = ("audit.read",)
_REGULATOR = ("regulator_report.view",)
_CONDUCT = ("conduct.view",)  # owners of a demand reach theirs from the waiting panel
_NAV: tuple[tuple[str, Any, str, tuple[str, ...], Any], ...] = (
    ("web:home", _("Home"), "nav-home", ("home",), "all"),
    (
        "web:customer_search",
        _("Customers"),
        "nav-customers",
        ("customer_search", "customer_detail"),
        _CASEWORK,
    ),
    (
        "web:applications",
        _("Applications"),
        "nav-applications",
        ("applications", "application_detail"),
        _CASEWORK,
    ),
    (
        "web:problems",
        _("Problem items"),
        "nav-problems",
        ("problems", "case_detail", "case_overdue"),
        _PROBLEMS,
    ),
    ("web:case_queue", _("My work queue"), "nav-queue", ("case_queue",), _QUEUE),
    (
        "web:access_requests",
        _("Access requests"),
        "nav-access",
        ("access_requests", "access_request", "access_request_new", "access_register"),
        "all",
    ),
    (
        "web:incidents",
        _("Leak incidents"),
        "nav-incidents",
        ("incidents", "incident_detail"),
        "incidents",
    ),
    ("web:incident_report", _("Report a leak"), "nav-report", ("incident_report",), "all"),
    ("web:retention", _("Retention"), "nav-retention", ("retention*",), _RETENTION),
    ("web:audit", _("Audit trail"), "nav-audit", ("audit",), _AUDIT),
    # the seller register and the training department's page (SF-1)
    ("web:sellers", _("Sellers"), "nav-sellers", ("sellers", "seller"), ("sellers.view",)),
    ("web:training", _("Training"), "nav-training", ("training",), ("training.record",)),
    (
        "web:complaints",
        _("Complaints"),
        "nav-complaints",
        ("complaints", "complaint_detail", "complaint_new"),
        ("complaints.view",),
    ),
    # --- penalties and assessment (issue 13)
    (
        "web:penalties",
        _("Penalties"),
        "nav-penalties",
        ("penalties", "penalty", "penalty_new"),
        ("penalties.view",),
    ),
    ("web:assessment", _("Assessment"), "nav-assessment", ("assessment",), ("assessment.view",)),
    (
        "web:regulator_reports",
        _("Regulator reports"),
        "nav-regulator",
        ("regulator_report*",),
        _REGULATOR,
    ),
    (
        "web:compliance_actions",
        _("Compliance actions"),
        "nav-compliance",
        ("compliance*",),
        _CONDUCT,
    ),
    (
        "web:inquiry_desk",
        _("Inquiry desk"),
        "nav-inquiries",
        ("inquiry_desk", "inquiry_answer", "inquiry_bas*"),
        ("inquiries.desk",),
    ),
    (
        "web:inquiry_usage",
        _("Inquiry channel usage"),
        "nav-inquiry-usage",
        ("inquiry_usage",),
        ("inquiries.usage",),
    ),
    (
        "web:notice_failures",
        _("Undelivered notices"),
        "nav-notice-failures",
        ("notice_failures",),
        ("notices.view",),
    ),
    (
        "web:notice_effect",
        _("Notice effect"),
        "nav-notice-effect",
        ("notice_effect",),
        ("notices.effect",),
    ),
    ("admin:index", _("Administration"), "nav-admin", (), "admin"),
)


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The entries of the top navigation this user sees: ``nav_items`` stand in the bar,
    ``nav_more`` fold into the "more" menu (``nav_more_active`` when one of them is open)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    admin = RoleName.ADMIN in roles_of(user)
    flags = {
        "all": True,
        "admin": admin,
        _CASEWORK: may(user, "customers.view"),
        "incidents": may_handle_incidents(principal=principal_of(request)),
    }
    match = getattr(request, "resolver_match", None)
    current = (match.url_name or "") if match else ""
    entries = []
    for url_name, label, element_id, active_on, who in _NAV:
        shown = flags[who] if isinstance(who, str) else any(may(user, a) for a in who)
        if not shown:
            continue
        active = any(
            current.startswith(name[:-1]) if name.endswith("*") else current == name
            for name in active_on
        )
        entries.append(
            {"url": reverse(url_name), "label": label, "id": element_id, "active": active}
        )
    primary, more = entries[:NAV_PRIMARY], entries[NAV_PRIMARY:]
    if len(more) == 1:  # a menu of one entry helps nobody
        primary, more = entries, []
    return {
        "nav_items": primary,
        "nav_more": more,
        "nav_more_active": any(e["active"] for e in more),
    }


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The unread count shown in the navigation, and whether the incident pages are offered."""

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_unread": unread_count(principal=principal_of(request)),
        "nav_incidents": may_handle_incidents(principal=principal_of(request)),
    }
