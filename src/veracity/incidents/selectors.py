"""Reads of leak incidents: only those who handle incidents see them (AG-8, D4.27)."""

from __future__ import annotations

from typing import Any, Final

from django.contrib.auth import get_user_model
from django.db.models import Count, QuerySet

from veracity.access.roles import RoleName
from veracity.incidents.models import LeakIncident
from veracity.org.actions import may, reach_for, roles_for
from veracity.org.principals import Principal

#: Told at once of every reported leak (D4.27: 客户信息主管 and 客户服务部经理); the roles of
#: ``incidents.respond`` in the actions table.
RESPONDER_ROLES: Final = tuple(sorted(roles_for("incidents.respond")))


def may_handle_incidents(*, principal: Principal) -> bool:
    """Who sees and works incidents (``incidents.handle``): the two managers D4.27 names,
    compliance, administrators."""
    return may(principal, "incidents.handle")


def users_with_roles(*roles: RoleName) -> QuerySet[Any]:
    """Active users holding one of ``roles`` (their Django groups)."""
    return (
        get_user_model()
        .objects.filter(groups__name__in=[r.value for r in roles], is_active=True)
        .distinct()
        .order_by("pk")
    )


#: What incidents are read for: their list and pages, and the work on them. Whoever may take
#: the action sees every incident (the register is theirs to keep, D4.27).
REACHES: Final = {"incidents.view": "all", "incidents.handle": "all"}


def incidents_visible_to(*, principal: Principal, action: str) -> QuerySet[LeakIncident]:
    """The incidents ``principal`` may read for ``action`` (one of :data:`REACHES`)."""
    reach_for(action, REACHES)
    if not may(principal, action):
        return LeakIncident.objects.none()
    return LeakIncident.objects.all()


def incident_list(*, principal: Principal, status: str = "") -> QuerySet[LeakIncident]:
    """The incidents ``principal`` may see, newest first, with their number of customers."""
    found = incidents_visible_to(principal=principal, action="incidents.view").select_related(
        "reported_by", "anomaly_user"
    )
    if status:
        found = found.filter(status=status)
    return found.annotate(customer_count=Count("customers", distinct=True)).order_by(
        "-reported_at", "-pk"
    )


#: the incidents still waiting for someone's hand
OPEN_STATUSES: Final = (
    LeakIncident.Status.CANDIDATE,
    LeakIncident.Status.REPORTED,
    LeakIncident.Status.INVESTIGATING,
)


def incidents_open_count(*, principal: Principal) -> int:
    """How many incidents (candidates included) wait to be handled, for those who handle
    them (none for anyone else)."""
    if not may_handle_incidents(principal=principal):
        return 0
    return (
        incidents_visible_to(principal=principal, action="incidents.handle")
        .filter(status__in=OPEN_STATUSES)
        .count()
    )
