"""The penalty register (D1.14, D1.22, D1.23) and the assessment (考核): thin views over
``veracity.conduct.penalties`` and ``veracity.conduct.assessment``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from veracity.access.exports import ExportRefused
from veracity.access.policy import action_required, may
from veracity.cases.models import Escalation
from veracity.conduct import penalties as ps
from veracity.conduct.assessment import SCOPES, assessment_export, assessment_rows
from veracity.conduct.models import Penalty
from veracity.core.assessment import PeriodKind, period_of, period_parse
from veracity.core.conduct import MEASURE_WORDS, REASON_WORDS, Measure, Reason
from veracity.core.refusals import Refusal
from veracity.sales.models import SellerKind
from veracity.web.views.common import in_language, principal_of, refusal_status

PAGE_SIZE = 50


def reason_words(code: str) -> str:
    try:
        return in_language(*REASON_WORDS[Reason(code)])
    except ValueError:
        return ""


def measure_words(code: str) -> str:
    try:
        return in_language(*MEASURE_WORDS[Measure(code)])
    except ValueError:
        return ""


def _reason_choices() -> list[tuple[str, str]]:
    return [(r.value, in_language(*REASON_WORDS[r])) for r in Reason]


def _measure_choices() -> list[tuple[str, str]]:
    return [(m.value, in_language(*MEASURE_WORDS[m])) for m in Measure]


def _message(error: Refusal) -> str:
    return in_language(error.message_zh, error.message_en)


class PenaltyFilter(forms.Form):
    code = forms.CharField(label=_("Seller or agency code"), required=False, max_length=32)
    reason = forms.ChoiceField(
        label=_("Reason"), required=False, choices=lambda: [("", "—"), *_reason_choices()]
    )
    measure = forms.ChoiceField(
        label=_("Measure"), required=False, choices=lambda: [("", "—"), *_measure_choices()]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", "—"), *Penalty.Status.choices]
    )
    decided_from = forms.DateField(label=_("Decided from"), required=False)
    decided_to = forms.DateField(label=_("Decided until"), required=False)


def _label(penalty: Penalty) -> Penalty:
    penalty.reason_label = reason_words(penalty.reason)  # type: ignore[attr-defined]
    penalty.measure_label = (  # type: ignore[attr-defined]
        measure_words(penalty.measure) if penalty.measure else str(_("To decide"))
    )
    penalty.is_agency = penalty.seller.kind == SellerKind.AGENCY  # type: ignore[attr-defined]
    return penalty


@action_required("penalties.view")
def index(request: HttpRequest) -> HttpResponse:
    """The register, filtered by code, reason, measure, status and decision dates."""
    form = PenaltyFilter(request.GET or None)
    rows = Penalty.objects.select_related("seller", "proposed_by").order_by("-created_at", "-id")
    if form.is_valid():
        data = form.cleaned_data
        if data["code"]:
            rows = rows.filter(seller__code=data["code"].strip())
        for name in ("reason", "measure", "status"):
            if data[name]:
                rows = rows.filter(**{name: data[name]})
        if data["decided_from"]:
            rows = rows.filter(decided_on__gte=data["decided_from"])
        if data["decided_to"]:
            rows = rows.filter(decided_on__lte=data["decided_to"])
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for penalty in page.object_list:
        _label(penalty)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/penalties/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "may_propose": may(request.user, "penalties.propose"),
        },
        status=200 if form.is_bound is False or form.is_valid() else 400,
    )


class PenaltyForm(forms.Form):
    target = forms.ChoiceField(
        label=_("On"),
        choices=[("seller", _("A seller")), ("agency", _("An agency"))],
        initial="seller",
        widget=forms.RadioSelect,
    )
    code = forms.CharField(label=_("Seller or agency code"), max_length=32)
    reason = forms.ChoiceField(label=_("Reason"), choices=_reason_choices)
    measure = forms.ChoiceField(label=_("Measure"), choices=_measure_choices)
    amount = forms.DecimalField(
        label=_("Amount (yuan)"),
        required=False,
        max_digits=12,
        decimal_places=2,
        help_text=_("For a commission deduction only."),
    )
    decided_on = forms.DateField(
        label=_("Decision date"),
        required=False,
        help_text=_("Leave empty: the date of the approval."),
    )
    policy_nos = forms.CharField(
        label=_("Policies concerned"),
        required=False,
        max_length=2000,
        help_text=_("Policy numbers, separated by commas."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


_FORM_FIELDS = {
    "seller_code": "code",
    "agency_code": "code",
    "reason": "reason",
    "measure": "measure",
    "amount": "amount",
    "decided_on": "decided_on",
    "policy_nos": "policy_nos",
    "note": "note",
}


@action_required("penalties.propose")
def new(request: HttpRequest) -> HttpResponse:
    """Propose a penalty: from a seller's page (``?seller=CODE``), from an escalation
    (``?escalation=ID``), or typed in."""
    escalation = None
    raw = request.GET.get("escalation") or request.POST.get("escalation") or ""
    if raw.isdigit() and len(raw) < 12:
        escalation = Escalation.objects.select_related("seller").filter(pk=int(raw)).first()
    if request.method == "POST":
        form = PenaltyForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            agency = data["target"] == "agency"
            try:
                made = ps.penalty_propose(
                    principal=principal_of(request),
                    seller_code="" if agency else data["code"],
                    agency_code=data["code"] if agency else "",
                    reason=data["reason"],
                    measure=data["measure"],
                    amount=data["amount"],
                    decided_on=data["decided_on"],
                    note=data["note"],
                    policy_nos=[p for p in data["policy_nos"].replace("，", ",").split(",") if p],
                    escalation_ids=[escalation.pk] if escalation else [],
                )
            except Refusal as exc:
                field = _FORM_FIELDS.get(exc.field)
                form.add_error(field if field in form.fields else None, _message(exc))
            else:
                messages.success(request, _("The penalty was sent for approval."))
                return redirect("web:penalty", penalty_id=made.pk)
        status = 400
    else:
        initial: dict[str, Any] = {"code": (request.GET.get("seller") or "")[:32]}
        if escalation is not None:
            initial.update(
                code=escalation.seller.code,
                target="agency" if escalation.seller.kind == SellerKind.AGENCY else "seller",
                reason=escalation.misconduct,
            )
        elif initial["code"]:
            initial["target"] = "seller"
        form = PenaltyForm(initial=initial)
        status = 200
    return render(
        request,
        "web/penalties/form.html",
        {"form": form, "escalation": escalation},
        status=status,
    )


class CompleteForm(forms.Form):
    measure = forms.ChoiceField(label=_("Measure"), choices=_measure_choices)
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), required=False, max_digits=12, decimal_places=2
    )
    decided_on = forms.DateField(label=_("Decision date"), required=False)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


def _penalty(penalty_id: int) -> Penalty:
    penalty = Penalty.objects.select_related("seller", "proposed_by").filter(pk=penalty_id).first()
    if penalty is None:
        raise Http404("penalty")
    return penalty


@action_required("penalties.view")
def detail(request: HttpRequest, penalty_id: int) -> HttpResponse:
    """A penalty with its approval steps; the approver decides here, channel management
    completes a penalty to decide, the proposer may withdraw."""
    penalty = _label(_penalty(penalty_id))
    principal = principal_of(request)
    draft = ps.is_draft(penalty)
    steps = [
        {
            "label": in_language(s["step"].label_zh, s["step"].label_en),
            "decision": s["decision"],
        }
        for s in ps.decisions_of(penalty)
    ]
    approval = ps.approval_of(penalty)
    return render(
        request,
        "web/penalties/detail.html",
        {
            "penalty": penalty,
            "draft": draft,
            "steps": steps,
            "step": ps.decidable_step(penalty, principal=principal),
            "may_complete": draft and may(request.user, "penalties.propose"),
            "may_withdraw": approval is not None
            and penalty.status == Penalty.Status.PROPOSED
            and approval.requester_id == request.user.pk,
            "complete_form": CompleteForm(initial={"measure": Measure.WARNING.value}),
            "items": list(penalty.items.order_by("pk").values_list("pk", flat=True)),
            "policies": list(penalty.policies.values_list("policy_no", flat=True)),
        },
    )


@require_POST
@action_required("penalties.view")
def act(request: HttpRequest, penalty_id: int, step: str) -> HttpResponse:
    """Approve, reject, withdraw, or complete (``submit``) a penalty to decide."""
    penalty = _penalty(penalty_id)
    principal = principal_of(request)
    try:
        if step in ("approve", "reject"):
            ps.penalty_decide(
                principal=principal,
                penalty_id=penalty.pk,
                approve=step == "approve",
                reason=request.POST.get("reason", "")[:2000],
            )
            messages.success(request, _("Your decision was recorded."))
        elif step == "withdraw":
            ps.penalty_withdraw(principal=principal, penalty_id=penalty.pk)
            messages.success(request, _("The proposal was withdrawn."))
        elif step == "submit":
            form = CompleteForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Check the measure, the amount and the date."))
                return redirect("web:penalty", penalty_id=penalty.pk)
            data = form.cleaned_data
            ps.penalty_submit(
                principal=principal,
                penalty_id=penalty.pk,
                measure=data["measure"],
                amount=data["amount"],
                decided_on=data["decided_on"],
                note=data["note"] or None,
            )
            messages.success(request, _("The penalty was sent for approval."))
        else:
            raise Http404("step")
    except Refusal as exc:
        messages.error(request, _message(exc))
    return redirect("web:penalty", penalty_id=penalty.pk)


# --- the assessment ----------------------------------------------------------------------------

SCOPE_LABELS = {"seller": _("Sellers"), "agency": _("Agencies")}


def _assessment_query(request: HttpRequest) -> tuple[str, str, str]:
    scope = request.GET.get("scope", "seller")
    if scope not in SCOPES:
        scope = "seller"
    period = (request.GET.get("period") or "").strip()[:10]
    if not period:
        period = period_of(PeriodKind.MONTH, timezone.localdate()).label
    return scope, period, (request.GET.get("code") or "").strip()[:32]


@action_required("assessment.view")
def assessment(request: HttpRequest) -> HttpResponse:
    """The assessment of sellers or agencies for a month, a quarter or a year."""
    scope, period_text, code = _assessment_query(request)
    error = ""
    rows: list[Any] = []
    period = None
    try:
        period = period_parse(period_text)
        rows = assessment_rows(
            principal=principal_of(request), scope=scope, period=period, code=code
        )
    except Refusal as exc:
        error = _message(exc)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {"scope": scope, "period": period_text, "code": code}
    export_request = (
        reverse("web:access_request_new")
        + "?"
        + urlencode(
            {
                "kind": "export",
                "export_of": "assessment",
                "purpose": "report",
                "subject": str(_("Assessment of sellers and agencies")),
            }
        )
    )
    return render(
        request,
        "web/penalties/assessment.html",
        {
            "page": page,
            "scope": scope,
            "scopes": SCOPE_LABELS.items(),
            "period_text": period_text,
            "period": period,
            "period_label": in_language(period.label_zh, period.label) if period else "",
            "code": code,
            "error": error,
            "query": urlencode(query),
            "export_request": export_request,
        },
        status=400 if error else 200,
    )


@action_required("assessment.view")
def assessment_download(request: HttpRequest) -> HttpResponse:
    """The assessment as Excel, under an approved export request (else 403 with the way to
    ask for one)."""
    scope, period_text, code = _assessment_query(request)
    try:
        period = period_parse(period_text)
        made = assessment_export(
            principal=principal_of(request), scope=scope, period=period, code=code
        )
    except ExportRefused as exc:
        messages.error(request, _message(exc))
        response = assessment(request)
        response.status_code = 403
        return response
    except Refusal as exc:
        messages.error(request, _message(exc))
        response = assessment(request)
        response.status_code = refusal_status(exc)
        return response
    response = HttpResponse(made.data, content_type=made.content_type)
    response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    return response
