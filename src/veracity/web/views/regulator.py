"""The quarterly regulator report (D1.22, D1.23, D4.13): the editions by quarter, the
preview of an edition, preparing one, its two reviews, release, downloads, corrections and
the general office's filings. Thin views over ``veracity.conduct.regulator``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from veracity.access.policy import action_required
from veracity.conduct import regulator as r
from veracity.conduct.models import RegulatorFiling, RegulatorReport
from veracity.conduct.regulator_files import (
    channel_words,
    kind_words,
    measure_words,
    reason_words,
)
from veracity.core.quarters import Quarter, parse_quarter, quarter_of
from veracity.core.refusals import Refusal
from veracity.org.actions import may
from veracity.web.views.common import chinese, in_language, principal_of

PAGE_SIZE = 25
PREVIEW_ROWS = 200


def quarter_label(name: str) -> str:
    """``2026Q4`` as the page says it: 2026年第4季度 / 2026 Q4."""
    try:
        quarter = parse_quarter(name)
    except Refusal:
        return name
    if chinese():
        return f"{quarter.year}年第{quarter.number}季度"
    return f"{quarter.year} Q{quarter.number}"


def _recent_quarters() -> list[tuple[str, str]]:
    quarter: Quarter = quarter_of(timezone.localdate())
    out = []
    for _step in range(6):
        out.append((quarter.name, quarter_label(quarter.name)))
        quarter = quarter.previous()
    return out


class PrepareForm(forms.Form):
    quarter = forms.ChoiceField(label=_("Quarter"), choices=_recent_quarters)


class ReviewForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (required to return)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CorrectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FilingForm(forms.Form):
    recipient = forms.ChoiceField(label=_("Filed with"), choices=RegulatorFiling.Recipient.choices)
    filed_on = forms.DateField(label=_("Filed on"), widget=forms.DateInput(attrs={"type": "date"}))
    means = forms.CharField(label=_("Means"), max_length=100)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)


def _message(error: Refusal) -> str:
    return in_language(error.message_zh, error.message_en)


def _entries(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The report's entries in the page's words (the first :data:`PREVIEW_ROWS`)."""
    zh = chinese()
    out = []
    for e in entries[:PREVIEW_ROWS]:
        agency = e.get("agency") or {}
        out.append(
            {
                "code": e["code"],
                "name": e["name"],
                "kind": kind_words(e["kind"]) if zh else e["kind"].replace("_", " "),
                "channel": channel_words(e["channel"]) if zh else e["channel"],
                "reasons": "；".join(reason_words(x, chinese=zh) for x in e["reasons"]),
                "measures": "；".join(measure_words(x, chinese=zh) for x in e["measures"]),
                "policies": e["policies"],
                "first_on": e["first_on"],
                "last_on": e["last_on"],
                "agency": f"{agency.get('code', '')} {agency.get('name', '')}".strip(),
            }
        )
    return out


@action_required("regulator_report.view")
def reports(request: HttpRequest) -> HttpResponse:
    """The editions, newest quarter first, and the prepare form."""
    principal = principal_of(request)
    try:
        editions = r.reports_visible(principal=principal)
    except Refusal as exc:
        raise Http404(exc.code) from exc
    page = Paginator(editions, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {"report": report, "quarter": quarter_label(report.quarter)} for report in page.object_list
    ]
    return render(
        request,
        "web/regulator/reports.html",
        {
            "page": page,
            "rows": rows,
            "may_prepare": may(request.user, "regulator_report.prepare"),
            "form": PrepareForm(),
        },
    )


@action_required("regulator_report.prepare")
@require_POST
def prepare(request: HttpRequest) -> HttpResponse:
    form = PrepareForm(request.POST)
    quarter = (
        request.POST.get("quarter", "") if not form.is_valid() else form.cleaned_data["quarter"]
    )
    try:
        report = r.regulator_report_prepare(principal=principal_of(request), quarter=quarter)
    except Refusal as exc:
        messages.error(request, _message(exc))
        return redirect("web:regulator_reports")
    messages.success(request, _("The report was prepared and sent for review."))
    return redirect("web:regulator_report", report_id=report.pk)


