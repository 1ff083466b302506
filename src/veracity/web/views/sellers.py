"""The seller register (SF-1, SD-2): the list with each seller's sales qualification, a
seller's page (qualification and its basis, the training history, the termination, the
registered relatives) and the training department's page to record courses and tests. Thin
views over ``veracity.sales``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from veracity.access.policy import action_required
from veracity.conduct.record import conduct_record
from veracity.core.qualification import MISSING_WORDS
from veracity.core.refusals import Refusal
from veracity.sales.models import SellerKind, TrainingRecord
from veracity.sales.selectors import seller_page, sellers_list
from veracity.sales.services import seller_relative_add
from veracity.sales.training import training_record
from veracity.web.views.common import in_language, principal_of, restricted
from veracity.web.views.complaints import category_choices
from veracity.web.views.compliance import kind_words
from veracity.web.views.penalties import measure_words, reason_words

PER_PAGE = 25


class SellerFilterForm(forms.Form):
    q = forms.CharField(label=_("Code or name"), required=False, max_length=40)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All")), *SellerKind.choices]
    )
    qualified = forms.ChoiceField(
        label=_("Sales qualification"),
        required=False,
        choices=[("", _("All")), ("yes", _("Qualified")), ("no", _("Not qualified"))],
    )


def missing_labels(missing: Any) -> list[str]:
    return [in_language(*MISSING_WORDS[m]) for m in missing if m in MISSING_WORDS]


@action_required("sellers.view")
def index(request: HttpRequest) -> HttpResponse:
    """The register: search by code or name, filter by kind and qualification (today)."""
    form = SellerFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    invalid = bool(request.GET) and not form.is_valid()
    today = timezone.localdate()
    rows = sellers_list(
        principal=principal_of(request),
        on=today,
        search=(data.get("q") or "").strip(),
        kind=data.get("kind") or "",
        qualified=data.get("qualified") or "",
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    for row in page.object_list:
        row.missing_labels = missing_labels(row.qualification.missing)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/sellers/list.html",
        {
            "form": form if not invalid else SellerFilterForm(),
            "invalid_filter": invalid,
            "page": page,
            "query": query.urlencode(),
            "today": today,
        },
    )


class RelativeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    relation = forms.CharField(
        label=_("Relation"), max_length=40, help_text=_("For example spouse, father, child.")
    )
    phones = forms.CharField(
        label=_("Phones"),
        required=False,
        max_length=400,
        help_text=_("Several phones separated by semicolons."),
    )
    address = forms.CharField(label=_("Address"), required=False, max_length=300)


@action_required("sellers.page")
def detail(request: HttpRequest, seller_id: int) -> HttpResponse:
    """A seller's page: anyone with ``sellers.view``, or the seller themself."""
    view = seller_page(seller_id, principal=principal_of(request), on=timezone.localdate())
    if view is None:
        return restricted(
            request,
            what=str(_("Seller")),
            explanation=_(
                "This seller does not exist or is outside what your work gives you access to."
            ),
            back_url=reverse("web:home"),
            back_label=_("Home"),
        )
    return _detail(request, view, RelativeForm())


def _detail(request: HttpRequest, view: Any, form: RelativeForm, status: int = 200) -> HttpResponse:
    conduct = conduct_record(view.seller, principal=principal_of(request))
    words = dict(category_choices())
    for complaint in conduct.complaints or []:
        complaint.category_label = words.get(complaint.category, "")  # type: ignore[attr-defined]
    for penalty in conduct.penalties or []:
        penalty.reason_label = reason_words(penalty.reason)  # type: ignore[attr-defined]
        penalty.measure_label = (  # type: ignore[attr-defined]
            measure_words(penalty.measure) if penalty.measure else str(_("To decide"))
        )
    for escalation in conduct.escalations or []:
        escalation.misconduct_label = reason_words(escalation.misconduct)  # type: ignore[attr-defined]
    for action in conduct.actions or []:
        action.kind_label = kind_words(action.kind)  # type: ignore[attr-defined]
    return render(
        request,
        "web/sellers/detail.html",
        {
            "view": view,
            "seller": view.seller,
            "q": view.qualification,
            "missing": missing_labels(view.qualification.missing),
            "form": form,
            "conduct": conduct,
        },
        status=status,
    )


