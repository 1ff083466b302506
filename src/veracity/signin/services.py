"""Sign-in protection: the login lockout, two-factor login (TOTP) and password changes.

**Lockout.** ``VERACITY_LOGIN_LIMITS``: after ``account`` (10) failed logins for one account,
or ``address`` (30) from one address, within ``window_minutes`` (15), every further attempt
there — the right password included — is refused for ``lockout_minutes`` (15). The two
limits are counted separately (an address trying many accounts is locked at 30, however
few each account got). Each lockout writes one ``login_lockout`` audit event and raises a
leak-incident candidate (one per account or address while the earlier one is still a
candidate). The address is the one ``veracity.db.addresses`` gives (``REMOTE_ADDR``, or the
forwarded client behind a trusted proxy), as in the audit trail.

django-axes was the first choice, but it has one failure limit, compared with the largest
of its per-parameter counts, so "10 per account or 30 per address" cannot be said in it,
and its cool-off runs from the last failure rather than over a 15-minute window. The rule
here is two counted queries on an indexed table, on either database, shared by every
worker.

**Two-factor.** Any staff member may enrol a TOTP device (django-otp); then their login
needs a code after the password. Those with a role in ``VERACITY_OTP_REQUIRED_ROLES`` must
enrol before they can do anything else (the web middleware sends them there).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from veracity.access.roles import roles_of
from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record
from veracity.incidents.models import LeakIncident
from veracity.incidents.services import incident_candidate_lockout_raise
from veracity.org.principals import Principal, acting_user
from veracity.signin.models import LoginFailure, LoginLockout

Kind = LoginLockout.Kind

#: Failure rows older than this are removed as new ones come in (the trail keeps them).
KEEP_FAILURES = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class LoginLimits:
    account: int = 10
    address: int = 30
    window_minutes: int = 15
    lockout_minutes: int = 15

    @classmethod
    def from_settings(cls) -> LoginLimits:
        given = dict(getattr(settings, "VERACITY_LOGIN_LIMITS", {}) or {})
        return cls(**{k: int(v) for k, v in given.items() if k in cls.__dataclass_fields__})


def account_key(username: str) -> str:
    """One account however its name is typed (``Alice`` and ``alice`` count together)."""
    return str(username or "").strip().lower()[:150]


def login_lockout_active(
    *, username: str, ip: str, now: datetime | None = None
) -> LoginLockout | None:
    """The lockout in force for this account or this address (the later-ending one), if
    any."""
    now = now or timezone.now()
    keys = [(Kind.ACCOUNT, account_key(username))]
    if ip:
        keys.append((Kind.ADDRESS, ip))
    found = [
        lock
        for kind, key in keys
        for lock in LoginLockout.objects.filter(kind=kind, key=key, until__gt=now).order_by(
            "-until"
        )[:1]
    ]
    return max(found, key=lambda lock: lock.until) if found else None


def _failures_since(kind: str, key: str, since: datetime) -> int:
    last = (
        LoginLockout.objects.filter(kind=kind, key=key)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    # failures that already locked once do not lock again
    if last is not None and last >= since:
        since = last
    if kind == Kind.ACCOUNT:
        return LoginFailure.objects.filter(username=key, at__gt=since).count()
    return LoginFailure.objects.filter(ip=key, at__gt=since).count()


def _open_candidate(kind: str, key: str, now: datetime) -> int | None:
    """The incident candidate an earlier lockout of this key raised that nobody has looked
    at yet (a patient attacker would otherwise raise one every 15 minutes)."""

    earlier = LoginLockout.objects.filter(
        kind=kind, key=key, started_at__gte=now - KEEP_FAILURES, incident_id__isnull=False
    ).values_list("incident_id", flat=True)
    return (
        LeakIncident.objects.filter(pk__in=list(earlier), status=LeakIncident.Status.CANDIDATE)
        .values_list("pk", flat=True)
        .first()
    )


def _lock(
    *, kind: str, key: str, failures: int, limits: LoginLimits, now: datetime, ip: str
) -> LoginLockout:

    until = now + timedelta(minutes=limits.lockout_minutes)
    actor = Actor(label="system:login-lockout", ip=ip)
    incident_id = _open_candidate(kind, key, now)
    raised = incident_id is None
    if raised:
        incident_id = incident_candidate_lockout_raise(
            kind=kind,
            key=key,
            failures=failures,
            window_minutes=limits.window_minutes,
            locked_until=until,
            actor=actor,
        ).pk
    lockout = LoginLockout.objects.create(
        kind=kind, key=key, failures=failures, started_at=now, until=until, incident_id=incident_id
    )
    audit_record(
        actor=actor,
        event=Event(
            action=Action.LOGIN_LOCKOUT,
            object_type="login_lockout",
            object_id=str(lockout.pk),
            detail={
                "locked": kind,
                "key": key,
                "failures": failures,
                "limit": limits.account if kind == Kind.ACCOUNT else limits.address,
                "window_minutes": limits.window_minutes,
                "until": until.isoformat(),
                "incident": incident_id,
                "incident_raised": raised,
            },
        ),
    )
    return lockout


def login_failure_record(
    *, username: str, ip: str, now: datetime | None = None
) -> LoginLockout | None:
    """Count one failed login; lock the account and/or the address when this failure reaches
    its limit. Returns the lockout now in force because of it, if any."""
    now = now or timezone.now()
    limits = LoginLimits.from_settings()
    key = account_key(username)
    since = now - timedelta(minutes=limits.window_minutes)
    locks: list[LoginLockout] = []
    with transaction.atomic():
        LoginFailure.objects.filter(at__lt=now - KEEP_FAILURES).delete()
        LoginFailure.objects.create(username=key, ip=ip[:45], at=now)
        checks = [(Kind.ACCOUNT, key, limits.account)]
        if ip:
            checks.append((Kind.ADDRESS, ip[:45], limits.address))
        for kind, value, limit in checks:
            if LoginLockout.objects.filter(kind=kind, key=value, until__gt=now).exists():
                continue
            failures = _failures_since(kind, value, since)
            if failures >= limit:
                locks.append(
                    _lock(kind=kind, key=value, failures=failures, limits=limits, now=now, ip=ip)
                )
    return max(locks, key=lambda lock: lock.until) if locks else None


# --- two-factor login (TOTP) ---------------------------------------------------------------


def totp_required_roles() -> set[str]:
    return {str(r).strip() for r in getattr(settings, "VERACITY_OTP_REQUIRED_ROLES", ()) or ()}


def totp_required(*, principal: Principal) -> bool:
    """Whether this person must log in with a code (a role in the required list)."""
    required = totp_required_roles()
    return bool(required) and any(role.value in required for role in roles_of(principal))


def totp_device(*, principal: Principal) -> TOTPDevice | None:
    """The person's confirmed TOTP device (none for a principal without a user)."""
    user = acting_user(principal)
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def totp_enrolment_start(*, principal: Principal) -> TOTPDevice:
    """The device being enrolled (unconfirmed until a code from it is entered); the same one
    on every visit, so the QR code scanned stays valid."""
    user = acting_user(principal)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Veracity", confirmed=False)
    return device


