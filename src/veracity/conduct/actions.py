"""Compliance actions (SF-6, D1.24): what compliance records against a dishonest seller,
agency or department, and the follow-up of a rectification demand until it is done.

- Compliance (``conduct.record``) records criticism (批评), a rectification demand (整改要求,
  with its due date and owner) or a referral to the compliance committee (提交合规委员会评议),
  against one seller or agency (by code) or one department, naming the problem items it
  arises from. Criticism is a record, done when made; a demand and a referral stay open until
  compliance closes them.
- The owner of a demand is told when it lands on them; they (or compliance) add follow-ups;
  the owner reports it done (a follow-up marked done) and compliance is told; only compliance
  closes it (marks it done).
- Every morning owners and compliance are told of the demands past their due date
  (:func:`compliance_overdue_notify`, run by ``conduct.tasks``), once per person and day.

A refused step raises :class:`ComplianceActionError` naming the field and changes nothing;
a step refused to the person (not their demand, not compliance) is recorded in the trail
(``ACCESS_REFUSED``) after the refused transaction. Each step writes one audit event in its
own transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, Final

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from veracity.access.policy import record_refusal
from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record
from veracity.cases.models import ProblemItem
from veracity.conduct import action_refusals as _refusals  # noqa: F401  (registers the words)
from veracity.conduct.action_selectors import overdue
from veracity.conduct.models import ComplianceAction, ComplianceFollowUp
from veracity.core.conduct import ComplianceActionKind
from veracity.core.refusals import Refusal
from veracity.notify.models import Notification
from veracity.notify.services import tell
from veracity.org.actions import may, roles_for
from veracity.org.models import Department
from veracity.org.principals import Principal, acting_user, is_signed_in
from veracity.sales.models import Seller

__all__ = [
    "MAX_TEXT",
    "ComplianceActionError",
    "action_link",
    "compliance_action_close",
    "compliance_action_record",
    "compliance_follow_up_add",
    "compliance_overdue_notify",
    "compliance_staff",
    "target_label",
]

Kind = ComplianceActionKind
Status = ComplianceAction.Status
OBJECT_TYPE: Final = "compliance_action"
MAX_TEXT: Final = 5000
#: how many demands one overdue notice names (the rest are on the list)
NOTICE_NAMES: Final = 20


class ComplianceActionError(Refusal):
    """A refused step; ``field`` names what is wrong; the words are the ``compliance.*``
    entries of :mod:`veracity.conduct.action_refusals`."""

    namespace = "compliance"

    def message(self, chinese: bool) -> str:
        return self.message_zh if chinese else self.message_en


def action_link(action: ComplianceAction | int) -> str:
    pk = action if isinstance(action, int) else action.pk
    return f"/compliance/{pk}/"


def compliance_staff() -> list[Any]:
    """The active users who record compliance actions (the roles of ``conduct.record``)."""
    roles = [r.value for r in roles_for("conduct.record")]
    return list(
        get_user_model()
        .objects.filter(groups__name__in=roles, is_active=True)
        .distinct()
        .order_by("pk")
    )


def _refuse_person(principal: Principal, code: str, action: str, object_id: Any) -> None:
    """Record a refusal of the person (after any refused transaction) and raise it."""
    if is_signed_in(principal):
        record_refusal(
            actor=Actor.of_principal(principal),
            action=action,
            object_type=OBJECT_TYPE,
            object_id=str(object_id or "new"),
            detail={"code": f"forbidden.{code}"},
        )
    raise ComplianceActionError(f"forbidden.{code}", "user")


def _text(value: str | None, field: str, code: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ComplianceActionError(code, field)
    if len(text) > MAX_TEXT or "\x00" in text:
        raise ComplianceActionError("too_long", field, limit=MAX_TEXT)
    return text


def _audit(principal: Principal, action: ComplianceAction, step: str, **detail: Any) -> None:
    audit_record(
        actor=Actor.acting(principal),
        event=Event(
            action=Action.CREATE if step == "record" else Action.CHANGE,
            object_type=OBJECT_TYPE,
            object_id=str(action.pk),
            detail={"step": step, "kind": action.kind, "status": action.status, **detail},
        ),
    )


def target_label(action: ComplianceAction) -> str:
    """The target as notices name it: a seller by code and name, a department by name."""
    seller, department = action.seller, action.department
    if seller is not None:
        return f"{seller.code} {seller.name}"
    return str(department.name) if department is not None else ""


def _items(numbers: Iterable[int]) -> list[ProblemItem]:
    wanted = sorted({int(n) for n in numbers})
    found = list(ProblemItem.objects.filter(pk__in=wanted))
    missing = sorted(set(wanted) - {i.pk for i in found})
    if missing:
        raise ComplianceActionError(
            "items", "items", numbers="、".join(f"#{n}" for n in missing[:10])
        )
    return found


def compliance_action_record(
    *,
    principal: Principal,
    kind: str,
    text: str,
    seller_code: str = "",
    department_id: int | None = None,
    due_on: date | None = None,
    owner_id: int | None = None,
    item_ids: Sequence[int] = (),
    as_of: date | None = None,
) -> ComplianceAction:
    """Record criticism, a rectification demand or a committee referral against one seller
    or agency (``seller_code``) or one department. A demand needs a due date (today or
    later, on ``as_of``) and an owner, who is told. Criticism is done when recorded."""
    if not may(principal, "conduct.record"):
        _refuse_person(principal, "record", "conduct.record", None)
    today = as_of or timezone.localdate()
    with transaction.atomic():
        return _record(
            principal,
            kind=kind,
            text=text,
            seller_code=(seller_code or "").strip(),
            department_id=department_id,
            due_on=due_on,
            owner_id=owner_id,
            item_ids=item_ids,
            today=today,
        )


def _record(
    principal: Principal,
    *,
    kind: str,
    text: str,
    seller_code: str,
    department_id: int | None,
    due_on: date | None,
    owner_id: int | None,
    item_ids: Sequence[int],
    today: date,
) -> ComplianceAction:
    if kind not in Kind._value2member_map_:
        raise ComplianceActionError("kind", "kind")
    if bool(seller_code) == bool(department_id):
        raise ComplianceActionError("target", "seller" if not seller_code else "department")
    seller = department = None
    if seller_code:
        seller = Seller.objects.filter(code=seller_code).first()
        if seller is None:
            raise ComplianceActionError("seller", "seller", code=seller_code[:40])
    else:
        department = Department.objects.filter(pk=department_id or 0).first()
        if department is None:
            raise ComplianceActionError("department", "department")
    body = _text(text, "text", "text")
    owner = None
    if kind == Kind.RECTIFICATION:
        if due_on is None:
            raise ComplianceActionError("due_on", "due_on")
        if due_on < today:
            raise ComplianceActionError("due_on.past", "due_on")
        if owner_id is None:
            raise ComplianceActionError("owner", "owner")
        owner = get_user_model().objects.filter(pk=owner_id, is_active=True).first()
        if owner is None:
            raise ComplianceActionError("owner.unknown", "owner")
    else:  # criticism and referrals have neither due date nor owner
        due_on = None
    items = _items(item_ids)
    done = kind == Kind.CRITICISM
    action = ComplianceAction.objects.create(
        kind=kind,
        seller=seller,
        department=department,
        text=body,
        due_on=due_on,
        owner=owner,
        status=Status.DONE if done else Status.OPEN,
        done_on=today if done else None,
        recorded_by=acting_user(principal),
        recorded_at=timezone.now(),
    )
    if items:
        action.items.set(items)
    _audit(
        principal,
        action,
        "record",
        seller=seller.code if seller else "",
        department=department.code if department else "",
        due_on=due_on.isoformat() if due_on else "",
        owner=owner.get_username() if owner else "",
        items=[i.pk for i in items],
    )
    if owner is not None:
        tell(
            [owner],
            "rectification_assigned",
            {
                "action": f"#{action.pk}",
                "target": target_label(action),
                "due_on": due_on.isoformat() if due_on else "",
            },
            link=action_link(action),
            object_type=OBJECT_TYPE,
            object_id=action.pk,
            exclude=[acting_user(principal)],
        )
    return action


def _open_demand(action_id: int) -> ComplianceAction:
    # no join: PostgreSQL locks no row on the nullable side of an outer join
    action = ComplianceAction.objects.select_for_update().filter(pk=action_id).first()
    if action is None:
        raise ComplianceActionError("not_found", "action")
    if action.status != Status.OPEN:
        raise ComplianceActionError("closed", "status")
    return action


def _owner_of(action_id: int) -> int | None:
    row = ComplianceAction.objects.filter(pk=action_id).values_list("owner_id", flat=True)
    return row.first()


def compliance_follow_up_add(
    *, principal: Principal, action_id: int, note: str, done: bool = False
) -> ComplianceFollowUp:
    """A follow-up of an open rectification demand, by compliance or by its owner; the owner
    reports it done with ``done`` (compliance is told), compliance's follow-up is told to the
    owner. Anyone else is refused (and recorded), and nothing changes."""
    user = acting_user(principal)
    is_compliance = may(principal, "conduct.record")
    if not ComplianceAction.objects.filter(pk=action_id).exists():
        raise ComplianceActionError("not_found", "action")
    is_owner = user is not None and _owner_of(action_id) == user.pk
    if not (is_compliance or is_owner):
        _refuse_person(principal, "follow_up", "conduct.follow_up", action_id)
    with transaction.atomic():
        action = _open_demand(action_id)
        if action.kind != Kind.RECTIFICATION:
            raise ComplianceActionError("not_a_demand", "kind")
        body = _text(note, "note", "note")
        follow_up = ComplianceFollowUp.objects.create(
            action=action, note=body, done=bool(done), by=user, at=timezone.now()
        )
        _audit(principal, action, "follow_up", follow_up=follow_up.pk, done=bool(done))
        params = {"action": f"#{action.pk}", "target": target_label(action), "by": _name(user)}
        if done and is_owner:
            tell(
                compliance_staff(),
                "rectification_reported_done",
                params,
                link=action_link(action),
                object_type=OBJECT_TYPE,
                object_id=action.pk,
                exclude=[user],
            )
        elif not is_owner and action.owner_id:
            tell(
                [action.owner],
                "rectification_followed_up",
                params,
                link=action_link(action),
                object_type=OBJECT_TYPE,
                object_id=action.pk,
                exclude=[user],
            )
        return follow_up


def compliance_action_close(
    *, principal: Principal, action_id: int, note: str = "", as_of: date | None = None
) -> ComplianceAction:
    """Compliance marks an open demand (or referral) done on ``as_of``; a note, when given,
    is kept as the demand's last follow-up. The owner is told."""
    if not may(principal, "conduct.record"):
        if not ComplianceAction.objects.filter(pk=action_id).exists():
            raise ComplianceActionError("not_found", "action")
        _refuse_person(principal, "close", "conduct.record", action_id)
    today = as_of or timezone.localdate()
    user = acting_user(principal)
    with transaction.atomic():
        action = _open_demand(action_id)
        text = (note or "").strip()
        if text:
            body = _text(text, "note", "note")
            if action.kind == Kind.RECTIFICATION:
                ComplianceFollowUp.objects.create(
                    action=action, note=body, done=True, by=user, at=timezone.now()
                )
        action.status = Status.DONE
        action.done_on = today
        action.save(update_fields=["status", "done_on"])
        _audit(principal, action, "close", done_on=today.isoformat(), note=bool(text))
        if action.owner_id:
            tell(
                [action.owner],
                "rectification_closed",
                {"action": f"#{action.pk}", "target": target_label(action), "by": _name(user)},
                link=action_link(action),
                object_type=OBJECT_TYPE,
                object_id=action.pk,
                exclude=[user],
            )
        return action


