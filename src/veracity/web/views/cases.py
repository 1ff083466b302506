"""The problem-item workflow for staff (PW-1 … PW-6, D1.13): my work queue with bulk
distribution, the item page with its timeline, evidence and the forms for the steps the
user may take now, and the overdue dashboard.

Thin views: each POST parses the form, calls one service of ``veracity.cases.services``,
and redirects with a message; a refusal (:class:`CaseError`) shows the page again with the
field and the reason in the page's language, and changes nothing.
"""

from __future__ import annotations

import io
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from veracity.access.policy import action_required, may, record_refusal
from veracity.audit.services import Actor
from veracity.cases import services
from veracity.cases.listing import ListingError
from veracity.cases.models import (
    REQUESTABLE_KINDS,
    Escalation,
    Evidence,
    EvidenceKind,
    Outcome,
    Stage,
)
from veracity.cases.policy import CaseError, distributable, stage_name
from veracity.cases.selectors import (
    CaseView,
    case_detail,
    correction_targets,
    overdue_summary,
    queue_filters_of,
    queue_tabs,
    work_queue,
)
from veracity.core.conduct import CALLBACK_RESULT_WORDS, REASON_WORDS, CallbackResult, Reason
from veracity.core.crypto import DecryptionError
from veracity.core.evidence import FORMATS, MAX_BYTES
from veracity.core.refusals import Kind
from veracity.customers.corrections import FIELD_NAMES
from veracity.policies.models import Channel
from veracity.sales.models import Seller
from veracity.web.fields import CustomerNumberField, filtered_customer
from veracity.web.forms import PURPOSES
from veracity.web.templatetags.customer_numbers import file_number
from veracity.web.views.common import (
    chinese,
    in_language,
    principal_of,
    refusal_status,
    restricted,
)
from veracity.web.views.complaints import callbacks_context
from veracity.web.views.problems import _rule_choices, export_offer

PER_PAGE = 50
PURPOSE = "problem_item"
QUEUE_FILTERS = ("stage", "rule", "channel", "seller", "customer")
MAX_BULK = 500
CHANGE_ROWS = 3

#: Who works problem items: the list's staff and the team leaders who follow their agents'
#: items. Agents (who must not learn a customer is under suspicion) and the auditor never.


#: What a refusal's ``field`` names, as staff read it.
FIELD_LABELS: dict[str, Any] = {
    "item": _("Problem item"),
    "stage": _("Stage"),
    "channel": _("Channel"),
    "assigned_channel": _("Distributed to channel"),
    "kind": _("Evidence kind"),
    "description": _("Description"),
    "file": _("File"),
    "outcome": _("Investigation outcome"),
    "findings": _("Investigation findings"),
    "seller_codes": _("Sellers"),
    "reason": _("Reason"),
    "note": _("Remark"),
    "evidence": _("Evidence"),
    "purpose": _("Purpose"),
    "user": _("Your role"),
    "assignee": _("Investigator"),
    "changes": _("Corrected values"),
    "statement": _("Statement"),
    "requested_kinds": _("Evidence to add"),
    "filter_name": _("Name of the filter"),
    "filter": _("Saved filter"),
    "seller": _("Agent code"),
    "rule": _("Rule"),
}
_CHANGE_FIELD = re.compile(r"^changes\[(\d+)\](?:\.(\w+))?$")
_CHANGE_PARTS = {
    "customer_id": _("customer"),
    "field": _("what is corrected"),
    "record_id": _("record"),
    "value": _("corrected value"),
}

DONE = {
    "distribute": _("The item was distributed."),
    "claim": _("You claimed the item; the investigation is yours."),
    "attach": _("The evidence was attached."),
    "note": _("The note was added to the timeline."),
    "submit": _("The findings were submitted for verification."),
    "return": _("The findings were returned to the investigator."),
    "verify": _("The result was verified and has taken effect."),
    "close": _("The item was closed."),
    "statement": _("Your statement was added to the item."),
}

#: Labels of a timeline step's particulars.
CHANNEL = _("Channel")
DUE_ON = _("Due on")
OUTCOME = _("Investigation outcome")
VALUES_CORRECTED = _("Values corrected")
GATE_FINDINGS = _("Gate findings")
SELLERS = _("Sellers")
DISTRIBUTE_TO = _("Distribute to")
EVIDENCE_TO_ADD = _("Evidence to add")
POLICY = _("Policy")
RESULT = _("Result")

