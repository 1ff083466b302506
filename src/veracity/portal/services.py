"""The customer portal's use cases (IQ-3, D1.18): registration by a one-time code sent to the
mobile on file, the password, the login with its lockout, and the contact changes a customer
reports (D1.12) that customer service verifies and applies.

**One-time codes: written here, not django-otp.** django-otp's devices belong to a Django
user, and a portal customer is not one (nor may become one: no staff role ever applies to a
customer). What is needed is small: a 6-digit code from ``secrets``, kept only as a keyed
hash (HMAC with the site's secret, so a copy of the table does not give the codes), valid 5
minutes, at most 5 tries, used once (``VERACITY_PORTAL_OTP``), and the sending limits per phone
— 1 a minute, 5 an hour, 10 a day (``VERACITY_PORTAL_SMS_LIMITS``) — counted on ``CodeSend``.

**Login lockout: mirrored from ``veracity.signin``, not reused, not django-axes.** The staff
lockout (``veracity.signin.services``) is the right rule — failures per account and per
address counted over a window, a lockout row with its end — but it sits above the portal in
the layers and is keyed on staff usernames, and django-axes is built around Django users and
``authenticate()``. So the portal keeps the same rule on its own two tables
(``PortalLoginFailure``, ``PortalLockout``; ``VERACITY_PORTAL_LOGIN_LIMITS``), keyed on the
blind index of the ID document typed (the account) and the address.

**The same answer for everyone.** A code request answers the same whether or not the person
is a party of the policy, already registered, has a mobile on file or reached the sending
limit: :class:`CodeTicket` carries a code id only for the session to remember, and the
screen's words never differ. The audit trail records what really happened.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from veracity.audit.services import Actor, Event, audit_record
from veracity.core import contact
from veracity.customers.corrections import changes_parse, customer_correct
from veracity.customers.corrections import customer_recheck as _recheck
from veracity.customers.models import Address, Email, IdentityDocument, Phone
from veracity.customers.services import address_key, email_key, id_key, phone_key
from veracity.incidents.selectors import users_with_roles
from veracity.inquiry.disclosures import channel_event_record
from veracity.inquiry.models import ChannelEventKind, InquiryChannel
from veracity.inquiry.parties import party_match
from veracity.notify.services import tell
from veracity.notify.sms import SmsMessage, send_sms
from veracity.org.principals import Customer, Principal, acting_user
from veracity.org.roles import RoleName
from veracity.portal.models import (
    ChangeStatus,
    CodePurpose,
    CodeSend,
    ContactChangeRequest,
    ContactKind,
    LockKind,
    OneTimeCode,
    PortalAccount,
    PortalLockout,
    PortalLoginFailure,
)
from veracity.portal.refusals import ContactChangeError, PortalError

WEB = InquiryChannel.WEB
KEEP_FAILURES = timedelta(days=1)
#: A hash checked when no account exists, so an unknown person costs the same time.
_DUMMY_HASH = make_password("veracity-portal-no-such-account")


def _conf(name: str, defaults: dict[str, int]) -> dict[str, int]:
    given = dict(getattr(settings, name, {}) or {})
    return {k: int(given.get(k, v)) for k, v in defaults.items()}


def otp_settings() -> dict[str, int]:
    return _conf("VERACITY_PORTAL_OTP", {"digits": 6, "valid_minutes": 5, "max_tries": 5})


def sms_limits() -> dict[str, int]:
    return _conf("VERACITY_PORTAL_SMS_LIMITS", {"minute": 1, "hour": 5, "day": 10})


def login_limits() -> dict[str, int]:
    return _conf(
        "VERACITY_PORTAL_LOGIN_LIMITS",
        {"account": 5, "address": 20, "window_minutes": 15, "lockout_minutes": 15},
    )


def _audit(principal: Principal, action: str, customer_id: int | None, **detail: Any) -> None:
    audit_record(
        actor=Actor.of_principal(principal),
        event=Event(
            action=action,
            object_type="portal",
            object_id=str(customer_id or ""),
            customer_id=customer_id,
            purpose="portal",
            detail=detail,
        ),
    )


# --- one-time codes -------------------------------------------------------------------------


def _code_hash(code: str, salt: str) -> str:
    digest = salted_hmac("veracity.portal.otp", f"{salt}:{code}", algorithm="sha256").hexdigest()
    return f"{salt}${digest}"


def _code_matches(code: str, stored: str) -> bool:
    salt, _, _digest = stored.partition("$")
    return constant_time_compare(_code_hash(code, salt), stored)


def new_code(digits: int = 6) -> str:
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def mobile_on_file(customer_id: int) -> Phone | None:
    """The customer's mobile on file: the latest valid mobile number (never one typed in)."""
    return (
        Phone.objects.filter(customer_id=customer_id, kind="mobile", valid=True)
        .order_by("-created_at", "-pk")
        .first()
    )


