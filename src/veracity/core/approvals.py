"""Separation of duties for every "needs the approval of …" (convention 12), written once.

A request's **step plan** is data: an ordered tuple of *stages*; the steps of one stage may
be decided in any order (parallel), a stage opens only when every step before it is approved
(ordered). A step is decided by holders of a role, by holders of a permission, or by the
requester's department head.

The rules (:func:`refusal_for`):

- a step already decided cannot be decided again, and nothing is decided on a closed request;
- nobody approves their own request;
- nobody decides two steps of one request;
- ordered steps in order, parallel steps in any order;
- only who the step names may decide it;
- a rejection needs a reason.

The request's outcome (:func:`outcome`) is approved when every step is approved and rejected
at the first rejection. No clock, no Django: the owning app passes the facts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from veracity.core.refusals import Kind, Refusal, register

__all__ = [
    "ACCESS_PLANS",
    "DESTRUCTION_PLAN",
    "PRODUCT_PLANS",
    "Decider",
    "Decision",
    "Outcome",
    "Plan",
    "Step",
    "Who",
    "access_plan",
    "decidable_steps",
    "outcome",
    "refusal_for",
]

register(
    {
        "approval.closed": (Kind.CONFLICT, "该申请已办结", "the request is no longer pending"),
        "approval.unknown_step": (Kind.INVALID, "审批步骤不存在", "no such approval step"),
        "approval.step_decided": (
            Kind.CONFLICT,
            "这一步已有人审批",
            "this step has already been decided",
        ),
        "approval.own_request": (
            Kind.FORBIDDEN,
            "不得审批本人的申请",
            "nobody approves their own request",
        ),
        "approval.second_step": (
            Kind.FORBIDDEN,
            "同一申请的两项审批须由两位不同人员作出",
            "nobody decides two steps of one request",
        ),
        "approval.out_of_order": (
            Kind.CONFLICT,
            "须先完成前序审批",
            "the steps before this one are not yet approved",
        ),
        "approval.not_decider": (
            Kind.FORBIDDEN,
            "此步骤须由{step_zh}审批",
            "this step is for the {step_en}",
        ),
        "approval.reason_required": (Kind.INVALID, "驳回须说明理由", "a rejection needs a reason"),
    }
)


class Who(StrEnum):
    """Whom a step names."""

    ROLE = "role"  # anyone holding one of ``names`` as a role
    PERMISSION = "permission"  # anyone holding one of ``names`` as a permission
    DEPARTMENT_HEAD = "department_head"  # the head of the requester's department


@dataclass(frozen=True, slots=True)
class Step:
    """One approval: its stable ``name``, whom it names, and its label in both languages."""

    name: str
    who: Who
    names: frozenset[str] = frozenset()
    label_zh: str = ""
    label_en: str = ""

    def to_data(self) -> dict[str, object]:
        return {
            "name": self.name,
            "who": self.who.value,
            "names": sorted(self.names),
            "label_zh": self.label_zh,
            "label_en": self.label_en,
        }

    @classmethod
    def from_data(cls, data: dict[str, object]) -> Step:
        names = data.get("names") or []
        assert isinstance(names, list)
        return cls(
            name=str(data["name"]),
            who=Who(str(data["who"])),
            names=frozenset(str(n) for n in names),
            label_zh=str(data.get("label_zh", "")),
            label_en=str(data.get("label_en", "")),
        )


@dataclass(frozen=True, slots=True)
class Plan:
    """Stages in order; the steps of one stage in any order. Step names are unique."""

    stages: tuple[tuple[Step, ...], ...]

    def __post_init__(self) -> None:
        names = [s.name for s in self.steps]
        if len(names) != len(set(names)) or not all(self.stages):
            raise ValueError("a plan names each step once and has no empty stage")

    @property
    def steps(self) -> tuple[Step, ...]:
        return tuple(step for stage in self.stages for step in stage)

    def step(self, name: str) -> Step | None:
        return next((s for s in self.steps if s.name == name), None)

    @classmethod
    def ordered(cls, *steps: Step) -> Plan:
        return cls(tuple((s,) for s in steps))

    @classmethod
    def parallel(cls, *steps: Step) -> Plan:
        return cls((tuple(steps),))

    def to_data(self) -> list[list[dict[str, object]]]:
        """The plan as JSON-able data (what a request stores)."""
        return [[s.to_data() for s in stage] for stage in self.stages]

    @classmethod
    def from_data(cls, data: Sequence[Sequence[dict[str, object]]]) -> Plan:
        return cls(tuple(tuple(Step.from_data(s) for s in stage) for stage in data))


@dataclass(frozen=True, slots=True)
class Decision:
    """A decision already taken: the step, who decided, approve or reject."""

    step: str
    decider: int
    approve: bool


@dataclass(frozen=True, slots=True)
class Decider:
    """The facts about a prospective decider the rules need."""

    id: int
    roles: frozenset[str] = frozenset()
    permissions: frozenset[str] = frozenset()
    heads_requester_department: bool = False

    def is_named_by(self, step: Step) -> bool:
        if step.who is Who.DEPARTMENT_HEAD:
            return self.heads_requester_department
        held = self.roles if step.who is Who.ROLE else self.permissions
        return bool(held & step.names)


class Outcome(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


def outcome(plan: Plan, decisions: Iterable[Decision]) -> Outcome:
    """Rejected at the first rejection, approved when every step is approved."""
    decided = {d.step: d.approve for d in decisions}
    if not all(decided.values()):
        return Outcome.REJECTED
    if all(s.name in decided for s in plan.steps):
        return Outcome.APPROVED
    return Outcome.PENDING


def open_steps(plan: Plan, decisions: Iterable[Decision]) -> tuple[Step, ...]:
    """The undecided steps of the first stage not fully approved (none once closed)."""
    decisions = list(decisions)
    if outcome(plan, decisions) is not Outcome.PENDING:
        return ()
    decided = {d.step for d in decisions}
    for stage in plan.stages:
        waiting = tuple(s for s in stage if s.name not in decided)
        if waiting:
            return waiting
    return ()


def refusal_for(
    plan: Plan,
    decisions: Iterable[Decision],
    *,
    requester: int,
    decider: Decider,
    step: str,
    approve: bool,
    reason: str = "",
) -> Refusal | None:
    """Why ``decider`` may not decide ``step`` this way, or None when they may."""
    decisions = list(decisions)
    target = plan.step(step)
    if target is None:
        return Refusal("approval.unknown_step", "step")
    if outcome(plan, decisions) is not Outcome.PENDING:
        return Refusal("approval.closed", "status")
    if any(d.step == step for d in decisions):
        return Refusal("approval.step_decided", "step")
    if decider.id == requester:
        return Refusal("approval.own_request", "approver")
    if any(d.decider == decider.id for d in decisions):
        return Refusal("approval.second_step", "approver")
    if target not in open_steps(plan, decisions):
        return Refusal("approval.out_of_order", "step")
    if not decider.is_named_by(target):
        return Refusal(
            "approval.not_decider",
            "approver",
            step_zh=target.label_zh or target.name,
            step_en=(target.label_en or target.name).lower(),
        )
    if not approve and not (reason or "").strip():
        return Refusal("approval.reason_required", "reason")
    return None


def decidable_steps(
    plan: Plan, decisions: Iterable[Decision], *, requester: int, decider: Decider
) -> tuple[Step, ...]:
    """The steps ``decider`` may approve now (in plan order)."""
    decisions = list(decisions)
    return tuple(
        s
        for s in open_steps(plan, decisions)
        if refusal_for(
            plan, decisions, requester=requester, decider=decider, step=s.name, approve=True
        )
        is None
    )


# --- the product's step plans -----------------------------------------------------------------
# Role names are the values of ``RoleName`` (the staff facts live above the core).

DEPARTMENT_HEAD: Final = Step(
    "department_head",
    Who.DEPARTMENT_HEAD,
    label_zh="申请人部门负责人",
    label_en="Requester's department head",
)
CUSTOMER_SERVICE: Final = Step(
    "customer_service",
    Who.ROLE,
    frozenset({"customer_service", "customer_service_manager"}),
    "客户服务部",
    "Customer service",
)
CUSTOMER_SERVICE_MANAGER: Final = Step(
    "customer_service_manager",
    Who.ROLE,
    frozenset({"customer_service_manager"}),
    "客户服务部经理",
    "Customer service manager",
)
EXPORT_APPROVER: Final = Step(
    "export_approver",
    Who.ROLE,
    frozenset({"general_manager", "information_manager"}),
    "总经理或客户信息主管",
    "General manager or information manager",
)
INFORMATION_MANAGER: Final = Step(
    "information_manager",
    Who.ROLE,
    frozenset({"information_manager"}),
    "客户信息主管",
    "Customer information manager",
)


def access_plan(kind: str, *, classified: bool) -> Plan:
    """D4.18 borrowing: department head, then customer service; D4.23 export: the general
    manager or the information manager; D4.24 external: the information manager, then the
    customer service manager. Classified files (D4.22) add the customer service manager."""
    if kind == "export":
        steps = [EXPORT_APPROVER]
    elif kind == "external":
        steps = [INFORMATION_MANAGER, CUSTOMER_SERVICE_MANAGER]
    else:
        steps = [DEPARTMENT_HEAD, CUSTOMER_SERVICE]
    if classified and CUSTOMER_SERVICE_MANAGER not in steps:
        steps.append(CUSTOMER_SERVICE_MANAGER)
    return Plan.ordered(*steps)


#: D4.25: destruction needs both managers, in either order.
DESTRUCTION_PLAN: Final = Plan.parallel(INFORMATION_MANAGER, CUSTOMER_SERVICE_MANAGER)

ACCESS_PLANS: Final = {
    (kind, classified): access_plan(kind, classified=classified)
    for kind in ("borrow", "export", "external")
    for classified in (False, True)
}

#: Every step plan the product defines, by a name for tests and documentation.
PRODUCT_PLANS: Final[dict[str, Plan]] = {
    **{
        f"access.{kind}{'.classified' if classified else ''}": plan
        for (kind, classified), plan in ACCESS_PLANS.items()
    },
    "retention.destruction": DESTRUCTION_PLAN,
}
