"""The customer portal ``/my/`` (IQ-3, D1.18): registration by a code sent to the mobile on
file, the login, the customer's policies, one policy, the notices sent, and the contact
changes the customer reports (D1.12). Thin views over ``veracity.portal``.

The portal has its own session (``veracity.portal.sessions``): a staff login is never read
here, and the customer is never a staff user. :func:`customer_principal` is the one place a
portal page makes its principal (``org.principals.Customer``); every policy shown is recorded
as a disclosure on channel ``web``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from veracity.audit.services import Actor, Event, audit_record
from veracity.core.masking import mask
from veracity.core.policy_events import CHANGE_WORDS, CLAIM_RESULT_WORDS
from veracity.core.refusals import Refusal
from veracity.customers.models import IdType
from veracity.db.addresses import request_address
from veracity.inquiry.disclosures import disclosure_record
from veracity.inquiry.models import InquiryChannel
from veracity.notices.selectors import notices_of
from veracity.org.principals import Customer, System
from veracity.policies.models import Policy, PolicyStatus, Role
from veracity.policies.service_facts import ServiceFacts
from veracity.portal import selectors, services
from veracity.portal.models import CodePurpose, ContactKind
from veracity.portal.refusals import PortalError
from veracity.portal.sessions import CUSTOMER_KEY, PORTAL_REALM, REALM_KEY, VERIFIED_KEY
from veracity.web.views.common import in_language

ACTION = "portal.self_service"
MASK_KIND = {ContactKind.PHONE: "phone", ContactKind.ADDRESS: "address", ContactKind.EMAIL: "email"}
PENDING_KEY = "portal_pending"  # the code request in progress: code id, purpose, tries
CONFIRMED_KEY = "portal_confirmed"  # the customer a code was confirmed for, and when
#: The one answer of a code request, whoever asks (D1.18: no enumeration).
CODE_SENT = _(
    "If the details are correct, a code has been sent to the mobile phone you registered with us."
)
#: Minutes a confirmed code lets the customer set the password.
CONFIRMED_MINUTES = 10

V = TypeVar("V", bound=Callable[..., Any])


def visitor(request: HttpRequest) -> System:
    """Someone not yet signed in on the portal, at the request's address."""
    return System("portal:visitor", address=request_address(request), purpose="portal")


def customer_principal(request: HttpRequest) -> Customer | None:
    """The signed-in portal customer of ``request`` (the portal session only), or ``None``."""
    session = request.session
    if session.get(REALM_KEY) != PORTAL_REALM or not session.get(CUSTOMER_KEY):
        return None
    return Customer(
        customer_id=int(session[CUSTOMER_KEY]),
        verified_by=str(session.get(VERIFIED_KEY, "password")),
        address=request_address(request),
        purpose="portal",
    )


def portal_required(view: V) -> V:
    """A portal page: the signed-in customer's own; anyone else goes to the portal's login
    (a staff login included — it is never read here)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        principal = customer_principal(request)
        if principal is None:
            return redirect("portal:login")
        response: HttpResponse = view(request, principal, *args, **kwargs)
        return response

    wrapped.veracity_action = ACTION  # type: ignore[attr-defined]
    return wrapped  # type: ignore[return-value]


def _words(error: Refusal) -> str:
    return in_language(error.message_zh, error.message_en)


def _sign_in(request: HttpRequest, customer_id: int, verified_by: str) -> None:
    request.session.cycle_key()
    for key in (PENDING_KEY, CONFIRMED_KEY):
        request.session.pop(key, None)
    request.session[REALM_KEY] = PORTAL_REALM
    request.session[CUSTOMER_KEY] = customer_id
    request.session[VERIFIED_KEY] = verified_by


def page(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """A portal page with the portal's own base (no staff navigation)."""
    context = {**context, "portal_signed_in": customer_principal(request) is not None}
    return render(request, template, context, status=status)


PREMIUM_WORDS = {
    "paid": _("Paid up"),
    "due": _("Premium due"),
    "overdue": _("Premium overdue"),
}