def sending_allowed(phone_bidx: str, *, now: datetime) -> bool:
    """Under every sending limit for this phone (a minute, an hour, a day)."""
    limits = sms_limits()
    spans = [
        ("minute", timedelta(minutes=1)),
        ("hour", timedelta(hours=1)),
        ("day", timedelta(days=1)),
    ]
    sent = CodeSend.objects.filter(phone_bidx=phone_bidx, at__gt=now - timedelta(days=1))
    times = list(sent.values_list("at", flat=True))
    return all(sum(1 for t in times if t > now - span) < limits[name] for name, span in spans)


@dataclass(frozen=True, slots=True)
class CodeTicket:
    """What the session remembers of a code request: the code's id when one was sent, else
    ``None`` (the screen says the same either way)."""

    code_id: int | None
    purpose: str


@transaction.atomic
def portal_code_request(
    *,
    principal: Principal,
    purpose: str,
    policy_no: str,
    name: str,
    id_type: str,
    id_number: str,
    now: datetime | None = None,
) -> CodeTicket:
    """Send a one-time code to the mobile on file of the party of ``policy_no`` that the
    stated name and ID document are (any role): for ``registration`` when the customer has
    no portal account yet, for ``reset`` (忘记密码) when they have one. Nothing is sent for
    an unknown person, a registered one asking to register, no mobile on file, or a phone at
    its sending limit — and the answer is the same."""
    now = now or timezone.now()
    purpose = CodePurpose(purpose).value
    match = party_match(
        policy_no=policy_no.strip(), name=name, id_type=id_type, id_number=id_number
    )
    customer_id = match.customer_id if match else None
    outcome, code_id = "no_match", None
    if customer_id is not None:
        registered = PortalAccount.objects.filter(customer_id=customer_id, is_active=True).exists()
        phone = mobile_on_file(customer_id)
        if purpose == CodePurpose.REGISTRATION and registered:
            outcome = "already_registered"
        elif purpose == CodePurpose.RESET and not registered:
            outcome = "not_registered"
        elif phone is None:
            outcome = "no_mobile"
        elif not sending_allowed(phone.number_bidx, now=now):
            outcome = "sending_limit"
        else:
            code_id = _code_send(customer_id, phone, purpose, now, principal)
            outcome = "sent"
    _audit(principal, "portal.code_requested", customer_id, purpose=purpose, outcome=outcome)
    return CodeTicket(code_id=code_id, purpose=purpose)


def _code_send(
    customer_id: int, phone: Phone, purpose: str, now: datetime, principal: Principal
) -> int:
    conf = otp_settings()
    code = new_code(conf["digits"])
    row = OneTimeCode.objects.create(
        purpose=purpose,
        customer_id=customer_id,
        code_hash=_code_hash(code, secrets.token_hex(8)),
        phone_bidx=phone.number_bidx,
        created_at=now,
        expires_at=now + timedelta(minutes=conf["valid_minutes"]),
    )
    CodeSend.objects.create(phone_bidx=phone.number_bidx, at=now)
    channel_event_record(
        channel=WEB,
        kind=ChannelEventKind.OTP_SENT,
        customer_id=customer_id,
        address=principal.address,
    )
    message = SmsMessage(
        notice_id=f"otp-{row.pk}", to=phone.number, template="PORTAL_OTP", params={"code": code}
    )
    transaction.on_commit(lambda: send_sms(message))
    return row.pk


@transaction.atomic
def portal_code_verify(
    *,
    principal: Principal,
    code_id: int | None,
    purpose: str,
    code: str,
    now: datetime | None = None,
) -> int | None:
    """The customer the code ``code_id`` was sent to when ``code`` is it, unused, unexpired
    and within its tries (each attempt counts); else ``None``. The code is then used up."""
    now = now or timezone.now()
    conf = otp_settings()
    row = (
        OneTimeCode.objects.select_for_update().filter(pk=code_id, purpose=purpose).first()
        if code_id
        else None
    )
    typed = "".join(ch for ch in str(code or "") if ch.isdigit())[:12]
    ok = False
    if row is not None and row.used_at is None and row.tries < conf["max_tries"]:
        row.tries += 1
        ok = row.expires_at > now and _code_matches(typed, row.code_hash)
        if ok:
            row.used_at = now
        row.save(update_fields=["tries", "used_at"])
    customer_id = row.customer_id if row is not None else None
    _audit(principal, "portal.code_checked", customer_id, purpose=purpose, ok=ok)
    return customer_id if ok else None


