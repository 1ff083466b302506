"""Language: Simplified Chinese by default, whatever the browser asks for; a user who picks
English with the language switch (a cookie) gets English. The Content-Security-Policy header.
Two-factor login: the code step and the enrolment that a role requires come before every
page."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.locale import LocaleMiddleware
from django.urls import reverse
from django.utils import translation

from veracity.signin.services import session_verified, totp_device, totp_required
from veracity.web.views.common import principal_of


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


class TwoFactorMiddleware:
    """After the password, a user with an authenticator app gives its code before anything
    else; a user whose role requires one (``VERACITY_OTP_REQUIRED_ROLES``) and has none is
    sent to set it up first. Only the login steps, logging out, the language switch, static
    files and the API (its own tokens) stay open. Install after ``OTPMiddleware``."""

    OPEN_PREFIXES: tuple[str, ...] = ("/api/",)

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        target = self._required_step(request)
        if target is not None and request.path != target and not self._open(request.path):
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{target}?{query}")
        return self.get_response(request)

    @staticmethod
    def _required_step(request: HttpRequest) -> str | None:

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or session_verified(request.session):
            return None
        principal = principal_of(request)
        if totp_device(principal=principal) is not None:
            return reverse("web:two_factor_verify")
        if totp_required(principal=principal):
            return reverse("web:two_factor_enrol")
        return None

    def _open(self, path: str) -> bool:
        static = "/" + str(settings.STATIC_URL).lstrip("/")
        opened = {reverse("web:logout"), reverse("web:login"), reverse("set_language")}
        return path in opened or path.startswith((static, *self.OPEN_PREFIXES))
