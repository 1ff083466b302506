"""Reads of access requests and borrowing grants (D4.17–D4.24): who sees which.

Every read starts from :func:`requests_visible_to` or :func:`grants_visible_to`, the registers'
``visible_to(principal=…, action=…)``:

- those who oversee requests and loans (``access.oversee``: the information manager, the
  customer service manager, compliance, the auditor) see all of them;
- anybody else (``access.request``) the requests they made, those they decided on and those
  waiting for their decision, and the grants they hold.

A principal without a person (a customer, a system alone) sees none.
"""

from __future__ import annotations

from typing import Final

from django.db.models import Q, QuerySet

from veracity.access.governance import APPROVAL_KIND, OWNER
from veracity.access.models import AccessGrant, AccessRequest
from veracity.approvals import services as approvals
from veracity.approvals.models import ApprovalDecision
from veracity.org.actions import may, reach_for
from veracity.org.principals import Principal, acting_user

__all__ = ["REACHES", "grants_visible_to", "requests_visible_to"]

#: What requests and grants are read for: one's own part in them (``access.request``), or
#: overseeing them all (``access.oversee``).
REACHES: Final = {"access.request": "own", "access.oversee": "all"}


def _overseer(principal: Principal) -> bool:
    user = acting_user(principal)
    return user is not None and may(user, "access.oversee")


def requests_visible_to(*, principal: Principal, action: str) -> QuerySet[AccessRequest]:
    """The access requests ``principal`` may read for ``action`` (one of :data:`REACHES`):
    every request for those who oversee them; otherwise, for ``access.request``, the acting
    user's own requests, those they decided a step of and those waiting for their decision."""
    reach = reach_for(action, REACHES)
    user = acting_user(principal)
    if getattr(user, "pk", None) is None:
        return AccessRequest.objects.none()
    if _overseer(principal):
        return AccessRequest.objects.all()
    if reach == "all":
        return AccessRequest.objects.none()
    decided = ApprovalDecision.objects.filter(
        request__owner_label=OWNER, decider_id=user.pk
    ).values("request__owner_id")
    waiting = [
        a.owner_id
        for a in approvals.awaiting(principal=principal, kinds=APPROVAL_KIND.values())
        if a.owner_label == OWNER
    ]
    return AccessRequest.objects.filter(
        Q(requester_id=user.pk) | Q(pk__in=decided) | Q(pk__in=waiting)
    )


def grants_visible_to(*, principal: Principal, action: str) -> QuerySet[AccessGrant]:
    """The borrowing grants ``principal`` may read for ``action`` (one of :data:`REACHES`):
    every grant for those who oversee the register; otherwise, for ``access.request``, the
    grants the acting user holds."""
    reach = reach_for(action, REACHES)
    user = acting_user(principal)
    if getattr(user, "pk", None) is None:
        return AccessGrant.objects.none()
    if _overseer(principal):
        return AccessGrant.objects.all()
    if reach == "all":
        return AccessGrant.objects.none()
    return AccessGrant.objects.filter(holder_id=user.pk)
