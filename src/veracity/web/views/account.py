"""One's own sign-in: the login code (second step), enrolling an authenticator app, and
changing one's password. The rules are in ``veracity.signin.services``."""

from __future__ import annotations

from base64 import b32encode
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import PasswordChangeView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login

from veracity.access.policy import action_required
from veracity.signin.services import (
    password_change,
    password_change_refused,
    session_verified,
    totp_device,
    totp_enrolment_confirm,
    totp_enrolment_start,
    totp_required,
    totp_verify,
)
from veracity.web.forms import CodeForm
from veracity.web.views.common import principal_of


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return str(reverse_lazy("web:home"))


def _locked_out(request: HttpRequest, until: Any) -> HttpResponse:
    logout(request)
    messages.error(
        request,
        _(
            "Too many failed logins: signing in here is locked until %(until)s. Try again "
            "then, or ask the administrator."
        )
        % {"until": f"{timezone.localtime(until):%H:%M}"},
    )
    return redirect("web:login")


@action_required("account.manage")
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of a login for a user with an authenticator app."""
    if session_verified(request.session) or totp_device(principal=principal_of(request)) is None:
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = totp_verify(principal=principal_of(request), token=form.cleaned_data["code"])
        if check.device is not None:
            otp_login(request, check.device)
            return redirect(_next(request))
        if check.lockout is not None:
            return _locked_out(request, check.lockout.until)
        form.add_error("code", _("The code is wrong or has expired; enter the current one."))
    return render(request, "web/account/verify.html", {"form": form, "next": _next(request)})


@action_required("account.manage")
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the key), confirm with a code."""
    if totp_device(principal=principal_of(request)) is not None:
        return render(
            request,
            "web/account/two_factor.html",
            {"enrolled": True, "required": totp_required(principal=principal_of(request))},
        )
    device = totp_enrolment_start(principal=principal_of(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = totp_enrolment_confirm(
            principal=principal_of(request), token=form.cleaned_data["code"]
        )
        if confirmed is not None:
            otp_login(request, confirmed)
            messages.success(
                request, _("The authenticator app is set up: each login now asks for a code.")
            )
            return redirect("web:home")
        form.add_error("code", _("The code is wrong or has expired; enter the current one."))
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "web/account/two_factor.html",
        {
            "enrolled": False,
            "required": totp_required(principal=principal_of(request)),
            "form": form,
            "qr_svg": segno.make(device.config_url, error="m").svg_inline(scale=4),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        },
    )


class PasswordChange(PasswordChangeView):
    """Django's password change (old password checked, the validators applied), in the
    staff layout; the change and every refusal are audited."""

    #: Declared for the URL-conf check; ``PasswordChangeView`` itself requires the login.
    veracity_action = "account.manage"
    template_name = "web/account/password_change.html"
    success_url = reverse_lazy("web:home")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        password_change(
            principal=principal_of(self.request), new_password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(self.request, form.user)
        messages.success(self.request, _("Your password has been changed."))
        return redirect(self.get_success_url())

    def form_invalid(self, form: PasswordChangeForm) -> HttpResponse:
        errors = form.errors.as_data()
        password_change_refused(
            principal=principal_of(self.request),
            fields=list(errors),
            codes=[str(e.code or "invalid") for errs in errors.values() for e in errs],
        )
        return super().form_invalid(form)
