"""Applications: list filtered by gate verdict, and one application with its findings."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from veracity.access.policy import action_required
from veracity.policies.selectors import VERDICTS, application_detail, applications_list
from veracity.web.forms import ApplicationFilterForm
from veracity.web.views.common import (
    principal_of,
    remembered_purpose,
    restricted,
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
    try:
        view = application_detail(
            principal=principal_of(request, remembered_purpose(request) or "application_review"),
            policy_id=policy_id,
        )
    except Http404:
        return restricted(
            request,
            what=_("Application #%(id)s") % {"id": policy_id},
            explanation=_(
                "This application does not exist or is outside what your work gives you access to."
            ),
            back_url=reverse("web:applications"),
            back_label=_("Applications"),
        )
    return render(request, "web/applications/detail.html", {"app": view})