#: Timeline labels whose model label shares its English with another meaning ("Returned"
#: is also a returned loan, "Note" also a hint): said here in the case's own words.
STEP_LABELS = {
    "return": pgettext_lazy("case step", "Returned"),
    "note": pgettext_lazy("case step", "Note"),
}

BASIS_LABELS = {
    "3_working_days": _("3 working days after distribution"),
    "callback": _("the cooling-off callback date (earlier)"),
}


def _kind_label(kind: str) -> str:
    return str(dict(EvidenceKind.choices).get(kind, kind))


def _channel_label(code: str) -> str:
    return str(dict(Channel.choices).get(code, code)) if code else ""


def _stage_label(code: str) -> str:
    """The stage by the name the refusals use (新建, 已分发 …)."""
    return stage_name(code, chinese()) if code else ""


# --- refusals ------------------------------------------------------------------------------


def refusal_text(error: CaseError, change_rows: list[int] | None = None) -> dict[str, str]:
    """A refusal as the page shows it: the field's label and the reason in its language."""
    found = _CHANGE_FIELD.match(error.field)
    if found:
        index = int(found.group(1))
        row = change_rows[index] + 1 if change_rows and index < len(change_rows) else index + 1
        part = _CHANGE_PARTS.get(found.group(2) or "")
        label = in_language(f"更正第{row}行", f"correction row {row}")
        if part is not None:
            label = f"{label} · {part}"
    else:
        label = str(FIELD_LABELS.get(error.field, error.field))
    return {"field": error.field, "label": label, "message": error.message(chinese())}


# --- the work queue -------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=[("", _("All stages")), *Stage.choices]
    )
    rule = forms.ChoiceField(label=_("Rule"), required=False)
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All channels")), *Channel.choices]
    )
    seller = forms.CharField(label=_("Agent code"), required=False, max_length=32, strip=True)
    customer = CustomerNumberField(label=_("File number"), required=False, purpose=PURPOSE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = _rule_choices()  # type: ignore[attr-defined]


class BulkDistributeForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Distribute to"),
        required=False,
        choices=[("", _("The channel of the item's policies")), *Channel.choices],
        error_messages={"invalid_choice": _("Unknown channel; choose one from the list.")},
    )


def _queue_filters(request: HttpRequest) -> tuple[QueueFilterForm, dict[str, Any], bool]:
    data = {k: request.GET.get(k, "") for k in QUEUE_FILTERS if k in request.GET}
    if not data:
        return QueueFilterForm(), {}, False
    form = QueueFilterForm(data)
    form.is_valid()
    cleaned = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    return form, cleaned, bool(form.errors)


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), 10**6))
    except ValueError:
        return 1


