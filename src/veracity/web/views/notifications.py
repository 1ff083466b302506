"""The user's notifications: a list, newest first; opening one or marking read."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from veracity.access.policy import action_required
from veracity.notify.selectors import notifications_of
from veracity.notify.services import notifications_mark_read
from veracity.web.views.common import principal_of

PER_PAGE = 50


@action_required("notifications.read")
def index(request: HttpRequest) -> HttpResponse:
    notes = notifications_of(principal=principal_of(request))
    page = Paginator(notes, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "web/notifications/list.html", {"page": page})


@action_required("notifications.read")
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification (``id``) or all of the user's (``all``) read."""
    if request.POST.get("all"):
        notifications_mark_read(principal=principal_of(request))
    else:
        ids = [int(v) for v in request.POST.getlist("id") if v.isdigit() and len(v) < 19]
        if ids:
            notifications_mark_read(principal=principal_of(request), ids=ids)
    return redirect("web:notifications")


@action_required("notifications.read")
@require_POST
def open_link(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark the notification read and go to the page it points at (a path on this site)."""
    note = get_object_or_404(notifications_of(principal=principal_of(request)), pk=notification_id)
    notifications_mark_read(principal=principal_of(request), ids=[note.pk])
    link = note.link
    if (
        link.startswith("/")
        and not link.startswith("//")
        and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()})
    ):
        return redirect(link)
    return redirect("web:notifications")
