"""Leak incidents, from report to closing (AG-8, D4.27, PIPL Art. 57).

Anyone may report a suspected leak; the customer information manager and the customer
service manager are told at once. Those who handle incidents (``incidents.handle``) record
the cause, the remediation steps, the notification of the regulator and of the
individuals, and move the incident along::

    candidate ──► reported ──► investigating ──► remediated ──► closed
        └──► dismissed                 ▲──────────────┘

Closing needs the cause, at least one remediation step, and either the notification of the
individuals (with the five contents of PIPL Art. 57) or the reason it is not needed (the
measures taken effectively avoid harm). A refused step raises :class:`IncidentError`
naming the field, and changes nothing. Every step writes one ``Action.INCIDENT`` audit
event, in the same transaction, saying what changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Final

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django_fsm import FSMField, can_proceed, has_transition_perm

from veracity.access.roles import RoleName
from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record
from veracity.core.refusals import Refusal
from veracity.customers.models import Customer
from veracity.incidents import refusals as _refusals  # noqa: F401  (registers the ``incident.*`` words)
from veracity.incidents.models import MOVES, DataType, LeakIncident, RemediationStep
from veracity.incidents.selectors import (
    RESPONDER_ROLES,
    may_handle_incidents,
    users_with_roles,
)
from veracity.notify.catalogue import BY_THE_SYSTEM, CERTAINTY_WORDS
from veracity.notify.services import tell
from veracity.org.principals import Principal, acting_user, is_signed_in

Status = LeakIncident.Status


def _machine() -> dict[str, tuple[str, ...]]:
    """status → the statuses it may move to, read off the transitions of ``LeakIncident``
    (in the order of ``MOVES``)."""
    field = LeakIncident._meta.get_field("status")
    assert isinstance(field, FSMField)
    targets: dict[str, list[str]] = {}
    for move in field.get_all_transitions(LeakIncident):
        targets.setdefault(str(move.source), []).append(str(move.target))
    order = list(MOVES)
    return {
        source: tuple(sorted(found, key=order.index))
        for source, found in sorted(targets.items(), key=lambda kv: Status.values.index(kv[0]))
    }


#: The moves an incident may make (the stage machine's); anything else is refused.
TRANSITIONS: Final[dict[str, tuple[str, ...]]] = _machine()
FINAL: Final = (Status.CLOSED, Status.DISMISSED)

STATUS_NAMES: Final = {
    Status.CANDIDATE: ("候选（异常信号）", "candidate"),
    Status.REPORTED: ("已报告", "reported"),
    Status.INVESTIGATING: ("调查中", "investigating"),
    Status.REMEDIATED: ("已补救", "remediated"),
    Status.CLOSED: ("已关闭", "closed"),
    Status.DISMISSED: ("已排除", "dismissed"),
}
DATA_TYPE_NAMES: Final = {
    DataType.ID_NUMBER: "证件号码",
    DataType.NAME: "姓名",
    DataType.PHONE: "电话号码",
    DataType.ADDRESS: "地址",
    DataType.EMAIL: "电子邮箱",
    DataType.BANK_ACCOUNT: "银行账户",
    DataType.POLICY: "保单信息",
    DataType.HEALTH: "健康信息",
    DataType.BENEFICIARY: "受益人信息",
    DataType.OTHER: "其他",
}
OBJECT_TYPE: Final = "leak_incident"
MAX_TEXT: Final = 5000


class IncidentError(Refusal):
    """A refused step; ``field`` names what is wrong or missing; the words are the
    ``incident.*`` entries of :mod:`veracity.incidents.refusals`."""

    namespace = "incident"

    def message(self, language: str | None) -> str:
        return self.message_en if (language or "").startswith("en") else self.message_zh


def _require(value: str | None, field: str, variant: str = "", **params: str) -> str:
    """The text, stripped; refused as ``REQUIRED.<variant or field>`` when empty."""
    text = (value or "").strip()
    if not text:
        raise IncidentError(f"REQUIRED.{variant or field}", field, **params)
    if len(text) > MAX_TEXT:
        raise IncidentError("TOO_LONG", field, name=field, limit=MAX_TEXT)
    return text


def _not_future(day: date | None, field: str, zh: str, en: str) -> date:
    if day is None:
        raise IncidentError("REQUIRED.date", field, what_zh=zh, what_en=en)
    if day > timezone.localdate():
        raise IncidentError("FUTURE", field, what_zh=zh, what_en=en)
    return day


def _data_types(values: Iterable[str]) -> list[str]:
    chosen = [str(v) for v in values]
    unknown = [v for v in chosen if v not in DataType.values]
    if unknown:
        raise IncidentError("INVALID.data_types", "data_types", unknown=", ".join(unknown))
    return [v for v in DataType.values if v in chosen]  # one order, no duplicates


def _customers(customer_ids: Iterable[int]) -> list[Any]:

    ids = set(customer_ids)
    found = list(Customer.objects.filter(pk__in=ids))
    if len(found) != len(ids):
        raise IncidentError("UNKNOWN.customers", "customers")
    return found


def _handler(principal: Principal) -> Any:
    """The acting user, when they handle incidents; refused otherwise."""
    if not may_handle_incidents(principal=principal):
        raise IncidentError("FORBIDDEN", "user")
    return acting_user(principal)


def _locked(incident_id: int, *, open_only: bool = True) -> LeakIncident:
    try:
        incident = LeakIncident.objects.select_for_update().get(pk=incident_id)
    except LeakIncident.DoesNotExist:
        raise IncidentError("UNKNOWN", "incident") from None
    if open_only and incident.status in FINAL:
        zh, en = STATUS_NAMES[Status(incident.status)]
        raise IncidentError("FINAL", "status", status_zh=zh, status_en=en)
    return incident


def _audit(actor: Actor, incident: LeakIncident, step: str, **detail: Any) -> None:
    audit_record(
        actor=actor,
        event=Event(
            action=Action.INCIDENT,
            object_type=OBJECT_TYPE,
            object_id=str(incident.pk),
            detail={"step": step, "status": incident.status, **detail},
        ),
    )


def incident_link(incident: LeakIncident) -> str:
    return reverse("web:incident_detail", args=[incident.pk])


def _label_msgid(choice: DataType) -> str:
    with translation.override(None):
        return str(choice.label)


def _tell_responders(incident: LeakIncident, *, exclude: Any = None) -> list[int]:
    """D4.27: the customer information manager and the customer service manager, at once.
    The notice says who reported what kind of leak; the description stays in the system
    (it may itself hold personal data, and e-mail leaves the system)."""
    recipients = [
        u for u in users_with_roles(*RESPONDER_ROLES) if u.pk != getattr(exclude, "pk", None)
    ]
    by = incident.reported_by
    reporter = (by.get_full_name() or by.get_username()) if by else BY_THE_SYSTEM
    certainty = CERTAINTY_WORDS[
        "confirmed" if incident.certainty == LeakIncident.Certainty.CONFIRMED else "suspected"
    ]
    when = f"{timezone.localtime(incident.reported_at):%Y-%m-%d %H:%M}"
    notes = tell(
        recipients,
        "incident_reported",
        {
            "incident": f"#{incident.pk}",
            "certainty": certainty,
            "reporter": reporter,
            "when": when,
            # the data kinds' own words (msgids), translated for each reader
            "data": [_label_msgid(DataType(c)) for c in incident.data_types],
        },
        link=incident_link(incident),
        object_type="incident",
        object_id=incident.pk,
    )
    return sorted(n.recipient_id for n in notes)


# --- report --------------------------------------------------------------------------------


def incident_report(
    *,
    principal: Principal,
    description: str,
    certainty: str = LeakIncident.Certainty.SUSPECTED,
    data_types: Sequence[str] = (),
    customer_ids: Sequence[int] = (),
) -> LeakIncident:
    """Anyone logged in reports a suspected or actual leak (D4.27); the customer information
    manager(s) and customer service manager(s) are notified at once."""
    if not is_signed_in(principal):
        raise IncidentError("FORBIDDEN.login", "user")
    reporter = acting_user(principal)
    actor = Actor.acting(principal)
    text = _require(description, "description")
    if certainty not in LeakIncident.Certainty.values:
        raise IncidentError("INVALID.certainty", "certainty")
    types = _data_types(data_types)
    with transaction.atomic():
        customers = _customers(customer_ids)
        incident = LeakIncident.objects.create(
            status=Status.REPORTED,
            certainty=certainty,
            source=LeakIncident.Source.STAFF,
            reported_by=reporter,
            reported_at=timezone.now(),
            description=text,
            data_types=types,
        )
        incident.customers.set(customers)
        notified = _tell_responders(incident, exclude=reporter)
        _audit(
            actor,
            incident,
            "report",
            certainty=certainty,
            data_types=types,
            customers=sorted(c.pk for c in customers),
            notified=notified,
        )
    return incident


def incident_candidate_raise(
    *,
    user_id: int,
    day: date,
    files: int,
    median: float | None,
    threshold: int,
    actor: Actor,
) -> LeakIncident | None:
    """An incident candidate for a user who read unusually many customer files on ``day``;
    the information manager is notified. At most one per (user, day): returns ``None`` when
    it exists already."""
    from django.contrib.auth import get_user_model

    with transaction.atomic():
        user = get_user_model().objects.filter(pk=user_id).first()
        if user is None:
            return None
        if LeakIncident.objects.filter(anomaly_user_id=user_id, anomaly_day=day).exists():
            return None
        name = user.get_username()
        usual_zh = f"，平日中位数{median:g}份" if median is not None else ""
        usual_en = f" (usually {median:g} a day)" if median is not None else ""
        incident = LeakIncident.objects.create(
            status=Status.CANDIDATE,
            certainty=LeakIncident.Certainty.SUSPECTED,
            source=LeakIncident.Source.ANOMALY,
            reported_by=None,
            reported_at=timezone.now(),
            description=(
                f"用户 {name} 于 {day:%Y-%m-%d} 查阅了 {files} 份不同的客户档案{usual_zh}"
                f"（阈值 {threshold} 份/日，或平日中位数的5倍）。\n"
                f"User {name} read {files} distinct customer files on {day:%Y-%m-%d}{usual_en}; "
                f"threshold {threshold} a day, or 5 times the usual."
            ),
            anomaly_user=user,
            anomaly_day=day,
            anomaly_files=files,
            anomaly_median=median,
        )
        notified = _tell_information_managers(
            incident, person=user.get_full_name() or name, files=files, day=f"{day:%Y-%m-%d}"
        )
        _audit(
            actor,
            incident,
            "candidate",
            user=user_id,
            day=day.isoformat(),
            files=files,
            median=median,
            threshold=threshold,
            notified=sorted(n.recipient_id for n in notified),
        )
    return incident


def _tell_information_managers(
    incident: LeakIncident, *, kind: str = "incident_candidate", **params: Any
) -> list[Any]:
    """The information manager(s) learn of a new incident candidate, with its link."""

    return tell(
        users_with_roles(RoleName.INFORMATION_MANAGER),
        kind,
        {"incident": f"#{incident.pk}", **params},
        link=incident_link(incident),
        object_type="incident",
        object_id=incident.pk,
    )


def incident_candidate_lockout_raise(
    *,
    kind: str,
    key: str,
    failures: int,
    window_minutes: int,
    locked_until: datetime,
    actor: Actor,
) -> LeakIncident:
    """An incident candidate for a login lockout: ``failures`` failed logins for one account
    (``kind`` "account", ``key`` the username tried) or from one address (``kind``
    "address", ``key`` the IP address) within ``window_minutes``. Someone may be guessing
    passwords to reach customer data; the information manager is notified and confirms or
    dismisses it."""

    if kind == "account":
        what_zh, what_en = f"账户 {key}", f"account {key}"
    else:
        what_zh, what_en = f"地址 {key}", f"address {key}"
    until = f"{timezone.localtime(locked_until):%Y-%m-%d %H:%M}"
    with transaction.atomic():
        incident = LeakIncident.objects.create(
            status=Status.CANDIDATE,
            certainty=LeakIncident.Certainty.SUSPECTED,
            source=LeakIncident.Source.LOGIN_LOCKOUT,
            reported_by=None,
            reported_at=timezone.now(),
            description=(
                f"{what_zh}在 {window_minutes} 分钟内登录失败 {failures} 次，"
                f"已锁定至 {until}（可能有人在猜测密码）。\n"
                f"{failures} failed logins for {what_en} within {window_minutes} minutes; "
                f"locked until {until} (someone may be guessing passwords)."
            ),
        )
        notified = _tell_information_managers(
            incident,
            kind="incident_lockout_account" if kind == "account" else "incident_lockout_address",
            key=key,
        )
        _audit(
            actor,
            incident,
            "candidate",
            lockout=kind,
            key=key,
            failures=failures,
            window_minutes=window_minutes,
            notified=sorted(n.recipient_id for n in notified),
        )
    return incident


# --- details -------------------------------------------------------------------------------


def incident_update(
    *,
    incident_id: int,
    principal: Principal,
    certainty: str | None = None,
    description: str | None = None,
    cause: str | None = None,
    possible_harm: str | None = None,
    data_types: Sequence[str] | None = None,
) -> LeakIncident:
    """Change what is known about a leak; ``None`` leaves a field as it is. The description
    cannot be emptied; the cause and possible harm can be cleared with ""."""
    _handler(principal)
    actor = Actor.acting(principal)
    changed: dict[str, Any] = {}
    with transaction.atomic():
        incident = _locked(incident_id)
        if certainty is not None and certainty != incident.certainty:
            if certainty not in LeakIncident.Certainty.values:
                raise IncidentError("INVALID.certainty", "certainty")
            changed["certainty"] = {"from": incident.certainty, "to": certainty}
            incident.certainty = certainty
        if data_types is not None:
            types = _data_types(data_types)
            if types != list(incident.data_types):
                changed["data_types"] = {"from": list(incident.data_types), "to": types}
                incident.data_types = types
        for name, value in (
            ("description", description),
            ("cause", cause),
            ("possible_harm", possible_harm),
        ):
            if value is None:
                continue
            text = value.strip()
            if text or name == "description":
                text = _require(text, name)
            if text != getattr(incident, name):
                changed[name] = "edited" if text else "cleared"  # text stays out of the trail
                setattr(incident, name, text)
        if changed:
            incident.save()
            _audit(actor, incident, "update", changed=changed)
    return incident


def incident_customers_add(
    *, incident_id: int, customer_ids: Sequence[int], principal: Principal
) -> LeakIncident:
    _handler(principal)
    actor = Actor.acting(principal)
    with transaction.atomic():
        incident = _locked(incident_id)
        customers = _customers(customer_ids)
        if not customers:
            raise IncidentError("REQUIRED.customers", "customers")
        have = set(incident.customers.values_list("pk", flat=True))
        added = sorted(c.pk for c in customers if c.pk not in have)
        if added:
            incident.customers.add(*added)
            incident.save(update_fields=["updated_at"])
            _audit(actor, incident, "customers_add", customers=added)
    return incident


def incident_customers_remove(
    *, incident_id: int, customer_ids: Sequence[int], principal: Principal
) -> LeakIncident:
    _handler(principal)
    actor = Actor.acting(principal)
    with transaction.atomic():
        incident = _locked(incident_id)
        have = set(incident.customers.values_list("pk", flat=True))
        removed = sorted(set(customer_ids) & have)
        if removed:
            incident.customers.remove(*removed)
            incident.save(update_fields=["updated_at"])
            _audit(actor, incident, "customers_remove", customers=removed)
    return incident


def incident_step_add(
    *,
    incident_id: int,
    action: str,
    principal: Principal,
    taken_by: Any = None,
    taken_at: datetime | None = None,
) -> RemediationStep:
    """Record a remedial action: what was done, by whom (the recording user unless named),
    when (now unless given; never in the future)."""
    user = _handler(principal)
    actor = Actor.acting(principal)
    text = _require(action, "action")
    when = taken_at or timezone.now()
    if when > timezone.now() + timedelta(minutes=5):
        raise IncidentError("FUTURE.taken_at", "taken_at")
    with transaction.atomic():
        incident = _locked(incident_id)
        step = RemediationStep.objects.create(
            incident=incident, action=text, taken_by=taken_by or user, taken_at=when
        )
        incident.save(update_fields=["updated_at"])
        _audit(
            actor,
            incident,
            "remediation",
            remediation_step=step.pk,
            taken_by=step.taken_by_id,
            taken_at=when.isoformat(),
        )
    return step


def incident_regulator_record(
    *,
    incident_id: int,
    authority: str,
    notified_on: date | None,
    reference: str = "",
    principal: Principal,
) -> LeakIncident:
    """PIPL Art. 57: the authority notified, on which day, under which reference."""
    _handler(principal)
    actor = Actor.acting(principal)
    authority = _require(authority, "regulator_authority")[:200]
    day = _not_future(
        notified_on,
        "regulator_notified_on",
        "通知监管部门的日期",
        "date the authority was notified",
    )
    reference = (reference or "").strip()[:100]
    with transaction.atomic():
        incident = _locked(incident_id)
        incident.regulator_authority = authority
        incident.regulator_notified_on = day
        incident.regulator_reference = reference
        incident.save()
        _audit(
            actor,
            incident,
            "regulator",
            authority=authority,
            notified_on=day.isoformat(),
            reference=reference,
        )
    return incident


#: PIPL Art. 57's five contents of the notice to individuals: field, zh, en.
NOTICE_CONTENTS: Final = (
    (
        "notice_data_types",
        "发生或者可能发生泄露的个人信息种类",
        "the kinds of personal information involved",
    ),
    ("notice_cause_and_harm", "泄露的原因和可能造成的危害", "the cause and the possible harm"),
    ("notice_remedial_measures", "已采取的补救措施", "the remedial measures taken"),
    (
        "notice_individual_measures",
        "个人可以采取的减轻危害的措施",
        "what individuals can do to reduce the harm",
    ),
    ("notice_contact", "个人信息处理者的联系方式", "the contact of the handler"),
)


def incident_individuals_record(
    *,
    incident_id: int,
    notified_on: date | None,
    channel: str,
    contents: dict[str, str],
    principal: Principal,
) -> LeakIncident:
    """The individuals were notified (PIPL Art. 57): when, how, and what they were told —
    all five contents the law names are required."""
    _handler(principal)
    actor = Actor.acting(principal)
    day = _not_future(
        notified_on,
        "individuals_notified_on",
        "通知个人的日期",
        "date the individuals were notified",
    )
    if channel not in LeakIncident.Channel.values:
        raise IncidentError("REQUIRED.individuals_channel", "individuals_channel")
    texts = {
        field: _require(contents.get(field), field, "notice", what_zh=zh, what_en=en, name=field)
        for field, zh, en in NOTICE_CONTENTS
    }
    texts["notice_contact"] = texts["notice_contact"][:300]
    with transaction.atomic():
        incident = _locked(incident_id)
        incident.individuals_notified_on = day
        incident.individuals_channel = channel
        for field, text in texts.items():
            setattr(incident, field, text)
        incident.individuals_not_notified_reason = ""
        incident.save()
        _audit(
            actor,
            incident,
            "individuals_notified",
            notified_on=day.isoformat(),
            channel=channel,
            contents=sorted(texts),
        )
    return incident


def incident_individuals_waive(
    *, incident_id: int, reason: str, principal: Principal
) -> LeakIncident:
    """PIPL Art. 57: the measures taken effectively avoid harm, so the individuals need not
    be notified — the reason is recorded (the authority may still require a notice)."""
    _handler(principal)
    actor = Actor.acting(principal)
    text = _require(reason, "individuals_not_notified_reason")
    with transaction.atomic():
        incident = _locked(incident_id)
        if incident.individuals_notified_on is not None:
            raise IncidentError("ALREADY_NOTIFIED", "individuals_not_notified_reason")
        incident.individuals_not_notified_reason = text
        incident.save()
        _audit(actor, incident, "individuals_not_needed", reason="recorded")
    return incident


# --- moving along --------------------------------------------------------------------------


def closing_problems(incident: LeakIncident) -> list[IncidentError]:
    """What still keeps ``incident`` from being closed (empty when it may close)."""
    problems = []
    if not incident.cause.strip():
        problems.append(IncidentError("REQUIRED.closing_cause", "cause"))
    if not incident.steps.exists():
        problems.append(IncidentError("REQUIRED.closing_steps", "steps"))
    if (
        incident.individuals_notified_on is None
        and not incident.individuals_not_notified_reason.strip()
    ):
        problems.append(IncidentError("REQUIRED.closing_individuals", "individuals_notified_on"))
    return problems


def allowed_moves(incident: LeakIncident) -> tuple[str, ...]:
    """The statuses ``incident`` may move to from its own (whoever moves it)."""
    return tuple(to for to, move in MOVES.items() if can_proceed(getattr(incident, move)))


def moves_open_to(incident: LeakIncident, *, principal: Principal) -> tuple[str, ...]:
    """The statuses ``principal`` may move ``incident`` to now, the stage machine's answer
    (its status allows the move and the transition's ``permission=``, handed the principal,
    lets it take it) — what the incident page offers. What a move needs besides (a
    remediation step, what :func:`closing_problems` lists, a reason) :func:`incident_move`
    checks."""
    return tuple(
        to
        for to, move in MOVES.items()
        # the machine hands ``permission=`` whatever it is given: here the principal
        if has_transition_perm(getattr(incident, move), principal)  # type: ignore[arg-type]
    )


def incident_move(
    *, incident_id: int, to: str, principal: Principal, reason: str = ""
) -> LeakIncident:
    """Move an incident to status ``to``. Remediated needs a remediation step; closed needs
    what :func:`closing_problems` lists; dismissing a candidate needs the reason. Accepting a
    candidate as a reported leak tells both managers (D4.27)."""
    user = _handler(principal)
    actor = Actor.acting(principal)
    with transaction.atomic():
        incident = _locked(incident_id, open_only=False)
        current = Status(incident.status)
        move = MOVES.get(to)
        if move is None or not can_proceed(getattr(incident, move)):
            from_zh, from_en = STATUS_NAMES[current]
            to_zh, to_en = STATUS_NAMES[Status(to)] if to in Status.values else (to, to)
            raise IncidentError(
                "ILLEGAL_MOVE", "status", from_zh=from_zh, to_zh=to_zh, from_en=from_en, to_en=to_en
            )
        if to == Status.REMEDIATED and not incident.steps.exists():
            raise IncidentError("REQUIRED.steps", "steps")
        if to == Status.CLOSED:
            problems = closing_problems(incident)
            if problems:
                raise problems[0]
        detail: dict[str, Any] = {"from": current.value, "to": to}
        if to == Status.DISMISSED:
            incident.dismissed_reason = _require(reason, "dismissed_reason")
            detail["reason"] = "recorded"
        getattr(incident, move)()  # the transition: status becomes ``to``
        if to in FINAL:
            incident.closed_at = timezone.now()
        incident.save()
        if current == Status.CANDIDATE and to == Status.REPORTED:
            detail["notified"] = _tell_responders(incident, exclude=user)
        _audit(actor, incident, "move", **detail)
    return incident


__all__ = [
    "NOTICE_CONTENTS",
    "TRANSITIONS",
    "IncidentError",
    "allowed_moves",
    "closing_problems",
    "incident_candidate_raise",
    "incident_customers_add",
    "incident_customers_remove",
    "incident_individuals_record",
    "incident_individuals_waive",
    "incident_move",
    "incident_regulator_record",
    "incident_report",
    "incident_step_add",
    "incident_update",
    "moves_open_to",
]
