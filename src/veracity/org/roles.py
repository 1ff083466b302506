"""Staff roles (requirements.md "Actors"), kept as Django groups of these names.

What each role may see or do is access policy and lives in ``veracity.access``; here are
only the names and who holds them."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

from veracity.org.principals import PRINCIPAL_TYPES, acting_user


class RoleName(StrEnum):
    AGENT = "agent"
    TEAM_LEADER = "team_leader"
    CHANNEL_BACKOFFICE = "channel_backoffice"
    CUSTOMER_SERVICE = "customer_service"
    COMPLIANCE = "compliance"
    INFORMATION_MANAGER = "information_manager"
    CUSTOMER_SERVICE_MANAGER = "customer_service_manager"
    GENERAL_MANAGER = "general_manager"
    AUDITOR = "auditor"
    TRAINING = "training"
    CHANNEL_MANAGEMENT = "channel_management"
    GENERAL_OFFICE = "general_office"
    ADMIN = "admin"


ROLE_LABELS = {
    RoleName.AGENT: _("Agent (营销员)"),
    RoleName.TEAM_LEADER: _("Team leader (团队主管)"),
    RoleName.CHANNEL_BACKOFFICE: _("Channel back-office (渠道内勤)"),
    RoleName.CUSTOMER_SERVICE: _("Customer service (客户服务部)"),
    RoleName.COMPLIANCE: _("Compliance (合规)"),
    RoleName.INFORMATION_MANAGER: _("Customer information manager (客户信息主管)"),
    RoleName.CUSTOMER_SERVICE_MANAGER: _("Customer service manager (客户服务部经理)"),
    RoleName.GENERAL_MANAGER: _("General manager (总经理)"),
    RoleName.AUDITOR: _("Auditor (审计)"),
    RoleName.TRAINING: _("Training department (培训部)"),
    RoleName.CHANNEL_MANAGEMENT: _("Sales channel management (销售渠道管理部门)"),
    RoleName.GENERAL_OFFICE: _("General office (综合办公室)"),
    RoleName.ADMIN: _("Administrator"),
}


def roles_of(user: Any) -> set[RoleName]:
    """The roles of a user, or of a principal (``veracity.org.principals``): a staff user's,
    a system's designated person's; a customer and a system without a person hold none."""
    if isinstance(user, PRINCIPAL_TYPES):
        user = acting_user(user)
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