#: The latest lines of each history shown on a policy page (the page stays small on a phone).
SHOWN = 24


def _day(value: Any) -> str:
    return value.isoformat() if value else ""


def facts_view(facts: ServiceFacts) -> dict[str, Any]:
    """The facts in the page's words (no codes on a Chinese screen), each history as its
    latest :data:`SHOWN` lines, newest first; every format translated once per page."""
    coverage = facts.coverage or {}
    due, received, waiting = (
        gettext("Due %(due)s: %(amount)s yuan"),
        gettext("received %(on)s"),
        gettext("not yet received"),
    )
    paid, reported = gettext("Paid %(on)s: %(amount)s yuan"), gettext("reported %(on)s")
    claim_word = gettext("Claim")
    premiums = [
        (due % {"due": _day(p.due_on), "amount": p.amount})
        + " — "
        + (received % {"on": _day(p.received_on)} if p.received_on else waiting)
        for p in reversed(facts.premiums)
    ]
    claims = []
    for claim in reversed(facts.claims):
        lines = [f"{claim_word} {claim.claim_no}"]
        if claim.reported_on:
            lines.append(reported % {"on": _day(claim.reported_on)})
        for on, result, reason in claim.reviews:
            words = in_language(*CLAIM_RESULT_WORDS.get(result, ("", "")))
            lines.append(f"{_day(on)} {words}" + (f": {reason}" if reason else ""))
        lines += [paid % {"on": _day(on), "amount": amount} for on, amount in claim.payments]
        claims.append(lines)
    benefits = [
        paid % {"on": _day(on), "amount": amount} + (f" ({benefit})" if benefit else "")
        for on, benefit, amount in reversed(facts.benefits)
    ]
    changes = [
        f"{_day(line.on)} "
        + in_language(*CHANGE_WORDS.get(line.change, ("其他变更", "other change")))
        + (f": {line.note}" if line.note else "")
        for line in reversed(facts.changes)
    ]
    return {
        "facts": facts,
        "role": Role(facts.role).label,
        "status": PolicyStatus(facts.status).label if facts.status else "",
        "premium_status": PREMIUM_WORDS.get(facts.premium_status, ""),
        "coverage_period": coverage.get("coverage_period") or "",
        "payment_period": coverage.get("payment_period") or "",
        "riders": [r.get("name") or "" for r in coverage.get("riders") or [] if r.get("name")],
        "premiums": premiums[:SHOWN],
        "claims": claims[:SHOWN],
        "benefits": benefits[:SHOWN],
        "changes": changes[:SHOWN],
        "more": any(len(lines) > SHOWN for lines in (premiums, claims, benefits, changes)),
    }


def id_type_choices() -> list[tuple[str, Any]]:
    return [(c.value, c.label) for c in IdType]


# --- forms ----------------------------------------------------------------------------------


class IdentityForm(forms.Form):
    id_type = forms.ChoiceField(label=_("ID type"), choices=id_type_choices)
    id_number = forms.CharField(label=_("ID number"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=100)
    policy_no = forms.CharField(label=_("One of your policy numbers"), max_length=40)


class LoginForm(forms.Form):
    id_type = forms.ChoiceField(label=_("ID type"), choices=id_type_choices)
    id_number = forms.CharField(label=_("ID number"), max_length=40)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=128)


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Code from the text message"), max_length=12)


