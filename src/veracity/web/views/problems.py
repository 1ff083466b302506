"""The problem-item list for customer service (D1.7): filters, deadlines, Excel export."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from veracity.access.exports import ExportRefused
from veracity.access.governance import export_authorisation
from veracity.access.policy import action_required, may
from veracity.cases.listing import ListingError, problem_items
from veracity.cases.models import ProblemItem, Stage
from veracity.cases.policy import stage_name
from veracity.cases.selectors import queue_condition
from veracity.core.detection import RULE_NAMES
from veracity.detection.exports import problem_items_export
from veracity.detection.selectors import recent_runs
from veracity.policies.models import Channel
from veracity.web.fields import CustomerNumberField, filtered_customer
from veracity.web.views.common import chinese, in_language, principal_of

PER_PAGE = 50
FILTERS = ("business_date", "rule", "channel", "seller", "customer", "status", "stage")
PURPOSE = "problem_item"

#: Who works the list (channel back-office joins once the workflow maps users to channels).


def _rule_choices() -> list[tuple[str, str]]:
    return [("", str(_("All rules")))] + [
        (rule.value, in_language(*names)) for rule, names in RULE_NAMES.items()
    ]


def rule_name(code: str) -> str:
    return dict(_rule_choices()).get(code, code)


class ProblemFilterForm(forms.Form):
    business_date = forms.DateField(
        label=_("Business date"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the business date as YYYY-MM-DD.")},
    )
    rule = forms.ChoiceField(label=_("Rule"), required=False)
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=[("", _("All channels")), *Channel.choices],
    )
    seller = forms.CharField(label=_("Agent code"), required=False, max_length=32, strip=True)
    customer = CustomerNumberField(label=_("File number"), required=False, purpose=PURPOSE)
    status = forms.ChoiceField(
        label=_("Open or closed"),
        required=False,
        choices=[("", _("All statuses")), *ProblemItem.Status.choices],
    )
    stage = forms.ChoiceField(
        label=_("Investigation stage"),
        required=False,
        choices=[("", _("All stages")), *Stage.choices],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = _rule_choices()  # type: ignore[attr-defined]


def _filters(request: HttpRequest) -> tuple[ProblemFilterForm, dict[str, Any], bool]:
    """The valid filters; an invalid value is dropped (and reported), never a 500."""
    data = {k: request.GET.get(k, "") for k in FILTERS if k in request.GET}
    form = ProblemFilterForm(data or None)
    if not data:
        return ProblemFilterForm(), {}, False
    form.is_valid()
    cleaned = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    return form, cleaned, bool(form.errors)


def _read(request: HttpRequest, cleaned: dict[str, Any], action: str, **page: Any) -> Any:
    options: dict[str, Any] = {
        "business_date": cleaned.get("business_date"),
        "rule": cleaned.get("rule"),
        "channel": cleaned.get("channel"),
        "seller_code": cleaned.get("seller"),
        "status": cleaned.get("status"),
        "stage": cleaned.get("stage"),
        "customer_id": filtered_customer(cleaned.get("customer")),
        **page,
    }
    return problem_items(principal=principal_of(request, PURPOSE), action=action, **options)


def _queue_only(request: HttpRequest) -> dict[str, Any]:
    """``queue=1``: the export of the user's work queue (open items waiting for them, the
    most urgent first) rather than of the whole list."""

    if request.GET.get("queue") != "1":
        return {}
    return {
        "where": queue_condition(principal=principal_of(request)),
        "order": "due",
        "status": ProblemItem.Status.OPEN,
    }


def _query(cleaned: dict[str, Any]) -> str:
    return urlencode({k: str(v) for k, v in cleaned.items()})


@action_required("problems.list")
def index(request: HttpRequest) -> HttpResponse:
    form, cleaned, invalid = _filters(request)
    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    try:
        listing = _read(
            request, cleaned, "problems.list", limit=PER_PAGE, offset=(number - 1) * PER_PAGE
        )
    except ListingError:  # the form already refuses unknown values; belt and braces
        cleaned, invalid = {}, True
        listing = _read(request, cleaned, "problems.list", limit=PER_PAGE, offset=0)
    pages = max(1, -(-listing.total // PER_PAGE))
    query = _query(cleaned)

    zh = chinese()
    return render(
        request,
        "web/problems/list.html",
        {
            "form": form,
            "invalid_filter": invalid,
            "listing": listing,
            "rows": [(item, stage_name(item.stage, zh)) for item in listing.items],
            "query": query,
            "export": export_offer(request, query=query, form=form, cleaned=cleaned),
            "page_number": number,
            "pages": pages,
            "previous_page": number - 1 if number > 1 else None,
            "next_page": number + 1 if number < pages else None,
        },
    )


EXPORT_SUBJECT = "可疑客户信息资料问题件清单导出"


def filters_in_words(form: forms.Form, cleaned: dict[str, Any], *, queue: bool = False) -> str:
    """The filters of a list as the reader says them ("业务日期 2026-09-30；规则 共用电话"), for
    the export request an export button prefills."""
    parts = []
    for name, value in cleaned.items():
        field = form.fields.get(name)
        if field is None or value in (None, ""):
            continue
        choices = dict(getattr(field, "choices", ()) or ())
        shown = choices.get(value, value)
        shown = shown.isoformat() if hasattr(shown, "isoformat") else str(shown)
        parts.append(f"{field.label} {shown}")
    if queue:
        parts.insert(0, str(_("my work queue")))
    if not parts:
        return str(_("Filters: none, the whole list"))
    return str(_("Filters: %(filters)s")) % {"filters": ("；" if chinese() else "; ").join(parts)}


def export_request_url(reason: str) -> str:
    """The export request page, prefilled with the list and its filters."""
    query = urlencode(
        {
            "kind": "export",
            "export_of": "problem_items",
            "subject": EXPORT_SUBJECT,
            "purpose": PURPOSE,
            "reason": reason,
        }
    )
    return f"{reverse('web:access_request_new')}?{query}"


def export_offer(
    request: HttpRequest,
    *,
    query: str,
    form: forms.Form,
    cleaned: dict[str, Any],
    queue: bool = False,
) -> dict[str, Any] | None:
    """The export button of a problem-item list: none for a person who may never export it;
    the download of the watermarked workbook when an approved export request is held, the
    export request page (prefilled with the list and its filters) otherwise."""
    principal = principal_of(request)
    if not may(principal, "problems.export"):
        return None
    if export_authorisation("problem_items", principal=principal) is not None:
        url = reverse("web:problems_export")
        return {"held": True, "href": f"{url}?{query}" if query else url}
    return {
        "held": False,
        "href": export_request_url(filters_in_words(form, cleaned, queue=queue)),
    }


@action_required("problems.export")
def export(request: HttpRequest) -> HttpResponse:
    """The list under the same filters as an Excel workbook — under an approved export
    request (D4.23), recorded, and watermarked with who, why, when and the approval
    (``detection.exports.problem_items_export``, the command line's service too). Without
    one: the page that leads to the request (403; the refusal is recorded)."""
    form, cleaned, _invalid = _filters(request)
    queue = _queue_only(request)
    where, order = queue.pop("where", None), queue.pop("order", "newest")
    filters = {
        "business_date": cleaned.get("business_date"),
        "rule": cleaned.get("rule"),
        "channel": cleaned.get("channel"),
        "seller_code": cleaned.get("seller"),
        "status": cleaned.get("status"),
        "stage": cleaned.get("stage"),
        **queue,
    }
    principal = principal_of(request, PURPOSE)
    try:
        try:
            made = problem_items_export(
                principal=principal, filters=filters, where=where, order=order, via="web"
            )
        except ListingError:
            made = problem_items_export(
                principal=principal, filters=queue, where=where, order=order, via="web"
            )
    except ExportRefused:
        reason = filters_in_words(form, cleaned, queue=bool(where is not None))
        return render(
            request,
            "web/problems/export_needs_approval.html",
            {"request_url": export_request_url(reason)},
            status=403,
        )
    response = HttpResponse(made.data, content_type=made.content_type)
    response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    return response


@action_required("problems.list")
def runs(request: HttpRequest) -> HttpResponse:
    """The detection runs (T+1 and back-checks): when, what each rule found, how long it took
    — each rule's time as a bar, so a slow or failing night stands out."""

    rows = []
    for run in recent_runs():
        timings = {k: v for k, v in run.timings.items() if isinstance(v, int | float)}
        longest = max(timings.values(), default=0) or 1
        rules = [
            {
                "code": code,
                "name": rule_name(code),
                "clues": counts.get("clues", 0),
                "opened": counts.get("opened", 0),
                "extended": counts.get("extended", 0),
                "seconds": timings.get(code),
                "percent": round(100 * (timings.get(code) or 0) / longest, 1),
            }
            for code, counts in run.counts.items()
        ]
        total = (run.finished_at - run.started_at).total_seconds() if run.finished_at else None
        rows.append({"run": run, "rules": rules, "seconds": total})
    return render(request, "web/problems/runs.html", {"rows": rows})
