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
from veracity.db.addresses import request_address

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
    """The client's address (behind the trusted proxies: ``veracity.db.addresses``)."""
    return request_address(request)


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
