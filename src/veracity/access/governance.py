"""Need to know (D4.17–D4.24): access requests, their approval chains and borrowing grants.

The rules of who approves what are data (the step plans ``core.approvals.access_plan``); the
chain runs on the approvals engine (``veracity.approvals``), which this module drives:

- borrowing (D4.18): the requester's department head, then customer service; classified
  files (D4.22) also the customer service manager;
- copying or exporting (D4.23): the general manager or the customer information manager;
- giving data to an outside party (D4.24): the customer information manager and the
  customer service manager, both.

Nobody decides on their own request, nor on two steps of one request (the core's rules). An
approved borrowing or export becomes one grant per customer file, at most three days long
(D4.19); returning closes it early, the expiry job stamps the ones that ran out. Every step
is audited.

The services take the person acting as ``*, principal: Principal``
(``veracity.org.principals``): its acting user requests, decides, withdraws and returns, and
the trail records the principal as the caller (``Actor.of_principal``: a member of staff by
name, an API client or a command as ``api:<client>`` / ``system:<name>`` with its person's
id). The expiry job has no person: it keeps its own actor, ``system:grant-expiry``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from veracity.access.models import (
    SCOPE_ORDER,
    AccessGrant,
    AccessRequest,
    Confidentiality,
    Scope,
)
from veracity.access.policy import record_refusal
from veracity.approvals import services as approvals
from veracity.approvals.models import ApprovalDecision, ApprovalRequest
from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record, audit_record_many
from veracity.core import approvals as plans
from veracity.core.refusals import CATALOGUE, Entry, Refusal, register
from veracity.core.refusals import Kind as RefusalKind
from veracity.notify.models import Notification
from veracity.notify.services import tell
from veracity.org.principals import Principal, acting_user

MAX_BORROW_DAYS: Final = 3  # D4.19: 借阅时间最长不超过3天

#: Lists and reports whose export needs an approved export request (D4.23).
EXPORTABLE: Final = {
    "problem_items": ("可疑客户信息资料问题件清单", "Problem-item list"),
    # 考核: the assessment of sellers and agencies (veracity.conduct.assessment)
    "assessment": ("销售人员及代理机构考核表", "Assessment of sellers and agencies"),
}

Kind = AccessRequest.Kind
RequestKind = AccessRequest.Kind
#: The owner label of access requests on the approvals engine (and their audit object type).
OWNER: Final = "access_request"
#: The engine's kind of each access request kind.
APPROVAL_KIND: Final = {kind: f"access.{kind}" for kind in RequestKind.values}


class Step:
    DEPARTMENT_HEAD = plans.DEPARTMENT_HEAD.name
    CUSTOMER_SERVICE = plans.CUSTOMER_SERVICE.name
    CUSTOMER_SERVICE_MANAGER = plans.CUSTOMER_SERVICE_MANAGER.name
    EXPORT_APPROVER = plans.EXPORT_APPROVER.name  # general manager or information manager
    INFORMATION_MANAGER = plans.INFORMATION_MANAGER.name


#: Each step's label (zh, en), from the step plans.
STEP_LABELS: Final = {
    s.name: (s.label_zh, s.label_en) for plan in plans.ACCESS_PLANS.values() for s in plan.steps
}


def approval_steps(kind: str, *, classified: bool) -> list[str]:
    """The approvals a request needs, in order."""
    return [s.name for s in plans.access_plan(kind, classified=classified).steps]


# --- refusals --------------------------------------------------------------------------------
# key → (stable code, kind, zh, en); the key is the catalogue's, the code is what callers test.
_REFUSALS: Final[dict[str, tuple[str, RefusalKind, str, str]]] = {
    "access.subject_required": (
        "REQUIRED",
        RefusalKind.INVALID,
        "请填写申请事由",
        "state the subject",
    ),
    "access.purpose_required": ("REQUIRED", RefusalKind.INVALID, "请填写用途", "state the purpose"),
    "access.reason_required": ("REQUIRED", RefusalKind.INVALID, "请填写理由", "state the reason"),
    "access.kind_invalid": (
        "INVALID",
        RefusalKind.INVALID,
        "申请类型无效",
        "unknown kind of request",
    ),
    "access.scope_invalid": ("INVALID", RefusalKind.INVALID, "范围无效", "unknown scope"),
    "access.too_long": (
        "TOO_LONG",
        RefusalKind.INVALID,
        "借阅时间最长不超过3天",
        "borrowing lasts at most 3 days",
    ),
    "access.recipient_required": (
        "REQUIRED",
        RefusalKind.INVALID,
        "请填写接收方",
        "name the recipient",
    ),
    "access.legal_basis_required": (
        "REQUIRED",
        RefusalKind.INVALID,
        "请填写法律依据",
        "state the legal basis",
    ),
    "access.data_items_required": (
        "REQUIRED",
        RefusalKind.INVALID,
        "请列明提供的数据",
        "list the data to be sent",
    ),
    "access.credential_required": (
        "REQUIRED",
        RefusalKind.INVALID,
        "外部人员须登记介绍信或工作证号",
        "an outside person registers a letter of introduction or work ID",
    ),
    "access.unknown_customer": (
        "UNKNOWN",
        RefusalKind.NOT_FOUND,
        "客户档案不存在",
        "no such customer file",
    ),
    "access.unknown_export": (
        "UNKNOWN",
        RefusalKind.INVALID,
        "不可导出的清单",
        "no such list to export",
    ),
    "access.customers_required": (
        "REQUIRED",
        RefusalKind.INVALID,
        "请指明客户档案",
        "name the customer files",
    ),
    "access.closed": (
        "CLOSED",
        RefusalKind.CONFLICT,
        "该申请已办结",
        "the request is no longer pending",
    ),
    "access.own_request": (
        "OWN_REQUEST",
        RefusalKind.FORBIDDEN,
        "不得审批本人的申请",
        "nobody approves their own request",
    ),
    "access.not_approver": (
        "NOT_APPROVER",
        RefusalKind.FORBIDDEN,
        "此步骤须由{step_zh}审批",
        "this step is for the {step_en}",
    ),
    "access.rejection_reason": (
        "REQUIRED",
        RefusalKind.INVALID,
        "驳回须说明理由",
        "a rejection needs a reason",
    ),
    "access.not_yours": (
        "NOT_YOURS",
        RefusalKind.FORBIDDEN,
        "只能撤回本人的申请",
        "only your own request",
    ),
    "access.person_required": (
        "PERSON_REQUIRED",
        RefusalKind.FORBIDDEN,
        "申请须由本人提出",
        "a request is made by a person",
    ),
    "access.nothing_to_return": (
        "NOTHING",
        RefusalKind.CONFLICT,
        "没有待归还的借阅",
        "nothing to return",
    ),
    "access.unknown_policy": (
        "UNKNOWN",
        RefusalKind.INVALID,
        "所申请的客户档案中没有此保单",
        "no such policy in the customer files asked for",
    ),
    "access.unknown_item": (
        "UNKNOWN",
        RefusalKind.INVALID,
        "所申请的客户档案中没有此问题件",
        "no such problem item in the customer files asked for",
    ),
    "access.borrowing_only": (
        "INVALID",
        RefusalKind.INVALID,
        "只有借阅申请可指明保单或问题件",
        "only a borrowing names a policy or a problem item",
    ),
    "access.classification_invalid": (
        "INVALID",
        RefusalKind.INVALID,
        "客户类别无效",
        "unknown classification",
    ),
    "access.confidentiality_invalid": (
        "INVALID",
        RefusalKind.INVALID,
        "密级无效",
        "unknown confidentiality level",
    ),
    "access.custodian_required": (
        "REQUIRED",
        RefusalKind.INVALID,
        "机密档案须指定专人保管",
        "a classified file needs a custodian",
    ),
}
register({key: (kind, zh, en) for key, (_, kind, zh, en) in _REFUSALS.items()})


class GovernanceError(Refusal):
    """A refused request or decision: ``GovernanceError(key, field, **params)`` with its words
    from the catalogue; ``code`` is the stable code (``REQUIRED``, ``NOT_APPROVER`` …)."""

    def __init__(self, key: str, field: str = "", /, **params: Any) -> None:
        super().__init__(key, field, **params)
        self.key = key
        self.code = _REFUSALS[key][0]

    @property
    def entry(self) -> Entry:
        return CATALOGUE[self.key]


#: The engine's refusals, as this app words them.
_FROM_ENGINE: Final = {
    "approval.closed": "access.closed",
    "approval.step_decided": "access.closed",
    "approval.unknown_step": "access.closed",
    "approval.unknown_request": "access.closed",
    "approval.own_request": "access.own_request",
    "approval.second_step": "access.not_approver",
    "approval.out_of_order": "access.not_approver",
    "approval.not_decider": "access.not_approver",
    "approval.reason_required": "access.rejection_reason",
    "approval.not_requester": "access.not_yours",
    "approval.nobody": "access.person_required",
}


def _from_engine(refusal: Refusal, step: str | None) -> GovernanceError:
    key = _FROM_ENGINE[refusal.code]
    zh, en = STEP_LABELS.get(step or "", (step or "", step or ""))
    return GovernanceError(key, refusal.field, step_zh=zh, step_en=en.lower())


# --- requests ------------------------------------------------------------------------------


def access_request_submit(
    *,
    principal: Principal,
    customer_ids: Sequence[int],
    subject: str,
    purpose: str,
    reason: str,
    kind: str = RequestKind.BORROW,
    scope: str = Scope.VIEW,
    days: int = MAX_BORROW_DAYS,
    external: dict[str, str] | None = None,
    export_of: str = "",
    policy_no: str = "",
    item_no: str = "",
) -> AccessRequest:
    """Record a request (D4.18: subject, purpose, reason, requester) and open its approval
    chain on the approvals engine. The requester is ``principal``'s acting user; a principal
    without a person (a customer, a system alone) is refused (``access.person_required``).

    A borrowing may name what it is for: ``policy_no`` (the policy or application number as
    typed) and/or ``item_no`` (the problem item's number, ``12`` or ``#12``), each looked up
    within the files asked for (``access.unknown_policy`` / ``access.unknown_item`` on the
    field ``policy`` / ``item`` otherwise, alike whether it exists elsewhere or not). The
    grants then open that policy or item to the borrower for their term."""
    # The customer register sits above access in the layers: its files are reached through
    # the request's own relation (the classified flag of the files asked for decides the chain).
    customer_model: Any = AccessRequest._meta.get_field("customers").related_model
    requester = acting_user(principal)
    if getattr(requester, "pk", None) is None:
        raise GovernanceError("access.person_required", "requester")
    _require(subject, "subject", "access.subject_required")
    _require(purpose, "purpose", "access.purpose_required")
    _require(reason, "reason", "access.reason_required")
    if kind not in RequestKind.values:
        raise GovernanceError("access.kind_invalid", "kind")
    if scope not in Scope.values:
        raise GovernanceError("access.scope_invalid", "scope")
    if not 1 <= int(days) <= MAX_BORROW_DAYS:
        raise GovernanceError("access.too_long", "days")
    external = {k: (v or "").strip() for k, v in (external or {}).items()}
    if kind == RequestKind.EXTERNAL:
        for name in ("recipient", "legal_basis", "data_items"):
            _require(external.get(name, ""), name, f"access.{name}_required")
    if external.get("external_name") and not external.get("external_credential"):
        raise GovernanceError("access.credential_required", "external_credential")
    customers = list(customer_model.objects.filter(pk__in=set(customer_ids)))
    if len(customers) != len(set(customer_ids)):
        raise GovernanceError("access.unknown_customer", "customers")
    export_of = (export_of or "").strip()
    if kind == RequestKind.EXPORT and export_of and export_of not in EXPORTABLE:
        raise GovernanceError("access.unknown_export", "export_of")
    if not customers and not (kind == RequestKind.EXPORT and export_of):
        raise GovernanceError("access.customers_required", "customers")
    named_policy, named_item = _named_for(kind, customers, policy_no, item_no)
    classified = any(c.confidentiality != Confidentiality.NORMAL for c in customers)
    plan = plans.access_plan(kind, classified=classified)
    with transaction.atomic():
        request = AccessRequest.objects.create(
            kind=kind,
            requester=requester,
            subject=subject.strip(),
            purpose=purpose.strip(),
            reason=reason.strip(),
            scope=Scope.DOWNLOAD if kind == RequestKind.EXPORT else scope,
            days=int(days),
            export_of=export_of if kind == RequestKind.EXPORT else "",
            classified=classified,
            policy=named_policy,
            item=named_item,
            steps=[s.name for s in plan.steps],
            **{k: v for k, v in external.items() if k in EXTERNAL_FIELDS},
        )
        request.customers.set(customers)
        approvals.approval_open(
            kind=APPROVAL_KIND[kind],
            plan=plan,
            principal=principal,
            owner_label=OWNER,
            owner_id=request.pk,
            created_at=request.created_at,
        )
        audit_record(
            actor=Actor.of_principal(principal),
            event=Event(
                action=Action.ACCESS_REQUEST,
                object_type=OWNER,
                object_id=str(request.pk),
                purpose=request.purpose,
                detail={
                    "kind": kind,
                    "customers": sorted(c.pk for c in customers),
                    **({"policy": named_policy.pk} if named_policy is not None else {}),
                    **({"item": named_item.pk} if named_item is not None else {}),
                },
            ),
        )
    return request


def _typed(text: str | None) -> str:
    """A number as typed: full-width forms folded, spaces dropped."""
    return unicodedata.normalize("NFKC", text or "").replace(" ", "").strip()


def _named_for(
    kind: str, customers: Sequence[Any], policy_no: str, item_no: str
) -> tuple[Any, Any]:
    """The policy and the problem item a borrowing names, within ``customers`` (the files
    asked for). Both registers sit above access in the layers: they are reached through the
    request's own relations."""
    policy_text, item_text = _typed(policy_no), _typed(item_no).lstrip("#")
    if not policy_text and not item_text:
        return None, None
    if kind != RequestKind.BORROW:
        raise GovernanceError("access.borrowing_only", "policy" if policy_text else "item")
    policy = item = None
    if policy_text:
        policy_model: Any = AccessRequest._meta.get_field("policy").related_model
        matching = policy_model.objects.filter(
            Q(policy_no=policy_text) | Q(application_no=policy_text),
            roles__customer__in=customers,
        )
        policy = matching.order_by("pk").first() if len(policy_text) <= 40 else None
        if policy is None:
            raise GovernanceError("access.unknown_policy", "policy")
    if item_text:
        item_model: Any = AccessRequest._meta.get_field("item").related_model
        number = int(item_text) if item_text.isdigit() and len(item_text) <= 18 else 0
        item = (
            item_model.objects.filter(pk=number, members__customer__in=customers).first()
            if number > 0
            else None
        )
        if item is None:
            raise GovernanceError("access.unknown_item", "item")
    return policy, item


EXTERNAL_FIELDS: Final = {
    "external_name",
    "external_org",
    "external_credential",
    "recipient",
    "legal_basis",
    "data_items",
}


def _require(value: str, field: str, key: str) -> None:
    if not (value or "").strip():
        raise GovernanceError(key, field)


def approval_of(request: AccessRequest) -> ApprovalRequest:
    """The request's approval chain on the approvals engine."""
    found = approvals.approval_for(OWNER, request.pk)
    if found is None:
        raise GovernanceError("access.closed", "status")
    return found


def decisions_of(request: AccessRequest) -> list[ApprovalDecision]:
    """The decisions taken on ``request``, in order, with their deciders."""
    return list(
        ApprovalDecision.objects.filter(
            request__owner_label=OWNER, request__owner_id=request.pk
        ).select_related("decider")
    )


def pending_step(request: AccessRequest) -> str | None:
    decided = set(
        ApprovalDecision.objects.filter(
            request__owner_label=OWNER, request__owner_id=request.pk
        ).values_list("step", flat=True)
    )
    return next((s for s in request.steps if s not in decided), None)


def may_decide(request: AccessRequest, step: str | None = None, *, principal: Principal) -> bool:
    """``principal``'s acting user may decide the pending step of ``request``: holds the
    step's role (or heads the requester's department), is not the requester, and decided no
    other step."""
    if acting_user(principal) is None:
        return False
    step = step or pending_step(request)
    if step is None or request.status != AccessRequest.Status.PENDING:
        return False
    approval = approvals.approval_for(OWNER, request.pk)
    if approval is None:
        return False
    return step in {s.name for s in approvals.decidable_steps(approval, principal=principal)}


def requests_awaiting(*, principal: Principal, limit: int = 500) -> list[AccessRequest]:
    """The pending requests whose next step ``principal``'s acting user may decide, oldest
    first (none for a principal without a person)."""
    waiting = approvals.awaiting(principal=principal, kinds=APPROVAL_KIND.values(), limit=limit)
    found = AccessRequest.objects.in_bulk([a.owner_id for a in waiting])
    return [found[a.owner_id] for a in waiting if a.owner_id in found]


def access_request_decide(
    *, request_id: int, principal: Principal, approve: bool, reason: str = ""
) -> AccessRequest:
    """``principal``'s acting user decides the pending step (on the approvals engine); a
    rejection needs a reason and ends the request, the last approval grants it."""
    with transaction.atomic():
        request = AccessRequest.objects.select_for_update().get(pk=request_id)
        step = pending_step(request)
        if request.status != AccessRequest.Status.PENDING or step is None:
            raise GovernanceError("access.closed", "status")
        try:
            approvals.approval_decide(
                request_id=approval_of(request).pk,
                principal=principal,
                approve=approve,
                reason=reason,
                step=step,
                purpose=request.purpose,
            )
        except GovernanceError:
            raise
        except Refusal as refusal:
            raise _from_engine(refusal, step) from None
        request.refresh_from_db(fields=["status", "decided_at"])
    return request


def _closed(approval: ApprovalRequest, status: str) -> None:
    """The outcome of an access request's chain (in the deciding transaction: the status
    mirror and the grants exist when the decision returns)."""
    request = AccessRequest.objects.get(pk=approval.owner_id)
    request.status = status
    request.decided_at = approval.decided_at
    request.save(update_fields=["status", "decided_at"])
    if status == AccessRequest.Status.APPROVED and request.kind != RequestKind.EXTERNAL:
        assert approval.decided_at is not None
        _grant(request, approval.decided_at)


#: the notice kinds (``notify.catalogue``) of each request kind's hand-offs
_NOTICE_OF: Final[dict[str, str]] = {
    RequestKind.BORROW: "access_request",
    RequestKind.EXPORT: "export_request",
    RequestKind.EXTERNAL: "provision_request",
}
for _request_kind, _kind in APPROVAL_KIND.items():
    approvals.on_outcome(_kind, _closed, in_transaction=True)
    approvals.on_step_waiting(
        _kind,
        waiting=f"{_NOTICE_OF[_request_kind]}_waiting",
        decided=f"{_NOTICE_OF[_request_kind]}_decided",
        link="/access/{id}/",
    )


def _grant(request: AccessRequest, now: datetime) -> list[AccessGrant]:
    ends = now + timedelta(days=min(request.days, MAX_BORROW_DAYS))
    return AccessGrant.objects.bulk_create(
        AccessGrant(
            request=request,
            holder_id=request.requester_id,
            customer=customer,
            scope=request.scope,
            starts_at=now,
            ends_at=ends,
        )
        for customer in request.customers.all()
    )


def access_request_withdraw(*, request_id: int, principal: Principal) -> AccessRequest:
    """The requester (``principal``'s acting user) withdraws a pending request."""
    user = acting_user(principal)
    with transaction.atomic():
        request = AccessRequest.objects.select_for_update().get(pk=request_id)
        if user is None or request.requester_id != user.pk:
            raise GovernanceError("access.not_yours", "requester")
        if request.status != AccessRequest.Status.PENDING:
            raise GovernanceError("access.closed", "status")
        try:
            approvals.approval_withdraw(request_id=approval_of(request).pk, principal=principal)
        except GovernanceError:
            raise
        except Refusal as refusal:
            raise _from_engine(refusal, None) from None
        request.refresh_from_db(fields=["status", "decided_at"])
    return request


# --- grants --------------------------------------------------------------------------------


def active_grants(*, principal: Principal, now: datetime | None = None) -> Any:
    """The grants ``principal``'s acting user holds now (neither returned nor run out; none
    for a principal without a person)."""
    now = now or timezone.now()
    return AccessGrant.objects.filter(
        holder_id=getattr(acting_user(principal), "pk", None),
        returned_at__isnull=True,
        starts_at__lte=now,
        ends_at__gt=now,
    )


def granted_customer_ids(
    scope: str = Scope.VIEW, *, principal: Principal, now: datetime | None = None
) -> Any:
    """Customers ``principal``'s acting user may see through a grant of at least ``scope``
    (a subquery)."""
    allowed = SCOPE_ORDER[SCOPE_ORDER.index(Scope(scope)) :]
    return (
        active_grants(principal=principal, now=now).filter(scope__in=allowed).values("customer_id")
    )


def granted_policy_ids(*, principal: Principal, now: datetime | None = None) -> Any:
    """The policies ``principal``'s acting user borrowed the files of a policy for: those
    named by the requests of its grants in force (a subquery)."""
    return (
        active_grants(principal=principal, now=now)
        .filter(request__policy__isnull=False)
        .values("request__policy_id")
    )


def granted_item_ids(*, principal: Principal, now: datetime | None = None) -> Any:
    """The problem items named by the requests of ``principal``'s grants in force (a
    subquery)."""
    return (
        active_grants(principal=principal, now=now)
        .filter(request__item__isnull=False)
        .values("request__item_id")
    )


def grant_return(*, principal: Principal, grant: AccessGrant | int) -> AccessGrant:
    """Return one borrowed file now (D4.19: the loan closes early): only its holder,
    ``principal``'s acting user, returns it, while it is in force (``access.nothing_to_return``
    otherwise — also for somebody else's grant, which is not told apart, but is recorded as a
    refused attempt). Audited as a return under its request; the approvers of the request are
    told."""
    grant_id = grant.pk if isinstance(grant, AccessGrant) else int(grant)
    holder_id = getattr(acting_user(principal), "pk", None)
    with transaction.atomic():
        now = timezone.now()
        found = (
            AccessGrant.objects.select_for_update()
            .filter(
                pk=grant_id,
                holder_id=holder_id,
                returned_at__isnull=True,
                expired_at__isnull=True,
                ends_at__gt=now,
            )
            .first()
            if holder_id is not None
            else None
        )
        if found is not None:
            found.returned_at = now
            found.save(update_fields=["returned_at"])
            audit_record(
                actor=Actor.of_principal(principal),
                event=Event(
                    action=Action.GRANT_RETURN,
                    object_type="access_request",
                    object_id=str(found.request_id),
                    customer_id=found.customer_id,
                    detail={"grants": [found.pk]},
                ),
            )
            _tell_approvers_returned(found.request_id, [found], principal=principal)
    if found is None:
        held = (
            holder_id is not None
            and AccessGrant.objects.filter(pk=grant_id, holder_id=holder_id).exists()
        )
        if not held and holder_id is not None:
            # somebody else's grant, or none at all: recorded alike (after the transaction,
            # so that the record stays)
            record_refusal(
                actor=Actor.of_principal(principal),
                action="access.request",
                object_type="access_grant",
                object_id=str(grant_id),
                detail={"step": "return"},
            )
        raise GovernanceError("access.nothing_to_return", "grant")
    return found


def _tell_approvers_returned(
    request_id: int, grants: Sequence[AccessGrant], *, principal: Principal
) -> None:
    """Tell the people who approved request ``request_id`` that files borrowed under it were
    returned early (inside the returning transaction)."""
    approvers = [
        d.decider
        for d in ApprovalDecision.objects.filter(
            request__owner_label=OWNER, request__owner_id=request_id, approve=True
        ).select_related("decider")
        if d.decider is not None
    ]
    if not approvers:
        return
    who = acting_user(principal)
    name = (who.get_full_name() or who.get_username()) if who is not None else ""
    files = sorted({g.customer.archive_no or str(g.customer_id) for g in grants})
    tell(
        approvers,
        "grant_returned",
        {"person": name, "files": files, "id": f"#{request_id}"},
        link=f"/access/{request_id}/",
        object_type=OWNER,
        object_id=request_id,
    )


def access_grants_return(*, request_id: int, principal: Principal) -> int:
    """Return the files ``principal``'s acting user borrowed (closes the loan early, D4.19)."""
    holder_id = getattr(acting_user(principal), "pk", None)
    with transaction.atomic():
        grants = list(
            AccessGrant.objects.select_for_update().filter(
                request_id=request_id,
                holder_id=holder_id,
                returned_at__isnull=True,
                expired_at__isnull=True,
            )
        )
        if holder_id is None or not grants:
            raise GovernanceError("access.nothing_to_return", "request")
        now = timezone.now()
        for grant in grants:
            grant.returned_at = now
        AccessGrant.objects.bulk_update(grants, ["returned_at"])
        audit_record(
            actor=Actor.of_principal(principal),
            event=Event(
                action=Action.GRANT_RETURN,
                object_type="access_request",
                object_id=str(request_id),
                detail={"grants": [g.pk for g in grants]},
            ),
        )
        _tell_approvers_returned(request_id, grants, principal=principal)
    return len(grants)


def access_grants_expire(*, now: datetime | None = None) -> int:
    """Stamp the loans that ran out without being returned (the expiry job); each is
    audited as ``system:grant-expiry`` (a job without a person: it takes no principal). A
    grant stops working at ``ends_at`` whether or not this has run."""
    now = now or timezone.now()
    with transaction.atomic():
        grants = list(
            AccessGrant.objects.select_for_update().filter(
                ends_at__lte=now, returned_at__isnull=True, expired_at__isnull=True
            )
        )
        for grant in grants:
            grant.expired_at = now
        AccessGrant.objects.bulk_update(grants, ["expired_at"])
        if grants:
            audit_record_many(
                actor=Actor.system("grant-expiry"),
                events=[
                    Event(
                        action=Action.GRANT_EXPIRED,
                        object_type="access_grant",
                        object_id=str(g.pk),
                        customer_id=g.customer_id,
                        detail={"holder": g.holder_id, "request": g.request_id},
                    )
                    for g in grants
                ],
            )
    return len(grants)


#: how long before its end a borrower is told a grant is ending
GRANT_WARNING: Final = timedelta(days=1)


def access_grants_warn(*, now: datetime | None = None) -> int:
    """Tell each borrower whose grants end within :data:`GRANT_WARNING` (neither returned nor
    expired) when their access ends: one notice per request, never twice for one request (the
    daily job may run again). Returns how many people were told."""
    now = now or timezone.now()
    ending = (
        AccessGrant.objects.filter(
            ends_at__gt=now,
            ends_at__lte=now + GRANT_WARNING,
            returned_at__isnull=True,
            expired_at__isnull=True,
        )
        .select_related("holder")
        .order_by("ends_at")
    )
    by_request: dict[int, AccessGrant] = {}
    for grant in ending:
        by_request.setdefault(grant.request_id, grant)
    told_before = set(
        Notification.objects.filter(
            kind="grant_expiring",
            object_type="access_request",
            object_id__in=[str(pk) for pk in by_request],
        ).values_list("object_id", flat=True)
    )
    told = 0
    for request_id, grant in by_request.items():
        if str(request_id) in told_before:
            continue
        with transaction.atomic():
            notes = tell(
                [grant.holder],
                "grant_expiring",
                {
                    "id": f"#{request_id}",
                    "ends_at": f"{timezone.localtime(grant.ends_at):%Y-%m-%d %H:%M}",
                },
                link=f"/access/{request_id}/",
                object_type="access_request",
                object_id=request_id,
            )
        told += len(notes)
    return told


def grants_ending_count(*, principal: Principal, now: datetime | None = None) -> int:
    """How many of the acting user's grants end within :data:`GRANT_WARNING` (neither
    returned nor expired)."""
    user = acting_user(principal)
    if getattr(user, "pk", None) is None:
        return 0
    now = now or timezone.now()
    return AccessGrant.objects.filter(
        holder_id=user.pk,
        ends_at__gt=now,
        ends_at__lte=now + GRANT_WARNING,
        returned_at__isnull=True,
        expired_at__isnull=True,
    ).count()


# --- exports (D4.23) -------------------------------------------------------------------------


def export_authorisation(
    export_of: str, *, principal: Principal, now: datetime | None = None
) -> AccessRequest | None:
    """The approved export request under which ``principal`` may export ``export_of`` now:
    by its acting user, approved, and within its days since approval (``None`` for a
    principal without a person)."""
    now = now or timezone.now()
    user = acting_user(principal)
    if user is None:
        return None
    candidates = AccessRequest.objects.filter(
        kind=Kind.EXPORT,
        export_of=export_of,
        requester_id=getattr(user, "pk", None),
        status=AccessRequest.Status.APPROVED,
        decided_at__isnull=False,
    ).order_by("-decided_at")
    for request in candidates[:5]:
        assert request.decided_at is not None
        if now < request.decided_at + timedelta(days=min(request.days, MAX_BORROW_DAYS)):
            return request
    return None


def export_record(*, principal: Principal, request: AccessRequest, what: str, rows: int) -> str:
    """Record an export made by ``principal`` under ``request`` (audited as
    ``Actor.of_principal``) and return the watermark every exported file carries: who, for
    what purpose, when, under which approval. Who is the principal's acting user, or — for a
    system reading alone under its person's approval — the request's requester."""
    now = timezone.localtime()
    exporter = acting_user(principal) or request.requester
    watermark = (
        f"导出人 Exported by: {exporter.get_username()} · 用途 Purpose: {request.purpose} · "
        f"时间 Time: {now:%Y-%m-%d %H:%M:%S} · 审批单 Approval: #{request.pk}"
    )
    audit_record(
        actor=Actor.of_principal(principal),
        event=Event(
            action=Action.EXPORT,
            object_type="access_request",
            object_id=str(request.pk),
            purpose=request.purpose,
            detail={"what": what, "rows": rows, "watermark": watermark},
        ),
    )
    return watermark