def _two_factor_audit(actor: Actor, step: str, device: TOTPDevice | None, ok: bool) -> None:
    audit_record(
        actor=actor,
        event=Event(
            action=Action.TWO_FACTOR if ok else Action.LOGIN_FAILED,
            object_type="otp_device",
            object_id=str(device.pk) if device else "",
            detail={"step": step, "ok": ok},
        ),
    )


def totp_enrolment_confirm(*, principal: Principal, token: str) -> TOTPDevice | None:
    """Confirm the device being enrolled with a code it shows; ``None`` (audited) when the
    code is wrong."""
    user, actor = acting_user(principal), Actor.of_principal(principal)
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
        if device is None or not device.verify_token(_digits(token)):
            _two_factor_audit(actor, "enrol", device, ok=False)
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        _two_factor_audit(actor, "enrol", device, ok=True)
    return device


@dataclass(frozen=True, slots=True)
class CodeCheck:
    device: TOTPDevice | None
    lockout: LoginLockout | None = None


def totp_verify(*, principal: Principal, token: str) -> CodeCheck:
    """The second step of a login. A wrong code is a failed login of the account (it counts
    toward the lockout, and the device's own back-off applies); during a lockout no code is
    accepted."""
    user, actor, ip = acting_user(principal), Actor.of_principal(principal), principal.address
    lockout = login_lockout_active(username=user.get_username(), ip=ip)
    if lockout is not None:
        _two_factor_audit(actor, "login_locked", None, ok=False)
        return CodeCheck(device=None, lockout=lockout)
    with transaction.atomic():
        device = totp_device(principal=principal)
        if device is not None and device.verify_token(_digits(token)):
            _two_factor_audit(actor, "login", device, ok=True)
            return CodeCheck(device=device)
        _two_factor_audit(actor, "login", device, ok=False)
    return CodeCheck(device=None, lockout=login_failure_record(username=user.get_username(), ip=ip))


def _digits(token: str) -> str:
    return "".join(ch for ch in str(token or "") if not ch.isspace())[:12]


def session_verified(session: Any) -> bool:
    return bool(session.get(DEVICE_ID_SESSION_KEY))


# --- passwords -----------------------------------------------------------------------------


def password_change(*, principal: Principal, new_password: str) -> None:
    """A staff member sets a new password for themselves (already validated by the form:
    the old one checked, the validators passed); audited without either value."""
    user, actor = acting_user(principal), Actor.of_principal(principal)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit_record(
            actor=actor,
            event=Event(
                action=Action.PASSWORD_CHANGE,
                object_type="user",
                object_id=str(user.pk),
                detail={"ok": True},
            ),
        )


def password_change_refused(
    *, principal: Principal, fields: Sequence[str], codes: Sequence[str]
) -> None:
    """A refused password change (wrong old password, a weak new one): which fields and
    which rules, never the values."""
    user = acting_user(principal)
    audit_record(
        actor=Actor.of_principal(principal),
        event=Event(
            action=Action.PASSWORD_CHANGE,
            object_type="user",
            object_id=str(user.pk),
            detail={"ok": False, "fields": sorted(set(fields)), "codes": sorted(set(codes))},
        ),
    )