@require_POST
@action_required("sellers.manage")
def relative_add(request: HttpRequest, seller_id: int) -> HttpResponse:
    """Register a relative of the seller with their phones and address (SD-2)."""
    form = RelativeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            seller_relative_add(
                principal=principal_of(request),
                seller_id=seller_id,
                name=data["name"],
                relation=data["relation"],
                phones=[p.strip() for p in data["phones"].replace("；", ";").split(";")],
                address=data["address"],
            )
        except Refusal as exc:
            field = exc.field.split(".", 1)[0].split("[", 1)[0]
            form.add_error(
                field if field in form.fields else None, in_language(exc.message_zh, exc.message_en)
            )
        else:
            messages.success(request, _("The relative was registered."))
            return redirect("web:seller", seller_id=seller_id)
    view = seller_page(seller_id, principal=principal_of(request), on=timezone.localdate())
    if view is None:
        return redirect("web:sellers")
    return _detail(request, view, form, status=400)


class CourseForm(forms.Form):
    course_code = forms.CharField(label=_("Course code"), max_length=32)
    title = forms.CharField(label=_("Course title"), max_length=200, initial="投保单规范填写")
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(
        label=_("Class hours"), min_value=0.1, max_value=100, decimal_places=1
    )
    sellers = forms.CharField(
        label=_("Attendees (seller codes)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text=_("One or more seller codes, separated by spaces, commas or new lines."),
    )


class ResultForm(forms.Form):
    seller = forms.CharField(label=_("Seller code"), max_length=32)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    passed = forms.TypedChoiceField(
        label=_("Result"),
        choices=[("yes", _("Passed")), ("no", _("Not passed"))],
        coerce=lambda v: v == "yes",
    )
    score = forms.DecimalField(
        label=_("Score"), required=False, min_value=0, max_value=1000, decimal_places=1
    )


def _codes(text: str) -> list[str]:
    return [c for c in text.replace(",", " ").replace("，", " ").replace("、", " ").split() if c]


_COURSE_FIELDS = {"seller_codes": "sellers", "course_code": "course_code", "hours": "hours"}
_TEST_FIELDS = {"seller_codes": "seller", "passed": "passed", "score": "score"}


@action_required("training.record")
def training(request: HttpRequest) -> HttpResponse:
    """The training department records a course (with its attendees) or a test result."""
    course, test = CourseForm(prefix="course"), ResultForm(prefix="test")
    status = 200
    if request.method == "POST":
        which = request.POST.get("record")
        form: forms.Form = (
            CourseForm(request.POST, prefix="course")
            if which == "course"
            else ResultForm(request.POST, prefix="test")
        )
        if which == "course":
            course = form  # type: ignore[assignment]
        else:
            test = form  # type: ignore[assignment]
        if form.is_valid():
            data = form.cleaned_data
            try:
                if which == "course":
                    done = training_record(
                        principal=principal_of(request),
                        kind=TrainingRecord.Kind.COURSE,
                        seller_codes=_codes(data["sellers"]),
                        date=data["date"].isoformat(),
                        course_code=data["course_code"],
                        title=data["title"],
                        hours=float(data["hours"]),
                    )
                else:
                    done = training_record(
                        principal=principal_of(request),
                        kind=TrainingRecord.Kind.TEST,
                        seller_codes=[data["seller"]],
                        date=data["date"].isoformat(),
                        passed=data["passed"],
                        score=None if data["score"] is None else float(data["score"]),
                    )
            except Refusal as exc:
                names = _COURSE_FIELDS if which == "course" else _TEST_FIELDS
                field = names.get(exc.field, exc.field)
                form.add_error(
                    field if field in form.fields else None,
                    in_language(exc.message_zh, exc.message_en),
                )
            else:
                messages.success(
                    request,
                    _("Recorded for %(n)s seller(s).") % {"n": len(done)},
                )
                return redirect("web:training")
        status = 400
    recent = TrainingRecord.objects.select_related("seller").order_by("-recorded_at", "-id")
    page = Paginator(recent, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/sellers/training.html",
        {"course": course, "test": test, "page": page},
        status=status,
    )
