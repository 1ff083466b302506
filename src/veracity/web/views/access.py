"""Need to know (D4.17–D4.24): asking for access, deciding on requests, the borrowing
register. Thin views over ``veracity.access.governance``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from veracity.access import governance as g
from veracity.access.models import AccessGrant, AccessRequest, Scope
from veracity.access.policy import action_required
from veracity.access.selectors import grants_visible_to, requests_visible_to
from veracity.customers import numbers
from veracity.org.principals import Staff
from veracity.web.fields import CustomerNumbersField, resolve_customers
from veracity.web.forms import PURPOSES
from veracity.web.views.common import in_language, principal_of

REQUEST_PURPOSES = [*PURPOSES, ("report", _("Statistics or report")), ("other", _("Other"))]


def purpose_label(code: str) -> str:
    """The stated purpose as staff read it (requests store its code)."""
    return str(dict(REQUEST_PURPOSES).get(code, code))


class AccessRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of request"), choices=AccessRequest.Kind.choices)
    customers = CustomerNumbersField(label=_("Customer files (file numbers)"), required=False)
    # what a borrowing is for, looked up within the files above (the service's fields)
    policy = forms.CharField(
        label=_("Policy it is about"),
        required=False,
        max_length=40,
        help_text=_("The policy or application number, of a policy of the files above."),
    )
    item = forms.CharField(
        label=_("Problem item it is about"),
        required=False,
        max_length=20,
        help_text=_("The problem item's number, such as 12, of an item on the files above."),
    )
    export_of = forms.ChoiceField(
        label=_("List to export"),
        required=False,
        choices=lambda: [("", "—"), *[(c, in_language(*w)) for c, w in g.EXPORTABLE.items()]],
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=REQUEST_PURPOSES)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    scope = forms.ChoiceField(label=_("Scope"), choices=Scope.choices, initial=Scope.VIEW)
    days = forms.IntegerField(
        label=_("Days (at most 3)"), min_value=1, max_value=g.MAX_BORROW_DAYS, initial=3
    )
    external_name = forms.CharField(label=_("Outside person"), required=False, max_length=100)
    external_org = forms.CharField(label=_("Organisation"), required=False, max_length=200)
    external_credential = forms.CharField(
        label=_("Letter of introduction / work ID no."), required=False, max_length=100
    )
    recipient = forms.CharField(label=_("Recipient"), required=False, max_length=200)
    legal_basis = forms.CharField(label=_("Legal basis"), required=False, max_length=200)
    data_items = forms.CharField(label=_("Data to be sent"), required=False, max_length=300)


def _message(error: g.GovernanceError) -> str:
    return in_language(error.message_zh, error.message_en)


@action_required("access.request")
def request_new(request: HttpRequest) -> HttpResponse:
    """Ask for access to files (or for an export): subject, purpose, reason (D4.18)."""
    if request.method == "POST":
        form = AccessRequestForm(request.POST)
        # A borrower names files outside their reach: any existing file number is accepted.
        ids = (
            resolve_customers(form, "customers", form.cleaned_data["customers"], principal=None)
            if form.is_valid()
            else None
        )
        if ids is not None:
            data = form.cleaned_data
            external = {k: data[k] for k in g.EXTERNAL_FIELDS}
            try:
                made = g.access_request_submit(
                    principal=principal_of(request),
                    customer_ids=ids,
                    subject=data["subject"],
                    purpose=data["purpose"],
                    reason=data["reason"],
                    kind=data["kind"],
                    scope=data["scope"],
                    days=data["days"],
                    external=external,
                    export_of=data["export_of"],
                    policy_no=data["policy"],
                    item_no=data["item"],
                )
            except g.GovernanceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, _message(exc))
            else:
                messages.success(request, _("Your request was sent for approval."))
                return redirect("web:access_request", pk=made.pk)
        status = 400
    else:
        form = AccessRequestForm(
            initial={
                "kind": request.GET.get("kind") or AccessRequest.Kind.BORROW,
                "customers": numbers.normalise(request.GET.get("customer")) or "",
                "export_of": request.GET.get("export_of", ""),
                "policy": request.GET.get("policy", "")[:40],
                "item": request.GET.get("item", "")[:20],
                "subject": request.GET.get("subject", "")[:200],
                # an export offered by a list names its filters (``web.views.problems``)
                "purpose": request.GET.get("purpose", ""),
                "reason": request.GET.get("reason", "")[:1000],
                "days": g.MAX_BORROW_DAYS,
            }
        )
        status = 200
    return render(request, "web/access/request_form.html", {"form": form}, status=status)


def _may_see(principal: Staff, req: AccessRequest) -> bool:
    return (
        requests_visible_to(principal=principal, action="access.request").filter(pk=req.pk).exists()
    )


@action_required("access.request")
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A request with its approval chain; the pending approver decides here, the requester
    withdraws or returns the borrowed files."""
    req = AccessRequest.objects.filter(pk=pk).select_related("requester", "policy").first()
    if req is None or not _may_see(principal_of(request), req):
        raise Http404("request")
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in ("approve", "reject"):
                g.access_request_decide(
                    request_id=req.pk,
                    principal=principal_of(request),
                    approve=action == "approve",
                    reason=request.POST.get("reason", ""),
                )
                messages.success(request, _("Your decision was recorded."))
            elif action == "withdraw":
                g.access_request_withdraw(request_id=req.pk, principal=principal_of(request))
                messages.success(request, _("The request was withdrawn."))
            elif action == "return":
                g.access_grants_return(request_id=req.pk, principal=principal_of(request))
                messages.success(request, _("The borrowed files were returned."))
            else:
                messages.error(request, _("Unknown action."))
        except g.GovernanceError as exc:
            messages.error(request, _message(exc))
        return redirect("web:access_request", pk=req.pk)
    decided = {a.step: a for a in g.decisions_of(req)}
    steps = [
        {
            "code": step,
            "label": in_language(*g.STEP_LABELS[step]),
            "approval": decided.get(step),
        }
        for step in req.steps
    ]
    now = timezone.now()
    grants = list(req.grants.select_related("customer").order_by("customer_id"))
    return render(
        request,
        "web/access/request_detail.html",
        {
            "req": req,
            "steps": steps,
            "pending": g.pending_step(req),
            "may_decide": g.may_decide(req, principal=principal_of(request)),
            "grants": grants,
            "open_grants": [
                gr
                for gr in grants
                if gr.returned_at is None
                and gr.expired_at is None
                and gr.ends_at > now
                and gr.holder_id == request.user.pk
            ],
            "export_label": in_language(*g.EXPORTABLE.get(req.export_of, ("", ""))),
            "purpose_label": purpose_label(req.purpose),
        },
    )


