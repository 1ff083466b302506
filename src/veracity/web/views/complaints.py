"""The complaints register (SF-2, D1.14): the list with its filters and counts, the intake
form, and a complaint's page with its investigation and verification (查实). Thin views over
``veracity.conduct.complaints``; the second callbacks of a re-check are recorded on the
problem item's page (:func:`callback`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from veracity.access.policy import action_required, may
from veracity.conduct import callbacks as cb
from veracity.conduct import complaints as svc
from veracity.conduct.models import Complaint
from veracity.core.complaints import verifier_conflict
from veracity.core.conduct import (
    CALLBACK_RESULT_WORDS,
    COMPLAINT_CATEGORY_WORDS,
    CallbackResult,
    ComplaintCategory,
)
from veracity.core.refusals import Refusal
from veracity.web.views.common import in_language, principal_of, refusal_status

PER_PAGE = 50


def category_choices() -> list[tuple[str, str]]:
    return [(c.value, in_language(*COMPLAINT_CATEGORY_WORDS[c])) for c in ComplaintCategory]


def result_choices() -> list[tuple[str, str]]:
    return [(r.value, in_language(*CALLBACK_RESULT_WORDS[r])) for r in CallbackResult]


def _message(error: Refusal) -> str:
    return in_language(error.message_zh, error.message_en)


class FilterForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=lambda: [("", _("All")), *category_choices()]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=lambda: [("", _("All")), *Complaint.Status.choices],
    )
    code = forms.CharField(label=_("Seller or agency code"), required=False, max_length=32)
    received_from = forms.DateField(
        label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label=_("Received to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class IntakeForm(forms.Form):
    complaint_no = forms.CharField(label=_("Complaint no."), max_length=40)
    received_on = forms.DateField(
        label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    category = forms.ChoiceField(label=_("Category"), choices=category_choices)
    seller_code = forms.CharField(label=_("Seller code"), required=False, max_length=32)
    agency_code = forms.CharField(label=_("Agency code"), required=False, max_length=32)
    policy_no = forms.CharField(label=_("Policy no."), required=False, max_length=40)
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=svc.MAX_BASIS,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class VerifyForm(forms.Form):
    verified = forms.TypedChoiceField(
        label=_("Finding"),
        choices=[("yes", _("Verified (查实)")), ("no", _("Not verified"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    basis = forms.CharField(
        label=_("Basis of the verification"),
        max_length=svc.MAX_BASIS,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    verified_on = forms.DateField(
        label=_("Verified on"), widget=forms.DateInput(attrs={"type": "date"})
    )


def _filtered(request: HttpRequest, form: FilterForm) -> Any:
    rows = svc.complaints_visible_to(principal=principal_of(request)).order_by(
        "-received_on", "-pk"
    )
    if not form.is_valid():
        return rows, {}
    data = form.cleaned_data
    if data["category"]:
        rows = rows.filter(category=data["category"])
    if data["code"]:
        code = data["code"].strip()
        rows = rows.filter(Q(seller__code=code) | Q(agency__code=code))
    if data["received_from"]:
        rows = rows.filter(received_on__gte=data["received_from"])
    if data["received_to"]:
        rows = rows.filter(received_on__lte=data["received_to"])
    counts = dict(rows.values_list("status").annotate(n=Count("pk")).order_by())
    if data["status"]:
        rows = rows.filter(status=data["status"])
    return rows, counts


@action_required("complaints.view")
def index(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    rows, counts = _filtered(request, form if request.GET else FilterForm({}))
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    words = dict(category_choices())
    for row in page.object_list:
        row.category_label = words.get(row.category, row.category)
    return render(
        request,
        "web/complaints/list.html",
        {
            "form": form if request.GET else FilterForm(),
            "page": page,
            "query": query.urlencode(),
            "counts": [(label, counts.get(value, 0)) for value, label in Complaint.Status.choices],
            "total": sum(counts.values()),
            "may_record": may(request.user, "complaints.record"),
        },
        status=200 if not request.GET or form.is_valid() else 400,
    )


@action_required("complaints.record")
def new(request: HttpRequest) -> HttpResponse:
    """The intake form: customer service (or compliance) takes a complaint in."""
    status = 200
    if request.method == "POST":
        form = IntakeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            record = {
                "complaint_no": data["complaint_no"].strip(),
                "received_on": data["received_on"].isoformat(),
                "category": data["category"],
                "seller_code": data["seller_code"].strip() or None,
                "agency_code": data["agency_code"].strip() or None,
                "policy_no": data["policy_no"].strip() or None,
                "summary": data["summary"],
            }
            try:
                complaint, _outcome = svc.complaint_record(
                    record=record, principal=principal_of(request), update=False
                )
            except Refusal as error:
                form.add_error(error.field if error.field in form.fields else None, _message(error))
            else:
                messages.success(request, _("The complaint was recorded."))
                return redirect("web:complaint_detail", complaint_id=complaint.pk)
        status = 400
    else:
        # from a seller's page: the seller or agency complained about is already named
        form = IntakeForm(
            initial={
                "received_on": timezone.localdate(),
                "seller_code": request.GET.get("seller", "")[:32],
                "agency_code": request.GET.get("agency", "")[:32],
            }
        )
    return render(request, "web/complaints/new.html", {"form": form}, status=status)


def _detail(
    request: HttpRequest,
    complaint: Complaint,
    *,
    form: VerifyForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    principal = principal_of(request)
    may_verify = may(request.user, "complaints.verify") and complaint.status in (
        Complaint.Status.RECEIVED,
        Complaint.Status.INVESTIGATING,
    )
    return render(
        request,
        "web/complaints/detail.html",
        {
            "complaint": complaint,
            "category_label": dict(category_choices()).get(complaint.category, ""),
            "may_verify": may_verify,
            "may_take_on": may_verify and complaint.status == Complaint.Status.RECEIVED,
            "form": form or VerifyForm(initial={"verified_on": timezone.localdate()}),
            "error": error,
            "independent": verifier_conflict(
                getattr(principal.user, "pk", None), svc.parties_of(complaint)
            )
            is None,
        },
        status=status,
    )


def _complaint(request: HttpRequest, pk: int) -> Complaint:
    try:
        return svc.complaint_for(principal=principal_of(request), complaint_id=pk)
    except Refusal:
        raise Http404("complaint") from None


@action_required("complaints.view")
def detail(request: HttpRequest, complaint_id: int) -> HttpResponse:
    """A complaint: whom it is against (by code and name), what it is about, and its
    investigation and verification; the verifying staff decide here."""
    complaint = _complaint(request, complaint_id)
    if request.method != "POST":
        return _detail(request, complaint)
    if not may(request.user, "complaints.verify"):
        raise Http404("complaint")
    principal = principal_of(request)
    if request.POST.get("action") == "investigate":
        try:
            svc.complaint_investigate(complaint_id=complaint.pk, principal=principal)
        except Refusal as error:
            return _detail(request, complaint, error=_message(error), status=refusal_status(error))
        messages.success(request, _("You have taken the complaint on."))
        return redirect("web:complaint_detail", complaint_id=complaint.pk)
    form = VerifyForm(request.POST)
    if not form.is_valid():
        return _detail(request, complaint, form=form, status=400)
    data = form.cleaned_data
    try:
        svc.complaint_verify(
            complaint_id=complaint.pk,
            principal=principal,
            verified=bool(data["verified"]),
            basis=data["basis"],
            verified_on=data["verified_on"],
        )
    except Refusal as error:
        if error.field in form.fields:
            form.add_error(error.field, _message(error))
            return _detail(request, complaint, form=form, status=refusal_status(error))
        return _detail(
            request, complaint, form=form, error=_message(error), status=refusal_status(error)
        )
    messages.success(request, _("The verification was recorded."))
    return redirect("web:complaint_detail", complaint_id=complaint.pk)


# --- the second callbacks of a re-check, on the problem item's page ---------------------------


def callbacks_context(request: HttpRequest, item: Any) -> dict[str, Any]:
    """What the case page shows of a ``REPEAT_MISSELLING`` item: its policies with the
    state of their second callback, and a form per policy for customer service while the
    item is open."""
    if not cb.is_recheck_item(item):
        return {}
    rows = cb.callbacks_of_item(item.id)
    return {
        "recheck_callbacks": [
            {"row": r, "label": in_language(r.result_zh, r.result_en) if r.result else ""}
            for r in rows
        ],
        "recheck_done": sum(1 for r in rows if r.result),
        "recheck_results": result_choices(),
        # a closed item takes no more callbacks (the service refuses them): no form
        "may_record_callbacks": may(request.user, "callbacks.record")
        and getattr(item, "status", "") != "closed",
    }


@require_POST
@action_required("callbacks.record")
def callback(request: HttpRequest, item_id: int) -> HttpResponse:
    """Record what the second callback of one policy of the item found."""
    try:
        cb.callback_record(
            item_id=item_id,
            policy_no=request.POST.get("policy_no", "")[:40],
            result=request.POST.get("result", ""),
            note=request.POST.get("note", ""),
            principal=principal_of(request),
        )
    except Refusal as error:
        messages.error(request, _message(error))
    else:
        messages.success(request, _("The callback was recorded."))
    return redirect(reverse("web:case_detail", args=[item_id]) + "#recheck")
