"""Separation of duties (veracity.core.approvals), without Django: table-driven rules, and
the rules run over every step plan the product defines."""

from __future__ import annotations

import pytest

from veracity.core.approvals import (
    CUSTOMER_SERVICE,
    CUSTOMER_SERVICE_MANAGER,
    DEPARTMENT_HEAD,
    DESTRUCTION_PLAN,
    EXPORT_APPROVER,
    INFORMATION_MANAGER,
    PRODUCT_PLANS,
    Decider,
    Decision,
    Outcome,
    Plan,
    Step,
    Who,
    access_plan,
    decidable_steps,
    outcome,
    refusal_for,
)

REQUESTER = 1
BORROW = access_plan("borrow", classified=False)


def named_by(step: Step, id: int) -> Decider:
    """A decider the step names (and no other role)."""
    if step.who is Who.DEPARTMENT_HEAD:
        return Decider(id, heads_requester_department=True)
    if step.who is Who.PERMISSION:
        return Decider(id, permissions=step.names)
    return Decider(id, roles=frozenset(sorted(step.names)[:1]))


def everyone(id: int) -> Decider:
    roles = {n for s in DESTRUCTION_PLAN.steps for n in s.names} | set(EXPORT_APPROVER.names)
    return Decider(
        id, roles=frozenset(roles | CUSTOMER_SERVICE.names), heads_requester_department=True
    )


@pytest.mark.parametrize(
    ("plan", "decisions", "decider", "step", "approve", "reason", "code"),
    [
        (BORROW, [], named_by(DEPARTMENT_HEAD, 2), "department_head", True, "", None),
        (BORROW, [], everyone(REQUESTER), "department_head", True, "", "approval.own_request"),
        (
            BORROW,
            [],
            named_by(CUSTOMER_SERVICE, 3),
            "customer_service",
            True,
            "",
            "approval.out_of_order",
        ),
        (
            BORROW,
            [],
            named_by(CUSTOMER_SERVICE, 3),
            "department_head",
            True,
            "",
            "approval.not_decider",
        ),
        (
            BORROW,
            [],
            named_by(DEPARTMENT_HEAD, 2),
            "department_head",
            False,
            "  ",
            "approval.reason_required",
        ),
        (BORROW, [], named_by(DEPARTMENT_HEAD, 2), "department_head", False, "no need", None),
        (BORROW, [], named_by(DEPARTMENT_HEAD, 2), "nonsense", True, "", "approval.unknown_step"),
        (
            BORROW,
            [Decision("department_head", 2, True)],
            everyone(2),
            "customer_service",
            True,
            "",
            "approval.second_step",
        ),
        (
            BORROW,
            [Decision("department_head", 2, True)],
            named_by(CUSTOMER_SERVICE, 3),
            "customer_service",
            True,
            "",
            None,
        ),
        (
            BORROW,
            [Decision("department_head", 2, True)],
            everyone(3),
            "department_head",
            True,
            "",
            "approval.step_decided",
        ),
        (
            BORROW,
            [Decision("department_head", 2, False)],
            everyone(3),
            "customer_service",
            True,
            "",
            "approval.closed",
        ),
        (
            DESTRUCTION_PLAN,
            [],
            named_by(CUSTOMER_SERVICE_MANAGER, 3),
            "customer_service_manager",
            True,
            "",
            None,
        ),
        (
            DESTRUCTION_PLAN,
            [Decision("customer_service_manager", 3, True)],
            named_by(INFORMATION_MANAGER, 4),
            "information_manager",
            True,
            "",
            None,
        ),
        (
            DESTRUCTION_PLAN,
            [Decision("customer_service_manager", 3, True)],
            everyone(3),
            "information_manager",
            True,
            "",
            "approval.second_step",
        ),
        (
            Plan.ordered(Step("p", Who.PERMISSION, frozenset({"x.approve"}))),
            [],
            Decider(5, permissions=frozenset({"x.approve"})),
            "p",
            True,
            "",
            None,
        ),
        (
            Plan.ordered(Step("p", Who.PERMISSION, frozenset({"x.approve"}))),
            [],
            Decider(5, roles=frozenset({"x.approve"})),
            "p",
            True,
            "",
            "approval.not_decider",
        ),
    ],
)
def test_rules(plan, decisions, decider, step, approve, reason, code):  # type: ignore[no-untyped-def]
    refusal = refusal_for(
        plan,
        decisions,
        requester=REQUESTER,
        decider=decider,
        step=step,
        approve=approve,
        reason=reason,
    )
    assert (refusal.code if refusal else None) == code


