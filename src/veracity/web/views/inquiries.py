"""The staff inquiry desk (IQ-1, IQ-2, IQ-4, D1.17, D1.19, D1.21) and the usage summary of the
inquiry channels (IQ-5). Thin views over ``veracity.inquiry``: the member of staff types what
the caller or visitor states; only a verified inquiry opens its answer page, for the member of
staff who verified and for a limited time; each showing is recorded as a disclosure."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from veracity.access.policy import action_required
from veracity.core.policy_events import CHANGE_WORDS, CLAIM_RESULT_WORDS
from veracity.core.refusals import Kind, Refusal
from veracity.customers.models import IdType
from veracity.inquiry import third_parties as tp
from veracity.inquiry.models import InquiryOutcome, ThirdPartyBasis
from veracity.inquiry.usage import Month, month_parse, usage_export, usage_summary
from veracity.inquiry.verification import (
    VerifyResult,
    inquirer_verify,
    inquiry_answer,
    third_party_verify,
)
from veracity.inquiry.words import (
    BASIS_STATUS_WORDS,
    BASIS_WORDS,
    CHANNEL_WORDS,
    PREMIUM_STATUS_WORDS,
    ROLE_WORDS,
    SECTION_ORDER,
    SECTION_WORDS,
)
from veracity.org.actions import may
from veracity.policies.models import PolicyStatus
from veracity.policies.service_facts import SECTIONS, ServiceFacts
from veracity.web.charts import Segment, stacked_bar_chart
from veracity.web.views.common import in_language, principal_of, refusal_status

MAX_UPLOAD = 20 * 1024 * 1024


def _words(pair: tuple[str, str]) -> str:
    return in_language(*pair)


def _message(error: Refusal) -> str:
    return in_language(error.message_zh, error.message_en)


def _choices(words: dict[str, tuple[str, str]] | Any, keys: Any = None) -> list[tuple[str, str]]:
    return [(k, _words(words[k])) for k in (keys or words)]


class VerifyForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Who is asking"),
        choices=lambda: [
            ("party", _("A party of the policy")),
            ("third_party", _("Third-party inquiry")),
        ],
        initial="party",
        widget=forms.RadioSelect,
    )
    channel = forms.ChoiceField(
        label=_("Inquiry channel"),
        choices=lambda: _choices(CHANNEL_WORDS, ("phone", "counter")),
        initial="phone",
        widget=forms.RadioSelect,
    )
    policy_no = forms.CharField(label=_("Policy number"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=100)
    id_type = forms.ChoiceField(label=_("ID type"), choices=IdType.choices, initial="resident_id")
    id_number = forms.CharField(
        label=_("ID number"), max_length=40, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    role = forms.ChoiceField(
        label=_("Stated role"),
        required=False,
        choices=lambda: (
            [
                ("", _("Not stated")),
                *_choices(ROLE_WORDS, ("policyholder", "insured", "beneficiary")),
            ]
        ),
    )
    id_card_presented = forms.BooleanField(label=_("ID card presented"), required=False)
    contract_presented = forms.BooleanField(label=_("Insurance contract presented"), required=False)


def _outcome_message(result: VerifyResult) -> str:
    if result.reason_code == InquiryOutcome.LOCKED and result.locked_until is not None:
        until = timezone.localtime(result.locked_until).strftime("%H:%M")
        return in_language(
            f"该保单或证件的查询已锁定，请于{until}后再试",
            f"Inquiries on this policy or ID are locked until {until}",
        )
    return in_language("信息不符，无法核实身份", "The details do not match: identity not verified")


@action_required("inquiries.desk")
def desk(request: HttpRequest) -> HttpResponse:
    """The desk: the stated details, verified; a verified inquiry goes to its answer page."""
    form = VerifyForm(request.POST or None)
    status = 200
    outcome = ""
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            stated = {
                "principal": principal_of(request, purpose="inquiry"),
                "channel": data["channel"],
                "policy_no": data["policy_no"],
                "name": data["name"],
                "id_type": data["id_type"],
                "id_number": data["id_number"],
                "id_card_presented": data["id_card_presented"],
                "contract_presented": data["contract_presented"],
            }
            try:
                if data["mode"] == "third_party":
                    result = third_party_verify(**stated)
                else:
                    result = inquirer_verify(role=data["role"] or None, **stated)
            except Refusal as exc:
                messages.error(request, _message(exc))
                status = refusal_status(exc)
            else:
                if result.verified:
                    return redirect("web:inquiry_answer", inquiry_id=result.inquiry_id)
                outcome = _outcome_message(result)
                status = 200
            form = VerifyForm(initial={k: v for k, v in data.items() if k != "id_number"})
        else:
            status = 400
    return render(
        request,
        "web/inquiries/desk.html",
        {"form": form, "outcome": outcome, "may_legal": may(request.user, "inquiries.legal_basis")},
        status=status,
    )


def _facts_view(facts: ServiceFacts) -> dict[str, Any]:
    """The answer in the page's words."""
    status = ""
    if facts.status:
        try:
            status = str(PolicyStatus(facts.status).label)
        except ValueError:
            status = ""
    return {
        "sections": [(s, _words(SECTION_WORDS[s])) for s in SECTION_ORDER if s in facts.sections],
        "shows": {s: s in facts.sections for s in SECTION_ORDER},
        "product": facts.product,
        "status": status,
        "effective_on": facts.effective_on,
        "cooling_off_ends_on": facts.cooling_off_ends_on,
        "ended_on": facts.ended_on,
        "sum_assured": facts.sum_assured,
        "coverage_period": facts.coverage.get("coverage_period") or facts.coverage.get("period"),
        "riders": [
            r.get("name", "") if isinstance(r, dict) else str(r)
            for r in facts.coverage.get("riders", []) or []
        ],
        "parties": [
            (_words(ROLE_WORDS.get(role, (role, role))), name) for role, name in facts.parties
        ],
        "premiums": facts.premiums,
        "premium_status": _words(PREMIUM_STATUS_WORDS.get(facts.premium_status, ("", ""))),
        "claims": [
            {
                "claim_no": c.claim_no,
                "reported_on": c.reported_on,
                "reviews": [
                    (on, _words(CLAIM_RESULT_WORDS.get(result, ("", ""))), reason)
                    for on, result, reason in c.reviews
                ],
                "payments": c.payments,
            }
            for c in facts.claims
        ],
        "benefits": facts.benefits,
        "changes": [
            {
                "on": c.on,
                "change": _words(CHANGE_WORDS.get(c.change, ("", ""))),
                "major": c.major,
                "note": c.note,
            }
            for c in facts.changes
        ],
        "payer_account": facts.payer_account,
    }


