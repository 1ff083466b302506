"""The approvals engine: open a request on a step plan, decide its steps, withdraw it.

The separation-of-duties rules are the core's (``veracity.core.approvals.refusal_for``); the
engine supplies the facts (who decided what, who the decider is), writes each decision and
its audit event in one transaction, and tells the owning app the outcome through the hooks
it registered with :func:`on_outcome`.

A hook runs after commit (``transaction.on_commit``), or — registered with
``in_transaction=True`` — inside the deciding transaction, for an owner whose effect must
exist when the decision returns (a grant, the owner's status mirror).

Every function about a person takes ``*, principal: Principal``: the person who asks,
decides or withdraws is its acting user (``veracity.org.principals.acting_user``). A
principal without a person (a system reading alone, a customer) decides nothing: it has no
decidable step, awaits nothing, and is refused ``approval.nobody`` when it opens, decides or
withdraws a request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Final

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from veracity.approvals.models import ApprovalDecision, ApprovalRequest
from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record
from veracity.core import approvals as rules
from veracity.core.approvals import Decider, Outcome, Plan, Step, Who
from veracity.core.refusals import Kind, Refusal, register
from veracity.notify.catalogue import OUTCOME_WORDS
from veracity.notify.services import tell
from veracity.org.principals import Principal, Staff, acting_user
from veracity.org.selectors import department_head_id_of

__all__ = [
    "approval_decide",
    "approval_for",
    "approval_open",
    "approval_withdraw",
    "awaiting",
    "decidable_steps",
    "decider_for",
    "on_outcome",
    "step_for",
]

register(
    {
        "approval.unknown_request": (Kind.NOT_FOUND, "申请不存在", "no such request"),
        "approval.not_requester": (
            Kind.FORBIDDEN,
            "只能撤回本人的申请",
            "only your own request",
        ),
        "approval.nobody": (
            Kind.FORBIDDEN,
            "须由本人办理审批事项",
            "only a person may ask for, decide or withdraw a request",
        ),
    }
)

Hook = Callable[[ApprovalRequest, str], None]
#: kind → [(callback, in_transaction)]
_HOOKS: Final[dict[str, list[tuple[Hook, bool]]]] = {}


def on_outcome(kind: str, callback: Hook, *, in_transaction: bool = False) -> None:
    """Call ``callback(request, status)`` when a request of ``kind`` is approved, rejected or
    withdrawn: after commit, or inside the transaction with ``in_transaction=True``.
    Registering the same callback twice is harmless."""
    hooks = _HOOKS.setdefault(kind, [])
    if (callback, in_transaction) not in hooks:
        hooks.append((callback, in_transaction))


def _closed(request: ApprovalRequest) -> None:
    status = str(request.status)
    _tell_requester(request, status)
    for callback, in_transaction in _HOOKS.get(request.kind, []):
        if in_transaction:
            callback(request, status)
        else:
            transaction.on_commit(lambda cb=callback: cb(request, status))  # type: ignore[misc]


# --- who decides -------------------------------------------------------------------------------


def _heads_department_of(decider_id: int, requester_id: int) -> bool:
    """Whether ``decider_id`` heads the department of ``requester_id`` (a staff fact)."""
    return department_head_id_of(requester_id) == decider_id


def _person(principal: Principal) -> Any:
    """The acting user of ``principal``; refused ``approval.nobody`` without one."""
    user = acting_user(principal)
    if user is None:
        raise Refusal("approval.nobody", "principal")
    return user


def decider_for(
    request: ApprovalRequest, plan: Plan | None = None, *, principal: Principal
) -> Decider:
    """The facts about ``principal``'s acting user the rules need for ``request`` (only those
    its plan asks); refused ``approval.nobody`` for a principal without a person."""
    return _decider(_person(principal), request, plan or request.step_plan)


def _decider(user: Any, request: ApprovalRequest, plan: Plan) -> Decider:
    kinds = {s.who for s in plan.steps}
    roles: frozenset[str] = frozenset()
    permissions: frozenset[str] = frozenset()
    if Who.ROLE in kinds and getattr(user, "is_authenticated", False):
        cached = getattr(user, "_veracity_group_names", None)
        if cached is None:
            cached = frozenset(user.groups.values_list("name", flat=True)) | (
                {"admin"} if user.is_superuser else frozenset()
            )
            user._veracity_group_names = cached
        roles = cached
    if Who.PERMISSION in kinds and getattr(user, "is_authenticated", False):
        permissions = frozenset(user.get_all_permissions())
    heads = Who.DEPARTMENT_HEAD in kinds and _heads_department_of(user.pk, request.requester_id)
    return Decider(
        id=user.pk, roles=roles, permissions=permissions, heads_requester_department=heads
    )


def step_for(request: ApprovalRequest, *, principal: Principal) -> Step | None:
    """The step ``principal``'s acting user may decide on ``request`` now, or None."""
    steps = decidable_steps(request, principal=principal)
    return steps[0] if steps else None


