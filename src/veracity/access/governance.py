"""Need to know (D4.17–D4.24): access requests, their approval chains and borrowing grants.

The rules of who approves what are data (``approval_steps``), the decisions are services:

- borrowing (D4.18): the requester's department head, then customer service; classified
  files (D4.22) also the customer service manager;
- copying or exporting (D4.23): the general manager or the customer information manager;
- giving data to an outside party (D4.24): the customer information manager and the
  customer service manager, both.

Nobody decides on their own request, nor on two steps of one request. An approved borrowing
or export becomes one grant per customer file, at most three days long (D4.19); returning
closes it early, the expiry job stamps the ones that ran out. Every step is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from django.db import transaction
from django.utils import timezone

from veracity.access.models import (
    SCOPE_ORDER,
    AccessGrant,
    AccessRequest,
    Approval,
    Scope,
    StaffProfile,
)
from veracity.access.roles import RoleName, roles_of
from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record, audit_record_many
from veracity.core.refusals import Refusal

MAX_BORROW_DAYS: Final = 3  # D4.19: 借阅时间最长不超过3天

#: Lists and reports whose export needs an approved export request (D4.23).
EXPORTABLE: Final = {
    "problem_items": ("可疑客户信息资料问题件清单", "Problem-item list"),
}

Kind = AccessRequest.Kind


class Step:
    DEPARTMENT_HEAD = "department_head"
    CUSTOMER_SERVICE = "customer_service"
    CUSTOMER_SERVICE_MANAGER = "customer_service_manager"
    EXPORT_APPROVER = "export_approver"  # general manager or customer information manager
    INFORMATION_MANAGER = "information_manager"


STEP_LABELS: Final = {
    Step.DEPARTMENT_HEAD: ("申请人部门负责人", "Requester's department head"),
    Step.CUSTOMER_SERVICE: ("客户服务部", "Customer service"),
    Step.CUSTOMER_SERVICE_MANAGER: ("客户服务部经理", "Customer service manager"),
    Step.EXPORT_APPROVER: ("总经理或客户信息主管", "General manager or information manager"),
    Step.INFORMATION_MANAGER: ("客户信息主管", "Customer information manager"),
}

#: The roles that may decide a step (the department head is a person, not a role).
STEP_ROLES: Final = {
    Step.CUSTOMER_SERVICE: {RoleName.CUSTOMER_SERVICE, RoleName.CUSTOMER_SERVICE_MANAGER},
    Step.CUSTOMER_SERVICE_MANAGER: {RoleName.CUSTOMER_SERVICE_MANAGER},
    Step.EXPORT_APPROVER: {RoleName.GENERAL_MANAGER, RoleName.INFORMATION_MANAGER},
    Step.INFORMATION_MANAGER: {RoleName.INFORMATION_MANAGER},
}


def approval_steps(kind: str, *, classified: bool) -> list[str]:
    """The approvals a request needs, in order."""
    if kind == Kind.EXPORT:
        steps = [Step.EXPORT_APPROVER]
    elif kind == Kind.EXTERNAL:
        steps = [Step.INFORMATION_MANAGER, Step.CUSTOMER_SERVICE_MANAGER]
    else:
        steps = [Step.DEPARTMENT_HEAD, Step.CUSTOMER_SERVICE]
    if classified and Step.CUSTOMER_SERVICE_MANAGER not in steps:
        steps.append(Step.CUSTOMER_SERVICE_MANAGER)
    return steps


class GovernanceError(Refusal):
    """A refused request or decision; ``field`` names what is wrong."""


def _refuse(code: str, field: str, zh: str, en: str) -> GovernanceError:
    return GovernanceError(code, field, zh, en)


# --- requests ------------------------------------------------------------------------------


def access_request_submit(
    *,
    requester: Any,
    customer_ids: Sequence[int],
    subject: str,
    purpose: str,
    reason: str,
    kind: str = Kind.BORROW,
    scope: str = Scope.VIEW,
    days: int = MAX_BORROW_DAYS,
    external: dict[str, str] | None = None,
    export_of: str = "",
    actor: Actor,
) -> AccessRequest:
    """Record a request (D4.18: subject, purpose, reason, requester) and its approval chain."""
    from veracity.customers.models import Confidentiality, Customer

    _require(subject, "subject", "请填写申请事由", "state the subject")
    _require(purpose, "purpose", "请填写用途", "state the purpose")
    _require(reason, "reason", "请填写理由", "state the reason")
    if kind not in Kind.values:
        raise _refuse("INVALID", "kind", "申请类型无效", "unknown kind of request")
    if scope not in Scope.values:
        raise _refuse("INVALID", "scope", "范围无效", "unknown scope")
    if not 1 <= int(days) <= MAX_BORROW_DAYS:
        raise _refuse("TOO_LONG", "days", "借阅时间最长不超过3天", "borrowing lasts at most 3 days")
    external = {k: (v or "").strip() for k, v in (external or {}).items()}
    if kind == Kind.EXTERNAL:
        for name, zh, en in (
            ("recipient", "请填写接收方", "name the recipient"),
            ("legal_basis", "请填写法律依据", "state the legal basis"),
            ("data_items", "请列明提供的数据", "list the data to be sent"),
        ):
            _require(external.get(name, ""), name, zh, en)
    if external.get("external_name") and not external.get("external_credential"):
        raise _refuse(
            "REQUIRED",
            "external_credential",
            "外部人员须登记介绍信或工作证号",
            "an outside person registers a letter of introduction or work ID",
        )
    customers = list(Customer.objects.filter(pk__in=set(customer_ids)))
    if len(customers) != len(set(customer_ids)):
        raise _refuse("UNKNOWN", "customers", "客户档案不存在", "no such customer file")
    export_of = (export_of or "").strip()
    if kind == Kind.EXPORT and export_of and export_of not in EXPORTABLE:
        raise _refuse("UNKNOWN", "export_of", "不可导出的清单", "no such list to export")
    if not customers and not (kind == Kind.EXPORT and export_of):
        raise _refuse("REQUIRED", "customers", "请指明客户档案", "name the customer files")
    classified = any(c.confidentiality != Confidentiality.NORMAL for c in customers)
    with transaction.atomic():
        request = AccessRequest.objects.create(
            kind=kind,
            requester=requester,
            subject=subject.strip(),
            purpose=purpose.strip(),
            reason=reason.strip(),
            scope=Scope.DOWNLOAD if kind == Kind.EXPORT else scope,
            days=int(days),
            export_of=export_of if kind == Kind.EXPORT else "",
            classified=classified,
            steps=approval_steps(kind, classified=classified),
            **{k: v for k, v in external.items() if k in EXTERNAL_FIELDS},
        )
        request.customers.set(customers)
        audit_record(
            actor=actor,
            event=Event(
                action=Action.ACCESS_REQUEST,
                object_type="access_request",
                object_id=str(request.pk),
                purpose=request.purpose,
                detail={"kind": kind, "customers": sorted(c.pk for c in customers)},
            ),
        )
    return request


EXTERNAL_FIELDS: Final = {
    "external_name",
    "external_org",
    "external_credential",
    "recipient",
    "legal_basis",
    "data_items",
}


def _require(value: str, field: str, zh: str, en: str) -> None:
    if not (value or "").strip():
        raise _refuse("REQUIRED", field, zh, en)


def pending_step(request: AccessRequest) -> str | None:
    decided = set(request.approvals.values_list("step", flat=True))
    return next((s for s in request.steps if s not in decided), None)


def may_decide(user: Any, request: AccessRequest, step: str | None = None) -> bool:
    """``user`` may decide the pending step of ``request``: holds the step's role (or heads
    the requester's department), is not the requester, and decided no other step."""
    step = step or pending_step(request)
    if step is None or request.status != AccessRequest.Status.PENDING:
        return False
    if user.pk == request.requester_id:
        return False
    if request.approvals.filter(approver=user).exists():
        return False
    if step == Step.DEPARTMENT_HEAD:
        profile = StaffProfile.objects.filter(user_id=request.requester_id).first()
        return bool(profile and profile.department and profile.department.head_id == user.pk)
    return bool(roles_of(user) & STEP_ROLES.get(step, set()))


