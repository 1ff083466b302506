"""Reads of leak incidents: only those who handle incidents see them (AG-8, D4.27)."""

from __future__ import annotations

from typing import Any, Final

from django.contrib.auth import get_user_model
from django.db.models import Count, QuerySet

from veracity.access.roles import RoleName
from veracity.incidents.models import LeakIncident
from veracity.org.actions import may, roles_for
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


def incidents_visible_to(*, principal: Principal) -> QuerySet[LeakIncident]:
    if not may_handle_incidents(principal=principal):
        return LeakIncident.objects.none()
    return LeakIncident.objects.all()


def incident_list(*, principal: Principal, status: str = "") -> QuerySet[LeakIncident]:
    """The incidents ``principal`` may see, newest first, with their number of customers."""
    found = incidents_visible_to(principal=principal).select_related("reported_by", "anomaly_user")
    if status:
        found = found.filter(status=status)
    return found.annotate(customer_count=Count("customers", distinct=True)).order_by(
        "-reported_at", "-pk"
    )
