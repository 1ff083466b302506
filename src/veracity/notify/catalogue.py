"""The notice catalogue: every kind of notice Veracity sends, with its title and text as
message-catalogue entries over named parameters.

A notice is stored as its kind, its parameters and its link; its words are rendered when it
is read, in the reader's language (the page's language in the inbox, the recipient's own
language in an e-mail). Adding a kind: an entry here, its msgids with their Chinese in
``locale/zh_Hans/LC_MESSAGES/django.po``, and a call to ``notify.services.tell``.

Parameters are plain JSON values. A list is joined with the reader's separator; a parameter
named in ``translated`` holds a msgid (or a list of msgids) translated when rendered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_


@dataclass(frozen=True)
class NoticeKind:
    key: str
    title: str
    body: str = ""
    translated: tuple[str, ...] = ()


def _kinds(*kinds: NoticeKind) -> dict[str, NoticeKind]:
    return {k.key: k for k in kinds}


CATALOGUE: dict[str, NoticeKind] = _kinds(
    # --- problem items (D1.13) -----------------------------------------------------------
    NoticeKind(
        "problem_item_distributed",
        N_("Problem item %(item)s has been sent to your channel for investigation"),
        N_("Investigation due by %(due_on)s."),
    ),
    NoticeKind(
        "problem_items_distributed",
        N_("%(count)s problem items have been sent to your channel for investigation"),
        N_("Problem items: %(items)s"),
    ),
    NoticeKind(
        "problem_item_submitted",
        N_("Problem item %(item)s awaits verification"),
        N_("%(investigator)s has handed in the findings."),
    ),
    NoticeKind(
        "problem_item_returned",
        N_("Problem item %(item)s has been returned to you"),
        N_("Returned by %(by)s: %(reason)s"),
    ),
    NoticeKind(
        "problem_item_verified",
        N_("Problem item %(item)s has been verified"),
        N_("Verified by %(by)s."),
    ),
    NoticeKind(
        "problem_item_closed",
        N_("Problem item %(item)s has been closed"),
        N_("Closed by %(by)s."),
    ),
    NoticeKind(
        "problem_item_escalated",
        N_("Problem item %(item)s: seller misconduct referred"),
        N_("Sellers: %(sellers)s"),
    ),
    NoticeKind(
        "problem_item_overdue",
        N_("%(count)s problem item(s) past their investigation deadline"),
        N_("Overdue problem items: %(items)s"),
    ),
    NoticeKind(
        "problem_item_statement",
        N_("Problem item %(item)s: a statement from the agent"),
        N_("%(by)s added a statement to the item."),
    ),
    NoticeKind(
        "problem_item_undistributed",
        N_("%(count)s problem item(s) not distributed within 1 working day"),
        N_("Not yet distributed: %(items)s"),
    ),
    # --- approvals -----------------------------------------------------------------------
    NoticeKind(
        "access_request_waiting",
        N_("Access request %(id)s awaits your decision"),
        N_("Requested by %(requester)s."),
    ),
    NoticeKind(
        "access_request_decided",
        N_("Your access request %(id)s: %(outcome)s"),
        translated=("outcome",),
    ),
    NoticeKind(
        "export_request_waiting",
        N_("Export request %(id)s awaits your decision"),
        N_("Requested by %(requester)s."),
    ),
    NoticeKind(
        "export_request_decided",
        N_("Your export request %(id)s: %(outcome)s"),
        translated=("outcome",),
    ),
    NoticeKind(
        "provision_request_waiting",
        N_("Request %(id)s to provide customer data to an outside party awaits your decision"),
        N_("Requested by %(requester)s."),
    ),
    NoticeKind(
        "provision_request_decided",
        N_("Your request %(id)s to provide customer data to an outside party: %(outcome)s"),
        translated=("outcome",),
    ),
    NoticeKind(
        "destruction_request_waiting",
        N_("Destruction request %(id)s awaits your decision"),
        N_("Requested by %(requester)s."),
    ),
    NoticeKind(
        "destruction_request_decided",
        N_("Your destruction request %(id)s: %(outcome)s"),
        translated=("outcome",),
    ),
    NoticeKind(
        "grant_expiring",
        N_("Your access under request %(id)s ends at %(ends_at)s"),
        N_("Return the file when you are done, or ask again if you still need it."),
    ),
    NoticeKind(
        "grant_returned",
        N_("%(person)s returned customer file %(files)s borrowed under request %(id)s"),
        N_("The loan ended early; the file is no longer open to them."),
    ),
    # --- incidents (D4.27) ---------------------------------------------------------------
    NoticeKind(
        "incident_reported",
        N_("%(certainty)s customer information leak %(incident)s"),
        N_("Reported by %(reporter)s at %(when)s; data concerned: %(data)s. Respond at once."),
        translated=("certainty", "data", "reporter"),  # a person's name reads as itself
    ),
    NoticeKind(
        "incident_lockout_account",
        N_("Login lockout: repeated failed logins for account %(key)s"),
        N_("Recorded as incident candidate %(incident)s; confirm or dismiss it."),
    ),
    NoticeKind(
        "incident_lockout_address",
        N_("Login lockout: repeated failed logins from address %(key)s"),
        N_("Recorded as incident candidate %(incident)s; confirm or dismiss it."),
    ),
    NoticeKind(
        "incident_candidate",
        N_("Unusual reads: %(person)s read %(files)s customer files on %(day)s"),
        N_("Recorded as incident candidate %(incident)s; confirm or dismiss it."),
    ),
    # --- complaints and repeat misselling (SF-2, SD-4, D1.14) ----------------------------
    NoticeKind(
        "complaint_received",
        N_("Complaint %(complaint)s received against %(against)s"),
        N_("To be investigated and verified by customer service or compliance."),
    ),
    NoticeKind(
        "complaint_decided",
        N_("Complaint %(complaint)s you investigated has been decided"),
        N_("Decided by %(by)s."),
    ),
    NoticeKind(
        "complaint_misselling_verified",
        N_("Misselling complaint %(complaint)s verified against %(against)s"),
        N_("Verified on %(verified_on)s by %(by)s."),
    ),
    NoticeKind(
        "repeat_misselling_recheck",
        N_("Repeated misselling by %(against)s: problem item %(item)s re-checks its policies"),
        N_("%(policies)s policies get a second callback."),
    ),
    # --- penalties (D1.14, D1.22, D1.23) -------------------------------------------------
    NoticeKind(
        "penalty_waiting",
        N_("Penalty proposal %(id)s awaits your decision"),
        N_("Proposed by %(requester)s."),
    ),
    NoticeKind(
        "penalty_approved",
        N_("Your penalty proposal %(id)s on %(seller)s was approved"),
        N_("The penalty is in force."),
    ),
    NoticeKind(
        "penalty_rejected",
        N_("Your penalty proposal %(id)s on %(seller)s was rejected"),
        N_("Reason: %(reason)s"),
    ),
    NoticeKind(
        "penalty_in_force",
        N_("Penalty %(id)s on %(seller)s is in force"),
        N_("Decided on %(decided_on)s."),
    ),
    NoticeKind(
        "penalty_to_decide",
        N_("A penalty on %(seller)s to decide (problem item %(item)s)"),
        N_("A verified escalation for false data: choose the measure and submit it for approval."),
    ),
    # --- the quarterly regulator report (D1.22, D1.23, D4.13) -----------------------------
    NoticeKind(
        "regulator_report_waiting",
        N_("Regulator report %(id)s awaits your review"),
        N_("Prepared by %(requester)s."),
    ),
    NoticeKind(
        "regulator_report_decided",
        N_("Your regulator report %(id)s: %(outcome)s"),
        translated=("outcome",),
    ),
    NoticeKind(
        "regulator_report_released",
        N_("The regulator report of %(quarter)s (edition %(edition)s) is released"),
        N_("Record its filing with the regulator and the industry association."),
    ),
    # --- compliance actions (SF-6, D1.24) ------------------------------------------------
    NoticeKind(
        "rectification_assigned",
        N_("Rectification demand %(action)s is yours to carry out"),
        N_("Against %(target)s; due by %(due_on)s."),
    ),
    NoticeKind(
        "rectification_followed_up",
        N_("Rectification demand %(action)s: compliance added a follow-up"),
        N_("By %(by)s, about %(target)s."),
    ),
    NoticeKind(
        "rectification_reported_done",
        N_("Rectification demand %(action)s reported done"),
        N_("%(by)s reports the rectification of %(target)s done; check it and close it."),
    ),
    NoticeKind(
        "rectification_closed",
        N_("Rectification demand %(action)s has been closed"),
        N_("Closed by %(by)s (%(target)s)."),
    ),
    NoticeKind(
        "rectification_overdue",
        N_("%(count)s rectification demand(s) past their due date"),
        N_("Overdue rectification demands: %(actions)s"),
    ),
    # --- third parties' legal bases (IQ-4, D1.21) ----------------------------------------
    NoticeKind(
        "third_party_basis_waiting",
        N_("Legal basis %(id)s for a third-party inquiry awaits your approval"),
        N_("Recorded by %(requester)s."),
    ),
    NoticeKind(
        "third_party_basis_decided",
        N_("Your legal basis %(id)s for a third-party inquiry was %(outcome)s"),
        translated=("outcome",),
    ),
    # --- the customer portal (D1.12): a customer reported a change of contact details ------
    NoticeKind(
        "contact_change_requested",
        N_("A customer reported a new %(what)s on the portal"),
        N_("Customer %(customer)s: verify the change (call back) and apply or reject it."),
        translated=("what",),
    ),
)

#: Outcomes an approval can end with, as words (msgids) for the ``outcome`` parameter.
OUTCOME_WORDS: dict[str, str] = {
    "approved": N_("approved"),
    "rejected": N_("rejected"),
    "withdrawn": N_("withdrawn"),
}
#: who reported an incident when no person did
BY_THE_SYSTEM: str = N_("the system")
CERTAINTY_WORDS: dict[str, str] = {"suspected": N_("Suspected"), "confirmed": N_("Confirmed")}


class _Params(dict[str, str]):
    """A missing parameter reads as empty rather than breaking the notice."""

    def __missing__(self, key: str) -> str:
        return ""


def _separator() -> str:
    return ", " if (translation.get_language() or "").startswith("en") else "、"


def _value(value: Any, *, translate: bool) -> str:
    if isinstance(value, (list, tuple)):
        return _separator().join(_value(v, translate=translate) for v in value)
    text = "" if value is None else str(value)
    return gettext(text) if translate and text else text


def render(
    kind: str, params: Mapping[str, Any] | None, language: str | None = None
) -> tuple[str, str]:
    """(title, text) of a notice of ``kind`` in ``language`` (the active one by default).
    An unknown kind renders as empty strings (the caller falls back to stored text)."""
    notice = CATALOGUE.get(kind)
    if notice is None:
        return "", ""
    if language:
        with translation.override(language):
            return render(kind, params)
    values = _Params(
        {k: _value(v, translate=k in notice.translated) for k, v in (params or {}).items()}
    )
    title = gettext(notice.title) % values
    body = gettext(notice.body) % values if notice.body else ""
    return title, body
