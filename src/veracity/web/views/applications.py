"""Applications: list filtered by gate verdict, and one application with its findings."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from veracity.access.policy import action_required
from veracity.policies.selectors import VERDICTS, application_detail, applications_list
from veracity.web.forms import ApplicationFilterForm
from veracity.web.views.common import (
    principal_of,
    remembered_purpose,
)

PER_PAGE = 25


@action_required("applications.view")
def index(request: HttpRequest) -> HttpResponse:
    form = ApplicationFilterForm(request.GET or None)
    verdict = form.cleaned_data["verdict"] if form.is_valid() else ""
    invalid = bool(request.GET.get("verdict")) and not form.is_valid()
    policies = applications_list(principal=principal_of(request), verdict=verdict)
    page = Paginator(policies, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/applications/list.html",
        {
            "form": form if not invalid else ApplicationFilterForm(),
            "invalid_filter": invalid,
            "page": page,
            "verdict": verdict,
            "verdicts": VERDICTS,
        },
    )


@action_required("applications.view")
def detail(request: HttpRequest, policy_id: int) -> HttpResponse:
    view = application_detail(
        principal=principal_of(request, remembered_purpose(request) or "application_review"),
        policy_id=policy_id,
    )
    return render(request, "web/applications/detail.html", {"app": view})
