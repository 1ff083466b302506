"""Staff roles (requirements.md "Actors"), kept as Django groups of these names."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _


class RoleName(StrEnum):
    AGENT = "agent"
    CHANNEL_BACKOFFICE = "channel_backoffice"
    CUSTOMER_SERVICE = "customer_service"
    COMPLIANCE = "compliance"
    INFORMATION_MANAGER = "information_manager"
    AUDITOR = "auditor"
    ADMIN = "admin"


ROLE_LABELS = {
    RoleName.AGENT: _("Agent (营销员)"),
    RoleName.CHANNEL_BACKOFFICE: _("Channel back-office (渠道内勤)"),
    RoleName.CUSTOMER_SERVICE: _("Customer service (客户服务部)"),
    RoleName.COMPLIANCE: _("Compliance (合规)"),
    RoleName.INFORMATION_MANAGER: _("Customer information manager (客户信息主管)"),
    RoleName.AUDITOR: _("Auditor (审计)"),
    RoleName.ADMIN: _("Administrator"),
}


def roles_of(user: Any) -> set[RoleName]:
    if user is None or not user.is_authenticated:
        return set()
    cached = getattr(user, "_veracity_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = {role for role in RoleName if role.value in names}
        if user.is_superuser:
            cached.add(RoleName.ADMIN)
        user._veracity_roles = cached
    return set(cached)


def has_role(user: Any, *roles: RoleName) -> bool:
    return bool(roles_of(user) & set(roles))


#: AG-10 default visibility: the staff roles whose work needs every general customer file and
#: application (masked). Agents see only their own book; the auditor reads the audit trail.
SEES_ALL_FILES = frozenset(
    {
        RoleName.CHANNEL_BACKOFFICE,
        RoleName.CUSTOMER_SERVICE,
        RoleName.COMPLIANCE,
        RoleName.INFORMATION_MANAGER,
        RoleName.ADMIN,
    }
)
