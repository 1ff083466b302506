"""The one actions table: ``may`` over every role × every action, pinned to the role sets the
views and endpoints asked for before they asked by action."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from veracity.access.policy import (
    ACTIONS,
    CLIENT_SCOPE,
    SIGNED_IN,
    action_of,
    action_required,
    endpoint_action,
    may,
    roles_for,
)
from veracity.access.roles import RoleName

R = RoleName
CASEWORK = {
    R.AGENT,
    R.CHANNEL_BACKOFFICE,
    R.CUSTOMER_SERVICE,
    R.COMPLIANCE,
    R.INFORMATION_MANAGER,
    R.CUSTOMER_SERVICE_MANAGER,
    R.ADMIN,
}
PROBLEM_LIST = {
    R.CHANNEL_BACKOFFICE,
    R.CHANNEL_MANAGEMENT,  # its channel's list, as the back-office (issue 13)
    R.CUSTOMER_SERVICE,
    R.CUSTOMER_SERVICE_MANAGER,
    R.COMPLIANCE,
    R.INFORMATION_MANAGER,
    R.ADMIN,
}
CASE_PAGES = {
    R.AGENT,  # the items of their own book, read-only (D1.13)
    R.CHANNEL_BACKOFFICE,
    R.CHANNEL_MANAGEMENT,  # the case pages of its channel's items
    R.CUSTOMER_SERVICE,
    R.CUSTOMER_SERVICE_MANAGER,
    R.COMPLIANCE,
    R.TEAM_LEADER,
    R.INFORMATION_MANAGER,
    R.ADMIN,
}
WORK_QUEUE = {
    R.CUSTOMER_SERVICE,
    R.CUSTOMER_SERVICE_MANAGER,
    R.CHANNEL_BACKOFFICE,
    R.COMPLIANCE,
    R.TEAM_LEADER,
}
VERIFIERS = {R.COMPLIANCE, R.CUSTOMER_SERVICE, R.CUSTOMER_SERVICE_MANAGER}
EVERYONE = set(RoleName)
NOBODY: set[RoleName] = set()

#: Who may take each action: the role tuples of the views and endpoints as they were
#: (CASEWORK_ROLES, LIST_ROLES, CASE_ROLES, QUEUE_ROLES, DISTRIBUTORS, …), written out again.
EXPECTED: dict[str, set[RoleName]] = {
    "account.manage": EVERYONE,
    "home.view": EVERYONE,
    "notifications.read": EVERYONE,
    "customers.view": CASEWORK,
    "customers.unmask": CASEWORK,
    "customers.download": CASEWORK,  # and then only through a grant or as custodian
    "customers.classify": {R.INFORMATION_MANAGER, R.CUSTOMER_SERVICE_MANAGER, R.ADMIN},
    "customers.suspicion": {R.CUSTOMER_SERVICE, R.COMPLIANCE, R.INFORMATION_MANAGER, R.ADMIN},
    "applications.view": CASEWORK,
    "applications.check": NOBODY,  # the calling system's own scope, no person
    "applications.store": NOBODY,
    "policy_events.record": NOBODY,  # the core system's API clients and the command line
    "notices.view": {
        R.CUSTOMER_SERVICE,
        R.CUSTOMER_SERVICE_MANAGER,
        R.INFORMATION_MANAGER,
        R.ADMIN,
    },
    "notices.effect": {
        R.CUSTOMER_SERVICE_MANAGER,
        R.INFORMATION_MANAGER,
        R.GENERAL_MANAGER,
        R.ADMIN,
    },
    "sms.receipts": NOBODY,  # the SMS gateway system, no person
    "problems.list": PROBLEM_LIST,
    "problems.export": PROBLEM_LIST,
    "cases.view": CASE_PAGES,
    "cases.queue": WORK_QUEUE,
    "cases.distribute": {R.CUSTOMER_SERVICE, R.CUSTOMER_SERVICE_MANAGER},
    "cases.investigate": {R.CHANNEL_BACKOFFICE, R.CUSTOMER_SERVICE, R.CUSTOMER_SERVICE_MANAGER},
    "cases.verify": VERIFIERS,
    "cases.close": VERIFIERS,
    "cases.support": VERIFIERS,
    "cases.statement": {R.AGENT},
    "access.request": EVERYONE,
    "access.oversee": {
        R.INFORMATION_MANAGER,
        R.CUSTOMER_SERVICE_MANAGER,
        R.COMPLIANCE,
        R.AUDITOR,
        R.ADMIN,
    },
    "retention.view": {R.INFORMATION_MANAGER, R.CUSTOMER_SERVICE_MANAGER, R.AUDITOR, R.ADMIN},
    "retention.act": {R.INFORMATION_MANAGER, R.CUSTOMER_SERVICE_MANAGER, R.ADMIN},
    "retention.approve": {R.INFORMATION_MANAGER, R.CUSTOMER_SERVICE_MANAGER},
    "incidents.report": EVERYONE,
    "incidents.view": {R.INFORMATION_MANAGER, R.CUSTOMER_SERVICE_MANAGER, R.COMPLIANCE, R.ADMIN},
    "incidents.handle": {
        R.INFORMATION_MANAGER,
        R.CUSTOMER_SERVICE_MANAGER,
        R.COMPLIANCE,
        R.ADMIN,
    },
    "incidents.respond": {R.INFORMATION_MANAGER, R.CUSTOMER_SERVICE_MANAGER},
    "audit.read": {R.AUDITOR, R.ADMIN},
    "audit.export": {R.AUDITOR, R.ADMIN},
    "audit.verify": {R.AUDITOR, R.ADMIN},
    # D1.24 compliance actions (the compliance helper's block)
    "conduct.record": {R.COMPLIANCE},
    "conduct.view": {R.COMPLIANCE, R.CHANNEL_MANAGEMENT, R.GENERAL_MANAGER, R.ADMIN},
    "conduct.follow_up": EVERYONE,
    "reports.view": {
        R.COMPLIANCE,
        R.INFORMATION_MANAGER,
        R.CUSTOMER_SERVICE_MANAGER,
        R.GENERAL_MANAGER,
        R.ADMIN,
    },
    # the sales force
    "sellers.view": {
        R.TRAINING,
        R.CHANNEL_MANAGEMENT,
        R.CHANNEL_BACKOFFICE,
        R.TEAM_LEADER,
        R.CUSTOMER_SERVICE,
        R.CUSTOMER_SERVICE_MANAGER,
        R.COMPLIANCE,
        R.INFORMATION_MANAGER,
        R.GENERAL_MANAGER,
        R.ADMIN,
    },
    "sellers.manage": {R.CHANNEL_MANAGEMENT, R.ADMIN},
    "sellers.page": EVERYONE,
    "training.record": {R.TRAINING, R.ADMIN},
    "complaints.record": {R.CUSTOMER_SERVICE, R.CUSTOMER_SERVICE_MANAGER, R.COMPLIANCE, R.ADMIN},
    "complaints.view": {
        R.CUSTOMER_SERVICE,
        R.CUSTOMER_SERVICE_MANAGER,
        R.COMPLIANCE,
        R.CHANNEL_MANAGEMENT,
        R.INFORMATION_MANAGER,
        R.GENERAL_MANAGER,
        R.ADMIN,
    },
    "complaints.verify": {R.CUSTOMER_SERVICE, R.CUSTOMER_SERVICE_MANAGER, R.COMPLIANCE},
    "callbacks.record": {R.CUSTOMER_SERVICE, R.CUSTOMER_SERVICE_MANAGER},
    "penalties.view": {
        R.CHANNEL_MANAGEMENT,
        R.COMPLIANCE,
        R.GENERAL_MANAGER,
        R.INFORMATION_MANAGER,
        R.CUSTOMER_SERVICE_MANAGER,
        R.ADMIN,
    },
    "penalties.propose": {R.CHANNEL_MANAGEMENT},
    "penalties.import": {R.CHANNEL_MANAGEMENT, R.ADMIN},
    "assessment.view": {R.CHANNEL_MANAGEMENT, R.COMPLIANCE, R.GENERAL_MANAGER, R.ADMIN},
    "regulator_report.view": {
        R.CHANNEL_MANAGEMENT,
        R.COMPLIANCE,
        R.INFORMATION_MANAGER,
        R.CUSTOMER_SERVICE_MANAGER,
        R.GENERAL_OFFICE,
        R.GENERAL_MANAGER,
        R.ADMIN,
    },
    "regulator_report.prepare": {R.CHANNEL_MANAGEMENT, R.COMPLIANCE},
    "regulator_report.review": {R.INFORMATION_MANAGER, R.CUSTOMER_SERVICE_MANAGER},
    "regulator_report.file": {R.GENERAL_OFFICE},
    # verified inquiry (issue 14)
    "inquiries.verify": NOBODY,  # the call centre's and counters' systems, no person
    "inquiries.desk": {R.CUSTOMER_SERVICE, R.CUSTOMER_SERVICE_MANAGER},
    "inquiries.legal_basis": {R.CUSTOMER_SERVICE, R.CUSTOMER_SERVICE_MANAGER, R.COMPLIANCE},
    "inquiries.usage": {R.CUSTOMER_SERVICE_MANAGER, R.INFORMATION_MANAGER, R.GENERAL_MANAGER},
    # the customer portal: the customer's own session, no staff role (issue 14)
    "portal.self_service": NOBODY,
    "contact_changes.review": {R.CUSTOMER_SERVICE, R.CUSTOMER_SERVICE_MANAGER},
}


def staff(*roles: RoleName) -> Any:
    """A signed-in person holding ``roles`` (the roles cached as ``roles_of`` keeps them)."""
    return SimpleNamespace(
        is_authenticated=True, is_superuser=False, pk=1, _veracity_roles=set(roles)
    )


def test_every_action_is_pinned() -> None:
    assert set(ACTIONS) == set(EXPECTED)


def test_actions_are_named_app_verb() -> None:
    for action in ACTIONS:
        app, _, verb = action.partition(".")
        assert app and verb and action == action.lower(), action


@pytest.mark.parametrize("role", list(RoleName))
@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_may(role: RoleName, action: str) -> None:
    assert may(staff(role), action) is (role in EXPECTED[action])


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_roles_for(action: str) -> None:
    assert roles_for(action) == frozenset(EXPECTED[action])


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_nobody_signed_out_may_anything(action: str) -> None:
    assert may(AnonymousUser(), action) is False
    assert may(None, action) is False


@pytest.mark.parametrize("action", sorted(EXPECTED))
def test_a_person_without_a_role_may_only_what_every_signed_in_person_may(action: str) -> None:
    assert may(staff(), action) is (ACTIONS[action] is SIGNED_IN)


def test_client_scope_actions_are_no_persons() -> None:
    scoped = {a for a, audience in ACTIONS.items() if audience is CLIENT_SCOPE}
    assert scoped == {
        "applications.check",
        "applications.store",
        "policy_events.record",
        "inquiries.verify",
        "sms.receipts",
    }
    assert not any(may(staff(*RoleName), a) for a in scoped)


def test_two_roles_add_up() -> None:
    assert may(staff(R.AUDITOR, R.CUSTOMER_SERVICE), "audit.read")
    assert may(staff(R.AUDITOR, R.CUSTOMER_SERVICE), "cases.distribute")


def test_an_unknown_action_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        may(staff(R.ADMIN), "customers.delete")
    with pytest.raises(KeyError):
        action_required("customers.delete")
    with pytest.raises(KeyError):
        endpoint_action("customers.delete")


def test_the_decorators_keep_the_action_on_the_view() -> None:
    @action_required("audit.read")
    def page(request: Any) -> Any:
        return None

    @endpoint_action("cases.verify")
    def endpoint(request: Any) -> Any:
        return None

    assert page.veracity_action == "audit.read"  # type: ignore[attr-defined]
    assert action_of(page) == "audit.read"
    assert action_of(endpoint) == "cases.verify"
    assert action_of(lambda request: None) is None


def test_the_case_rules_take_their_roles_from_the_table() -> None:
    from veracity.cases import policy

    assert roles_for("cases.distribute") == policy.DISTRIBUTORS
    assert roles_for("cases.investigate") == policy.INVESTIGATORS
    assert roles_for("cases.verify") == policy.VERIFIERS
    assert roles_for("cases.support") == policy.SUPPORTERS
