"""Retention and destruction (D4.25) and the half-yearly archive inspection (D4.14).

The customer information manager, the customer service manager, the auditor and the
administrator see the pages; the auditor only reads. Every action is one service call; a
refused step comes back as a message in the user's language and changes nothing.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from veracity.access.policy import action_required, may
from veracity.customers import numbers
from veracity.retention.models import (
    DestructionCertificate,
    DestructionRequest,
    InspectionRecord,
    ItemKind,
    LegalHold,
    Outcome,
    RecordClass,
    RetentionRule,
)
from veracity.retention.selectors import (
    KIND_OF,
    customer_labels,
    due_counts,
    due_page,
)
from veracity.retention.services import (
    MAX_ITEMS,
    RetentionError,
    approval_step_for,
    decisions_of,
    destroyable_ids,
    destruction_request_approve,
    destruction_request_execute,
    destruction_request_reject,
    destruction_request_submit,
    inspection_run,
    legal_hold_lift,
    legal_hold_place,
)
from veracity.web.fields import missing_message
from veracity.web.views.common import chinese, principal_of

PER_PAGE = 50
ITEMS_SHOWN = 500


def _can_act(request: HttpRequest) -> bool:
    return may(request.user, "retention.act")


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _ids(values: list[str]) -> list[int] | None:
    """Record ids from a form; None when one is not a number."""
    out = []
    for value in values:
        value = value.strip()
        if not (value.isascii() and value.isdigit() and len(value) <= 18):
            return None
        out.append(int(value))
    return out


def _customer_ids(values: list[str]) -> list[int] | None:
    """Customer ids of the file numbers a form names (as typed); None when one names none."""
    found = numbers.ids_by_number(values)
    wanted = [numbers.normalise(v) for v in values]
    if any(n is None or n not in found for n in wanted):
        return None
    return list(dict.fromkeys(found[str(n)] for n in wanted))


@action_required("retention.view")
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/retention/index.html",
        {
            "rules": RetentionRule.objects.all(),
            "counts": due_counts(as_of=timezone.localdate()),
            "open_requests": DestructionRequest.objects.filter(
                status__in=[DestructionRequest.Status.PENDING, DestructionRequest.Status.APPROVED]
            ).count(),
            "active_holds": LegalHold.objects.filter(lifted_at__isnull=True).count(),
            "last_inspection": InspectionRecord.objects.first(),
            "can_act": _can_act(request),
        },
    )


@action_required("retention.view")
def due(request: HttpRequest) -> HttpResponse:
    record_class = request.GET.get("class", "")
    if record_class not in RecordClass.values:
        record_class = RecordClass.CUSTOMER_POLICIES_ENDED.value
    number = _page_number(request)
    page = due_page(
        record_class,
        as_of=timezone.localdate(),
        limit=PER_PAGE,
        offset=(number - 1) * PER_PAGE,
    )
    pages = max(1, -(-page.total // PER_PAGE))
    return render(
        request,
        "web/retention/due.html",
        {
            "record_class": record_class,
            "record_label": RecordClass(record_class).label,
            "kind": KIND_OF[RecordClass(record_class)],
            "classes": RecordClass.choices,
            "page": page,
            "page_number": number,
            "pages": pages,
            "previous_page": number - 1 if number > 1 else None,
            "next_page": number + 1 if number < pages else None,
            "can_act": _can_act(request),
            "max_items": MAX_ITEMS,
        },
    )


@action_required("retention.act")
@require_POST
def request_submit(request: HttpRequest) -> HttpResponse:
    record_class = request.POST.get("record_class", "")
    back = reverse("web:retention_due") + (
        f"?class={record_class}" if record_class in RecordClass.values else ""
    )
    customers = _customer_ids(request.POST.getlist("customer"))
    items = _ids(request.POST.getlist("problem_item"))
    if customers is None or items is None:
        messages.error(request, _("Some record numbers were not understood; nothing was done."))
        return redirect(back)
    if request.POST.get("all_due") and record_class in RecordClass.values:
        ids = destroyable_ids(record_class, as_of=timezone.localdate())
        if KIND_OF[RecordClass(record_class)] == ItemKind.CUSTOMER:
            customers = ids
        else:
            items = ids
    try:
        destruction = destruction_request_submit(
            principal=principal_of(request),
            reason=request.POST.get("reason", ""),
            customer_ids=customers,
            problem_item_ids=items,
        )
    except RetentionError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(request, _("Destruction request submitted for approval."))
    return redirect("web:retention_request", request_id=destruction.pk)


@action_required("retention.view")
def requests(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    qs = DestructionRequest.objects.select_related("requested_by").order_by("-requested_at", "-id")
    if status in DestructionRequest.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, PER_PAGE).get_page(_page_number(request))
    return render(
        request,
        "web/retention/requests.html",
        {"page": page, "status": status, "statuses": DestructionRequest.Status.choices},
    )


@action_required("retention.view")
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    destruction = get_object_or_404(
        DestructionRequest.objects.select_related("requested_by", "executed_by"), pk=request_id
    )
    items = list(destruction.items.all()[:ITEMS_SHOWN])
    outcomes = Counter(destruction.items.values_list("outcome", flat=True))
    step = approval_step_for(destruction, principal=principal_of(request))
    return render(
        request,
        "web/retention/request_detail.html",
        {
            "destruction": destruction,
            "items": items,
            "item_total": sum(outcomes.values()),
            "outcomes": [(Outcome(o).label, n) for o, n in sorted(outcomes.items())],
            "approvals": decisions_of(destruction),
            "approval_step": step,
            "can_execute": _can_act(request)
            and destruction.status == DestructionRequest.Status.APPROVED,
            "certificate": DestructionCertificate.objects.filter(request=destruction).first(),
        },
    )


def _decision(request: HttpRequest, request_id: int, *, approve: bool) -> HttpResponse:
    try:
        if approve:
            destruction_request_approve(
                request_id=request_id,
                principal=principal_of(request),
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, _("Approved."))
        else:
            destruction_request_reject(
                request_id=request_id,
                principal=principal_of(request),
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, _("Rejected."))
    except RetentionError as exc:
        messages.error(request, exc.message)
    return redirect("web:retention_request", request_id=request_id)


@action_required("retention.approve")
@require_POST
def request_approve(request: HttpRequest, request_id: int) -> HttpResponse:
    get_object_or_404(DestructionRequest, pk=request_id)
    return _decision(request, request_id, approve=True)


@action_required("retention.approve")
@require_POST
def request_reject(request: HttpRequest, request_id: int) -> HttpResponse:
    get_object_or_404(DestructionRequest, pk=request_id)
    return _decision(request, request_id, approve=False)


@action_required("retention.act")
@require_POST
def request_execute(request: HttpRequest, request_id: int) -> HttpResponse:
    get_object_or_404(DestructionRequest, pk=request_id)
    try:
        certificate = destruction_request_execute(
            request_id=request_id, principal=principal_of(request)
        )
    except RetentionError as exc:
        messages.error(request, exc.message)
        return redirect("web:retention_request", request_id=request_id)
    messages.success(request, _("Destroyed; the certificate is kept."))
    return redirect("web:retention_certificate", certificate_id=certificate.pk)


@action_required("retention.view")
def holds(request: HttpRequest) -> HttpResponse:
    qs = LegalHold.objects.select_related("customer", "placed_by", "lifted_by").order_by(
        "lifted_at", "-placed_at", "-id"
    )
    page = Paginator(qs, PER_PAGE).get_page(_page_number(request))
    return render(request, "web/retention/holds.html", {"page": page, "can_act": _can_act(request)})


@action_required("retention.act")
@require_POST
def hold_place(request: HttpRequest) -> HttpResponse:
    typed = request.POST.get("customer", "")
    customer_id = numbers.customer_id(typed)
    if customer_id is None:
        messages.error(
            request,
            missing_message([numbers.normalise(typed) or typed.strip()[:40] or "—"]),
        )
        return redirect("web:retention_holds")
    try:
        legal_hold_place(
            customer_id=customer_id,
            reason=request.POST.get("reason", ""),
            principal=principal_of(request),
        )
    except RetentionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Legal hold placed: the file will not be destroyed."))
    return redirect("web:retention_holds")


@action_required("retention.act")
@require_POST
def hold_lift(request: HttpRequest, hold_id: int) -> HttpResponse:
    get_object_or_404(LegalHold, pk=hold_id)
    try:
        legal_hold_lift(
            hold_id=hold_id,
            reason=request.POST.get("reason", ""),
            principal=principal_of(request),
        )
    except RetentionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Legal hold lifted."))
    return redirect("web:retention_holds")


@action_required("retention.view")
def certificates(request: HttpRequest) -> HttpResponse:
    qs = DestructionCertificate.objects.select_related("executed_by").order_by(
        "-executed_at", "-id"
    )
    page = Paginator(qs, PER_PAGE).get_page(_page_number(request))
    return render(request, "web/retention/certificates.html", {"page": page})


@action_required("retention.view")
def certificate_detail(request: HttpRequest, certificate_id: int) -> HttpResponse:
    certificate = get_object_or_404(
        DestructionCertificate.objects.select_related(
            "request",
            "executed_by",
            "requested_by",
            "approved_by_information_manager",
            "approved_by_customer_service_manager",
        ),
        pk=certificate_id,
    )
    shown = list(certificate.customer_ids[:ITEMS_SHOWN])
    labels = customer_labels(shown)
    counts = [
        (table, operation, n)
        for table, operations in sorted(certificate.counts.items())
        for operation, n in sorted(operations.items())
    ]
    return render(
        request,
        "web/retention/certificate_detail.html",
        {
            "certificate": certificate,
            "customers": [(pk, labels[pk]) for pk in shown],
            "customer_total": len(certificate.customer_ids),
            "counts": counts,
            "rows": sum(n for _t, _o, n in counts),
            "kept": [
                {**k, "outcome_label": Outcome(k["outcome"]).label}
                for k in certificate.kept[:ITEMS_SHOWN]
                if k.get("outcome") in Outcome.values
            ],
        },
    )


@action_required("retention.view")
def inspections(request: HttpRequest) -> HttpResponse:
    qs = InspectionRecord.objects.select_related("performed_by").order_by("-performed_at", "-id")
    page = Paginator(qs, PER_PAGE).get_page(_page_number(request))
    return render(
        request,
        "web/retention/inspections.html",
        {"page": page, "can_act": _can_act(request)},
    )


@action_required("retention.act")
@require_POST
def inspection_start(request: HttpRequest) -> HttpResponse:
    try:
        record = inspection_run(
            principal=principal_of(request), period=request.POST.get("period") or None
        )
    except RetentionError as exc:
        messages.error(request, exc.message)
        return redirect("web:retention_inspections")
    return redirect("web:retention_inspection", inspection_id=record.pk)


@action_required("retention.view")
def inspection_detail(request: HttpRequest, inspection_id: int) -> HttpResponse:
    record = get_object_or_404(InspectionRecord, pk=inspection_id)
    results: dict[str, Any] = record.results or {}
    zh = chinese()
    return render(
        request,
        "web/retention/inspection_detail.html",
        {
            "record": record,
            "findings": [
                {**f, "message": f["message_zh"] if zh else f["message_en"]}
                for f in results.get("findings", [])
            ],
            "chain": results.get("chain", {}),
            "encryption": results.get("encryption", {}),
            "files": results.get("files", {}),
            "loans": results.get("loans", {}),
        },
    )