def _name(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


OVERDUE_NOTICE: Final = "rectification_overdue"


def compliance_overdue_notify(*, as_of: date | None = None) -> int:
    """The daily notice of rectification demands past their due date: each owner is told of
    their own, compliance of all of them, in one notice each. A person already told on
    ``as_of`` (a rerun, a retried job) is not told again. Returns the number overdue."""
    today = as_of or timezone.localdate()
    rows = list(
        ComplianceAction.objects.filter(overdue(today))
        .select_related("owner", "seller", "department")
        .order_by("due_on", "pk")
    )
    if not rows:
        return 0
    stamp = today.isoformat()
    by_user: dict[int, list[ComplianceAction]] = defaultdict(list)
    people: dict[int, Any] = {}
    compliance = compliance_staff()
    for action in rows:
        for user in [action.owner, *compliance]:
            if user is not None and user.is_active:
                people[user.pk] = user
                by_user[user.pk].append(action)
    with transaction.atomic():
        told = set(
            Notification.objects.filter(
                kind=OVERDUE_NOTICE, recipient_id__in=list(people), params__on=stamp
            ).values_list("recipient_id", flat=True)
        )
        for pk, actions in by_user.items():
            if pk in told:
                continue
            first = actions[0]
            tell(
                [people[pk]],
                OVERDUE_NOTICE,
                {
                    "count": len(actions),
                    "actions": [
                        f"#{a.pk} {target_label(a)} ({a.due_on:%Y-%m-%d})"
                        for a in actions[:NOTICE_NAMES]
                    ],
                    "on": stamp,
                },
                link=action_link(first) if len(actions) == 1 else "/compliance/?overdue=1",
                object_type=OBJECT_TYPE,
                object_id=first.pk if len(actions) == 1 else "",
            )
    return len(rows)
