from __future__ import annotations

from typing import Any

from django.http import HttpRequest

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


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The unread count shown in the navigation, and whether the incident pages are offered."""

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_unread": unread_count(principal=principal_of(request)),
        "nav_incidents": may_handle_incidents(principal=principal_of(request)),
    }
