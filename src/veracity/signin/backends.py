"""The authentication backend every login goes through (the staff login page, the admin):
Django's own, behind the lockout."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from veracity.db.addresses import request_address
from veracity.signin.services import login_failure_record, login_lockout_active

#: The lockout in force is put on the request for the login form to explain.
REQUEST_LOCKOUT = "veracity_login_lockout"


def request_ip(request: HttpRequest | None) -> str:
    return request_address(request)


class LockoutModelBackend(ModelBackend):
    """While an account or an address is locked, every attempt is refused before the
    password is looked at (``PermissionDenied`` ends ``authenticate``, which reports a
    failed login); a wrong password counts toward the limits."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None:
            username = kwargs.get(self._username_field(), "")
        if username is None or password is None:
            return None
        ip = request_ip(request)
        lockout = login_lockout_active(username=username, ip=ip)
        if lockout is not None:
            if request is not None:
                setattr(request, REQUEST_LOCKOUT, lockout)
            raise PermissionDenied
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            lockout = login_failure_record(username=username, ip=ip)
            if lockout is not None and request is not None:
                setattr(request, REQUEST_LOCKOUT, lockout)
        return user

    @staticmethod
    def _username_field() -> str:
        from django.contrib.auth import get_user_model

        return str(get_user_model().USERNAME_FIELD)
