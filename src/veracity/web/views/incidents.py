"""Leak incidents (AG-8, D4.27): anyone reports, the managers, compliance and administrators
work them. Each POST parses one form, calls one service, and redirects; a refused step
shows the page again with the service's message naming the field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from veracity.access.policy import action_required
from veracity.customers import numbers
from veracity.incidents import services
from veracity.incidents.models import DataType, LeakIncident
from veracity.incidents.selectors import (
    incident_list,
    incident_receipt,
    incidents_visible_to,
    may_handle_incidents,
)
from veracity.incidents.services import IncidentError
from veracity.web.fields import CustomerNumberField, CustomerNumbersField, resolve_customers
from veracity.web.views.common import principal_of, refusal_status, restricted

PER_PAGE = 50
MAX_TEXT = services.MAX_TEXT
#: The purpose the customer picker states on the incident forms (they have no purpose field).
PICKER_PURPOSE = "compliance_check"
Status = LeakIncident.Status

# --- forms ---------------------------------------------------------------------------------


def _text(label: Any, *, required: bool = True, rows: int = 3, max_length: int = MAX_TEXT) -> Any:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _data_types_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_("Kinds of data involved"),
        choices=DataType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def _certainty_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Suspected or confirmed"),
        choices=LeakIncident.Certainty.choices,
        initial=LeakIncident.Certainty.SUSPECTED,
        widget=forms.RadioSelect,
    )


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the date as YYYY-MM-DD.")},
    )


class ReportForm(forms.Form):
    certainty = _certainty_field()
    description = _text(_("What happened"), rows=5)
    data_types = _data_types_field()
    customers = CustomerNumbersField(
        label=_("Archive numbers of the customers affected (if known)"),
        required=False,
        textarea=True,
        purpose=PICKER_PURPOSE,
    )


class UpdateForm(forms.Form):
    certainty = _certainty_field()
    description = _text(_("What happened"), rows=4)
    data_types = _data_types_field()
    cause = _text(_("Cause"), required=False)
    possible_harm = _text(_("Possible harm"), required=False)


class CustomersForm(forms.Form):
    customers = CustomerNumbersField(
        label=_("Archive numbers to add"), textarea=True, purpose=PICKER_PURPOSE
    )


class RemoveCustomerForm(forms.Form):
    customer = CustomerNumberField(label=_("File number"), widget=forms.HiddenInput)


class StepForm(forms.Form):
    action = _text(_("Action taken"))
    taken_at = forms.DateTimeField(
        label=_("When (now if empty)"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        error_messages={"invalid": _("Enter the time as YYYY-MM-DD HH:MM.")},
    )


class RegulatorForm(forms.Form):
    authority = forms.CharField(label=_("Authority notified"), max_length=200)
    notified_on = _date_field(_("Notified on"))
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)


class IndividualsForm(forms.Form):
    notified_on = _date_field(_("Notified on"))
    channel = forms.ChoiceField(
        label=_("Notified by"), choices=[("", "—"), *LeakIncident.Channel.choices]
    )
    notice_data_types = _text(_("Kinds of personal information involved"), rows=2)
    notice_cause_and_harm = _text(_("Cause and possible harm"), rows=2)
    notice_remedial_measures = _text(_("Remedial measures taken"), rows=2)
    notice_individual_measures = _text(_("What individuals can do to reduce harm"), rows=2)
    notice_contact = forms.CharField(label=_("Contact of the handler"), max_length=300)


class WaiveForm(forms.Form):
    reason = _text(_("Why the individuals need not be notified (harm effectively avoided)"))


class MoveForm(forms.Form):
    to = forms.ChoiceField(choices=Status.choices)
    reason = _text(_("Reason"), required=False)


MOVE_LABELS = {
    Status.REPORTED: _("Accept as a suspected leak"),
    Status.DISMISSED: _("Dismiss: no leak"),
    Status.INVESTIGATING: _("Start investigating"),
    Status.REMEDIATED: _("Mark remediated"),
    Status.CLOSED: _("Close the incident"),
}

# --- helpers -------------------------------------------------------------------------------


def _language() -> str:
    return translation.get_language() or "zh-hans"


def _customer_ids(request: HttpRequest, form: forms.Form, typed: list[str]) -> list[int] | None:
    """The customer files of the file numbers ``typed`` the user may see; names the others on
    the form (and records them as refused)."""
    return resolve_customers(form, "customers", typed, principal=principal_of(request))


def _errors(form: forms.Form) -> str:
    """A form's errors as one line, each after the label of its field."""
    parts = []
    for name, errors in form.errors.items():
        text = " ".join(str(e) for e in errors)
        field = form.fields.get(name)
        parts.append(f"{field.label or name}: {text}" if field is not None else text)
    return "; ".join(parts)