def decidable_steps(request: ApprovalRequest, *, principal: Principal) -> tuple[Step, ...]:
    """The steps ``principal``'s acting user may approve on ``request`` now, in plan order
    (none for a principal without a person)."""
    user = acting_user(principal)
    if (
        user is None
        or request.status != ApprovalRequest.Status.PENDING
        or user.pk == request.requester_id
    ):
        return ()
    plan = request.step_plan
    return rules.decidable_steps(
        plan,
        request.decided(),
        requester=request.requester_id,
        decider=_decider(user, request, plan),
    )


def _chosen_step(plan: Plan, decisions: list[rules.Decision], decider: Decider) -> str:
    """The step a decider means when none is named: an open step they are named by; else a
    step they are named by and did not decide themselves (it was decided by someone else, or
    comes later); else the first open step (the rules then say why not)."""
    open_now = rules.open_steps(plan, decisions)
    named = [s for s in plan.steps if decider.is_named_by(s)]
    mine = {d.step for d in decisions if d.decider == decider.id}
    for step in named:
        if step in open_now:
            return step.name
    for step in named:
        if step.name not in mine:
            return step.name
    return (open_now or plan.steps)[0].name


def awaiting(
    *, principal: Principal, kinds: Iterable[str] | None = None, limit: int = 500
) -> list[ApprovalRequest]:
    """The pending requests (of ``kinds``) with a step ``principal``'s acting user may decide
    now, oldest first (none for a principal without a person)."""
    user = acting_user(principal)
    if user is None:
        return []
    pending = ApprovalRequest.objects.filter(status=ApprovalRequest.Status.PENDING).exclude(
        requester_id=user.pk
    )
    if kinds is not None:
        pending = pending.filter(kind__in=list(kinds))
    pending = pending.prefetch_related("decisions").order_by("created_at", "id")[:limit]
    return [r for r in pending if decidable_steps(r, principal=principal)]


# --- use cases -------------------------------------------------------------------------------


def approval_for(owner_label: str, owner_id: int) -> ApprovalRequest | None:
    return ApprovalRequest.objects.filter(owner_label=owner_label, owner_id=owner_id).first()


def approval_open(
    *,
    kind: str,
    plan: Plan,
    principal: Principal,
    owner_label: str,
    owner_id: int,
    created_at: Any = None,
) -> ApprovalRequest:
    """Open a request on ``plan`` for the owner's object, asked by ``principal``'s acting user
    (refused ``approval.nobody`` without one), in the caller's transaction; the owner audits
    the creation of its own object."""
    requester = _person(principal)
    request = ApprovalRequest.objects.create(
        kind=kind,
        plan=plan.to_data(),
        requester=requester,
        owner_label=owner_label,
        owner_id=owner_id,
        created_at=created_at or timezone.now(),
    )
    _tell_deciders(request)
    return request


# --- telling the deciders ----------------------------------------------------------------------

#: kind → (notice when a step waits, notice of the decision, link): the notice kinds
#: (``notify.catalogue``) the person a step lands on, and the requester, are told, and the
#: link (a template over ``{id}``, the owner's object id) where each notice takes them.
_NOTICES: dict[str, tuple[str, str, str]] = {}


def on_step_waiting(kind: str, *, waiting: str, decided: str, link: str) -> None:
    """The owner of ``kind`` names the notices of its requests: ``waiting``, sent to each
    person who may decide a step whenever a step becomes theirs (on opening, and after each
    decision that leaves the request pending); ``decided``, sent to the requester when the
    request is approved or rejected (``""``: the owner tells the requester itself, from its
    outcome hook — a penalty's proposer reads the reason of a rejection)."""
    _NOTICES[kind] = (waiting, decided, link)


def _candidates(request: ApprovalRequest) -> list[Any]:
    """The people the open steps name: the holders of a role or of a permission, the head of
    the requester's department (the rules then keep those who may decide now)."""
    users = get_user_model().objects.filter(is_active=True)
    found: dict[int, Any] = {}
    for step in rules.open_steps(request.step_plan, request.decided()):
        if step.who is Who.ROLE:
            named = users.filter(Q(groups__name__in=step.names) | Q(is_superuser=True))
        elif step.who is Who.PERMISSION:
            codenames = [name.partition(".")[2] or name for name in step.names]
            named = users.filter(
                Q(user_permissions__codename__in=codenames)
                | Q(groups__permissions__codename__in=codenames)
            )
        else:
            head = department_head_id_of(request.requester_id)
            named = users.filter(pk=head) if head is not None else users.none()
        for user in named.distinct():
            found.setdefault(user.pk, user)
    return list(found.values())


