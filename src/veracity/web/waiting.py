"""The "waiting for me" panel: what waits for the signed-in person's hand, counted per kind,
each kind linking to the list where it is done.

Counts only (no personal data, nothing audited), each from an indexed query of the app that
owns the work: problem items by stage (``cases.selectors.waiting_counts``, one query), the
approval steps the person may decide (the approvals engine), their own grants about to end,
and the incidents to handle. A kind of problem-item work shows for the roles that do it, even
at zero; the others show when something waits.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from veracity.access.governance import APPROVAL_KIND as ACCESS_KINDS
from veracity.access.governance import grants_ending_count
from veracity.approvals.services import awaiting
from veracity.cases.selectors import waiting_counts
from veracity.conduct.action_selectors import demands_owned_counts
from veracity.conduct.penalties import APPROVAL_KIND as PENALTY_KIND
from veracity.incidents.selectors import incidents_open_count, may_handle_incidents
from veracity.org.principals import Principal
from veracity.retention.services import APPROVAL_KIND as DESTRUCTION_KIND


@dataclass(frozen=True)
class Waiting:
    key: str
    label: str
    count: int
    url: str


def _queue(stage: str) -> str:
    return f"{reverse('web:case_queue')}?stage={stage}"


#: problem-item work: key → (label, the queue's stage filter)
_ITEMS = {
    "distribute": (_("Problem items to distribute"), "new"),
    "take_up": (_("Problem items sent to my channel"), "distributed"),
    "investigate": (_("Problem items to investigate"), "investigating"),
    "verify": (_("Findings to verify"), "submitted"),
    "close": (_("Verified items to close"), "verified"),
}


def waiting_for(*, principal: Principal) -> list[Waiting]:
    """The kinds of work waiting for ``principal``'s acting user, in the order they are done."""
    found: list[Waiting] = []
    for key, count in waiting_counts(principal=principal).items():
        label, stage = _ITEMS[key]
        found.append(Waiting(key, str(label), count, _queue(stage)))
    requests = awaiting(principal=principal)
    access = sum(1 for r in requests if r.kind in ACCESS_KINDS.values())
    destruction = sum(1 for r in requests if r.kind == DESTRUCTION_KIND)
    if access:
        found.append(
            Waiting(
                "approve_access",
                str(_("Access requests to decide")),
                access,
                reverse("web:access_requests"),
            )
        )
    penalties = sum(1 for r in requests if r.kind == PENALTY_KIND)
    if penalties:
        found.append(
            Waiting(
                "approve_penalties",
                str(_("Penalties to decide")),
                penalties,
                reverse("web:penalties") + "?status=proposed",
            )
        )
    if destruction:
        found.append(
            Waiting(
                "approve_destruction",
                str(_("Destruction requests to decide")),
                destruction,
                reverse("web:retention_requests"),
            )
        )
    ending = grants_ending_count(principal=principal)
    if ending:
        found.append(
            Waiting(
                "grants_ending",
                str(_("My access ending within a day")),
                ending,
                reverse("web:access_requests"),
            )
        )
    # SF-6: the rectification demands compliance put on this person, the overdue ones first
    late, on_time = demands_owned_counts(principal=principal, today=timezone.localdate())
    listing = reverse("web:compliance_actions")
    if late:
        found.append(
            Waiting(
                "rectifications_overdue",
                str(_("My rectification demands past their due date")),
                late,
                f"{listing}?mine=1&overdue=1",
            )
        )
    if on_time:
        found.append(
            Waiting(
                "rectifications",
                str(_("My open rectification demands")),
                on_time,
                f"{listing}?mine=1&status=open",
            )
        )
    if may_handle_incidents(principal=principal):
        found.append(
            Waiting(
                "incidents",
                str(_("Leak incidents to handle")),
                incidents_open_count(principal=principal),
                reverse("web:incidents"),
            )
        )
    return found