# --- report --------------------------------------------------------------------------------


@action_required("incidents.report")
def report(request: HttpRequest) -> HttpResponse:
    """D4.27: anyone logged in reports a suspected or actual leak, at once."""
    form = ReportForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        ids = _customer_ids(request, form, form.cleaned_data["customers"])
        if ids is not None:
            try:
                incident = services.incident_report(
                    principal=principal_of(request),
                    description=form.cleaned_data["description"],
                    certainty=form.cleaned_data["certainty"],
                    data_types=form.cleaned_data["data_types"],
                    customer_ids=ids,
                )
            except IncidentError as exc:
                error = exc.message(_language())
            else:
                messages.success(
                    request,
                    _(
                        "Thank you. The leak was reported; the customer information manager "
                        "and the customer service manager have been notified."
                    ),
                )
                if may_handle_incidents(principal=principal_of(request)):
                    return redirect("web:incident_detail", incident_id=incident.pk)
                return redirect("web:incident_reported", incident_id=incident.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "web/incidents/report.html", {"form": form, "error": error}, status=status
    )


@action_required("incidents.report")
def reported(request: HttpRequest, incident_id: int) -> HttpResponse:
    """The reporter's receipt: the incident's number and what happens next (for a reporter
    who does not handle incidents; the handlers land on the incident's own page)."""
    incident = incident_receipt(principal=principal_of(request), incident_id=incident_id)
    if incident is None:
        return restricted(
            request,
            what=_("Leak incident #%(id)s") % {"id": incident_id},
            explanation=_("Only the person who reported a leak sees its receipt."),
            back_url=reverse("web:incident_report"),
            back_label=_("Report a leak"),
        )
    return render(request, "web/incidents/reported.html", {"incident": incident})


# --- list and page -------------------------------------------------------------------------


