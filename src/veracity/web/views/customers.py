"""Customer search and the customer file (AG-10): purpose first, masked values only."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from veracity.access.governance import GovernanceError
from veracity.access.policy import action_required, may
from veracity.cases.panel import customer_file
from veracity.customers.models import Classification, Confidentiality
from veracity.customers.selectors import (
    SearchError,
    customer_search_page,
    restricted_matches,
    visible_to,
)
from veracity.customers.services import customer_classify
from veracity.detection.services import problem_item_add_manual
from veracity.web.forms import DEFAULT_SEARCH_KIND, PURPOSES, CustomerSearchForm, PurposeForm
from veracity.web.views.common import (
    in_language,
    principal_of,
    remember_purpose,
    remembered_purpose,
)

SEARCH_ERRORS = {
    "kind": _("Unknown kind of search; choose name, ID number, phone or bank account."),
    "query": _("Type what to search for."),
    "purpose": _("State the purpose before any personal data is shown."),
}


#: Searches whose text is personal data travel only in a POST body (never in a URL, so
#: never in a server or proxy log, a browser history or a Referer); a name may be a GET.
EXACT_KINDS = frozenset({"id_number", "phone", "account"})


@action_required("customers.view")
def search(request: HttpRequest) -> HttpResponse:
    """The form (GET); results below it. A search by ID number, phone or account is POSTed
    (with its CSRF token) and its results rendered in the answer, so the value never appears
    in a URL; a search by name may also come as a GET. With htmx only the results fragment
    is swapped in."""
    source = request.POST if request.method == "POST" else request.GET
    data = source.copy()
    data.pop("csrfmiddlewaretoken", None)
    searched = bool(data)
    refused = request.method != "POST" and data.get("kind") in EXACT_KINDS
    if searched and not data.get("purpose") and remembered_purpose(request):
        data["purpose"] = remembered_purpose(request)
    form = CustomerSearchForm(
        data if searched and not refused else None,
        initial={
            "kind": data.get("kind") if refused else DEFAULT_SEARCH_KIND,
            "purpose": remembered_purpose(request),
        },
    )
    results = None
    found = None
    restricted: list[int] = []
    error = str(EXACT_BY_GET) if refused else ""
    if searched and not refused and form.is_valid():
        purpose = form.cleaned_data["purpose"]
        remember_purpose(request, purpose)
        try:
            principal = principal_of(request, purpose)
            found = customer_search_page(
                principal=principal,
                query=form.cleaned_data["query"],
                kind=form.cleaned_data["kind"],
                page=form.cleaned_data.get("page") or 1,
            )
            results = found.hits
            restricted = restricted_matches(
                principal=principal,
                query=form.cleaned_data["query"],
                kind=form.cleaned_data["kind"],
            )
        except SearchError as exc:
            error = str(SEARCH_ERRORS.get(exc.code, exc.code))
    context = {
        "form": form,
        "results": results,
        "found": found,
        "restricted": restricted,
        "error": error,
        "searched": searched,
    }
    htmx = getattr(request, "htmx", None)  # set by django_htmx's middleware
    status = 400 if refused else 200
    if htmx and not htmx.boosted:
        return render(request, "web/customers/_results.html", context, status=status)
    return render(request, "web/customers/search.html", context, status=status)


EXACT_BY_GET = _(
    "For your customers' privacy, searches by ID number, phone or bank account are sent with "
    "the search form only. Type the value into the form below."
)


@action_required("customers.view")
def detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The masked customer file with its panel (the reader's loans of it, its open problem
    items, requests and grants). Asks for a purpose first unless one is remembered."""
    purpose = request.GET.get("purpose") or remembered_purpose(request)
    form = PurposeForm({"purpose": purpose} if purpose else None)
    if not form.is_valid():
        return render(
            request,
            "web/customers/purpose.html",
            {"form": form, "purposes": PURPOSES, "asked": bool(purpose)},
            status=400 if purpose else 200,
        )
    purpose = form.cleaned_data["purpose"]
    remember_purpose(request, purpose)
    unmask = request.method == "POST" and request.POST.get("unmask") == "1"
    try:
        file = customer_file(
            customer_id,
            principal=principal_of(request, purpose),
            unmask=unmask,
        )
    except Http404:
        return render(
            request, "web/customers/no_access.html", {"customer_id": customer_id}, status=404
        )
    return render(
        request,
        "web/customers/detail.html",
        {
            "customer": file.customer,
            "file": file,
            "purpose_label": dict(PURPOSES)[purpose],
            "may_classify": may(request.user, "customers.classify"),
            "classifications": Classification.choices,
            "levels": Confidentiality.choices,
        },
    )


@require_POST
@action_required("customers.unmask")
def unmask(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The file with full values: its own permission, its own audited event (the purpose
    is the one stated for the file)."""
    try:
        response: HttpResponse = detail(request, customer_id)
    except PermissionDenied:
        messages.error(
            request,
            _("Showing full values needs a borrowing grant of the scope “view full values”."),
        )
        return redirect("web:customer_detail", customer_id=customer_id)
    return response


@require_POST
@action_required("customers.classify")
def classify(request: HttpRequest, customer_id: int) -> HttpResponse:
    principal = principal_of(request)
    customer = get_object_or_404(
        visible_to(principal=principal, action="customers.view"), pk=customer_id
    )
    level = request.POST.get("confidentiality", "")
    custodian = request.user if level and level != Confidentiality.NORMAL else None
    try:
        customer_classify(
            customer_id=customer.pk,
            classification=request.POST.get("classification", ""),
            confidentiality=level,
            custodian=custodian,
            principal=principal,
        )
    except GovernanceError as exc:
        messages.error(request, in_language(exc.message_zh, exc.message_en))
    else:
        messages.success(request, _("The file's classification was recorded."))
    return redirect("web:customer_detail", customer_id=customer.pk)


@require_POST
@action_required("customers.suspicion")
def suspicion(request: HttpRequest, customer_id: int) -> HttpResponse:
    """SD-6: a suspicion found in a callback or elsewhere enters the problem-item list."""
    customer = get_object_or_404(
        visible_to(principal=principal_of(request), action="customers.view"), pk=customer_id
    )
    reason = (request.POST.get("reason") or "").strip()
    if not reason or len(reason) > 1000:
        messages.error(request, _("Describe the suspicion (at most 1,000 characters)."))
        return redirect("web:customer_detail", customer_id=customer.pk)
    problem_item_add_manual(
        customer_ids=[customer.pk],
        reason=reason,
        business_date=timezone.localdate(),
        principal=principal_of(request),
    )
    messages.success(request, _("The suspicion was added to the problem-item list."))
    return redirect(f"{reverse('web:problems')}?rule=MANUAL")