def _requester_name(request: ApprovalRequest) -> str:
    user = request.requester
    return str(user.get_full_name() or user.get_username()) if user else ""


def _tell_deciders(request: ApprovalRequest) -> None:
    notice = _NOTICES.get(request.kind)
    if notice is None or request.status != ApprovalRequest.Status.PENDING:
        return
    deciders = [u for u in _candidates(request) if decidable_steps(request, principal=Staff(u))]
    waiting, _decided, link = notice
    tell(
        deciders,
        waiting,
        {"id": f"#{request.owner_id}", "requester": _requester_name(request)},
        link=link.format(id=request.owner_id),
        object_type=request.owner_label,
        object_id=request.owner_id,
    )


def _tell_requester(request: ApprovalRequest, status: str) -> None:
    """The requester learns the decision (a withdrawal is their own: nobody is told)."""
    notice = _NOTICES.get(request.kind)
    if notice is None or status not in ("approved", "rejected") or not notice[1]:
        return
    _waiting, decided, link = notice
    tell(
        [request.requester],
        decided,
        {"id": f"#{request.owner_id}", "outcome": OUTCOME_WORDS[status]},
        link=link.format(id=request.owner_id),
        object_type=request.owner_label,
        object_id=request.owner_id,
    )


def _locked(request_id: int) -> ApprovalRequest:
    request = ApprovalRequest.objects.select_for_update().filter(pk=request_id).first()
    if request is None:
        raise Refusal("approval.unknown_request", "request")
    return request


@transaction.atomic
def approval_decide(
    *,
    request_id: int,
    principal: Principal,
    approve: bool,
    reason: str = "",
    step: str | None = None,
    actor: Actor | None = None,
    purpose: str = "",
    audit_reason: bool = True,
) -> ApprovalDecision:
    """``principal``'s acting user decides ``step`` (by default the step they are named by)
    of the request. Refused with the core's ``approval.*`` refusal (``approval.nobody`` for a
    principal without a person) before anything changes; otherwise the decision and its audit
    event are written in one transaction, and when the request closes the owner's hooks are
    called with the outcome. The event records ``Actor.of_principal(principal)`` unless the
    owner names another ``actor`` (retention records the person acting, ``Actor.acting``)."""
    user = _person(principal)
    request = _locked(request_id)
    plan = request.step_plan
    decisions = request.decided()
    decider = _decider(user, request, plan)
    if request.status != ApprovalRequest.Status.PENDING:
        raise Refusal("approval.closed", "status")
    step = step or _chosen_step(plan, decisions, decider)
    refusal = rules.refusal_for(
        plan,
        decisions,
        requester=request.requester_id,
        decider=decider,
        step=step,
        approve=approve,
        reason=reason,
    )
    if refusal is not None:
        raise refusal
    now = timezone.now()
    reason = (reason or "").strip()
    decision = ApprovalDecision.objects.create(
        request=request, step=step, decider=user, approve=approve, reason=reason, decided_at=now
    )
    decisions.append(rules.Decision(step=step, decider=user.pk, approve=approve))
    result = rules.outcome(plan, decisions)
    detail: dict[str, Any] = {"step": step, "approve": approve}
    if audit_reason:
        detail["reason"] = reason
    audit_record(
        actor=actor or Actor.of_principal(principal),
        event=Event(
            action=Action.APPROVAL,
            object_type=request.owner_label,
            object_id=str(request.owner_id),
            purpose=purpose,
            detail=detail,
        ),
    )
    if result is not Outcome.PENDING:
        request.close(str(result))
        request.decided_at = now
        request.save(update_fields=["status", "decided_at"])
        _closed(request)
    else:
        _tell_deciders(request)  # the next step is someone else's now
    return decision


@transaction.atomic
def approval_withdraw(
    *, request_id: int, principal: Principal, actor: Actor | None = None
) -> ApprovalRequest:
    """The requester (``principal``'s acting user; refused ``approval.nobody`` without one)
    withdraws a pending request, audited as ``Actor.of_principal(principal)`` unless the owner
    names another ``actor``; the owner's hooks are told."""
    user = _person(principal)
    request = _locked(request_id)
    if request.requester_id != user.pk:
        raise Refusal("approval.not_requester", "requester")
    if request.status != ApprovalRequest.Status.PENDING:
        raise Refusal("approval.closed", "status")
    request.withdraw()
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decided_at"])
    audit_record(
        actor=actor or Actor.of_principal(principal),
        event=Event(
            action=Action.APPROVAL,
            object_type=request.owner_label,
            object_id=str(request.owner_id),
            detail={"withdrawn": True},
        ),
    )
    _closed(request)
    return request
