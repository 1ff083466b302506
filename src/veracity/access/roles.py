"""Staff roles (requirements.md "Actors"), kept as Django groups of these names."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _


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


class Reach(StrEnum):
    """How far a role sees customer files by default (AG-10, D4.26)."""

    NONE = "none"
    OWN_BOOK = "own_book"  # the customers of the policies one sold
    OWN_CHANNEL = "own_channel"  # the customers of the policies of one's sales channel
    GENERAL = "general"  # every general customer (一般客户)
    GENERAL_AND_SPECIAL = "general_and_special"  # also special customers (特殊客户)


#: AG-10 default visibility: what each role's work needs, shown masked. Everything beyond
#: needs a borrowing grant (D4.18–D4.19); classified files (机密/绝密, D4.22) are never seen by
#: default, except by their custodian. The auditor reads the audit trail, not files.
DEFAULT_REACH: dict[RoleName, Reach] = {
    RoleName.AGENT: Reach.OWN_BOOK,
    # supervises the problem items of the team's agents; files through the agents' own
    # work or a borrowing grant
    RoleName.TEAM_LEADER: Reach.NONE,
    RoleName.CHANNEL_BACKOFFICE: Reach.OWN_CHANNEL,
    RoleName.CUSTOMER_SERVICE: Reach.GENERAL,
    RoleName.COMPLIANCE: Reach.GENERAL,
    RoleName.INFORMATION_MANAGER: Reach.GENERAL_AND_SPECIAL,
    RoleName.CUSTOMER_SERVICE_MANAGER: Reach.GENERAL_AND_SPECIAL,
    RoleName.GENERAL_MANAGER: Reach.NONE,
    RoleName.AUDITOR: Reach.NONE,
    RoleName.ADMIN: Reach.GENERAL,
}


def reaches_of(user: Any) -> set[Reach]:
    return {DEFAULT_REACH[role] for role in roles_of(user)} - {Reach.NONE}


#: The staff roles whose work needs every application (masked): the whole-book reaches.
SEES_ALL_FILES = frozenset(
    role
    for role, reach in DEFAULT_REACH.items()
    if reach in (Reach.GENERAL, Reach.GENERAL_AND_SPECIAL)
)
