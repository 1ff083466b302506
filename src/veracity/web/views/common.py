"""Helpers shared by the staff views: role checks, client address, the stated purpose."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

from veracity.access.roles import RoleName, has_role
from veracity.core.refusals import Kind, Refusal

#: Roles whose work involves customer files and applications (the auditor reads the audit
#: trail instead).
CASEWORK_ROLES = (
    RoleName.AGENT,
    RoleName.CHANNEL_BACKOFFICE,
    RoleName.CUSTOMER_SERVICE,
    RoleName.COMPLIANCE,
    RoleName.INFORMATION_MANAGER,
    RoleName.CUSTOMER_SERVICE_MANAGER,
    RoleName.ADMIN,
)

SESSION_PURPOSE = "veracity_purpose"


def roles_required(*roles: RoleName) -> Callable[..., Any]:
    """Login required, then one of ``roles`` (403 otherwise)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "")[:45]


def remembered_purpose(request: HttpRequest) -> str:
    from veracity.web.forms import PURPOSE_CODES

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
