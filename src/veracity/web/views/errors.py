"""Error pages: a clear message in the user's language, never a traceback."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def _page(request: HttpRequest, status: int) -> HttpResponse:
    return render(request, "web/error.html", {"status": status}, status=status)


def not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _page(request, 404)


def forbidden(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _page(request, 403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its CSRF token (an old tab, cookies off): our 403 page in the
    page's language, not Django's English one (``CSRF_FAILURE_VIEW``)."""
    return render(request, "web/error.html", {"status": 403, "csrf": True}, status=403)


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _page(request, 400)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the request context: whatever broke (the database, a context
    processor) must not break the error page too. In the page's language (the one the
    locale middleware chose for the request); both only if even the template fails."""
    try:
        body = loader.get_template("web/500.html").render({})
    except Exception:
        body = "<h1>500</h1><p>系统出错，请稍后再试。 Something went wrong; please try again.</p>"
    return HttpResponseServerError(body)
