"""Forms of the staff UI. Labels and messages are English msgids translated to zh-Hans."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from veracity.signin.backends import REQUEST_LOCKOUT

#: Why personal data is being looked at (D4.26 need to know); stored as the code in the audit
#: trail, shown translated.
PURPOSES = [
    ("customer_service", _("Customer-service inquiry")),
    ("problem_item", _("Problem-item investigation")),
    ("callback", _("Callback")),
    ("compliance_check", _("Compliance check")),
]
PURPOSE_CODES = frozenset(code for code, _label in PURPOSES)

#: The search mode every search form starts in (the home page and /customers/ alike).
DEFAULT_SEARCH_KIND = "name"

KINDS = [
    ("name", _("Name")),
    ("id_number", _("ID number")),
    ("phone", _("Phone")),
    ("account", _("Bank account")),
]


class PurposeForm(forms.Form):
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=[("", _("— choose a purpose —")), *PURPOSES],
        error_messages={
            "required": _("State the purpose before any personal data is shown."),
            "invalid_choice": _("Unknown purpose; choose one from the list."),
        },
    )


class CustomerSearchForm(PurposeForm):
    query = forms.CharField(
        label=_("Search for"),
        max_length=100,
        strip=True,
        error_messages={
            "required": _("Type what to search for."),
            "max_length": _("The search text is too long (at most 100 characters)."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )
    kind = forms.ChoiceField(
        label=_("Search by"),
        choices=KINDS,
        error_messages={
            "required": _("Choose what to search by."),
            "invalid_choice": _(
                "Unknown kind of search; choose name, ID number, phone or bank account."
            ),
        },
    )

    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=20,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": _("The result page is a whole number from 1 to 20."),
            "min_value": _("The result page is a whole number from 1 to 20."),
            "max_value": _("The result page is a whole number from 1 to 20."),
        },
    )

    field_order = ("query", "kind", "purpose")


VERDICT_FILTER = [("", _("All verdicts")), ("pass", _("Passed")), ("fail", _("Failed"))]


class ApplicationFilterForm(forms.Form):
    verdict = forms.ChoiceField(label=_("Verdict"), choices=VERDICT_FILTER, required=False)


# --- sign-in -------------------------------------------------------------------------------


class LoginForm(AuthenticationForm):
    """Django's login form; during a lockout it says so (and until when) instead of "wrong
    password", whatever was typed."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _(
            "Too many failed logins: signing in here is locked until %(until)s. Try again "
            "then, or ask the administrator."
        ),
    }

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except forms.ValidationError:
            lockout = getattr(self.request, REQUEST_LOCKOUT, None)
            if lockout is None:
                raise
            raise forms.ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"until": f"{timezone.localtime(lockout.until):%H:%M}"},
            ) from None


class CodeForm(forms.Form):
    """A six-digit code from the authenticator app."""

    code = forms.CharField(
        label=_("Code from the authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        error_messages={"required": _("Enter the six-digit code from the app.")},
    )