# --- the password and the login --------------------------------------------------------------


def password_problems(password: str) -> list[str]:
    """Django's validators (``AUTH_PASSWORD_VALIDATORS``) over ``password``: their messages."""
    try:
        validate_password(password)
    except ValidationError as error:
        return [str(m) for m in error.messages]
    return []


@transaction.atomic
def portal_password_set(*, principal: Customer, password: str) -> PortalAccount:
    """Give the verified customer (just verified by a code) a portal password: registers the
    account, or replaces the password of one already registered (忘记密码)."""
    if password_problems(password):
        raise PortalError("password", "password")
    account, created = PortalAccount.objects.select_for_update().get_or_create(
        customer_id=principal.customer_id, defaults={"password": make_password(password)}
    )
    if not created:
        account.password = make_password(password)
        account.is_active = True
        account.save(update_fields=["password", "is_active"])
    else:
        channel_event_record(
            channel=WEB,
            kind=ChannelEventKind.REGISTRATION,
            customer_id=principal.customer_id,
            address=principal.address,
        )
    action = "portal.registered" if created else "portal.password_reset"
    _audit(principal, action, principal.customer_id, verified_by=principal.verified_by)
    return account


def account_key(id_type: str, id_number: str) -> str:
    """The account a login attempt is for: the blind index of the ID document typed."""
    key = id_key(id_type or "", id_number or "")
    if key is not None:
        return f"id:{key[2]}"
    typed = "".join(str(id_number or "").split()).upper()
    return "typed:" + salted_hmac("veracity.portal.login", typed).hexdigest()[:40]


def lockout_active(*, key: str, ip: str, now: datetime) -> PortalLockout | None:
    """The lockout in force for this account or this address (the later-ending), if any."""
    found = [
        lock
        for kind, value in ((LockKind.ACCOUNT, key), (LockKind.ADDRESS, ip[:45]))
        if value
        for lock in PortalLockout.objects.filter(kind=kind, key=value, until__gt=now).order_by(
            "-until"
        )[:1]
    ]
    return max(found, key=lambda lock: lock.until) if found else None


