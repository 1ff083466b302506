"""The auditor's pages over the audit trail: filter and page through it, export it, verify
the chain (as a job, with its progress), see the head. Auditor and administrator only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from veracity.access.policy import action_required
from veracity.audit import sentences
from veracity.audit.models import Action, AuditEvent
from veracity.audit.selectors import (
    TrailFilter,
    chain_state,
    people_by_id,
    people_matching,
    trail_head,
    trail_page,
    verification_latest,
    verification_latest_finished,
)
from veracity.audit.services import (
    EXPORT_TYPES,
    Actor,
    audit_export,
    audit_verification_request,
)
from veracity.customers import numbers
from veracity.org.actions import may
from veracity.org.principals import Principal
from veracity.web.fields import CustomerNumberField, filtered_customer
from veracity.web.views.common import principal_of

FILTERS = ("actor", "customer", "action", "purpose", "since", "until")
DATE_ONLY = "%Y-%m-%d"
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
TIME_HELP = _("YYYY-MM-DD, or YYYY-MM-DD HH:MM")


class _MomentField(forms.CharField):
    """A date or a date and time (local). Cleans to ``(datetime, date_only)``."""

    default_error_messages = {
        "invalid": _("Enter a date as YYYY-MM-DD, or a date and time as YYYY-MM-DD HH:MM."),
    }

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        if not text:
            return None
        for fmt in (DATE_ONLY, *DATETIME_FORMATS):
            try:
                moment = datetime.strptime(text, fmt)  # noqa: DTZ007 (made aware below)
            except ValueError:
                continue
            if moment.year < 1900:
                break
            return timezone.make_aware(moment), fmt == DATE_ONLY
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class TrailFilterForm(forms.Form):
    actor = forms.CharField(
        label=_("Person"),
        required=False,
        max_length=150,
        strip=True,
        help_text=_("A name or a login"),
        error_messages={"max_length": _("A name or login has at most 150 characters.")},
    )
    customer = CustomerNumberField(
        label=_("File number"), required=False, purpose="compliance_check"
    )
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("All actions")), *Action.choices],
        error_messages={"invalid_choice": _("Unknown action; choose one from the list.")},
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        required=False,
        max_length=200,
        strip=True,
        error_messages={"max_length": _("A purpose has at most 200 characters.")},
    )
    since = _MomentField(label=_("From"), required=False, max_length=19, help_text=TIME_HELP)
    until = _MomentField(
        label=_("To"),
        required=False,
        max_length=19,
        help_text=_("Up to, not including, this time; a date alone includes that whole day."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and self._until(until) <= since[0]:
            self.add_error("until", _("The end of the time range must come after its start."))
        return cleaned

    @staticmethod
    def _until(value: tuple[datetime, bool]) -> datetime:
        moment, date_only = value
        if date_only:  # the whole day
            return timezone.make_aware(datetime.combine(moment.date() + timedelta(days=1), time()))
        return moment

    def trail_filter(self) -> TrailFilter:
        data = self.cleaned_data
        since, until = data.get("since"), data.get("until")
        return TrailFilter(
            actor=data.get("actor") or "",
            customer_id=filtered_customer(data.get("customer")),
            action=data.get("action") or "",
            purpose=data.get("purpose") or "",
            since=since[0] if since else None,
            until=self._until(until) if until else None,
        )


def _form(request: HttpRequest) -> tuple[TrailFilterForm, TrailFilter | None, str]:
    """The form, the filter (``None`` when a value was not understood) and the query
    string of the filter, for links."""
    data = {k: request.GET[k] for k in FILTERS if request.GET.get(k, "").strip()}
    if not data:
        return TrailFilterForm(), TrailFilter(), ""
    form = TrailFilterForm(data)
    if not form.is_valid():
        return form, None, ""
    return form, form.trail_filter(), urlencode(data)


@dataclass(frozen=True, slots=True)
class EventRow:
    event: AuditEvent
    sentence: SafeString
    action_label: str
    fields: list[tuple[str, str]]


#: Where an object opens, and the action the reader needs to open it.
_LINKS: dict[str, tuple[str, str]] = {
    "customer": ("web:customer_detail", "customers.view"),
    "access_request": ("web:access_request", "access.oversee"),
    "problem_item": ("web:case_detail", "cases.view"),
    "policy": ("web:application_detail", "applications.view"),
    "incident": ("web:incident_detail", "incidents.view"),
}


def _linker(principal: Principal) -> Any:
    allowed = {t: name for t, (name, action) in _LINKS.items() if may(principal, action)}

    def link(object_type: str, object_id: str) -> str:
        name = allowed.get(object_type)
        if name is None or not object_id.isdigit():
            return ""
        return reverse(name, args=[int(object_id)])

    return link


def _rows(events: list[AuditEvent], principal: Principal) -> list[EventRow]:
    """The page's events as sentences: its people and file numbers in one query each."""
    people = {
        pk: sentences.Person(name=p.name, login=p.login)
        for pk, p in people_by_id(e.actor_id for e in events if e.actor_id).items()
    }
    ctx = sentences.Context(
        people=people,
        numbers=numbers.numbers_of(sentences.customer_ids_of(events)),
        link=_linker(principal),
    )
    actions = dict(Action.choices)
    return [
        EventRow(
            event=e,
            sentence=sentences.sentence(e, ctx),
            action_label=str(actions.get(e.action, _("Other action"))),
            fields=sentences.detail_fields(e, ctx),
        )
        for e in events
    ]


