"""Two sessions that never meet: Django's staff session (``sessionid``) everywhere, and the
customer portal's own (``veracity_my``) under ``/my/``.

:class:`PortalSessionMiddleware` replaces Django's ``SessionMiddleware``. For a path under
``VERACITY_PORTAL_SESSION["prefix"]`` it reads and writes only the portal cookie — so on a
portal page the staff session is never read (``request.user`` is anonymous there, since the
portal session never holds a staff login) — and everywhere else only Django's cookie, so the
portal cookie is never read on a staff page or the API. The portal cookie is scoped to the
portal's path (the browser does not even send it elsewhere), HttpOnly, SameSite=Lax, Secure
where the staff cookie is (``SESSION_COOKIE_SECURE``), and expires after
``idle_seconds`` without a request.

A portal session names its realm (:data:`REALM_KEY`): a staff session key presented as the
portal cookie (or the reverse) holds no portal customer (no staff login) and so signs nobody in.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date

REALM_KEY = "veracity_realm"
PORTAL_REALM = "portal"
#: The signed-in customer's id in the portal session, and how they were verified.
CUSTOMER_KEY = "portal_customer_id"
VERIFIED_KEY = "portal_verified_by"
#: When the session's idle expiry was last written (seconds since the epoch).
SEEN_KEY = "portal_seen"


def portal_settings() -> dict[str, Any]:
    given = dict(getattr(settings, "VERACITY_PORTAL_SESSION", {}) or {})
    return {
        "prefix": str(given.get("prefix", "/my/")),
        "cookie_name": str(given.get("cookie_name", "veracity_my")),
        "idle_seconds": int(given.get("idle_seconds", 900)),
    }


def is_portal_path(path: str) -> bool:
    return path.startswith(portal_settings()["prefix"])


class PortalSessionMiddleware(SessionMiddleware):
    """Django's session middleware with the cookie chosen by the path (see the module)."""

    @staticmethod
    def _stale(session: Any, idle_seconds: int) -> bool:
        """The stored expiry is over a minute old (or the session has none of ours)."""
        seen = session.get(SEEN_KEY)
        return not isinstance(seen, int) or time.time() - seen >= min(60, idle_seconds // 2)

    def process_request(self, request: HttpRequest) -> None:
        conf = portal_settings()
        portal = request.path.startswith(conf["prefix"])
        name = conf["cookie_name"] if portal else settings.SESSION_COOKIE_NAME
        request.veracity_portal = portal  # type: ignore[attr-defined]
        request.session = self.SessionStore(request.COOKIES.get(name))

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if not getattr(request, "veracity_portal", False):
            result: HttpResponse = super().process_response(request, response)
            return result
        return self._portal_response(request, response)

    def _portal_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        conf = portal_settings()
        name, path = conf["cookie_name"], conf["prefix"]
        try:
            session = request.session
            accessed, empty = session.accessed, session.is_empty()
        except AttributeError:
            return response
        need_vary = accessed
        if name in request.COOKIES and empty:
            response.delete_cookie(name, path=path, samesite="Lax")
            need_vary = True
        elif not empty and (session.modified or self._stale(session, conf["idle_seconds"])):
            # a request of a signed-in customer moves the idle expiry on (written at most once
            # a minute when nothing else changed: the expiry is kept to the minute)
            session.set_expiry(conf["idle_seconds"])
            session[REALM_KEY] = PORTAL_REALM
            session[SEEN_KEY] = int(time.time())
            max_age = session.get_expiry_age()
            if response.status_code < 500:
                try:
                    session.save()
                except UpdateError:
                    raise SessionInterrupted(
                        "The portal session was deleted before the request completed."
                    ) from None
                response.set_cookie(
                    name,
                    session.session_key or "",
                    max_age=max_age,
                    expires=http_date(time.time() + max_age),
                    path=path,
                    secure=bool(settings.SESSION_COOKIE_SECURE),
                    httponly=True,
                    samesite="Lax",
                )
                need_vary = True
        if need_vary:
            patch_vary_headers(response, ("Cookie",))
        return response
