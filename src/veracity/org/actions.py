"""The actions table: what a person may do, named by action (``app.verb``), mapped to roles
in one place; :func:`may` asks it. Nothing here imports the audit trail, so every app (the
audit trail's own reader check included) may ask it; the decorators that refuse and record
are in ``veracity.access.policy``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from veracity.org.principals import PRINCIPAL_TYPES, acting_user
from veracity.org.roles import RoleName, roles_of

_R = RoleName


class _SignedIn:
    """Marker: every signed-in person; the view then shows only what is theirs."""

    def __repr__(self) -> str:
        return "SIGNED_IN"


class _ClientScope:
    """Marker: an API client acting within its own system and channels
    (``policies.services.ClientScope``); no person's role is asked."""

    def __repr__(self) -> str:
        return "CLIENT_SCOPE"


SIGNED_IN: Final = _SignedIn()
CLIENT_SCOPE: Final = _ClientScope()

Audience = frozenset[RoleName] | _SignedIn | _ClientScope

#: Roles whose work involves customer files and applications (the auditor reads the audit
#: trail instead).
_CASEWORK = frozenset(
    {
        _R.AGENT,
        _R.CHANNEL_BACKOFFICE,
        _R.CUSTOMER_SERVICE,
        _R.COMPLIANCE,
        _R.INFORMATION_MANAGER,
        _R.CUSTOMER_SERVICE_MANAGER,
        _R.ADMIN,
    }
)
#: The problem-item list: channel back-office and channel management (销售渠道管理部门) see
#: the items of their own channel (``cases.listing.visible_to``), the others all of them.
_PROBLEM_LIST = frozenset(
    {
        _R.CHANNEL_BACKOFFICE,
        _R.CHANNEL_MANAGEMENT,
        _R.CUSTOMER_SERVICE,
        _R.CUSTOMER_SERVICE_MANAGER,
        _R.COMPLIANCE,
        _R.INFORMATION_MANAGER,
        _R.ADMIN,
    }
)
_DISTRIBUTORS = frozenset({_R.CUSTOMER_SERVICE, _R.CUSTOMER_SERVICE_MANAGER})
_VERIFIERS = frozenset({_R.COMPLIANCE, _R.CUSTOMER_SERVICE, _R.CUSTOMER_SERVICE_MANAGER})
_RETENTION_MANAGERS = frozenset({_R.INFORMATION_MANAGER, _R.CUSTOMER_SERVICE_MANAGER, _R.ADMIN})
_INCIDENT_HANDLERS = frozenset(
    {_R.INFORMATION_MANAGER, _R.CUSTOMER_SERVICE_MANAGER, _R.COMPLIANCE, _R.ADMIN}
)
_TRAIL_READERS = frozenset({_R.AUDITOR, _R.ADMIN})