def requests_awaiting(user: Any, *, limit: int = 500) -> list[AccessRequest]:
    """The pending requests whose next step ``user`` may decide, oldest first."""
    pending = AccessRequest.objects.filter(status=AccessRequest.Status.PENDING).exclude(
        requester_id=user.pk
    )
    return [r for r in pending.order_by("created_at")[:limit] if may_decide(user, r)]


def access_request_decide(
    *, request_id: int, user: Any, approve: bool, reason: str = "", actor: Actor
) -> AccessRequest:
    """One approver's decision on the pending step; a rejection needs a reason and ends the
    request, the last approval grants it."""
    with transaction.atomic():
        request = AccessRequest.objects.select_for_update().get(pk=request_id)
        step = pending_step(request)
        if request.status != AccessRequest.Status.PENDING or step is None:
            raise _refuse("CLOSED", "status", "该申请已办结", "the request is no longer pending")
        if user.pk == request.requester_id:
            raise _refuse(
                "OWN_REQUEST", "approver", "不得审批本人的申请", "nobody approves their own request"
            )
        if not may_decide(user, request, step):
            raise _refuse(
                "NOT_APPROVER",
                "approver",
                f"此步骤须由{STEP_LABELS[step][0]}审批",
                f"this step is for the {STEP_LABELS[step][1].lower()}",
            )
        if not approve:
            _require(reason, "reason", "驳回须说明理由", "a rejection needs a reason")
        now = timezone.now()
        Approval.objects.create(
            request=request,
            step=step,
            approver=user,
            decision=Approval.Decision.APPROVE if approve else Approval.Decision.REJECT,
            reason=(reason or "").strip(),
            decided_at=now,
        )
        if not approve:
            request.status = AccessRequest.Status.REJECTED
        elif pending_step(request) is None:
            request.status = AccessRequest.Status.APPROVED
        if request.status != AccessRequest.Status.PENDING:
            request.decided_at = now
        request.save(update_fields=["status", "decided_at"])
        audit_record(
            actor=actor,
            event=Event(
                action=Action.APPROVAL,
                object_type="access_request",
                object_id=str(request.pk),
                purpose=request.purpose,
                detail={"step": step, "approve": approve, "reason": (reason or "").strip()},
            ),
        )
        if request.status == AccessRequest.Status.APPROVED and request.kind != Kind.EXTERNAL:
            _grant(request, now)
    return request


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


