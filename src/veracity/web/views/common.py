"""Helpers shared by the staff views: the principal, client address, the stated purpose.
(Who may open a view: ``veracity.access.policy.action_required``.)"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import get_language

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
