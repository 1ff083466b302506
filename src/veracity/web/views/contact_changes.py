"""Customer service's page of the contact changes customers reported on the portal (D1.12):
the pending requests, each verified (a call back) and applied through the customers'
recorded-change path, or rejected with a reason the customer sees."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from veracity.access.policy import action_required
from veracity.audit.services import Actor, Event, audit_record
from veracity.core.masking import mask
from veracity.core.refusals import Refusal
from veracity.portal import selectors, services
from veracity.portal.models import ContactChangeRequest, ContactKind
from veracity.web.views.common import in_language, principal_of

MASK_KIND = {ContactKind.PHONE: "phone", ContactKind.ADDRESS: "address", ContactKind.EMAIL: "email"}


def shown_value(row: ContactChangeRequest) -> str:
    return mask(row.value, MASK_KIND.get(ContactKind(row.kind), "other"))


@action_required("contact_changes.review")
def review(request: HttpRequest) -> HttpResponse:
    """GET: the list; POST ``request``, ``decision`` (apply / reject), ``reason``."""
    status = 200
    if request.method == "POST":
        principal = principal_of(request, purpose="contact_change")
        decision = request.POST.get("decision", "")
        reason = request.POST.get("reason", "")
        try:
            request_id = int(request.POST.get("request") or 0)
            if decision == "apply":
                services.contact_change_apply(
                    principal=principal, request_id=request_id, note=reason
                )
                messages.success(request, _("The change has been applied to the customer's file."))
            else:
                services.contact_change_reject(
                    principal=principal, request_id=request_id, reason=reason
                )
                messages.success(request, _("The change has been rejected."))
            return redirect("web:contact_changes")
        except ValueError:
            messages.error(request, in_language("未找到该变更申请", "no such change request"))
            status = 400
        except Refusal as error:
            messages.error(request, in_language(error.message_zh, error.message_en))
            status = 400
    pending = [(row, shown_value(row)) for row in selectors.pending_change_requests()[:200]]
    decided = [(row, shown_value(row)) for row in selectors.decided_change_requests()]
    # the reported values are personal data (shown masked): the read is recorded
    audit_record(
        actor=Actor.of_principal(principal_of(request)),
        event=Event(
            action="contact_change.listed",
            object_type="page",
            object_id=request.path,
            purpose="contact_change",
            detail={"requests": sorted({row.pk for row, _ in pending + decided})},
        ),
    )
    return render(
        request,
        "web/customers/change_requests.html",
        {"pending": pending, "decided": decided},
        status=status,
    )