def access_request_withdraw(*, request_id: int, user: Any, actor: Actor) -> AccessRequest:
    with transaction.atomic():
        request = AccessRequest.objects.select_for_update().get(pk=request_id)
        if request.requester_id != user.pk:
            raise _refuse("NOT_YOURS", "requester", "只能撤回本人的申请", "only your own request")
        if request.status != AccessRequest.Status.PENDING:
            raise _refuse("CLOSED", "status", "该申请已办结", "the request is no longer pending")
        request.status = AccessRequest.Status.WITHDRAWN
        request.decided_at = timezone.now()
        request.save(update_fields=["status", "decided_at"])
        audit_record(
            actor=actor,
            event=Event(
                action=Action.APPROVAL,
                object_type="access_request",
                object_id=str(request.pk),
                detail={"withdrawn": True},
            ),
        )
    return request


# --- grants --------------------------------------------------------------------------------


def active_grants(user: Any, *, now: datetime | None = None) -> Any:
    """The grants ``user`` holds now (neither returned nor run out)."""
    now = now or timezone.now()
    return AccessGrant.objects.filter(
        holder_id=getattr(user, "pk", None),
        returned_at__isnull=True,
        starts_at__lte=now,
        ends_at__gt=now,
    )


def granted_customer_ids(user: Any, scope: str = Scope.VIEW, *, now: datetime | None = None) -> Any:
    """Customers ``user`` may see through a grant of at least ``scope`` (a subquery)."""
    allowed = SCOPE_ORDER[SCOPE_ORDER.index(Scope(scope)) :]
    return active_grants(user, now=now).filter(scope__in=allowed).values("customer_id")


