"""Language: Simplified Chinese by default, whatever the browser asks for; a user who picks
English with the language switch (a cookie) gets English. The Content-Security-Policy header."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class DefaultChineseLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class ContentSecurityPolicyMiddleware:
    """Sends ``settings.VERACITY_CSP`` as the ``Content-Security-Policy`` of every response
    (unless the response set its own), except under DEBUG, whose error pages are inline
    script and style. The staff pages hold no inline script, style or event handler (their
    behaviour is ``web/app.js``), and htmx runs with ``allowEval`` and ``allowScriptTags`` off
    (``base.html``), so an injected ``<script>`` or ``hx-on`` would not run."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "VERACITY_CSP", "")
        if policy and not settings.DEBUG:
            response.headers.setdefault("Content-Security-Policy", policy)
        return response