@action_required("cases.view")
def queue(request: HttpRequest) -> HttpResponse:
    """我的待办: what waits for the user's action, most urgent first; customer service
    distributes ticked items in bulk from here."""
    if request.method == "POST":
        return _bulk_distribute(request)
    form, cleaned, invalid = _queue_filters(request)
    number = _page_number(request)

    def read(filters: dict[str, Any], offset: int) -> Any:
        return work_queue(
            principal=principal_of(request, PURPOSE),
            stage=filters.get("stage"),
            rule=filters.get("rule"),
            channel=filters.get("channel"),
            seller_code=filters.get("seller"),
            customer_id=filtered_customer(filters.get("customer")),
            limit=PER_PAGE,
            offset=offset,
        )

    try:
        listing = read(cleaned, (number - 1) * PER_PAGE)
    except ListingError:  # the form refuses unknown values already; belt and braces
        cleaned, invalid = {}, True
        listing = read(cleaned, 0)
    pages = max(1, -(-listing.total // PER_PAGE))
    query = urlencode({k: str(v) for k, v in cleaned.items()})
    principal = principal_of(request)
    may_distribute = may(principal, "cases.distribute")
    try:
        tabs = queue_tabs(
            principal=principal,
            rule=cleaned.get("rule"),
            channel=cleaned.get("channel"),
            seller_code=cleaned.get("seller"),
        )
    except ListingError:
        tabs = queue_tabs(principal=principal)
    others = {k: str(v) for k, v in cleaned.items() if k != "stage"}
    stage_tabs = [
        {
            "stage": "",
            "label": _("All"),
            "count": tabs.total,
            "query": urlencode(others),
            "active": not cleaned.get("stage"),
        }
    ] + [
        {
            "stage": code,
            "label": _stage_label(code),
            "count": n,
            "query": urlencode({**others, "stage": code}),
            "active": cleaned.get("stage") == code,
            "late": tabs.undistributed_overdue if code == Stage.NEW else 0,
        }
        for code, n in tabs.by_stage.items()
        if n or cleaned.get("stage") == code
    ]
    current = {k: str(v) for k, v in cleaned.items()}
    saved = [
        {"filter": f, "query": urlencode(f.query), "active": f.query == current}
        for f in queue_filters_of(principal=principal)
    ]
    return render(
        request,
        "web/cases/queue.html",
        {
            "tabs": stage_tabs,
            "saved_filters": saved,
            "form": form,
            "invalid_filter": invalid,
            "listing": listing,
            "rows": [
                {
                    "item": item,
                    "stage_label": _stage_label(item.stage),
                    "channel_label": _channel_label(item.assigned_channel),
                    "basis_label": BASIS_LABELS.get(item.deadline_basis, ""),
                    "distributable": may_distribute
                    and distributable(item.stage, principal=principal),
                }
                for item in listing.items
            ],
            "may_distribute": may_distribute,
            "bulk_form": BulkDistributeForm(),
            "query": query,
            "export": export_offer(
                request,
                query=urlencode({"queue": "1", **{k: str(v) for k, v in cleaned.items()}}),
                form=form,
                cleaned=cleaned,
                queue=True,
            ),
            "page_number": number,
            "pages": pages,
            "previous_page": number - 1 if number > 1 else None,
            "next_page": number + 1 if number < pages else None,
        },
    )


@action_required("cases.view")
def queue_filter_save(request: HttpRequest) -> HttpResponse:
    """Keep the queue's current filters (the stage tab included) under a name."""
    if request.method != "POST":
        return redirect("web:case_queue")
    query = {
        k: v for k, v in _parse_query(request.POST.get("query", "")).items() if k in QUEUE_FILTERS
    }
    back = reverse("web:case_queue") + ("?" + urlencode(query) if query else "")
    try:
        saved = services.queue_filter_save(
            principal=principal_of(request), name=request.POST.get("name", ""), query=query
        )
    except CaseError as error:
        shown = refusal_text(error)
        messages.error(request, f"{shown['label']}：{shown['message']}")
        return redirect(back)
    messages.success(request, _("The filter “%(name)s” was saved.") % {"name": saved.name})
    return redirect(back)


@action_required("cases.view")
def queue_filter_delete(request: HttpRequest, filter_id: int) -> HttpResponse:
    """Remove one of one's saved filters."""
    if request.method != "POST":
        return redirect("web:case_queue")
    try:
        services.queue_filter_delete(principal=principal_of(request), filter_id=_known(filter_id))
    except CaseError as error:
        raise Http404("saved filter") from error
    messages.success(request, _("The saved filter was removed."))
    return redirect("web:case_queue")


def _item_ids(values: list[str]) -> list[int]:
    ids = []
    for value in values[:MAX_BULK]:
        try:
            number = int(value)
        except ValueError:
            continue
        if 0 < number < 2**62:
            ids.append(number)
    return list(dict.fromkeys(ids))


def _bulk_distribute(request: HttpRequest) -> HttpResponse:
    back = reverse("web:case_queue")
    if request.POST.get("query"):
        back += "?" + urlencode(
            {k: v for k, v in _parse_query(request.POST["query"]).items() if k in QUEUE_FILTERS}
        )
    form = BulkDistributeForm(request.POST)
    ids = _item_ids(request.POST.getlist("item"))
    if not form.is_valid():
        messages.error(
            request, f"{DISTRIBUTE_TO}: {' '.join(str(e) for e in form.errors['channel'])}"
        )
        return redirect(back)
    if not ids:
        messages.error(request, _("Tick the items to distribute first."))
        return redirect(back)
    result = services.problem_items_distribute(
        item_ids=ids,
        channel=form.cleaned_data["channel"] or None,
        principal=principal_of(request),
    )
    if result.done:
        messages.success(
            request,
            ngettext(
                "%(n)d item was distributed.", "%(n)d items were distributed.", len(result.done)
            )
            % {"n": len(result.done)},
        )
    refused = list(result.refused.items())
    for item_id, error in refused[:20]:
        shown = refusal_text(error)
        messages.error(request, f"#{item_id} · {shown['label']}: {shown['message']}")
    if len(refused) > 20:
        messages.error(
            request,
            _("%(n)d more items were refused.") % {"n": len(refused) - 20},
        )
    return redirect(back)


def _parse_query(text: str) -> dict[str, str]:
    return dict(parse_qsl(text[:2000]))


# --- the item page --------------------------------------------------------------------------


def _step_detail(action: str, detail: dict[str, Any]) -> str:
    """A step's particulars in a few words (the channel and deadline of a distribution, the
    outcome submitted, what the re-check found, the policy and result of a second callback)."""
    parts: list[str] = []
    if action == "distribute":
        if detail.get("channel"):
            parts.append(f"{CHANNEL}: {_channel_label(str(detail['channel']))}")
        if detail.get("due_on"):
            basis = BASIS_LABELS.get(str(detail.get("due_basis", "")), "")
            parts.append(f"{DUE_ON}: {detail['due_on']}" + (f" ({basis})" if basis else ""))
    elif action == "evidence":
        parts.append(_kind_label(str(detail.get("kind", ""))))
    elif action == "return" and detail.get("requested_kinds"):
        asked = "、" if chinese() else ", "
        parts.append(
            f"{EVIDENCE_TO_ADD}: "
            + asked.join(_kind_label(str(k)) for k in detail["requested_kinds"])
        )
    elif action == "submit":
        outcome = str(detail.get("outcome", ""))
        parts.append(f"{OUTCOME}: {dict(Outcome.choices).get(outcome, outcome)}")
    elif action == "correct":
        parts.append(f"{VALUES_CORRECTED}: {detail.get('changes', 0)}")
    elif action == "recheck":
        still = bool(detail.get("same_clue"))
        parts.append(
            str(_("The same clue is still found."))
            if still
            else str(_("The clue is no longer found."))
        )
        found = sorted({c for codes in (detail.get("gate") or {}).values() for c in codes})
        if found:
            parts.append(f"{GATE_FINDINGS}: {', '.join(found)}")
    elif action == "escalate":
        parts.append(f"{SELLERS}: {', '.join(detail.get('sellers', []))}")
    elif action == "callback":
        result = str(detail.get("result", ""))
        words = (
            CALLBACK_RESULT_WORDS.get(CallbackResult(result))
            if result in CallbackResult.__members__.values()
            else None
        )
        parts.append(f"{POLICY}: {detail.get('policy_no', '')}")
        parts.append(f"{RESULT}: {in_language(*words) if words else result}")
    elif action == "overdue" and detail.get("undistributed"):
        parts.append(str(_("Not distributed within 1 working day")))
    elif action == "overdue":
        parts.append(f"{DUE_ON}: {detail.get('due_on', '')}")
    return "; ".join(str(p) for p in parts)


def _change_rows(posted: Any = None) -> list[dict[str, Any]]:
    rows = []
    for i in range(CHANGE_ROWS):
        rows.append(
            {
                "index": i,
                "target": posted.get(f"change-{i}-target", "") if posted else "",
                "value": posted.get(f"change-{i}-value", "") if posted else "",
            }
        )
    return rows


def _field_name(field: str) -> str:
    names = FIELD_NAMES.get(field)
    return in_language(*names) if names else field


def _correction_rows(view: CaseView) -> list[dict[str, Any]]:
    """The proposed changes as the item keeps them: the value masked (the true one is
    sealed until verification)."""
    names = {m.customer_id: m.name for m in view.item.members}
    rows = []
    for change in (view.correction or {}).get("changes", []):
        field = str(change.get("field", ""))
        value = str(change.get("value", ""))
        rows.append(
            {
                "customer": names.get(change.get("customer_id"))
                or file_number(change.get("customer_id")),
                "field": _field_name(field),
                "record_id": change.get("record_id"),
                "value": value,
            }
        )
    return rows


def _known(item_id: int) -> int:
    """An id the database can hold; a larger one is simply not found (never a 500)."""
    if not 0 < item_id < 2**62:
        raise Http404("problem item")
    return item_id


def _page(
    request: HttpRequest,
    item_id: int,
    *,
    error: dict[str, str] | None = None,
    failed: str = "",
    posted: Any = None,
    status: int = 200,
) -> HttpResponse:
    view = case_detail(_known(item_id), principal=principal_of(request, PURPOSE))
    if view is None:
        return restricted(
            request,
            what=_("Problem item #%(id)s") % {"id": item_id},
            explanation=_(
                "This problem item does not exist or is outside what your work gives you access to."
            ),
            back_url=reverse("web:problems"),
            back_label=_("Problem items"),
        )
    item = view.item
    members = [
        {"member": m, "callback": m.callback_due_on, "channel": m.channel_label}
        for m in item.members
    ]
    targets = []
    if "submit" in view.actions:
        for customer in correction_targets(item_id, principal=principal_of(request)):
            options = []
            for t in customer.targets:
                label = _field_name(t.field)
                if t.masked:
                    label = f"{label} {t.masked}"
                options.append(
                    {"value": f"{t.customer_id}:{t.field}:{t.record_id or ''}", "label": label}
                )
            targets.append(
                {
                    "label": f"{customer.name} ({file_number(customer)})",
                    "options": options,
                }
            )
    context = {
        "view": view,
        "item": item,
        "members": members,
        "stage_label": _stage_label(item.stage),
        "channel_label": _channel_label(item.assigned_channel),
        "basis_label": BASIS_LABELS.get(item.deadline_basis, ""),
        "outcome_label": str(dict(Outcome.choices).get(item.outcome, item.outcome)),
        "steps": [
            {
                "step": s,
                "label": STEP_LABELS.get(s.action) or s.action_label or s.action,
                "from_label": _stage_label(s.from_stage),
                "to_label": _stage_label(s.to_stage),
                "detail": _step_detail(s.action, s.detail),
            }
            for s in view.steps
        ],
        "correction_rows": _correction_rows(view),
        "correction_sellers": (view.correction or {}).get("sellers", []),
        **_escalation_choices(item.id, view.sellers),
        "penalty_links": _penalty_links(request, item.id) if view.escalations else [],
        "actions": set(view.actions),
        "channels": [(c, _channel_label(c)) for c in view.channels],
        "all_channels": Channel.choices,
        "evidence_kinds": EvidenceKind.choices,
        "requestable_kinds": [(k.value, k.label) for k in REQUESTABLE_KINDS],
        "requested_labels": [_kind_label(k) for k in view.requested_kinds],
        "outcomes": Outcome.choices,
        "purposes": PURPOSES,
        "targets": targets,
        "change_rows": _change_rows(posted if failed == "submit" else None),
        "posted": posted if posted is not None else {},
        "failed": failed,
        "error": error,
        "max_mb": MAX_BYTES // (1024 * 1024),
        "formats": ", ".join(f.name.upper() for f in FORMATS),
        "accept": ",".join(sorted({e for f in FORMATS for e in f.extensions})),
        # SD-4: the second callbacks of a re-check item (web.views.complaints)
        **callbacks_context(request, item),
    }
    return render(request, "web/cases/detail.html", context, status=status)


@action_required("cases.view")
def detail(request: HttpRequest, item_id: int) -> HttpResponse:
    return _page(request, item_id)


def _changes(posted: Any) -> tuple[list[dict[str, Any]], list[int]]:
    """The correction rows filled in, as the service takes them, and each one's row on the
    form (to name the row of a refusal)."""
    changes, rows = [], []
    for i in range(CHANGE_ROWS):
        target = str(posted.get(f"change-{i}-target", "")).strip()
        value = str(posted.get(f"change-{i}-value", "")).strip()
        if not target and not value:
            continue
        customer, _sep, rest = target.partition(":")
        field, _sep, record = rest.partition(":")
        changes.append(
            {"customer_id": customer, "field": field, "record_id": record or None, "value": value}
        )
        rows.append(i)
    return changes, rows


def _distribute(request: HttpRequest, item_id: int) -> Any:
    return services.problem_item_distribute(
        item_id=item_id,
        channel=request.POST.get("channel") or None,
        principal=principal_of(request),
    )


def _claim(request: HttpRequest, item_id: int) -> Any:
    return services.problem_item_claim(item_id=item_id, principal=principal_of(request))


def _attach(request: HttpRequest, item_id: int) -> Any:
    upload = request.FILES.get("file")
    # one byte past the limit is enough for the service to say the file is too large
    data = upload.read(MAX_BYTES + 1) if upload is not None else b""
    return services.problem_item_attach(
        item_id=item_id,
        principal=principal_of(request),
        kind=request.POST.get("kind", ""),
        description=request.POST.get("description", ""),
        filename=(upload.name or "") if upload is not None else "",
        data=data,
    )


def _note(request: HttpRequest, item_id: int) -> Any:
    return services.problem_item_note(
        item_id=item_id, principal=principal_of(request), note=request.POST.get("note", "")
    )


def _submit(request: HttpRequest, item_id: int) -> Any:
    outcome = request.POST.get("outcome", "")
    changes, _rows = _changes(request.POST)
    return services.problem_item_submit(
        item_id=item_id,
        principal=principal_of(request),
        outcome=outcome,
        findings=request.POST.get("findings", ""),
        changes=changes if outcome == Outcome.CORRECTED else None,
        seller_codes=request.POST.getlist("seller") if outcome == Outcome.ESCALATED else None,
        agency_code=request.POST.get("agency", "") if outcome == Outcome.ESCALATED else None,
        misconduct=request.POST.get("misconduct") or None,
    )


def _penalty_links(request: HttpRequest, item_id: int) -> list[tuple[str, str, bool]]:
    """For channel management: each escalation's penalty to decide, or the form to propose
    one from the escalation (the penalty register lives above cases: linked by address)."""
    if not may(request.user, "penalties.propose"):
        return []
    links = []
    escalations = Escalation.objects.filter(item_id=item_id).select_related("seller")
    for escalation in escalations.order_by("seller__code"):
        draft = escalation.penalties.filter(status="proposed", measure="").first()
        if draft is not None:
            links.append((escalation.seller.code, reverse("web:penalty", args=[draft.pk]), True))
        else:
            url = f"{reverse('web:penalty_new')}?escalation={escalation.pk}"
            links.append((escalation.seller.code, url, False))
    return links


def _escalation_choices(item_id: int, codes: list[str]) -> dict[str, Any]:
    """What the investigator names when escalating: the item's sellers and agencies (code and
    name) and the misconduct, in words."""
    names = dict(Seller.objects.filter(code__in=codes).values_list("code", "name"))
    agencies = services.item_agencies(item_id)
    agency_names = dict(Seller.objects.filter(pk__in=agencies.values()).values_list("code", "name"))
    return {
        "escalate_sellers": [(c, names.get(c, "")) for c in codes],
        "escalate_agencies": sorted(agency_names.items()),
        "misconducts": [(r.value, in_language(*REASON_WORDS[r])) for r in Reason],
    }


def _return(request: HttpRequest, item_id: int) -> Any:
    return services.problem_item_return(
        item_id=item_id,
        principal=principal_of(request),
        reason=request.POST.get("reason", ""),
        requested_kinds=request.POST.getlist("requested_kinds"),
    )


def _statement(request: HttpRequest, item_id: int) -> Any:
    upload = request.FILES.get("file")
    data = upload.read(MAX_BYTES + 1) if upload is not None else b""
    return services.problem_item_statement(
        item_id=item_id,
        principal=principal_of(request),
        statement=request.POST.get("statement", ""),
        filename=(upload.name or "") if upload is not None else "",
        data=data,
    )


def _verify(request: HttpRequest, item_id: int) -> Any:
    return services.problem_item_verify(
        item_id=item_id, principal=principal_of(request), note=request.POST.get("note", "")
    )


def _close(request: HttpRequest, item_id: int) -> Any:
    return services.problem_item_close(
        item_id=item_id, principal=principal_of(request), note=request.POST.get("note", "")
    )


STEPS = {
    "distribute": _distribute,
    "claim": _claim,
    "attach": _attach,
    "note": _note,
    "submit": _submit,
    "return": _return,
    "verify": _verify,
    "close": _close,
    "statement": _statement,
}


#: The action each step takes (``veracity.access.policy.ACTIONS``), as the trail names it.
STEP_ACTIONS = {
    "distribute": "cases.distribute",
    "claim": "cases.investigate",
    "attach": "cases.support",
    "note": "cases.support",
    "submit": "cases.investigate",
    "return": "cases.verify",
    "verify": "cases.verify",
    "close": "cases.close",
    "statement": "cases.statement",
}


@action_required("cases.view")
def act(request: HttpRequest, item_id: int, step: str) -> HttpResponse:
    """One step on the item: parse, call its service, redirect; or the refusal shown."""
    if step not in STEPS:
        raise Http404("step")
    _known(item_id)
    if request.method != "POST":
        return redirect("web:case_detail", item_id=item_id)
    try:
        STEPS[step](request, item_id)
    except CaseError as error:
        if error.kind is Kind.FORBIDDEN:
            # a refused step, written after the service's transaction rolled back; an item
            # out of sight is recorded by ``case_detail`` as the page below is refused
            record_refusal(
                actor=Actor.of_principal(principal_of(request)),
                action=STEP_ACTIONS[step],
                object_type="problem_item",
                object_id=str(item_id),
                detail={"code": error.code, "operation": step},
            )
        rows = _changes(request.POST)[1] if step == "submit" else None
        return _page(
            request,
            item_id,
            error=refusal_text(error, rows),
            failed=step,
            posted=request.POST,
            status=refusal_status(error),
        )
    messages.success(request, DONE[step])
    return redirect("web:case_detail", item_id=item_id)


@action_required("cases.view")
def evidence(request: HttpRequest, item_id: int, evidence_id: int) -> HttpResponseBase:
    """Download an evidence file: the purpose is stated and the read audited
    (``evidence_read``); the file must still match its SHA-256."""
    if request.method != "POST":
        return redirect("web:case_detail", item_id=_known(item_id))
    _known(item_id)
    _known(evidence_id)
    purpose = request.POST.get("purpose", "")
    if purpose and purpose not in dict(PURPOSES):
        purpose = ""
    if not Evidence.objects.filter(pk=evidence_id, item_id=item_id).exists():
        # not this item's file (or none): refused like a file out of reach
        record_refusal(
            actor=Actor.of_principal(principal_of(request)),
            action="cases.view",
            object_type="evidence",
            object_id=str(evidence_id),
            detail={"item": item_id},
        )
        raise Http404("evidence")
    try:
        found, data = services.evidence_read(
            evidence_id=evidence_id, principal=principal_of(request, purpose)
        )
    except CaseError as error:
        status = refusal_status(error, missing_is_404=True)
        if status == 404:
            raise Http404("evidence") from None
        return _page(request, item_id, error=refusal_text(error), failed="download", status=status)
    except (OSError, DecryptionError):
        # a sealed file gone missing or damaged: said plainly, never a server error page
        unreadable = CaseError("unreadable", "evidence")
        return _page(
            request,
            item_id,
            error=refusal_text(unreadable),
            failed="download",
            status=refusal_status(unreadable),
        )
    return FileResponse(
        io.BytesIO(data),
        as_attachment=True,
        filename=found.filename,
        content_type=found.content_type,
    )


# --- overdue --------------------------------------------------------------------------------


def _bars(rows: list[tuple[str, int, int]], label: Any) -> list[dict[str, Any]]:
    top = max((past + near for _k, past, near in rows), default=0) or 1
    return [
        {
            "key": key,
            "label": label(key),
            "past": past,
            "near": near,
            "past_percent": round(100 * past / top, 1),
            "near_percent": round(100 * near / top, 1),
        }
        for key, past, near in rows
    ]


@action_required("cases.view")
def overdue(request: HttpRequest) -> HttpResponse:
    """PW-6: items past or near their investigation deadline, per channel and per agent."""
    summary = overdue_summary(principal=principal_of(request))
    return render(
        request,
        "web/cases/overdue.html",
        {
            "summary": summary,
            "channels": _bars(summary.by_channel, lambda c: _channel_label(c) or "—"),
            "sellers": _bars(summary.by_seller, lambda s: s),
            "may_list": may(request.user, "problems.list"),
        },
    )
