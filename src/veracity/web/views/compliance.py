"""Compliance actions (SF-6, D1.24): the list, the record form, an action's page with its
follow-ups. Thin views over ``veracity.conduct.actions``; a refused step shows the page again
with the service's words naming the field."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from veracity.access.policy import action_required, record_refusal
from veracity.audit.services import Actor
from veracity.conduct import actions as services
from veracity.conduct.action_selectors import ActionFilters, actions_list, visible_to
from veracity.conduct.actions import ComplianceActionError
from veracity.conduct.models import ComplianceAction
from veracity.core.conduct import COMPLIANCE_ACTION_WORDS, ComplianceActionKind
from veracity.org.actions import may
from veracity.org.models import Department
from veracity.sales.models import Seller, SellerKind
from veracity.web.views.common import chinese, in_language, principal_of, refusal_status, restricted

PER_PAGE = 50
SELLER_OPTIONS = 20
Kind = ComplianceActionKind
Status = ComplianceAction.Status


def kind_words(kind: str) -> str:
    """A kind of compliance action in the page's language."""
    words = COMPLIANCE_ACTION_WORDS.get(Kind(kind)) if kind in Kind._value2member_map_ else None
    return in_language(*words) if words else kind


def _kind_choices() -> list[tuple[str, str]]:
    return [(k.value, kind_words(k.value)) for k in Kind]


def _owner_choices() -> list[tuple[str, str]]:
    users = get_user_model().objects.filter(is_active=True).order_by("username")
    return [("", "—")] + [(str(u.pk), u.get_full_name() or u.get_username()) for u in users]


def _department_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(str(d.pk), d.name) for d in Department.objects.order_by("code", "pk")]


_ITEM_NUMBER = re.compile(r"#?(\d{1,9})")


def parse_item_numbers(text: str) -> list[int] | None:
    """``12, #15 18`` → [12, 15, 18]; None when something else is typed."""
    parts = [p for p in re.split(r"[\s,，、;；]+", text or "") if p]
    numbers = []
    for part in parts:
        match = _ITEM_NUMBER.fullmatch(part)
        if match is None:
            return None
        numbers.append(int(match.group(1)))
    return numbers


class RecordForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of action"), choices=_kind_choices)
    seller = forms.CharField(
        label=_("Seller or agency (code)"),
        required=False,
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "list": "seller-options",
                "autocomplete": "off",
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#seller-options",
                "hx-swap": "innerHTML",
            }
        ),
        help_text=_("Type a code or a name; or choose a department below instead."),
    )
    department = forms.ChoiceField(
        label=_("Or a department"), required=False, choices=_department_choices
    )
    text = forms.CharField(
        label=_("Finding and demand"),
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    due_on = forms.DateField(
        label=_("Due date (rectification demands)"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the date as YYYY-MM-DD.")},
    )
    owner = forms.ChoiceField(
        label=_("Owner (rectification demands)"), required=False, choices=_owner_choices
    )
    items = forms.CharField(
        label=_("Problem items it arises from"),
        required=False,
        max_length=300,
        help_text=_("The problem items' numbers, such as 12, 15."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seller"].widget.attrs["hx-get"] = reverse("web:compliance_seller_options")

    def clean_items(self) -> list[int]:
        numbers = parse_item_numbers(self.cleaned_data.get("items") or "")
        if numbers is None:
            raise forms.ValidationError(_("Enter the problem items' numbers, such as 12, 15."))
        return numbers


class FollowUpForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"),
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    done = forms.BooleanField(label=_("The rectification is done"), required=False)


class CloseForm(forms.Form):
    note = forms.CharField(
        label=_("Conclusion (optional)"),
        required=False,
        max_length=services.MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _message(error: ComplianceActionError) -> str:
    return error.message(chinese())


# --- list ------------------------------------------------------------------------------------


def _filters(request: HttpRequest) -> ActionFilters:
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    return ActionFilters(
        kind=kind if kind in Kind._value2member_map_ else "",
        status=status if status in Status.values else "",
        target=request.GET.get("target", "").strip()[:32],
        overdue=request.GET.get("overdue") == "1",
        mine=request.GET.get("mine") == "1",
    )


@action_required("conduct.follow_up")
def index(request: HttpRequest) -> HttpResponse:
    """Every compliance action for who keeps the register; one's own demands for owners."""
    filters = _filters(request)
    today = timezone.localdate()
    rows = actions_list(principal=principal_of(request), filters=filters, today=today)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    for row in page.object_list:
        row.kind_label = kind_words(row.kind)  # type: ignore[attr-defined]
        row.late = bool(  # type: ignore[attr-defined]
            row.kind == Kind.RECTIFICATION
            and row.status == Status.OPEN
            and row.due_on
            and row.due_on < today
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/compliance/list.html",
        {
            "page": page,
            "filters": filters,
            "kinds": _kind_choices(),
            "statuses": Status.choices,
            "query": query.urlencode(),
            "may_record": may(request.user, "conduct.record"),
            "register": may(request.user, "conduct.view"),
        },
    )


# --- record ----------------------------------------------------------------------------------


@action_required("conduct.record")
def record(request: HttpRequest) -> HttpResponse:
    """Compliance records criticism, a rectification demand or a committee referral."""
    if request.method == "POST":
        form = RecordForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                action = services.compliance_action_record(
                    principal=principal_of(request),
                    kind=data["kind"],
                    text=data["text"],
                    seller_code=data["seller"],
                    department_id=int(data["department"]) if data["department"] else None,
                    due_on=data["due_on"],
                    owner_id=int(data["owner"]) if data["owner"] else None,
                    item_ids=data["items"],
                )
            except ComplianceActionError as exc:
                field = exc.field if exc.field in form.fields else None
                form.add_error(field, _message(exc))
            else:
                messages.success(request, _("The compliance action was recorded."))
                return redirect("web:compliance_action", action_id=action.pk)
        status = 400
    else:
        seller = request.GET.get("seller", "")[:32]
        item = request.GET.get("item", "")[:20]
        form = RecordForm(
            initial={
                "kind": request.GET.get("kind") or Kind.RECTIFICATION.value,
                "seller": seller if Seller.objects.filter(code=seller).exists() else "",
                "items": item if parse_item_numbers(item) else "",
            }
        )
        status = 200
    return render(request, "web/compliance/form.html", {"form": form}, status=status)


@action_required("conduct.record")
@require_GET
def seller_options(request: HttpRequest) -> HttpResponse:
    """The type-ahead of the record form: ``<option>`` rows of sellers and agencies whose
    code or name starts with (or contains) what was typed — codes and names only."""
    typed = request.GET.get("seller", request.GET.get("q", "")).strip()[:32]
    sellers: list[Seller] = []
    if typed:
        sellers = list(
            Seller.objects.filter(code__istartswith=typed).order_by("code")[:SELLER_OPTIONS]
        )
        if len(sellers) < SELLER_OPTIONS:
            sellers += list(
                Seller.objects.filter(name__icontains=typed)
                .exclude(pk__in=[s.pk for s in sellers])
                .order_by("code")[: SELLER_OPTIONS - len(sellers)]
            )
    return render(
        request,
        "web/compliance/_seller_options.html",
        {"sellers": sellers, "agency": SellerKind.AGENCY},
    )


# --- one action --------------------------------------------------------------------------------


def _action(request: HttpRequest, action_id: int) -> ComplianceAction | None:
    found = (
        visible_to(principal=principal_of(request), action="conduct.follow_up")
        .select_related("seller", "department", "owner", "recorded_by")
        .filter(pk=action_id)
        .first()
    )
    if found is None:
        record_refusal(
            actor=Actor.of_principal(principal_of(request)),
            action="conduct.follow_up",
            object_type="compliance_action",
            object_id=str(action_id),
        )
    return found


def _restricted(request: HttpRequest, action_id: int) -> HttpResponse:
    return restricted(
        request,
        what=str(_("Compliance action #%(id)s") % {"id": action_id}),
        explanation=_(
            "Compliance, channel management and the general manager see compliance actions; "
            "the owner of a rectification demand sees their own."
        ),
        back_url=reverse("web:compliance_actions"),
        back_label=_("Compliance actions"),
    )


def _page(
    request: HttpRequest,
    action: ComplianceAction,
    *,
    follow_up_form: forms.Form | None = None,
    close_form: forms.Form | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    user = request.user
    is_compliance = may(user, "conduct.record")
    is_owner = action.owner_id is not None and action.owner_id == user.pk
    is_open = action.status == Status.OPEN
    demand = action.kind == Kind.RECTIFICATION
    may_cases = may(user, "cases.view")
    items = [
        {"pk": i.pk, "url": reverse("web:case_detail", args=[i.pk]) if may_cases else ""}
        for i in action.items.order_by("pk")
    ]
    return render(
        request,
        "web/compliance/detail.html",
        {
            "action": action,
            "kind_label": kind_words(action.kind),
            "demand": demand,
            "late": demand and is_open and action.due_on is not None and action.due_on < today,
            "items": items,
            "follow_ups": action.follow_ups.select_related("by"),
            "may_follow_up": is_open and demand and (is_compliance or is_owner),
            "is_owner": is_owner,
            "may_close": is_open and is_compliance,
            "follow_up_form": follow_up_form or FollowUpForm(auto_id="follow-up-%s"),
            "close_form": close_form or CloseForm(auto_id="close-%s"),
            "error": error,
            "register": may(user, "conduct.view"),
        },
        status=status,
    )


@action_required("conduct.follow_up")
def detail(request: HttpRequest, action_id: int) -> HttpResponse:
    action = _action(request, action_id)
    if action is None:
        return _restricted(request, action_id)
    return _page(request, action)


#: step → success message
DONE = {
    "follow-up": _("The follow-up was recorded."),
    "close": _("The compliance action was closed as done."),
}


@action_required("conduct.follow_up")
def act(request: HttpRequest, action_id: int, step: str) -> HttpResponse:
    """One step on the action: a follow-up (compliance or the owner), or closing it
    (compliance)."""
    if step not in DONE:
        raise Http404("step")
    action = _action(request, action_id)
    if action is None:
        return _restricted(request, action_id)
    if request.method != "POST":
        return redirect("web:compliance_action", action_id=action.pk)
    principal = principal_of(request)
    bound: dict[str, Any] = {}
    try:
        if step == "follow-up":
            form: forms.Form = FollowUpForm(request.POST, auto_id="follow-up-%s")
            bound["follow_up_form"] = form
            if not form.is_valid():
                return _page(request, action, **bound, status=400)
            services.compliance_follow_up_add(
                principal=principal,
                action_id=action.pk,
                note=form.cleaned_data["note"],
                done=form.cleaned_data["done"],
            )
        else:
            form = CloseForm(request.POST, auto_id="close-%s")
            bound["close_form"] = form
            if not form.is_valid():
                return _page(request, action, **bound, status=400)
            services.compliance_action_close(
                principal=principal, action_id=action.pk, note=form.cleaned_data["note"]
            )
    except ComplianceActionError as exc:
        action.refresh_from_db()
        return _page(request, action, **bound, error=_message(exc), status=refusal_status(exc))
    messages.success(request, DONE[step])
    return redirect("web:compliance_action", action_id=action.pk)