def test_not_decider_names_the_step():
    refusal = refusal_for(
        BORROW, [], requester=REQUESTER, decider=Decider(9), step="department_head", approve=True
    )
    assert refusal is not None
    assert refusal.message_zh == "此步骤须由申请人部门负责人审批"
    assert refusal.message_en == "this step is for the requester's department head"


@pytest.mark.parametrize(
    ("decisions", "expected"),
    [
        ([], Outcome.PENDING),
        ([Decision("department_head", 2, True)], Outcome.PENDING),
        (
            [Decision("department_head", 2, True), Decision("customer_service", 3, True)],
            Outcome.APPROVED,
        ),
        ([Decision("department_head", 2, False)], Outcome.REJECTED),
        (
            [Decision("department_head", 2, True), Decision("customer_service", 3, False)],
            Outcome.REJECTED,
        ),
    ],
)
def test_outcome(decisions, expected):  # type: ignore[no-untyped-def]
    assert outcome(BORROW, decisions) is expected


@pytest.mark.parametrize(
    ("kind", "classified", "names"),
    [
        ("borrow", False, ["department_head", "customer_service"]),
        ("borrow", True, ["department_head", "customer_service", "customer_service_manager"]),
        ("export", False, ["export_approver"]),
        ("export", True, ["export_approver", "customer_service_manager"]),
        ("external", False, ["information_manager", "customer_service_manager"]),
        ("external", True, ["information_manager", "customer_service_manager"]),
    ],
)
def test_access_plans(kind, classified, names):  # type: ignore[no-untyped-def]
    assert [s.name for s in access_plan(kind, classified=classified).steps] == names


def test_plan_round_trips_as_data():
    for plan in PRODUCT_PLANS.values():
        assert Plan.from_data(plan.to_data()) == plan


def test_plan_names_each_step_once():
    with pytest.raises(ValueError):
        Plan.ordered(CUSTOMER_SERVICE, CUSTOMER_SERVICE)


@pytest.mark.parametrize("name", sorted(PRODUCT_PLANS))
def test_separation_of_duties_over_every_product_plan(name):  # type: ignore[no-untyped-def]
    """Walk each plan to approval with a fresh person per step; at every point the requester
    and anyone who already decided are refused, a decided step cannot be decided again, a
    later stage waits, and a rejection without a reason is refused."""
    plan = PRODUCT_PLANS[name]
    decisions: list[Decision] = []
    next_id = 100
    for index, stage in enumerate(plan.stages):
        for later in plan.stages[index + 1 :]:
            for step in later:
                refusal = refusal_for(
                    plan,
                    decisions,
                    requester=REQUESTER,
                    decider=named_by(step, 99),
                    step=step.name,
                    approve=True,
                )
                assert refusal is not None and refusal.code == "approval.out_of_order"
        for step in stage:
            next_id += 1
            fresh = named_by(step, next_id)
            for who, code in [(everyone(REQUESTER), "approval.own_request")] + [
                (everyone(d.decider), "approval.second_step") for d in decisions
            ]:
                refusal = refusal_for(
                    plan, decisions, requester=REQUESTER, decider=who, step=step.name, approve=True
                )
                assert refusal is not None and refusal.code == code
            refusal = refusal_for(
                plan, decisions, requester=REQUESTER, decider=fresh, step=step.name, approve=False
            )
            assert refusal is not None and refusal.code == "approval.reason_required"
            assert step in decidable_steps(plan, decisions, requester=REQUESTER, decider=fresh)
            assert (
                refusal_for(
                    plan,
                    decisions,
                    requester=REQUESTER,
                    decider=fresh,
                    step=step.name,
                    approve=True,
                )
                is None
            )
            assert outcome(plan, decisions) is Outcome.PENDING
            decisions.append(Decision(step.name, fresh.id, True))
            refusal = refusal_for(
                plan,
                decisions,
                requester=REQUESTER,
                decider=everyone(999),
                step=step.name,
                approve=True,
            )
            assert refusal is not None and refusal.code in {
                "approval.step_decided",
                "approval.closed",
            }
    assert outcome(plan, decisions) is Outcome.APPROVED
    # a rejection at the first step ends any plan
    first = plan.stages[0][0]
    assert outcome(plan, [Decision(first.name, 7, False)]) is Outcome.REJECTED