@action_required("access.request")
def requests_index(request: HttpRequest) -> HttpResponse:
    """My requests, and the requests waiting for my decision."""
    mine = (
        AccessRequest.objects.filter(requester_id=request.user.pk)
        .prefetch_related("customers")
        .order_by("-created_at")[:100]
    )
    to_decide = g.requests_awaiting(principal=principal_of(request))
    return render(request, "web/access/requests.html", {"mine": mine, "to_decide": to_decide})


REGISTER_STATES = {
    "open": _("On loan"),
    "returned": _("Returned early"),
    "overdue": _("Not returned in time"),
    "all": _("All"),
}


def register_rows(user: Any, state: str) -> QuerySet[AccessGrant]:
    now = timezone.now()
    grants = (
        grants_visible_to(principal=Staff(user), action="access.request")
        .select_related("holder", "request", "request__policy", "customer")
        .order_by("-starts_at")
    )
    if state == "open":
        grants = grants.filter(returned_at__isnull=True, ends_at__gt=now)
    elif state == "returned":
        grants = grants.exclude(returned_at=None)
    elif state == "overdue":
        grants = grants.filter(Q(returned_at__isnull=True) & Q(ends_at__lte=now))
    return grants


@action_required("access.request")
def register(request: HttpRequest) -> HttpResponse:
    """The borrowing register (D4.19): open, returned and overdue loans."""
    state = request.GET.get("state", "open")
    if state not in REGISTER_STATES:
        state = "open"
    rows = list(register_rows(request.user, state)[:500])
    for row in rows:
        row.purpose_label = purpose_label(row.request.purpose)  # type: ignore[attr-defined]
    return render(
        request,
        "web/access/register.html",
        {"rows": rows, "state": state, "states": REGISTER_STATES, "now": timezone.now()},
    )


@require_POST
@action_required("access.request")
def grant_return(request: HttpRequest, grant_id: int) -> HttpResponse:
    """归还: the borrower returns one borrowed file now (from the borrowed file's notice); the
    register then lists it as returned."""
    try:
        g.grant_return(principal=principal_of(request), grant=grant_id)
    except g.GovernanceError as exc:
        messages.error(request, _message(exc))
        return redirect("web:access_register")
    messages.success(request, _("The borrowed file was returned. You no longer see it."))
    return redirect(f"{reverse('web:access_register')}?state=returned")