#: THE table: action → who may take it.
ACTIONS: Final[Mapping[str, Audience]] = {
    # --- one's own account and mailbox
    "account.manage": SIGNED_IN,  # two-factor enrolment, password change
    "home.view": SIGNED_IN,  # the home page; its sections follow the roles
    "notifications.read": SIGNED_IN,  # one's own notifications
    # --- customer files (AG-10 reach is applied by the selectors)
    "customers.view": _CASEWORK,
    "customers.unmask": _CASEWORK,  # the service checks reach, purpose and grant
    # a file's data downloaded (an approved export): only through a grant of that scope or
    # as the file's custodian, whatever the role (the reach rule, ``customers.reach``)
    "customers.download": _CASEWORK,
    # D4.22: the customer information manager (custodian of classified files) and the
    # customer service manager mark files
    "customers.classify": frozenset(
        {_R.INFORMATION_MANAGER, _R.CUSTOMER_SERVICE_MANAGER, _R.ADMIN}
    ),
    "customers.suspicion": frozenset(
        {_R.CUSTOMER_SERVICE, _R.COMPLIANCE, _R.INFORMATION_MANAGER, _R.ADMIN}
    ),
    # --- applications
    "applications.view": _CASEWORK,
    "applications.check": CLIENT_SCOPE,  # the gate, called by the core/bancassurance system
    "applications.store": CLIENT_SCOPE,
    # policy service events from the core business system (issue 14): its API clients and
    # the command line, no person (``policies.event_services.may_record``)
    "policy_events.record": CLIENT_SCOPE,
    # --- problem items: the list and its exports
    "problems.list": _PROBLEM_LIST,
    "problems.export": _PROBLEM_LIST,  # the API's bulk read also needs an approved export
    # --- problem items as cases (PW-1 … PW-4)
    # ``cases.view`` (the case pages) and ``cases.queue`` (the home page's work-queue section)
    # disagree today: the information manager and the administrator open every case page but
    # have no work queue of their own, and team leaders have both. Two actions keep that.
    # agents open the case pages of items on their own book, read-only (D1.13: they assist
    # under their team leader); the reach is the register's (``cases.listing.visible_to``)
    "cases.view": frozenset(
        {
            _R.AGENT,
            _R.CHANNEL_BACKOFFICE,
            _R.CHANNEL_MANAGEMENT,  # the case pages of its channel's items (read only)
            _R.CUSTOMER_SERVICE,
            _R.CUSTOMER_SERVICE_MANAGER,
            _R.COMPLIANCE,
            _R.TEAM_LEADER,
            _R.INFORMATION_MANAGER,
            _R.ADMIN,
        }
    ),
    "cases.queue": frozenset(
        {
            _R.CUSTOMER_SERVICE,
            _R.CUSTOMER_SERVICE_MANAGER,
            _R.CHANNEL_BACKOFFICE,
            _R.COMPLIANCE,
            _R.TEAM_LEADER,
        }
    ),
    "cases.distribute": _DISTRIBUTORS,
    # claiming; submitting the findings is then the investigator's own act
    "cases.investigate": frozenset({_R.CHANNEL_BACKOFFICE, *_DISTRIBUTORS}),
    "cases.verify": _VERIFIERS,  # verify or return findings (never one's own, PW-4)
    "cases.close": _VERIFIERS,
    # evidence and notes besides the investigator: a callback by customer service, a remark
    # by compliance
    "cases.support": _VERIFIERS,
    # the agent's statement (情况说明) on an item of their own book, as evidence (D1.13)
    "cases.statement": frozenset({_R.AGENT}),
    # --- access to customer data (borrowing, export, external provision)
    "access.request": SIGNED_IN,  # anyone asks; one sees one's own requests
    # who oversees every request and loan (the register is theirs to keep)
    "access.oversee": frozenset(
        {
            _R.INFORMATION_MANAGER,
            _R.CUSTOMER_SERVICE_MANAGER,
            _R.COMPLIANCE,
            _R.AUDITOR,
            _R.ADMIN,
        }
    ),
    # --- retention, legal holds, destruction, inspections
    "retention.view": frozenset(
        {_R.INFORMATION_MANAGER, _R.CUSTOMER_SERVICE_MANAGER, _R.AUDITOR, _R.ADMIN}
    ),
    "retention.act": _RETENTION_MANAGERS,
    "retention.approve": frozenset({_R.INFORMATION_MANAGER, _R.CUSTOMER_SERVICE_MANAGER}),
    # --- leak incidents
    "incidents.report": SIGNED_IN,  # anyone reports a suspected leak
    "incidents.view": _INCIDENT_HANDLERS,
    "incidents.handle": _INCIDENT_HANDLERS,
    # told at once of a new incident, and of a report made by someone else
    "incidents.respond": frozenset({_R.INFORMATION_MANAGER, _R.CUSTOMER_SERVICE_MANAGER}),
    # --- the audit trail
    "audit.read": _TRAIL_READERS,
    "audit.export": _TRAIL_READERS,
    "audit.verify": _TRAIL_READERS,
    # --- the sales force (D1.9–D1.11, D1.14, D1.22–D1.24)
    # the seller register: a seller's page with qualification, relatives, complaints and
    # penalties (agents see their own page only: the service's reach)
    "sellers.view": frozenset(
        {
            _R.TRAINING,
            _R.CHANNEL_MANAGEMENT,
            _R.CHANNEL_BACKOFFICE,
            _R.TEAM_LEADER,
            _R.CUSTOMER_SERVICE,
            _R.CUSTOMER_SERVICE_MANAGER,
            _R.COMPLIANCE,
            _R.INFORMATION_MANAGER,
            _R.GENERAL_MANAGER,
            _R.ADMIN,
        }
    ),
    # sellers' registered relatives (亲属) and contacts, kept by channel management
    "sellers.manage": frozenset({_R.CHANNEL_MANAGEMENT, _R.ADMIN}),
    # a seller's page: everyone opens their own seller record; ``sellers.view`` opens every
    # seller's (the reach is the selector's, ``sales.selectors.sellers_visible_to``)
    "sellers.page": SIGNED_IN,
    # D1.9, D1.10: the training department keeps courses, attendance and tests
    "training.record": frozenset({_R.TRAINING, _R.ADMIN}),
    # D1.14: complaints are taken in by customer service (and compliance) …
    "complaints.record": frozenset(
        {_R.CUSTOMER_SERVICE, _R.CUSTOMER_SERVICE_MANAGER, _R.COMPLIANCE, _R.ADMIN}
    ),
    "complaints.view": frozenset(
        {
            _R.CUSTOMER_SERVICE,
            _R.CUSTOMER_SERVICE_MANAGER,
            _R.COMPLIANCE,
            _R.CHANNEL_MANAGEMENT,
            _R.INFORMATION_MANAGER,
            _R.GENERAL_MANAGER,
            _R.ADMIN,
        }
    ),
    # … and investigated and verified (查实) by customer service or compliance — never by the
    # person complained about or their team leader (the service's rule)
    "complaints.verify": frozenset(
        {_R.CUSTOMER_SERVICE, _R.CUSTOMER_SERVICE_MANAGER, _R.COMPLIANCE}
    ),
    # the second callback (再次回访) of a re-checked policy (D1.14)
    "callbacks.record": frozenset({_R.CUSTOMER_SERVICE, _R.CUSTOMER_SERVICE_MANAGER}),
    # D1.22, D1.23: penalties are proposed by channel management, approved on the engine
    "penalties.view": frozenset(
        {
            _R.CHANNEL_MANAGEMENT,
            _R.COMPLIANCE,
            _R.GENERAL_MANAGER,
            _R.INFORMATION_MANAGER,
            _R.CUSTOMER_SERVICE_MANAGER,
            _R.ADMIN,
        }
    ),
    "penalties.propose": frozenset({_R.CHANNEL_MANAGEMENT}),
    "penalties.import": frozenset({_R.CHANNEL_MANAGEMENT, _R.ADMIN}),
    # 考核: the assessment figures per seller and agency, for channel management's decisions
    "assessment.view": frozenset(
        {_R.CHANNEL_MANAGEMENT, _R.COMPLIANCE, _R.GENERAL_MANAGER, _R.ADMIN}
    ),
    # D1.24: criticism, rectification demands, referrals to the compliance committee
    "conduct.record": frozenset({_R.COMPLIANCE}),
    "conduct.view": frozenset({_R.COMPLIANCE, _R.CHANNEL_MANAGEMENT, _R.GENERAL_MANAGER, _R.ADMIN}),
    # the owner of a rectification demand (整改责任人) — whoever compliance names — opens it
    # and reports progress; the register's reach (``conduct.action_selectors``) gives them
    # their own demands only, and the service checks the ownership
    "conduct.follow_up": SIGNED_IN,
    # D1.22, D1.23, D4.13: the quarterly regulator report, compiled by channel management,
    # reviewed by the information manager and the customer service manager, filed by the
    # general office with the regulator and the industry association
    "regulator_report.view": frozenset(
        {
            _R.CHANNEL_MANAGEMENT,
            _R.COMPLIANCE,
            _R.INFORMATION_MANAGER,
            _R.CUSTOMER_SERVICE_MANAGER,
            _R.GENERAL_OFFICE,
            _R.GENERAL_MANAGER,
            _R.ADMIN,
        }
    ),
    "regulator_report.prepare": frozenset({_R.CHANNEL_MANAGEMENT, _R.COMPLIANCE}),
    "regulator_report.review": frozenset({_R.INFORMATION_MANAGER, _R.CUSTOMER_SERVICE_MANAGER}),
    "regulator_report.file": frozenset({_R.GENERAL_OFFICE}),
    # --- verified inquiry (IQ-1 … IQ-5, D1.15–D1.21)
    # the call centre's and the counters' systems verify an inquirer through the API
    "inquiries.verify": CLIENT_SCOPE,
    # the staff inquiry desk (phone and counter), a party's consent for a third party
    "inquiries.desk": frozenset({_R.CUSTOMER_SERVICE, _R.CUSTOMER_SERVICE_MANAGER}),
    # a legal basis for a third party (court, regulator, public security): recorded by
    # customer service or compliance, approved by compliance then the customer service manager
    "inquiries.legal_basis": frozenset(
        {_R.CUSTOMER_SERVICE, _R.CUSTOMER_SERVICE_MANAGER, _R.COMPLIANCE}
    ),
    # the usage summary of the inquiry channels, for head office
    "inquiries.usage": frozenset(
        {_R.CUSTOMER_SERVICE_MANAGER, _R.INFORMATION_MANAGER, _R.GENERAL_MANAGER}
    ),
    # --- the customer portal /my/ (IQ-3): its pages are the signed-in customer's own, in
    # the portal's own session (``veracity.portal.sessions``); no staff role opens them
    "portal.self_service": frozenset(),
    # D1.12: customer service verifies (calls back) and applies or rejects the contact
    # changes customers report on the portal
    "contact_changes.review": frozenset({_R.CUSTOMER_SERVICE, _R.CUSTOMER_SERVICE_MANAGER}),
    # --- customer notices (NT-1, NT-2, D1.20, D1.26) -------------------------------------
    # the failed notices (customer, policy, masked address, why) for customer service
    "notices.view": frozenset(
        {_R.CUSTOMER_SERVICE, _R.CUSTOMER_SERVICE_MANAGER, _R.INFORMATION_MANAGER, _R.ADMIN}
    ),
    # the notices' effect report (aggregates only) and its export
    "notices.effect": frozenset(
        {_R.CUSTOMER_SERVICE_MANAGER, _R.INFORMATION_MANAGER, _R.GENERAL_MANAGER, _R.ADMIN}
    ),
    # delivery receipts, reported by the SMS gateway system (an API client, no person)
    "sms.receipts": CLIENT_SCOPE,
    # --- the organisation-wide figures on the home pages (counts only, no personal data):
    # data quality per channel and agent, the month's figures
    "reports.view": frozenset(
        {
            _R.COMPLIANCE,
            _R.INFORMATION_MANAGER,
            _R.CUSTOMER_SERVICE_MANAGER,
            _R.GENERAL_MANAGER,
            _R.ADMIN,
        }
    ),
}