class ConsentForm(forms.Form):
    party_name = forms.CharField(label=_("Name of the person authorised"), max_length=100)
    party_id_type = forms.ChoiceField(
        label=_("ID type"), choices=IdType.choices, initial="resident_id"
    )
    party_id_number = forms.CharField(
        label=_("ID number"), max_length=40, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    sections = forms.MultipleChoiceField(
        label=_("Information that may be told"),
        choices=lambda: _choices(SECTION_WORDS, SECTION_ORDER),
        widget=forms.CheckboxSelectMultiple,
    )
    valid_until = forms.DateField(
        label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    document = forms.FileField(label=_("Signed consent form"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


def _answer_refused(request: HttpRequest, exc: Refusal) -> HttpResponse:
    if exc.kind is Kind.NOT_FOUND or exc.code == "inquiry.person_required":
        raise Http404(exc.code)
    messages.error(request, _message(exc))
    response = redirect("web:inquiry_desk")
    return response


@action_required("inquiries.desk")
def answer(request: HttpRequest, inquiry_id: str) -> HttpResponse:
    """The verified inquiry's answer: that policy only, scoped to the verified role (or the
    third party's allowed sections); recorded as a disclosure each time it is shown."""
    try:
        inquiry, facts = inquiry_answer(
            principal=principal_of(request, purpose="inquiry"), inquiry_id=inquiry_id
        )
    except Refusal as exc:
        return _answer_refused(request, exc)
    consent_form = None
    if not inquiry.third_party:
        consent_form = ConsentForm(
            initial={"valid_until": timezone.localdate() + dt.timedelta(days=90)}
        )
        allowed = SECTIONS.get(inquiry.role, frozenset())
        sections = consent_form.fields["sections"]
        assert isinstance(sections, forms.MultipleChoiceField)
        sections.choices = [
            (key, _words(SECTION_WORDS[key])) for key in SECTION_ORDER if key in allowed
        ]
    return render(
        request,
        "web/inquiries/answer.html",
        {
            "inquiry": inquiry,
            "policy_no": facts.policy_no,
            "role": _words(ROLE_WORDS.get(inquiry.role, ("", ""))),
            "channel": _words(CHANNEL_WORDS[inquiry.channel]),
            "facts": _facts_view(facts),
            "consent_form": consent_form,
        },
    )


def _upload(request: HttpRequest) -> tuple[str, bytes]:
    upload = request.FILES.get("document")
    if upload is None:
        return "", b""
    if upload.size and upload.size > MAX_UPLOAD:
        return upload.name or "", b"\x00" * 0  # refused below as empty/too large
    return upload.name or "", upload.read(MAX_UPLOAD + 1)


@action_required("inquiries.desk")
@require_POST
def consent(request: HttpRequest, inquiry_id: str) -> HttpResponse:
    """A verified party's consent for a named third party, with the signed form."""
    form = ConsentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(
            request, in_language("授权信息不完整，请检查后重试", "The consent is incomplete")
        )
        return redirect("web:inquiry_answer", inquiry_id=inquiry_id)
    data = form.cleaned_data
    filename, content = _upload(request)
    try:
        tp.consent_record(
            principal=principal_of(request, purpose="inquiry"),
            inquiry_id=inquiry_id,
            party_name=data["party_name"],
            party_id_type=data["party_id_type"],
            party_id_number=data["party_id_number"],
            sections=data["sections"],
            valid_until=data["valid_until"],
            filename=filename,
            data=content,
            note=data["note"],
        )
    except Refusal as exc:
        if exc.kind is Kind.NOT_FOUND:
            raise Http404(exc.code) from None
        messages.error(request, _message(exc))
        return redirect("web:inquiry_answer", inquiry_id=inquiry_id)
    messages.success(request, _("The consent was recorded."))
    return redirect("web:inquiry_answer", inquiry_id=inquiry_id)


# --- legal bases ---------------------------------------------------------------------------


class LegalBasisForm(forms.Form):
    policy_no = forms.CharField(label=_("Policy number"), max_length=40)
    kind = forms.ChoiceField(
        label=_("Legal basis"),
        choices=lambda: _choices(BASIS_WORDS, ("court", "regulator", "police", "other")),
    )
    reference = forms.CharField(label=_("Document reference"), max_length=100)
    party_name = forms.CharField(label=_("Name of the requesting officer"), max_length=100)
    party_id_type = forms.ChoiceField(
        label=_("ID type"), choices=IdType.choices, initial="resident_id"
    )
    party_id_number = forms.CharField(
        label=_("ID number"), max_length=40, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    sections = forms.MultipleChoiceField(
        label=_("Information that may be told"),
        choices=lambda: _choices(SECTION_WORDS, SECTION_ORDER),
        widget=forms.CheckboxSelectMultiple,
    )
    valid_until = forms.DateField(
        label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    document = forms.FileField(label=_("The document"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


def _basis_row(basis: ThirdPartyBasis) -> dict[str, Any]:
    return {
        "basis": basis,
        "kind": _words(BASIS_WORDS[basis.kind]),
        "status": _words(BASIS_STATUS_WORDS[basis.status]),
        "sections": "、".join(
            _words(SECTION_WORDS[s]) for s in SECTION_ORDER if s in basis.sections
        ),
    }


@action_required("inquiries.legal_basis")
def bases(request: HttpRequest) -> HttpResponse:
    """The legal bases (newest first) and the form to record one."""
    form = LegalBasisForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            filename, content = _upload(request)
            try:
                made = tp.legal_basis_record(
                    principal=principal_of(request, purpose="inquiry"),
                    policy_no=data["policy_no"],
                    kind=data["kind"],
                    party_name=data["party_name"],
                    party_id_type=data["party_id_type"],
                    party_id_number=data["party_id_number"],
                    sections=data["sections"],
                    valid_until=data["valid_until"],
                    reference=data["reference"],
                    filename=filename,
                    data=content,
                    note=data["note"],
                )
            except Refusal as exc:
                messages.error(request, _message(exc))
                status = refusal_status(exc)
            else:
                messages.success(request, _("The legal basis was recorded and sent for approval."))
                return redirect("web:inquiry_basis", basis_id=made.pk)
        else:
            status = 400
    rows = [
        _basis_row(b)
        for b in ThirdPartyBasis.objects.exclude(kind=ThirdPartyBasis.Kind.CONSENT)
        .select_related("policy")
        .order_by("-recorded_at")[:100]
    ]
    return render(request, "web/inquiries/bases.html", {"form": form, "rows": rows}, status=status)


@action_required("inquiries.legal_basis")
def basis(request: HttpRequest, basis_id: int) -> HttpResponse:
    """One legal basis, its approval steps, and the decision form for the step's decider."""
    found = (
        ThirdPartyBasis.objects.exclude(kind=ThirdPartyBasis.Kind.CONSENT)
        .select_related("policy", "recorded_by")
        .filter(pk=basis_id)
        .first()
    )
    if found is None:
        raise Http404("basis")
    step = tp.decidable_step(found, principal=principal_of(request))
    return render(
        request,
        "web/inquiries/basis.html",
        {
            "row": _basis_row(found),
            "step": step,
            "step_label": _words((step.label_zh, step.label_en)) if step else "",
        },
    )


@action_required("inquiries.legal_basis")
@require_POST
def basis_decide(request: HttpRequest, basis_id: int) -> HttpResponse:
    approve = request.POST.get("decision") == "approve"
    try:
        tp.legal_basis_decide(
            principal=principal_of(request),
            basis_id=basis_id,
            approve=approve,
            reason=request.POST.get("reason", "")[:2000],
        )
    except Refusal as exc:
        if exc.kind is Kind.NOT_FOUND:
            raise Http404(exc.code) from None
        messages.error(request, _message(exc))
    else:
        messages.success(request, _("Your decision was recorded."))
    return redirect("web:inquiry_basis", basis_id=basis_id)


# --- the usage summary ---------------------------------------------------------------------


def _period(request: HttpRequest) -> tuple[Month, Month, str]:
    today = timezone.localdate()
    last_default = Month(today.year, today.month)
    error = ""
    try:
        last = month_parse(request.GET["to"]) if request.GET.get("to") else last_default
        first = month_parse(request.GET["from"]) if request.GET.get("from") else last.minus(5)
    except Refusal as exc:
        error = _message(exc)
        first, last = last_default.minus(5), last_default
    return first, last, error


@action_required("inquiries.usage")
def usage(request: HttpRequest) -> HttpResponse:
    """Per channel and month: inquiries, verifications, lockouts, registrations, logins,
    disclosures by section; a chart of verifications per month."""
    first, last, error = _period(request)
    rows = []
    status = 200
    try:
        rows = usage_summary(principal=principal_of(request), first=first, last=last)
    except Refusal as exc:
        error = _message(exc)
        status = refusal_status(exc)
    # a month and channel without any use is left out of the table (not of the export)
    shown = [
        {
            "row": r,
            "channel": _words(CHANNEL_WORDS[r.channel]),
            "sections": [r.sections.get(s, 0) for s in SECTION_ORDER],
        }
        for r in rows
        if r.inquiries
        or r.registrations
        or r.logins
        or r.failed_logins
        or r.disclosures
        or r.lockouts
    ]
    months: dict[str, list[float]] = {}
    for r in rows:
        totals = months.setdefault(r.month.name, [0.0, 0.0, 0.0])
        totals[0] += r.passed
        totals[1] += r.failed
        totals[2] += r.locked
    chart = stacked_bar_chart(
        list(months.items()),
        segments=[
            Segment(in_language("核实通过", "Passed"), "pass"),
            Segment(in_language("核实未通过", "Failed"), "fail"),
            Segment(in_language("锁定期内查询", "While locked"), "warn"),
        ],
        title=in_language("每月身份核实情况", "Verifications per month"),
    )
    return render(
        request,
        "web/inquiries/usage.html",
        {
            "rows": shown,
            "chart": chart,
            "first": first.name,
            "last": last.name,
            "error": error,
            "section_heads": [_words(SECTION_WORDS[s]) for s in SECTION_ORDER],
        },
        status=status,
    )


@action_required("inquiries.usage")
def usage_download(request: HttpRequest) -> HttpResponse:
    """The summary as Excel (aggregates only: no personal data, so no export approval)."""
    first, last, error = _period(request)
    if error:
        messages.error(request, error)
        return redirect("web:inquiry_usage")
    try:
        data = usage_export(principal=principal_of(request), first=first, last=last)
    except Refusal as exc:
        messages.error(request, _message(exc))
        return redirect("web:inquiry_usage")
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="inquiry-usage-{first.name}-{last.name}.xlsx"'
    )
    return response
