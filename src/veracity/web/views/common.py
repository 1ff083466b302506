"""Helpers shared by the staff views: the principal, client address, the stated purpose.
(Who may open a view: ``veracity.access.policy.action_required``.)"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from veracity.core.refusals import Kind, Refusal
from veracity.db.addresses import request_address
from veracity.org.principals import Staff
from veracity.web.forms import PURPOSE_CODES

SESSION_PURPOSE = "veracity_purpose"


def client_ip(request: HttpRequest) -> str:
    """The client's address (behind the trusted proxies: ``veracity.db.addresses``)."""
    return request_address(request)


def principal_of(request: HttpRequest, purpose: str = "") -> Staff:
    """The one place a page makes its principal: the signed-in user, at the request's
    address, stating ``purpose``."""
    return Staff(request.user, address=request_address(request), purpose=purpose)


def remembered_purpose(request: HttpRequest) -> str:

    purpose = request.session.get(SESSION_PURPOSE, "")
    return purpose if purpose in PURPOSE_CODES else ""


def remember_purpose(request: HttpRequest, purpose: str) -> None:
    request.session[SESSION_PURPOSE] = purpose


def chinese() -> bool:
    """The page is shown in Chinese (the default) rather than English."""
    return (get_language() or "zh-hans").lower().startswith("zh")


def in_language(zh: str, en: str) -> str:
    """The text of a bilingual pair (a refusal's message, a rule's name) for the page."""
    return zh if chinese() else en


def refusal_status(error: Refusal, *, missing_is_404: bool = False) -> int:
    """The status of a page shown again with a refusal: 400 whatever the kind — the page is
    found and may be seen, the step is what was refused. ``missing_is_404``: where the
    refused thing is the page's own subject (an evidence file to download), not found is 404;
    the caller raises ``Http404`` then."""
    return 404 if missing_is_404 and error.kind is Kind.NOT_FOUND else 400


def restricted(
    request: HttpRequest,
    *,
    what: str,
    explanation: str | Promise,
    back_url: str,
    back_label: str | Promise,
) -> HttpResponse:
    """The page for a record that does not exist or lies outside the reader's reach (a customer
    file, an application, a problem item): the same words whichever it is, a 404, and the way
    to apply for access. The refused attempt is recorded where it was decided (the selector)."""
    return render(
        request,
        "web/restricted.html",
        {
            "heading": _("Restricted"),
            "what": what,
            "explanation": explanation,
            "subject": what,
            "back_url": back_url,
            "back_label": back_label,
        },
        status=404,
    )