def _report_or_404(report_id: int) -> RegulatorReport:
    report = (
        RegulatorReport.objects.select_related("prepared_by", "correction_of")
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        raise Http404("report")
    return report


@action_required("regulator_report.view")
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    """An edition: its facts, the preview (sellers, agencies), the two reviews, the
    downloads once released, the filings and the correction form."""
    report = _report_or_404(report_id)
    principal = principal_of(request)
    content = report.content or {}
    released = report.status == RegulatorReport.Status.RELEASED
    steps = [
        {**s, "label": in_language(s["label_zh"], s["label_en"])} for s in r.review_steps(report)
    ]
    sellers = content.get("sellers", [])
    agencies = content.get("agencies", [])
    return render(
        request,
        "web/regulator/report_detail.html",
        {
            "report": report,
            "quarter": quarter_label(report.quarter),
            "sellers": _entries(sellers),
            "agencies": _entries(agencies),
            "sellers_total": len(sellers),
            "agencies_total": len(agencies),
            "preview_rows": PREVIEW_ROWS,
            "steps": steps,
            "may_review": r.may_review(report, principal=principal),
            "review_form": ReviewForm(),
            "downloadable": report.status
            in (RegulatorReport.Status.RELEASED, RegulatorReport.Status.SUPERSEDED),
            "filings": list(report.filings.select_related("recorded_by").order_by("filed_on")),
            "may_file": released and may(request.user, "regulator_report.file"),
            "filing_form": FilingForm(initial={"filed_on": timezone.localdate()}),
            "may_correct": released and may(request.user, "regulator_report.prepare"),
            "correction_form": CorrectionForm(),
            "corrections": list(report.corrections.order_by("edition")),
        },
    )


@action_required("regulator_report.review")
@require_POST
def review(request: HttpRequest, report_id: int) -> HttpResponse:
    _report_or_404(report_id)
    decision = request.POST.get("decision", "")
    if decision not in ("approve", "return"):
        messages.error(request, _("Unknown action."))
        return redirect("web:regulator_report", report_id=report_id)
    try:
        report = r.regulator_report_review(
            principal=principal_of(request),
            report_id=report_id,
            approve=decision == "approve",
            reason=request.POST.get("reason", ""),
        )
    except Refusal as exc:
        messages.error(request, _message(exc))
        return redirect("web:regulator_report", report_id=report_id)
    if report.status == RegulatorReport.Status.RELEASED:
        messages.success(request, _("Both reviews approved: the report is released."))
    else:
        messages.success(request, _("Your review was recorded."))
    return redirect("web:regulator_report", report_id=report_id)


@action_required("regulator_report.prepare")
@require_POST
def correct(request: HttpRequest, report_id: int) -> HttpResponse:
    _report_or_404(report_id)
    try:
        report = r.regulator_report_correct(
            principal=principal_of(request),
            report_id=report_id,
            reason=request.POST.get("reason", ""),
        )
    except Refusal as exc:
        messages.error(request, _message(exc))
        return redirect("web:regulator_report", report_id=report_id)
    messages.success(request, _("The correction was prepared and sent for review."))
    return redirect("web:regulator_report", report_id=report.pk)


@action_required("regulator_report.file")
@require_POST
def file(request: HttpRequest, report_id: int) -> HttpResponse:
    _report_or_404(report_id)
    try:
        r.regulator_report_file(
            principal=principal_of(request),
            report_id=report_id,
            recipient=request.POST.get("recipient", ""),
            filed_on=request.POST.get("filed_on", ""),
            means=request.POST.get("means", ""),
            reference=request.POST.get("reference", ""),
        )
    except Refusal as exc:
        messages.error(request, _message(exc))
        return redirect("web:regulator_report", report_id=report_id)
    messages.success(request, _("The filing was recorded."))
    return redirect("web:regulator_report", report_id=report_id)


@action_required("regulator_report.view")
def download(request: HttpRequest, report_id: int) -> HttpResponse:
    """A frozen file of a released edition (``?format=json|xlsx|pdf``), its hash checked."""
    _report_or_404(report_id)
    try:
        made = r.regulator_report_download(
            principal=principal_of(request),
            report_id=report_id,
            fmt=request.GET.get("format", "pdf"),
            via="web",
        )
    except Refusal as exc:
        messages.error(request, _message(exc))
        return redirect("web:regulator_report", report_id=report_id)
    response = HttpResponse(made.data, content_type=made.content_type)
    response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    response["X-Content-SHA256"] = made.sha256
    return response
