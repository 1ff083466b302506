"""Form fields that name customers by their file number (档案号), as people type it.

``CustomerNumbersField`` (several) and ``CustomerNumberField`` (one) read ``C0000000010``,
``c10``, full-width ``Ｃ１０`` and bare numbers (``veracity.customers.numbers``) and give the
canonical file numbers; :func:`resolve_customers` turns them into the files the person may
reach, naming the others on the form. Their input carries the customer picker
(``web/static/web/picker.js``), which degrades to the plain text field without JavaScript.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from veracity.customers import numbers
from veracity.customers.picker import customers_named
from veracity.org.principals import Principal

#: At most this many customers named in one field.
MAX_NUMBERS = 500
#: What a file number looks like, for the error messages.
EXAMPLE = "C0000000010"


def picker_attrs(*, multiple: bool, purpose: str = "") -> dict[str, Any]:
    """The attributes that attach the customer picker to a text input or textarea.
    ``purpose``: the purpose the picker states when the form has no purpose field of its own
    (a form with one, ``id_purpose``, lends it to the picker)."""
    attrs: dict[str, Any] = {
        "data-customer-picker": "multiple" if multiple else "one",
        "data-picker-url": reverse_lazy("web:customer_pick"),
        "autocomplete": "off",
        "spellcheck": "false",
        "placeholder": EXAMPLE,
        "data-picker-born": _("born"),
        "data-picker-id-tail": _("ID ends"),
    }
    if purpose:
        attrs["data-picker-purpose"] = purpose
    return attrs


def _unreadable(texts: list[str]) -> forms.ValidationError:
    return forms.ValidationError(
        _("%(texts)s: not a file number (a file number looks like %(example)s)."),
        code="invalid",
        params={"texts": "、".join(texts[:10]), "example": EXAMPLE},
    )


class CustomerNumbersField(forms.CharField):
    """File numbers separated by spaces, commas, 、 or new lines → canonical numbers."""

    def __init__(self, *, purpose: str = "", textarea: bool = False, **kwargs: Any) -> None:
        attrs = picker_attrs(multiple=True, purpose=purpose)
        if textarea:
            attrs["rows"] = 2
        kwargs.setdefault(
            "widget", forms.Textarea(attrs=attrs) if textarea else forms.TextInput(attrs=attrs)
        )
        kwargs.setdefault("max_length", 20 * MAX_NUMBERS)
        kwargs.setdefault(
            "help_text", _("File numbers such as C0000000010, separated by commas or spaces.")
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        typed = numbers.split(super().to_python(value))
        if len(typed) > MAX_NUMBERS:
            raise forms.ValidationError(
                _("At most %(limit)s customer files at a time."),
                code="too_many",
                params={"limit": MAX_NUMBERS},
            )
        unreadable = [t for t in typed if numbers.normalise(t) is None]
        if unreadable:
            raise _unreadable(unreadable)
        return list(dict.fromkeys(str(numbers.normalise(t)) for t in typed))


class CustomerNumberField(forms.CharField):
    """One file number → its canonical form (``""`` when empty and not required)."""

    def __init__(self, *, purpose: str = "", **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", forms.TextInput(attrs=picker_attrs(multiple=False, purpose=purpose))
        )
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if not text:
            return ""
        number = numbers.normalise(text)
        if number is None:
            raise _unreadable([text])
        return number


def filtered_customer(number: str | None) -> int | None:
    """The customer a list filter's file number names (None: no filter). A number of no
    file, or of one destroyed since, filters to the id it was given to, so the list comes
    back empty alike whether the file exists or not."""
    if not number:
        return None
    return numbers.customer_id(number) or numbers.given_id(number)


def missing_message(missing: list[str]) -> Any:
    """ "File number … does not exist or is outside what you may see" for ``missing``."""
    return _("File number %(numbers)s does not exist or is outside what you may see.") % {
        "numbers": "、".join(missing[:10])
    }


def resolve_customers(
    form: forms.Form,
    field: str,
    typed: list[str],
    *,
    principal: Principal | None,
    action: str = "customers.view",
) -> list[int] | None:
    """The customer ids of the file numbers ``typed`` in ``form``'s ``field``, within the
    reach of ``principal`` for ``action`` (``None``: any existing file, for a request to
    borrow files one cannot see yet); None, with the error on the field, when some name no
    such file."""
    named = customers_named(typed, principal=principal, action=action)
    if named.missing:
        form.add_error(field, missing_message(named.missing))
        return None
    return named.ids
