"""Forms of the staff UI. Labels and messages are English msgids translated to zh-Hans."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

#: Why personal data is being looked at (D4.26 need to know); stored as the code in the audit
#: trail, shown translated.
PURPOSES = [
    ("customer_service", _("Customer-service inquiry")),
    ("problem_item", _("Problem-item investigation")),
    ("callback", _("Callback")),
    ("compliance_check", _("Compliance check")),
]
PURPOSE_CODES = frozenset(code for code, _label in PURPOSES)

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

    field_order = ("query", "kind", "purpose")


VERDICT_FILTER = [("", _("All verdicts")), ("pass", _("Passed")), ("fail", _("Failed"))]


class ApplicationFilterForm(forms.Form):
    verdict = forms.ChoiceField(label=_("Verdict"), choices=VERDICT_FILTER, required=False)
