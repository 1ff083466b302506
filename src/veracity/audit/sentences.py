"""Audit events as sentences people read, in the page's language.

"孙明 查看了客户 C0000000010 的个人信息，目的：问题件调查" — one function, :func:`sentence`,
maps an event's action, object type and details to a gettext sentence with named
parameters: people by their full name (their login in a tooltip), customers by their file
number (档案号), purposes, steps and object types as words. Nothing here queries the
database per event: the caller resolves the page's people, file numbers and links in one
batch each and passes them in (:class:`Context`). An action this module does not know
still reads as a sentence (the action's label, or "an action not described here"), never
as a code.

The apps above the trail teach it their words (``register_words``: the case steps, the
stages) from their ``AppConfig.ready()``; the trail never imports them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from veracity.audit.models import Action, AuditEvent

#: Purposes as words (the same msgids as the purpose lists of the pages).
PURPOSE_WORDS: dict[str, Any] = {
    "customer_service": gettext_lazy("Customer-service inquiry"),
    "problem_item": gettext_lazy("Problem-item investigation"),
    "callback": gettext_lazy("Callback"),
    "compliance_check": gettext_lazy("Compliance check"),
    "report": gettext_lazy("Statistics or report"),
    "other": gettext_lazy("Other"),
    "audit": pgettext_lazy("audit purpose", "Audit"),
    "application_review": gettext_lazy("Application review"),
}

#: What a search was by (``detail["kind"]``).
SEARCH_KINDS: dict[str, Any] = {
    "name": pgettext_lazy("searched by", "name"),
    "id_number": pgettext_lazy("searched by", "ID number"),
    "phone": pgettext_lazy("searched by", "phone number"),
    "account": pgettext_lazy("searched by", "bank account"),
}

#: Kinds of personal data shown in full (``detail["fields"]`` of an unmask).
FIELD_WORDS: dict[str, Any] = {
    "id_number": pgettext_lazy("personal data", "ID number"),
    "phone": pgettext_lazy("personal data", "phone number"),
    "address": pgettext_lazy("personal data", "address"),
    "email": pgettext_lazy("personal data", "e-mail address"),
    "account": pgettext_lazy("personal data", "bank account"),
    "name": pgettext_lazy("personal data", "name"),
}

#: Words taught by the apps above: ``{"case_step": {"verify": "Verified", …}, …}``.
_WORDS: dict[str, dict[str, Any]] = {}


def register_words(name: str, choices: Iterable[tuple[str, Any]]) -> None:
    """Teach the trail the words of a set of codes (an app's ``TextChoices.choices``)."""
    _WORDS.setdefault(name, {}).update(dict(choices))


def word(name: str, code: Any) -> str:
    """The word for ``code`` in the set ``name``; a readable stand-in when unknown."""
    found = _WORDS.get(name, {}).get(str(code))
    return str(found) if found is not None else _("another step")


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    login: str


@dataclass(slots=True)
class Context:
    """What the page resolved in batches: people per user id, file numbers per customer id,
    and ``link(object_type, object_id) -> url or ""`` (only for objects the reader may
    open)."""

    people: Mapping[int, Person] = field(default_factory=dict)
    numbers: Mapping[int, str] = field(default_factory=dict)
    link: Callable[[str, str], str] = lambda _type, _id: ""


def detail_of(event: AuditEvent) -> dict[str, Any]:
    """The event's details as a mapping (``{}`` when empty or not a JSON object)."""
    try:
        value = json.loads(event.detail or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def customer_ids_of(events: Iterable[AuditEvent]) -> set[int]:
    """Every customer a page of events names (for one batched file-number look-up)."""
    ids: set[int] = set()
    for e in events:
        if e.customer_id is not None:
            ids.add(int(e.customer_id))
        if e.object_type == "customer" and str(e.object_id).isdigit():
            ids.add(int(e.object_id))
        customers = detail_of(e).get("customers")
        if isinstance(customers, list):
            ids.update(c for c in customers if isinstance(c, int))
    return ids


def _who(event: AuditEvent, ctx: Context) -> SafeString:
    person = ctx.people.get(event.actor_id) if event.actor_id is not None else None
    label = event.actor or ""
    if person is not None and label == person.login:
        return format_html('<span class="person" title="{}">{}</span>', person.login, person.name)
    if label.startswith("system:"):
        return format_html('<span class="person" title="{}">{}</span>', label, _("the system"))
    if label.startswith("api:"):
        return format_html(
            '<span class="person" title="{}">{}</span>', label, _("a connected system")
        )
    if label.startswith("customer:"):
        return format_html('<span class="person" title="{}">{}</span>', label, _("a customer"))
    if label in ("", "anonymous"):
        return format_html("<span>{}</span>", _("someone not signed in"))
    return format_html('<span class="person" title="{}">{}</span>', label, label)


def _number(customer_id: int, ctx: Context) -> SafeString:
    number = ctx.numbers.get(int(customer_id)) or _("a removed file")
    url = ctx.link("customer", str(customer_id))
    if url:
        return format_html('<a href="{}">{}</a>', url, number)
    return format_html('<span class="archive-no">{}</span>', number)


def _customer_of(event: AuditEvent) -> int | None:
    if event.customer_id is not None:
        return int(event.customer_id)
    if event.object_type == "customer" and str(event.object_id).isdigit():
        return int(event.object_id)
    return None


#: Objects by type: the words, with the object's number.
_OBJECT_WORDS: dict[str, Any] = {
    "access_request": gettext_lazy("access request No. %(n)s"),
    "access_grant": gettext_lazy("borrowing No. %(n)s"),
    "destruction_request": gettext_lazy("destruction request No. %(n)s"),
    "problem_item": gettext_lazy("problem item No. %(n)s"),
    "evidence": gettext_lazy("evidence No. %(n)s"),
    "application": gettext_lazy("application No. %(n)s"),
    "policy": gettext_lazy("policy No. %(n)s"),
    "incident": gettext_lazy("leak incident No. %(n)s"),
    "inspection": gettext_lazy("archive inspection No. %(n)s"),
    "legal_hold": gettext_lazy("legal hold No. %(n)s"),
    "destruction_certificate": gettext_lazy("destruction certificate No. %(n)s"),
}
_OBJECT_PLAIN: dict[str, Any] = {
    "page": gettext_lazy("a page"),
    "audit_trail": gettext_lazy("the audit trail"),
    "audit_chain": gettext_lazy("the audit chain"),
    "problem_item_list": gettext_lazy("the problem-item list"),
    "problem_items": gettext_lazy("the problem-item list"),
    "file": gettext_lazy("an import file"),
    "user": gettext_lazy("a staff account"),
    "otp_device": gettext_lazy("a two-factor device"),
    "login_lockout": gettext_lazy("a login lock"),
    "seller": gettext_lazy("a seller"),
    "retention_rule": gettext_lazy("a retention rule"),
    "detection_run": gettext_lazy("a detection run"),
    "api_client": gettext_lazy("a connected system"),
    "workcal.calendar": gettext_lazy("the working-day calendar"),
}


def _object(event: AuditEvent, ctx: Context) -> SafeString:
    otype, oid = event.object_type or "", str(event.object_id or "")
    if otype == "customer" and oid.isdigit():
        return format_html("{} {}", _("customer"), _number(int(oid), ctx))
    if otype in _OBJECT_WORDS and oid:
        text = str(_OBJECT_WORDS[otype]) % {"n": oid}
        url = ctx.link(otype, oid)
        return format_html('<a href="{}">{}</a>', url, text) if url else format_html("{}", text)
    if otype in _OBJECT_PLAIN:
        return format_html("{}", _OBJECT_PLAIN[otype])
    return format_html("{}", _("a record"))


def _purpose(code: str) -> str:
    if not code:
        return ""
    found = PURPOSE_WORDS.get(code)
    # an unknown code is still words on the page (the code is kept in the event's details)
    return str(found) if found is not None else str(PURPOSE_WORDS["other"])


def _say(template: str, **params: Any) -> SafeString:
    """``template`` (a translated sentence, trusted) with its parameters escaped."""
    safe = {k: (v if isinstance(v, SafeString) else escape(v)) for k, v in params.items()}
    return mark_safe(template % safe)  # noqa: S308 (every parameter is escaped above)


def _with_purpose(text: SafeString, event: AuditEvent) -> SafeString:
    purpose = _purpose(event.purpose)
    if not purpose:
        return text
    return _say(_("%(sentence)s, purpose: %(purpose)s"), sentence=text, purpose=purpose)


def sentence(event: AuditEvent, ctx: Context) -> SafeString:
    """The event as one sentence in the active language (HTML, parameters escaped)."""
    d = detail_of(event)
    who = _who(event, ctx)
    obj = _object(event, ctx)
    customer = _customer_of(event)
    action = event.action
    if action == Action.VIEW_PERSONAL_DATA:
        if event.object_type == "customer" and customer is not None:
            text = _say(
                _("%(who)s viewed the personal data of customer %(customer)s"),
                who=who,
                customer=_number(customer, ctx),
            )
        else:
            text = _say(_("%(who)s viewed the personal data in %(object)s"), who=who, object=obj)
        return _with_purpose(text, event)
    if action == Action.UNMASK:
        fields = [str(FIELD_WORDS[f]) for f in d.get("fields", []) if f in FIELD_WORDS]
        target = _number(customer, ctx) if customer is not None else obj
        if fields:
            text = _say(
                _("%(who)s viewed the full %(fields)s of customer %(customer)s"),
                who=who,
                fields=pgettext("list separator", ", ").join(fields),
                customer=target,
            )
        else:
            text = _say(
                _("%(who)s viewed the unmasked file of customer %(customer)s"),
                who=who,
                customer=target,
            )
        return _with_purpose(text, event)
    if action == Action.SEARCH_PERSONAL_DATA:
        kind = SEARCH_KINDS.get(str(d.get("kind", "")))
        results = d.get("results")
        count = len(results) if isinstance(results, list) else None
        if kind is not None and count is not None:
            text = _say(
                _("%(who)s searched customers by %(kind)s and found %(count)s"),
                who=who,
                kind=str(kind),
                count=str(count),
            )
        elif kind is not None:
            text = _say(_("%(who)s searched customers by %(kind)s"), who=who, kind=str(kind))
        else:
            text = _say(_("%(who)s searched customers by personal data"), who=who)
        return _with_purpose(text, event)
    if action == Action.ACCESS_REFUSED:
        if event.object_type == "page":
            text = _say(_("%(who)s was refused a page they may not open"), who=who)
        else:
            text = _say(_("%(who)s was refused access to %(object)s"), who=who, object=obj)
        if not event.purpose and d.get("purpose"):
            purpose = _purpose(str(d["purpose"]))
            return _say(_("%(sentence)s, purpose: %(purpose)s"), sentence=text, purpose=purpose)
        return _with_purpose(text, event)
    if action == Action.ACCESS_REQUEST:
        ids = [c for c in d.get("customers", []) if isinstance(c, int)]
        if ids:
            listed = mark_safe(", ".join(str(_number(c, ctx)) for c in ids[:10]))  # noqa: S308
            text = _say(
                _("%(who)s asked for access to customer %(customers)s (%(object)s)"),
                who=who,
                customers=listed,
                object=obj,
            )
        else:
            text = _say(_("%(who)s asked for %(object)s"), who=who, object=obj)
        return _with_purpose(text, event)
    if action == Action.APPROVAL:
        if d.get("withdrawn"):
            text = _say(_("%(who)s withdrew %(object)s"), who=who, object=obj)
        elif d.get("approve") is True:
            text = _say(_("%(who)s approved %(object)s"), who=who, object=obj)
        elif d.get("approve") is False:
            text = _say(_("%(who)s rejected %(object)s"), who=who, object=obj)
        else:
            text = _say(_("%(who)s decided on %(object)s"), who=who, object=obj)
        return _with_purpose(text, event)
    if action == Action.CASE_STEP:
        return _say(
            _("%(who)s recorded on %(object)s: %(step)s"),
            who=who,
            object=obj,
            step=word("case_step", d.get("step", "")),
        )
    if action == Action.GRANT_RETURN:
        return _say(_("%(who)s returned the files borrowed under %(object)s"), who=who, object=obj)
    if action == Action.GRANT_EXPIRED:
        if customer is not None:
            return _say(
                _("The borrowing of customer %(customer)s's file ended (%(object)s)"),
                customer=_number(customer, ctx),
                object=obj,
            )
        return _say(_("%(object)s ended"), object=obj)
    if action == Action.EXPORT:
        text = _say(_("%(who)s exported customer data under %(object)s"), who=who, object=obj)
        return _with_purpose(text, event)
    if action == Action.LOGIN:
        return _say(_("%(who)s signed in"), who=who)
    if action == Action.LOGOUT:
        return _say(_("%(who)s signed out"), who=who)
    if action == Action.LOGIN_FAILED:
        return _say(_("A sign-in as %(who)s failed"), who=who)
    if action == Action.AUDIT_EXPORT:
        return _say(_("%(who)s exported the audit trail"), who=who)
    if action == Action.AUDIT_VERIFY:
        if d.get("ok") is True:
            return _say(_("%(who)s verified the audit chain: intact"), who=who)
        if d.get("ok") is False:
            return _say(_("%(who)s verified the audit chain: broken"), who=who)
        return _say(_("%(who)s verified the audit chain"), who=who)
    labels = dict(Action.choices)
    if action in labels:
        text = _say(
            _("%(who)s: %(action)s (%(object)s)"),
            who=who,
            action=str(labels[action]),
            object=obj,
        )
        if customer is not None and event.object_type != "customer":
            text = _say(
                _("%(sentence)s, about customer %(customer)s"),
                sentence=text,
                customer=_number(customer, ctx),
            )
        return _with_purpose(text, event)
    return _with_purpose(
        _say(_("%(who)s did something not described here (%(object)s)"), who=who, object=obj),
        event,
    )


#: Labels of the details kept with an event; any other key is shown as "other".
DETAIL_LABELS: dict[str, Any] = {
    "fields": gettext_lazy("Data shown in full"),
    "kind": gettext_lazy("Kind"),
    "results": gettext_lazy("Results"),
    "query": gettext_lazy("Searched for (masked)"),
    "page": gettext_lazy("Result page"),
    "step": gettext_lazy("Step"),
    "from": gettext_lazy("Stage before"),
    "to": gettext_lazy("Stage after"),
    "note": gettext_lazy("Note"),
    "approve": gettext_lazy("Approved"),
    "reason": gettext_lazy("Reason"),
    "withdrawn": gettext_lazy("Withdrawn"),
    "customers": gettext_lazy("Customers"),
    "rows": gettext_lazy("Rows"),
    "what": gettext_lazy("What"),
    "watermark": gettext_lazy("Watermark"),
    "filters": gettext_lazy("Filter"),
    "format": gettext_lazy("Format"),
    "path": gettext_lazy("Address"),
    "method": gettext_lazy("Request method"),
    "action": gettext_lazy("Refused action"),
    "purpose": gettext_lazy("Purpose"),
    "ok": gettext_lazy("Chain intact"),
    "events": gettext_lazy("Events"),
    "head_seq": gettext_lazy("Head"),
}


def _value(value: Any) -> str:
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value(v)}" for k, v in value.items())
    return str(value)


def detail_fields(event: AuditEvent, ctx: Context) -> list[tuple[str, str]]:
    """The event's details as (label, value) pairs for the expandable part of a row:
    customers by file number, steps and purposes as words."""
    d = detail_of(event)
    rows: list[tuple[str, str]] = []
    other: list[str] = []
    for key, value in d.items():
        if key not in DETAIL_LABELS:
            other.append(f"{key}: {_value(value)}")
            continue
        if key in ("customers", "results") and isinstance(value, list):
            shown = pgettext("list separator", ", ").join(
                ctx.numbers.get(v, "—") for v in value if isinstance(v, int)
            )
            rows.append((str(DETAIL_LABELS[key]), shown or "—"))
        elif key == "fields" and isinstance(value, list):
            rows.append(
                (
                    str(DETAIL_LABELS[key]),
                    pgettext("list separator", ", ").join(
                        str(FIELD_WORDS.get(f, f)) for f in value
                    ),
                )
            )
        elif key == "kind" and str(value) in SEARCH_KINDS:
            rows.append((str(DETAIL_LABELS[key]), str(SEARCH_KINDS[str(value)])))
        elif key == "step" and event.action == Action.CASE_STEP:
            rows.append((str(DETAIL_LABELS[key]), word("case_step", value)))
        elif key in ("from", "to") and event.action == Action.CASE_STEP:
            rows.append((str(DETAIL_LABELS[key]), word("stage", value) if value else "—"))
        elif key == "purpose":
            rows.append((str(DETAIL_LABELS[key]), _purpose(str(value)) or "—"))
        else:
            rows.append((str(DETAIL_LABELS[key]), _value(value)))
    if other:
        rows.append((_("Other details"), "; ".join(other)))
    return rows