def roles_for(action: str) -> frozenset[RoleName]:
    """The roles that may take ``action``; every role for a signed-in action, none for an
    action only an API client takes. An unknown action is a programming error."""
    audience = ACTIONS[action]
    if isinstance(audience, _SignedIn):
        return frozenset(RoleName)
    if isinstance(audience, _ClientScope):
        return frozenset()
    return audience


def may(user: Any, action: str) -> bool:
    """May ``user`` (a user or a principal, ``veracity.org.principals``) take ``action``?
    Nobody who is not signed in may — a principal's roles are its acting user's; an unknown
    action raises ``KeyError``."""
    audience = ACTIONS[action]
    if isinstance(user, PRINCIPAL_TYPES):
        user = acting_user(user)
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if isinstance(audience, _SignedIn):
        return True
    if isinstance(audience, _ClientScope):
        return False
    return bool(roles_of(user) & audience)


def reach_for(action: str, reaches: Mapping[str, str]) -> str:
    """The row reach an app's ``visible_to(principal=…, action=…)`` applies for ``action``:
    ``reaches`` maps each action the app's rows are read for to the reach it names (for the
    customer register the grant scope ``view`` / ``unmask`` / ``download``). An action the
    table does not know, or one the app's rows are never read for, is a programming error
    (``ValueError``): a selector must say what its caller is doing."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    try:
        return reaches[action]
    except KeyError:
        raise ValueError(
            f"rows are not read for {action!r} here; one of {sorted(reaches)}"
        ) from None