@action_required("incidents.view")
def index(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in Status.values:
        status = ""
    incidents = incident_list(principal=principal_of(request), status=status)
    page = Paginator(incidents, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/incidents/list.html",
        {"page": page, "status": status, "statuses": Status.choices},
    )


def _page(
    request: HttpRequest,
    incident: LeakIncident,
    *,
    bound: dict[str, forms.Form] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    initial_update = {
        "certainty": incident.certainty,
        "description": incident.description,
        "data_types": list(incident.data_types),
        "cause": incident.cause,
        "possible_harm": incident.possible_harm,
    }
    regulator = {
        "authority": incident.regulator_authority,
        "notified_on": incident.regulator_notified_on,
        "reference": incident.regulator_reference,
    }
    individuals = {
        "notified_on": incident.individuals_notified_on,
        "channel": incident.individuals_channel,
        **{f: getattr(incident, f) for f, _zh, _en in services.NOTICE_CONTENTS},
    }
    made: dict[str, forms.Form] = {
        "update": UpdateForm(initial=initial_update, auto_id="update-%s"),
        "customers": CustomersForm(auto_id="customers-%s"),
        "step": StepForm(auto_id="step-%s"),
        "regulator": RegulatorForm(initial=regulator, auto_id="regulator-%s"),
        "individuals": IndividualsForm(initial=individuals, auto_id="individuals-%s"),
        "waive": WaiveForm(
            initial={"reason": incident.individuals_not_notified_reason}, auto_id="waive-%s"
        ),
    }
    made.update(bound or {})
    language = _language()
    open_ = incident.status not in services.FINAL
    context = {
        "incident": incident,
        "open": open_,
        "steps": incident.steps.select_related("taken_by"),
        "customers": incident.customers.order_by("archive_no", "pk"),
        "moves": [
            (to, MOVE_LABELS[Status(to)])
            for to in services.moves_open_to(incident, principal=principal_of(request))
        ],
        "closing_problems": [p.message(language) for p in services.closing_problems(incident)]
        if open_
        else [],
        "error": error,
        **{f"{name}_form": form for name, form in made.items()},
    }
    return render(request, "web/incidents/detail.html", context, status=status)


def _incident(request: HttpRequest, incident_id: int) -> LeakIncident:
    return get_object_or_404(
        incidents_visible_to(
            principal=principal_of(request), action="incidents.view"
        ).select_related("reported_by", "anomaly_user"),
        pk=incident_id,
    )


@action_required("incidents.view")
def detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    return _page(request, _incident(request, incident_id))


# --- steps ---------------------------------------------------------------------------------

Handler = Callable[[HttpRequest, LeakIncident, Any], Any]


def _update(request: HttpRequest, incident: LeakIncident, data: dict[str, Any]) -> Any:
    return services.incident_update(
        incident_id=incident.pk,
        principal=principal_of(request),
        certainty=data["certainty"],
        description=data["description"],
        data_types=data["data_types"],
        cause=data["cause"],
        possible_harm=data["possible_harm"],
    )


def _customers_add(request: HttpRequest, incident: LeakIncident, data: dict[str, Any]) -> Any:
    return services.incident_customers_add(
        incident_id=incident.pk,
        customer_ids=data["customer_ids"],
        principal=principal_of(request),
    )


def _customers_remove(request: HttpRequest, incident: LeakIncident, data: dict[str, Any]) -> Any:
    return services.incident_customers_remove(
        incident_id=incident.pk,
        customer_ids=[numbers.customer_id(data["customer"]) or 0],
        principal=principal_of(request),
    )


def _step(request: HttpRequest, incident: LeakIncident, data: dict[str, Any]) -> Any:
    return services.incident_step_add(
        incident_id=incident.pk,
        action=data["action"],
        taken_at=data["taken_at"],
        principal=principal_of(request),
    )


def _regulator(request: HttpRequest, incident: LeakIncident, data: dict[str, Any]) -> Any:
    return services.incident_regulator_record(
        incident_id=incident.pk,
        authority=data["authority"],
        notified_on=data["notified_on"],
        reference=data["reference"],
        principal=principal_of(request),
    )


def _individuals(request: HttpRequest, incident: LeakIncident, data: dict[str, Any]) -> Any:
    return services.incident_individuals_record(
        incident_id=incident.pk,
        notified_on=data["notified_on"],
        channel=data["channel"],
        contents={f: data[f] for f, _zh, _en in services.NOTICE_CONTENTS},
        principal=principal_of(request),
    )


def _waive(request: HttpRequest, incident: LeakIncident, data: dict[str, Any]) -> Any:
    return services.incident_individuals_waive(
        incident_id=incident.pk, reason=data["reason"], principal=principal_of(request)
    )


def _move(request: HttpRequest, incident: LeakIncident, data: dict[str, Any]) -> Any:
    return services.incident_move(
        incident_id=incident.pk,
        to=data["to"],
        reason=data["reason"],
        principal=principal_of(request),
    )


#: step in the URL → (form, service call, the form's name on the page, success message)
STEPS: dict[str, tuple[type[forms.Form], Handler, str, Any]] = {
    "update": (UpdateForm, _update, "update", _("The incident was updated.")),
    "customers": (CustomersForm, _customers_add, "customers", _("Customers added.")),
    "remove-customer": (RemoveCustomerForm, _customers_remove, "", _("Customer removed.")),
    "step": (StepForm, _step, "step", _("Remediation step recorded.")),
    "regulator": (
        RegulatorForm,
        _regulator,
        "regulator",
        _("Notification of the authority recorded."),
    ),
    "individuals": (
        IndividualsForm,
        _individuals,
        "individuals",
        _("Notification of the individuals recorded."),
    ),
    "waive": (
        WaiveForm,
        _waive,
        "waive",
        _("The reason for not notifying the individuals was recorded."),
    ),
    "move": (MoveForm, _move, "", _("The status was changed.")),
}


@action_required("incidents.handle")
def act(request: HttpRequest, incident_id: int, step: str) -> HttpResponse:
    if step not in STEPS:
        raise Http404
    incident = _incident(request, incident_id)
    if request.method != "POST":
        return redirect("web:incident_detail", incident_id=incident.pk)
    form_class, handler, name, done = STEPS[step]
    form = form_class(request.POST, auto_id=f"{name or step}-%s")
    bound = {name: form} if name else {}
    if not form.is_valid():
        return _page(request, incident, bound=bound, error=_errors(form), status=400)
    data = dict(form.cleaned_data)
    if step == "customers":
        ids = _customer_ids(request, form, data["customers"])
        if ids is None:
            return _page(request, incident, bound=bound, error=_errors(form), status=400)
        data["customer_ids"] = ids
    try:
        handler(request, incident, data)
    except IncidentError as exc:
        incident.refresh_from_db()
        return _page(
            request,
            incident,
            bound=bound,
            error=exc.message(_language()),
            status=refusal_status(exc),
        )
    messages.success(request, done)
    return redirect("web:incident_detail", incident_id=incident.pk)
