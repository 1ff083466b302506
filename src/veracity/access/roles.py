"""What each staff role reaches by default (AG-10): access policy over the role names of
``veracity.org.roles``.

``RoleName``, ``ROLE_LABELS``, ``roles_of`` and ``has_role`` are re-exported from here for the
callers not yet moved to ``veracity.org.roles``."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from veracity.org.roles import ROLE_LABELS, RoleName, has_role, roles_of

__all__ = [
    "DEFAULT_REACH",
    "ROLE_LABELS",
    "Reach",
    "RoleName",
    "has_role",
    "reaches_of",
    "roles_of",
]


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
    # the sales force's records, not customer files
    RoleName.TRAINING: Reach.NONE,
    # receives the problem lists of its channel (D1.14); files as the channel back-office
    RoleName.CHANNEL_MANAGEMENT: Reach.OWN_CHANNEL,
    # files the regulator report: sellers and agencies, no customer files
    RoleName.GENERAL_OFFICE: Reach.NONE,
    RoleName.ADMIN: Reach.GENERAL,
}


def reaches_of(user: Any) -> set[Reach]:
    return {DEFAULT_REACH[role] for role in roles_of(user)} - {Reach.NONE}