def access_grants_return(*, request_id: int, user: Any, actor: Actor) -> int:
    """Return borrowed files (closes the loan early, D4.19)."""
    with transaction.atomic():
        grants = list(
            AccessGrant.objects.select_for_update().filter(
                request_id=request_id,
                holder=user,
                returned_at__isnull=True,
                expired_at__isnull=True,
            )
        )
        if not grants:
            raise _refuse("NOTHING", "request", "没有待归还的借阅", "nothing to return")
        now = timezone.now()
        for grant in grants:
            grant.returned_at = now
        AccessGrant.objects.bulk_update(grants, ["returned_at"])
        audit_record(
            actor=actor,
            event=Event(
                action=Action.GRANT_RETURN,
                object_type="access_request",
                object_id=str(request_id),
                detail={"grants": [g.pk for g in grants]},
            ),
        )
    return len(grants)


def access_grants_expire(*, now: datetime | None = None) -> int:
    """Stamp the loans that ran out without being returned (the expiry job); each is
    audited. A grant stops working at ``ends_at`` whether or not this has run."""
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


# --- exports (D4.23) -------------------------------------------------------------------------


def export_authorisation(
    user: Any, export_of: str, *, now: datetime | None = None
) -> AccessRequest | None:
    """The approved export request under which ``user`` may export ``export_of`` now: by
    the user, approved, and within its days since approval."""
    now = now or timezone.now()
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


def export_record(*, user: Any, request: AccessRequest, what: str, rows: int, actor: Actor) -> str:
    """Record an export made under ``request`` (audited) and return the watermark every
    exported file carries: who, for what purpose, when, under which approval."""
    now = timezone.localtime()
    watermark = (
        f"导出人 Exported by: {user.get_username()} · 用途 Purpose: {request.purpose} · "
        f"时间 Time: {now:%Y-%m-%d %H:%M:%S} · 审批单 Approval: #{request.pk}"
    )
    audit_record(
        actor=actor,
        event=Event(
            action=Action.EXPORT,
            object_type="access_request",
            object_id=str(request.pk),
            purpose=request.purpose,
            detail={"what": what, "rows": rows, "watermark": watermark},
        ),
    )
    return watermark


# --- classification (D4.22) ------------------------------------------------------------------


def customer_classify(
    *,
    customer_id: int,
    classification: str,
    confidentiality: str,
    custodian: Any,
    actor: Actor,
) -> Any:
    """Set a file's classification (一般/特殊客户), confidentiality level and custodian; a
    classified file must have a custodian."""
    from veracity.customers.models import Classification, Confidentiality, Customer

    if classification not in Classification.values:
        raise _refuse("INVALID", "classification", "客户类别无效", "unknown classification")
    if confidentiality not in Confidentiality.values:
        raise _refuse("INVALID", "confidentiality", "密级无效", "unknown confidentiality level")
    if confidentiality != Confidentiality.NORMAL and custodian is None:
        raise _refuse(
            "REQUIRED", "custodian", "机密档案须指定专人保管", "a classified file needs a custodian"
        )
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer_id)
        before = (customer.classification, customer.confidentiality, customer.custodian_id)
        customer.classification = classification
        customer.confidentiality = confidentiality
        customer.custodian = custodian
        customer.save(
            update_fields=["classification", "confidentiality", "custodian", "updated_at"]
        )
        audit_record(
            actor=actor,
            event=Event(
                action=Action.CLASSIFY,
                object_type="customer",
                object_id=str(customer.pk),
                customer_id=customer.pk,
                detail={
                    "before": list(before),
                    "after": [classification, confidentiality, getattr(custodian, "pk", None)],
                },
            ),
        )
    return customer