def _purposes() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in sentences.PURPOSE_WORDS.items()]


def _position(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "").strip()
    return int(value) if value.isdigit() and len(value) <= 18 else None


@action_required("audit.read")
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    form, flt, query = _form(request)
    principal = principal_of(request)
    page = None
    bad_position = False
    if flt is not None:
        before, after = _position(request, "before"), _position(request, "after")
        bad_position = any(
            request.GET.get(k, "").strip() and v is None
            for k, v in (("before", before), ("after", after))
        )
        page = trail_page(flt, principal=principal, before=before, after=after)
    return render(
        request,
        "web/audit/index.html",
        {
            "form": form,
            "invalid_filter": flt is None,
            "bad_position": bad_position,
            "page": page,
            "rows": _rows(page.events, principal) if page else [],
            "query": query,
            "head": trail_head(),
            "purposes": _purposes(),
            **_verification_context(),
        },
        status=400 if flt is None else 200,
    )


@action_required("audit.read")
@require_GET
def people(request: HttpRequest) -> JsonResponse:
    """The person filter's type-ahead: staff whose name or login contains ``q``."""
    found = people_matching(request.GET.get("q", ""))
    return JsonResponse(
        {"results": [{"value": p.login, "label": f"{p.name} ({p.login})"} for p in found]}
    )


@action_required("audit.export")
@require_GET
def export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The filtered trail as a file; the export is itself recorded (``AUDIT_EXPORT``)."""
    if fmt not in EXPORT_TYPES:
        raise Http404
    form, flt, _query = _form(request)
    if flt is None:
        return render(
            request,
            "web/audit/index.html",
            {
                "form": form,
                "invalid_filter": True,
                "page": None,
                "head": trail_head(),
                "purposes": _purposes(),
                **_verification_context(),
            },
            status=400,
        )
    result = audit_export(principal=principal_of(request), flt=flt, fmt=fmt)
    return FileResponse(
        result.file,
        as_attachment=True,
        filename=result.filename,
        content_type=result.content_type,
    )


def _verification_context() -> dict[str, Any]:
    latest = verification_latest()
    finished = latest
    if latest is not None and latest.status != latest.Status.DONE:
        finished = verification_latest_finished()
    return {"verification": latest, "last_result": finished, "chain": chain_state()}


@action_required("audit.verify")
@require_POST
def verify(request: HttpRequest) -> HttpResponse:
    """Start a verification of the whole chain (a job), unless one is under way."""
    _run, started = audit_verification_request(actor=Actor.of_principal(principal_of(request)))
    if getattr(request, "htmx", None):
        return _panel(request, started=started)
    if started:
        messages.info(request, _("Verification started; its progress is shown below."))
    else:
        messages.info(request, _("A verification is already under way; its progress is shown."))
    return redirect("web:audit")


@action_required("audit.read")
@require_GET
def verification(request: HttpRequest) -> HttpResponse:
    """The verification panel alone (htmx polls it while a verification runs)."""
    return _panel(request)


def _panel(request: HttpRequest, *, started: bool | None = None) -> HttpResponse:
    return render(
        request,
        "web/audit/_verification.html",
        {"head": trail_head(), "started": started, **_verification_context()},
    )
