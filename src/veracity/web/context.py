from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from veracity.access.roles import ROLE_LABELS, RoleName, roles_of
from veracity.web.views.common import CASEWORK_ROLES


def roles(request: HttpRequest) -> dict[str, Any]:
    """The user's roles and what the navigation offers them."""
    user_roles = roles_of(getattr(request, "user", None))
    return {
        "user_roles": sorted(r.value for r in user_roles),
        "user_role_labels": [ROLE_LABELS[r] for r in sorted(user_roles)],
        "nav_casework": bool(user_roles & set(CASEWORK_ROLES)),
        "nav_admin": RoleName.ADMIN in user_roles,
    }