def _failures_since(kind: str, key: str, since: datetime) -> int:
    last = (
        PortalLockout.objects.filter(kind=kind, key=key)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    if last is not None and last >= since:
        since = last  # failures that already locked once do not lock again
    if kind == LockKind.ACCOUNT:
        return PortalLoginFailure.objects.filter(account_key=key, at__gt=since).count()
    return PortalLoginFailure.objects.filter(ip=key, at__gt=since).count()


def _failure_record(
    *, principal: Principal, key: str, customer_id: int | None, now: datetime
) -> PortalLockout | None:
    limits, ip = login_limits(), principal.address[:45]
    since = now - timedelta(minutes=limits["window_minutes"])
    PortalLoginFailure.objects.filter(at__lt=now - KEEP_FAILURES).delete()
    PortalLoginFailure.objects.create(account_key=key, ip=ip, at=now)
    channel_event_record(
        channel=WEB, kind=ChannelEventKind.LOGIN_FAILED, customer_id=customer_id, address=ip
    )
    locks = []
    for kind, value, limit in ((LockKind.ACCOUNT, key, limits["account"]),) + (
        ((LockKind.ADDRESS, ip, limits["address"]),) if ip else ()
    ):
        if PortalLockout.objects.filter(kind=kind, key=value, until__gt=now).exists():
            continue
        failures = _failures_since(kind, value, since)
        if failures >= limit:
            lock = PortalLockout.objects.create(
                kind=kind,
                key=value,
                failures=failures,
                started_at=now,
                until=now + timedelta(minutes=limits["lockout_minutes"]),
            )
            channel_event_record(
                channel=WEB, kind=ChannelEventKind.LOCKOUT, customer_id=customer_id, address=ip
            )
            _audit(
                principal,
                "portal.lockout",
                customer_id,
                locked=kind,
                failures=failures,
                until=lock.until.isoformat(),
            )
            locks.append(lock)
    return max(locks, key=lambda lock: lock.until) if locks else None


@dataclass(frozen=True, slots=True)
class LoginResult:
    customer_id: int | None
    lockout: PortalLockout | None = None


@transaction.atomic
def portal_login(
    *,
    principal: Principal,
    id_type: str,
    id_number: str,
    password: str,
    now: datetime | None = None,
) -> LoginResult:
    """Sign in by ID document and password. While the account or the address is locked every
    attempt is refused before the password is looked at; a failure counts toward both
    limits. Unknown document, no account and wrong password answer alike."""
    now = now or timezone.now()
    key = account_key(id_type, id_number)
    lock = lockout_active(key=key, ip=principal.address, now=now)
    if lock is not None:
        _audit(principal, "portal.login_refused", None, locked=lock.kind)
        return LoginResult(customer_id=None, lockout=lock)
    found = id_key(id_type or "", id_number or "")
    account = None
    if found is not None:
        owners = IdentityDocument.objects.filter(id_type=found[0], number_bidx=found[2])
        account = (
            PortalAccount.objects.filter(
                customer_id__in=owners.values("customer_id"), is_active=True
            )
            .select_for_update()
            .first()
        )
    ok = check_password(password or "", account.password if account else _DUMMY_HASH)
    if account is None or not ok:
        customer_id = account.customer_id if account else None
        lock = _failure_record(principal=principal, key=key, customer_id=customer_id, now=now)
        _audit(principal, "portal.login_failed", customer_id, locked=bool(lock))
        return LoginResult(customer_id=None, lockout=lock)
    account.last_login = now
    account.save(update_fields=["last_login"])
    channel_event_record(
        channel=WEB,
        kind=ChannelEventKind.LOGIN,
        customer_id=account.customer_id,
        address=principal.address,
    )
    _audit(principal, "portal.login", account.customer_id)
    return LoginResult(customer_id=account.customer_id)


def portal_logout(*, principal: Customer) -> None:
    _audit(principal, "portal.logout", principal.customer_id)


# --- contact changes (D1.12) ------------------------------------------------------------------

KIND_WORDS = {
    ContactKind.PHONE: ("手机号码", "mobile phone number"),
    ContactKind.ADDRESS: ("联系地址", "contact address"),
    ContactKind.EMAIL: ("电子邮箱", "e-mail address"),
}
#: The notice's words for what changed (msgids, translated for each reader).
KIND_MSGIDS = {
    ContactKind.PHONE: "mobile phone number",
    ContactKind.ADDRESS: "contact address",
    ContactKind.EMAIL: "e-mail address",
}


def contact_value_check(kind: str, value: str) -> str:
    """The new value as it will be kept, or a refusal (the core rules of each kind)."""
    try:
        chosen = ContactKind(kind)
    except ValueError:
        raise ContactChangeError("kind", "kind") from None
    text = str(value or "").strip()
    zh, en = KIND_WORDS[chosen]
    bad = ContactChangeError("value", "value", what_zh=zh, what_en=en)
    if not text or len(text) > 300 or any(ord(ch) < 32 for ch in text):
        raise bad
    if chosen == ContactKind.PHONE and not contact.normalise_phone(text).valid:
        raise bad
    if chosen == ContactKind.ADDRESS and not contact.normalise_address(text):
        raise bad
    if chosen == ContactKind.EMAIL:
        try:
            validate_email(contact.normalise_email(text))
        except ValidationError:
            raise bad from None
    return text


def customer_service_staff() -> Sequence[Any]:
    return list(users_with_roles(RoleName.CUSTOMER_SERVICE, RoleName.CUSTOMER_SERVICE_MANAGER))


@transaction.atomic
def contact_change_request(*, principal: Customer, kind: str, value: str) -> ContactChangeRequest:
    """The signed-in customer reports a new phone, address or e-mail: a pending request, and
    customer service is told (a notice with the link to its review page)."""
    text = contact_value_check(kind, value)
    row = ContactChangeRequest.objects.create(
        customer_id=principal.customer_id, kind=kind, value=text
    )
    customer = row.customer
    tell(
        customer_service_staff(),
        "contact_change_requested",
        {"what": KIND_MSGIDS[ContactKind(kind)], "customer": customer.archive_no or ""},
        link=reverse("web:contact_changes"),
        object_type="contact_change",
        object_id=row.pk,
    )
    _audit(principal, "contact_change.requested", principal.customer_id, request=row.pk, kind=kind)
    return row


def _pending(request_id: int) -> ContactChangeRequest:
    row = (
        ContactChangeRequest.objects.select_for_update()
        .select_related("customer")
        .filter(pk=request_id)
        .first()
    )
    if row is None:
        raise ContactChangeError("not_found", "request")
    if row.status != ChangeStatus.PENDING:
        raise ContactChangeError("state", "request")
    return row


def _stamp(obj: Any, user: Any, reason: str) -> None:
    obj._history_user = user
    obj._change_reason = reason[:100]


def _apply(row: ContactChangeRequest, principal: Principal, reason: str, as_of: Any) -> None:
    cid, user = row.customer_id, acting_user(principal)
    if row.kind == ContactKind.EMAIL:
        contact_value_check(row.kind, row.value)
        value, bidx = email_key(row.value) or ("", "")
        email = Email.objects.filter(customer_id=cid).order_by("-created_at", "-pk").first()
        if email is not None and email.address_bidx == bidx:
            return
        email = email or Email(customer_id=cid)
        email.address, email.address_bidx = value, bidx
        _stamp(email, user, reason)
        email.save()
        return
    field = "phone" if row.kind == ContactKind.PHONE else "address"
    if row.kind == ContactKind.PHONE:
        record: Any = mobile_on_file(cid) or (
            Phone.objects.filter(customer_id=cid).order_by("-created_at", "-pk").first()
        )
    else:
        record = (
            Address.objects.filter(customer_id=cid).order_by("kind", "-created_at", "-pk").first()
        )
    # the customers' recorded-change path checks the value by the core rules (refusing an
    # invalid phone with its reason) and keeps the old value in the history
    changes = changes_parse(
        [
            {
                "customer_id": cid,
                "field": field,
                "value": row.value,
                "record_id": record and record.pk,
            }
        ]
        if record is not None
        else [{"customer_id": cid, "field": field, "value": row.value, "record_id": 0}],
        allowed_customers={cid},
    )
    if record is not None:
        customer_correct(changes=changes, principal=principal, reason=reason, as_of=as_of)
        return
    new: Any
    if row.kind == ContactKind.PHONE:
        number, kind, bidx, valid = phone_key(row.value) or ("", "", "", False)
        new = Phone(customer_id=cid, number=number, number_bidx=bidx, kind=kind, valid=valid)
    else:
        text, bidx = address_key(row.value) or ("", "")
        new = Address(customer_id=cid, text=text, text_bidx=bidx)
    _stamp(new, user, reason)
    new.save()


@transaction.atomic
def contact_change_apply(
    *, principal: Principal, request_id: int, note: str = "", now: datetime | None = None
) -> ContactChangeRequest:
    """Customer service has verified the reported change (a call back) and applies it
    through the recorded-change path: the history keeps the old value with who and why, the
    customer's file is re-checked by the gate's person rules. An invalid value is refused
    with the reason, and nothing changes."""
    now = now or timezone.now()
    row = _pending(request_id)
    reason = f"contact change #{row.pk} (web)"
    _apply(row, principal, reason, timezone.localdate(now))
    findings = _recheck(row.customer_id, as_of=timezone.localdate(now))
    row.status, row.reviewed_by, row.reviewed_at = ChangeStatus.APPLIED, acting_user(principal), now
    row.reason = str(note or "").strip()[:300]
    row.save(update_fields=["status", "reviewed_by", "reviewed_at", "reason"])
    audit_record(
        actor=Actor.of_principal(principal),
        event=Event(
            action="contact_change.applied",
            object_type="contact_change",
            object_id=str(row.pk),
            customer_id=row.customer_id,
            purpose="contact_change",
            detail={"kind": row.kind, "findings": sorted({f.code for f in findings})},
        ),
    )
    return row


@transaction.atomic
def contact_change_reject(
    *, principal: Principal, request_id: int, reason: str, now: datetime | None = None
) -> ContactChangeRequest:
    """Customer service rejects the reported change, with the reason the customer sees."""
    text = str(reason or "").strip()
    if not text or any(ord(ch) < 32 for ch in text):
        raise ContactChangeError("reason", "reason")
    row = _pending(request_id)
    row.status, row.reviewed_by = ChangeStatus.REJECTED, acting_user(principal)
    row.reviewed_at, row.reason = now or timezone.now(), text[:300]
    row.save(update_fields=["status", "reviewed_by", "reviewed_at", "reason"])
    audit_record(
        actor=Actor.of_principal(principal),
        event=Event(
            action="contact_change.rejected",
            object_type="contact_change",
            object_id=str(row.pk),
            customer_id=row.customer_id,
            purpose="contact_change",
            detail={"kind": row.kind},
        ),
    )
    return row