class PasswordForm(forms.Form):
    password = forms.CharField(
        label=_("New password"), widget=forms.PasswordInput, max_length=128, strip=False
    )
    password2 = forms.CharField(
        label=_("New password again"), widget=forms.PasswordInput, max_length=128, strip=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password") or "", data.get("password2") or ""
        if first and second and first != second:
            raise forms.ValidationError(_("The two passwords differ."))
        if first:
            for problem in services.password_problems(first):
                self.add_error("password", problem)
        return data


class ContactForm(forms.Form):
    kind = forms.ChoiceField(label=_("What has changed"), choices=ContactKind.choices)
    value = forms.CharField(label=_("New value"), max_length=300)


# --- signing in -------------------------------------------------------------------------------


def login(request: HttpRequest) -> HttpResponse:
    if customer_principal(request) is not None:
        return redirect("portal:home")
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        result = services.portal_login(
            principal=visitor(request),
            id_type=data["id_type"],
            id_number=data["id_number"],
            password=data["password"],
        )
        if result.customer_id is not None:
            _sign_in(request, result.customer_id, "password")
            return redirect("portal:home")
        if result.lockout is not None:
            minutes = max(1, int((result.lockout.until - timezone.now()).total_seconds() // 60) + 1)
            error = _words(PortalError("locked", "password", minutes=minutes))
        else:
            error = _words(PortalError("login", "password"))
    status = 400 if error else 200
    return page(request, "portal/login.html", {"form": form, "error": error}, status=status)


def _identity(request: HttpRequest, purpose: str) -> HttpResponse:
    form = IdentityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ticket = services.portal_code_request(
            principal=visitor(request),
            purpose=purpose,
            policy_no=data["policy_no"],
            name=data["name"],
            id_type=data["id_type"],
            id_number=data["id_number"],
        )
        request.session[PENDING_KEY] = {"code": ticket.code_id, "purpose": purpose, "tries": 0}
        request.session.pop(CONFIRMED_KEY, None)
        messages.info(request, CODE_SENT)
        return redirect("portal:code")
    template = "portal/register.html"
    return page(
        request,
        template,
        {"form": form, "reset": purpose == CodePurpose.RESET},
        status=400 if form.errors else 200,
    )


def register(request: HttpRequest) -> HttpResponse:
    """Registration: ID type and number, name, one policy number → a code to the mobile on
    file (the same answer whether or not the person exists)."""
    return _identity(request, CodePurpose.REGISTRATION)


def reset(request: HttpRequest) -> HttpResponse:
    """忘记密码: the same steps, for a customer already registered."""
    return _identity(request, CodePurpose.RESET)


def code(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return redirect("portal:register")
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        pending["tries"] = int(pending.get("tries", 0)) + 1
        customer_id = services.portal_code_verify(
            principal=visitor(request),
            code_id=pending.get("code"),
            purpose=pending["purpose"],
            code=form.cleaned_data["code"],
        )
        if customer_id is not None:
            request.session.pop(PENDING_KEY, None)
            request.session[CONFIRMED_KEY] = {
                "customer": customer_id,
                "purpose": pending["purpose"],
                "at": timezone.now().isoformat(),
            }
            return redirect("portal:password")
        if pending["tries"] >= services.otp_settings()["max_tries"]:
            request.session.pop(PENDING_KEY, None)
        else:
            request.session[PENDING_KEY] = pending
        error = _words(PortalError("code", "code"))
    return page(
        request,
        "portal/code.html",
        {"form": form, "error": error, "expired": PENDING_KEY not in request.session},
        status=400 if error else 200,
    )


def _confirmed(request: HttpRequest) -> dict[str, Any] | None:
    confirmed = request.session.get(CONFIRMED_KEY)
    if not confirmed:
        return None
    at = datetime.fromisoformat(confirmed["at"])
    if (timezone.now() - at).total_seconds() > CONFIRMED_MINUTES * 60:
        request.session.pop(CONFIRMED_KEY, None)
        return None
    return dict(confirmed)


def password(request: HttpRequest) -> HttpResponse:
    confirmed = _confirmed(request)
    if confirmed is None:
        return redirect("portal:register")
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        principal = Customer(
            customer_id=int(confirmed["customer"]),
            verified_by="sms_code",
            address=request_address(request),
            purpose="portal",
        )
        services.portal_password_set(principal=principal, password=form.cleaned_data["password"])
        _sign_in(request, principal.customer_id, "password")
        return redirect("portal:home")
    return page(request, "portal/password.html", {"form": form}, status=400 if form.errors else 200)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    principal = customer_principal(request)
    if principal is not None:
        services.portal_logout(principal=principal)
    request.session.flush()
    return redirect("portal:login")


def language(request: HttpRequest) -> HttpResponse:
    """The language switch, inside the portal (the staff one would read the staff session)."""
    return set_language(request)


# --- the customer's pages ---------------------------------------------------------------------


def _disclose(
    principal: Customer, policy: Policy, facts: ServiceFacts, sections: set[str], page: str
) -> None:
    disclosure_record(
        principal=principal,
        channel=InquiryChannel.WEB,
        policy=policy,
        role=facts.role,
        customer_id=principal.customer_id,
        sections=sorted(sections & set(facts.sections)),
        detail={"page": page},
    )


def _page_read(principal: Customer, page: str) -> None:
    audit_record(
        actor=Actor.of_principal(principal),
        event=Event(
            action="portal.viewed",
            object_type="portal",
            object_id=page,
            customer_id=principal.customer_id,
            purpose="portal",
        ),
    )


@portal_required
def home(request: HttpRequest, principal: Customer) -> HttpResponse:
    lines = selectors.customer_policies(
        customer_id=principal.customer_id, as_of=timezone.localdate()
    )
    for line in lines:
        _disclose(principal, line.policy, line.facts, {"policy", "premiums"}, "home")
    if not lines:
        _page_read(principal, "home")
    shown = [
        {
            "line": line,
            "role": Role(line.role).label,
            "premium": PREMIUM_WORDS.get(line.premium_status, ""),
        }
        for line in lines
    ]
    return page(request, "portal/home.html", {"lines": shown})


@portal_required
def policy(request: HttpRequest, principal: Customer, policy_no: str) -> HttpResponse:
    try:
        found, facts = selectors.customer_policy(
            customer_id=principal.customer_id, policy_no=policy_no, as_of=timezone.localdate()
        )
    except PortalError as error:
        _page_read(principal, "policy_not_found")
        return page(request, "portal/not_found.html", {"error": _words(error)}, status=404)
    _disclose(principal, found, facts, set(facts.sections), "policy")
    return page(request, "portal/policy.html", facts_view(facts))


def notices_of_customer(customer_id: int) -> list[dict[str, Any]]:
    """The notices sent to the customer (``veracity.notices.selectors.notices_of``), one line
    per notice however many channels carried it: its text, and how each channel fared
    (短信 已送达, 电子邮件 已发送 …)."""
    zh = (get_language() or "zh-hans").startswith("zh")
    lines: dict[int, dict[str, Any]] = {}
    for n in notices_of(customer_id=customer_id):
        line = lines.setdefault(
            n.event_id,
            {"sent_at": n.at, "policy_no": n.policy_no, "text": "", "channels": []},
        )
        if n.text and (not line["text"] or n.channel == "portal"):
            line["text"] = n.text
            line["subject"] = n.subject
        if n.channel != "portal":
            line["channels"].append(
                f"{n.channel_zh} {n.status_zh}" if zh else f"{n.channel_en}: {n.status_en}"
            )
    return list(lines.values())


@portal_required
def notices(request: HttpRequest, principal: Customer) -> HttpResponse:
    _page_read(principal, "notices")
    rows = notices_of_customer(principal.customer_id)
    return page(request, "portal/notices.html", {"notices": rows})


@portal_required
def contact(request: HttpRequest, principal: Customer) -> HttpResponse:
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_change_request(
                principal=principal,
                kind=form.cleaned_data["kind"],
                value=form.cleaned_data["value"],
            )
        except Refusal as error:
            form.add_error("value", _words(error))
        else:
            messages.success(
                request, _("Thank you. Customer service will verify the change with you.")
            )
            return redirect("portal:contact")
    _page_read(principal, "contact")
    rows = [
        (row, mask(row.value, MASK_KIND[ContactKind(row.kind)]))
        for row in selectors.customer_change_requests(customer_id=principal.customer_id)[:20]
    ]
    return page(
        request,
        "portal/contact.html",
        {"form": form, "rows": rows},
        status=400 if form.errors else 200,
    )
