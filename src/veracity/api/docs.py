"""Who may read the API's documentation (``/api/v1/docs``, ``/api/v1/openapi.json``).

In production (``VERACITY_API_DOCS_PUBLIC`` off) only a caller with a valid API token — the
integrators of the core and bancassurance systems — or a signed-in administrator (``is_staff``,
so the docs page works in their browser) reads them; anyone else gets the API's 401. The demo
and the tests keep them open. The spec holds no personal data, so a refused read is not
written to the audit trail (an anonymous caller could otherwise flood the chain)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from veracity.api.auth import ApiToken

_token = ApiToken()


def may_read_docs(request: HttpRequest) -> bool:
    if getattr(settings, "VERACITY_API_DOCS_PUBLIC", False):
        return True
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff:
        return True
    return _token(request) is not None


def docs_guard(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """``NinjaAPI(docs_decorator=…)``: the docs view, for those who may read it."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if may_read_docs(request):
            return view(request, *args, **kwargs)
        response = JsonResponse(
            {
                "code": "unauthenticated",
                "field": "",
                "message_zh": "接口文档仅向持有有效令牌的调用方开放",
                "message_en": "The API documentation needs a valid API token",
            },
            status=401,
            json_dumps_params={"ensure_ascii": False},
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    return guarded
