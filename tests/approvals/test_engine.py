"""The approvals engine: open a request on a step plan, decide its steps in order, the
separation-of-duties refusals (the core's rules, through the engine), every decision audited
in the same transaction, and the owner told of the outcome after commit."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from veracity.approvals import services as engine
from veracity.approvals.models import ApprovalDecision, ApprovalRequest
from veracity.audit.models import Action, AuditEvent
from veracity.audit.services import Actor
from veracity.core.approvals import (
    CUSTOMER_SERVICE,
    DEPARTMENT_HEAD,
    PRODUCT_PLANS,
    Plan,
    Step,
    Who,
)
from veracity.core.refusals import Refusal
from veracity.org.principals import Customer, Staff, System, system

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")
OWNER = "test_owner"


def open_request(requester: Any, plan: Plan, *, kind: str = "test.kind", owner_id: int = 1):
    return engine.approval_open(
        kind=kind, plan=plan, principal=Staff(requester), owner_label=OWNER, owner_id=owner_id
    )


def decide(request: ApprovalRequest, user: Any, approve: bool = True, **kw: Any):
    return engine.approval_decide(
        request_id=request.pk, principal=Staff(user), approve=approve, actor=Actor.of(user), **kw
    )


def refused(code: str, call: Any) -> Refusal:
    with pytest.raises(Refusal) as caught:
        call()
    assert caught.value.code == code
    assert caught.value.message_zh and caught.value.message_en
    return caught.value


def state(request: ApprovalRequest) -> tuple[Any, ...]:
    request.refresh_from_db()
    return (
        request.status,
        ApprovalDecision.objects.filter(request=request).count(),
        AuditEvent.objects.count(),
    )


BORROW = Plan.ordered(DEPARTMENT_HEAD, CUSTOMER_SERVICE)


def test_open_keeps_the_plan_as_data(personas):
    request = open_request(personas["carol"], BORROW)
    request.refresh_from_db()
    assert request.status == "pending" and request.decided_at is None
    assert request.step_plan == BORROW
    assert (request.owner_label, request.owner_id, request.kind) == (OWNER, 1, "test.kind")


def test_ordered_steps_are_decided_in_order_and_the_last_approval_closes(personas):
    request = open_request(personas["carol"], BORROW)
    assert [
        s.name for s in engine.decidable_steps(request, principal=Staff(personas["henry"]))
    ] == ["department_head"]
    assert engine.decidable_steps(request, principal=Staff(personas["sam"])) == ()
    refused("approval.out_of_order", lambda: decide(request, personas["sam"]))
    decide(request, personas["henry"])
    assert state(request)[0] == "pending"
    assert engine.step_for(request, principal=Staff(personas["sam"])) == CUSTOMER_SERVICE
    decide(request, personas["sam"])
    request.refresh_from_db()
    assert request.status == "approved" and request.decided_at is not None
    assert list(request.decisions.values_list("step", "decider__username")) == [
        ("department_head", "henry"),
        ("customer_service", "sam"),
    ]
    events = AuditEvent.objects.filter(action=Action.APPROVAL, object_type=OWNER)
    assert [json.loads(e.detail)["step"] for e in events.order_by("seq")] == [
        "department_head",
        "customer_service",
    ]


def test_parallel_steps_in_either_order(personas):
    plan = PRODUCT_PLANS["retention.destruction"]
    request = open_request(personas["admin"], plan)
    decide(request, personas["mona"])  # the second step first
    decide(request, personas["ivan"])
    request.refresh_from_db()
    assert request.status == "approved"


@pytest.mark.parametrize(
    ("before", "who", "approve", "reason", "code"),
    [
        ([], "carol", True, "", "approval.own_request"),
        ([], "audrey", True, "", "approval.not_decider"),
        ([], "henry", False, " ", "approval.reason_required"),
        (["henry"], "henry", True, "", "approval.second_step"),
        (["henry", "sam"], "mona", True, "", "approval.closed"),
    ],
)
def test_separation_of_duties_refusals_change_nothing(personas, before, who, approve, reason, code):
    request = open_request(personas["carol"], BORROW)
    for name in before:
        decide(request, personas[name])
    snapshot = state(request)
    refused(code, lambda: decide(request, personas[who], approve, reason=reason))
    assert state(request) == snapshot


def test_a_rejection_with_a_reason_closes_the_request(personas):
    request = open_request(personas["carol"], BORROW)
    decision = decide(request, personas["henry"], False, reason=" 不需要 ")
    request.refresh_from_db()
    assert request.status == "rejected" and decision.reason == "不需要"
    assert decision.decision == "reject" and decision.approver == personas["henry"]
    refused("approval.closed", lambda: decide(request, personas["sam"]))


def test_a_step_named_by_permission(personas):
    user = get_user_model().objects.create_user(username="perm", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="view_approvalrequest"))
    step = Step("perm", Who.PERMISSION, frozenset({"approvals.view_approvalrequest"}), "权限", "P")
    request = open_request(personas["carol"], Plan.ordered(step))
    refused("approval.not_decider", lambda: decide(request, personas["sam"]))
    decide(request, get_user_model().objects.get(pk=user.pk))
    request.refresh_from_db()
    assert request.status == "approved"


def test_the_decision_and_its_audit_event_are_one_transaction(personas, monkeypatch):
    request = open_request(personas["carol"], BORROW)
    snapshot = state(request)

    def broken(**kw: Any) -> None:
        raise RuntimeError("audit trail unavailable")

    monkeypatch.setattr(engine, "audit_record", broken)
    with pytest.raises(RuntimeError):
        decide(request, personas["henry"])
    assert state(request) == snapshot


def test_the_owner_is_told_of_the_outcome_after_commit(
    personas, django_capture_on_commit_callbacks
):
    told: list[tuple[int, str]] = []
    inside: list[tuple[int, str]] = []
    engine.on_outcome("test.hooked", lambda r, outcome: told.append((r.pk, outcome)))
    engine.on_outcome(
        "test.hooked", lambda r, outcome: inside.append((r.pk, outcome)), in_transaction=True
    )
    request = open_request(personas["carol"], BORROW, kind="test.hooked")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        decide(request, personas["henry"])
    assert callbacks == [] and told == [] and inside == []  # still pending: nobody is told
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        decide(request, personas["sam"])
    assert inside == [(request.pk, "approved")]  # in the deciding transaction
    assert told == []  # not before commit
    for callback in callbacks:
        callback()
    assert told == [(request.pk, "approved")]


def test_withdraw_only_by_the_requester_while_pending(personas, django_capture_on_commit_callbacks):
    told: list[str] = []
    engine.on_outcome("test.withdrawn", lambda r, outcome: told.append(outcome))
    request = open_request(personas["carol"], BORROW, kind="test.withdrawn")
    refused(
        "approval.not_requester",
        lambda: engine.approval_withdraw(
            request_id=request.pk, principal=Staff(personas["sam"]), actor=SYSTEM
        ),
    )
    with django_capture_on_commit_callbacks(execute=True):
        engine.approval_withdraw(
            request_id=request.pk, principal=Staff(personas["carol"]), actor=SYSTEM
        )
    assert told == ["withdrawn"]
    refused(
        "approval.closed",
        lambda: engine.approval_withdraw(
            request_id=request.pk, principal=Staff(personas["carol"]), actor=SYSTEM
        ),
    )
    refused("approval.closed", lambda: decide(request, personas["henry"]))
    assert engine.awaiting(principal=Staff(personas["henry"])) == []


def test_awaiting_lists_what_a_person_may_decide_now(personas):
    first = open_request(personas["carol"], BORROW, owner_id=1)
    second = open_request(personas["alice"], BORROW, owner_id=2)
    assert engine.awaiting(principal=Staff(personas["henry"])) == [first, second]
    assert engine.awaiting(principal=Staff(personas["sam"])) == []
    decide(first, personas["henry"])
    assert engine.awaiting(principal=Staff(personas["henry"])) == [second]
    assert engine.awaiting(principal=Staff(personas["sam"])) == [first]
    assert engine.awaiting(principal=Staff(personas["sam"]), kinds=["other"]) == []


# --- the separation-of-duties rules over every step plan of the product ------------------------

#: Who, among the personas, each product step names (carol asks; henry heads her department).
NAMED = {
    "department_head": "henry",
    "customer_service": "sam",
    "customer_service_manager": "mona",
    "export_approver": "george",
    "information_manager": "ivan",
}


@pytest.mark.parametrize("name", sorted(PRODUCT_PLANS))
def test_separation_of_duties_over_every_product_plan(personas, name):
    plan = PRODUCT_PLANS[name]
    carol = personas["carol"]
    request = open_request(carol, plan, kind=f"test.{name}")
    done: list[str] = []
    for index, stage in enumerate(plan.stages):
        for step in stage:
            who = personas[NAMED[step.name]]
            snapshot = state(request)
            # nobody approves their own request, nor a step not naming them
            refused("approval.own_request", lambda s=step: decide(request, carol, step=s.name))
            refused(
                "approval.not_decider",
                lambda s=step: decide(request, personas["audrey"], step=s.name),
            )
            # nobody decides two steps of one request
            for earlier in done:
                refused(
                    "approval.second_step",
                    lambda s=step, e=earlier: decide(request, personas[e], step=s.name),
                )
            # a rejection needs a reason
            refused(
                "approval.reason_required",
                lambda s=step, w=who: decide(request, w, False, step=s.name),
            )
            # ordered: a later stage waits for this one
            for later in plan.stages[index + 1 :]:
                refused(
                    "approval.out_of_order",
                    lambda s=later[0]: decide(request, personas[NAMED[s.name]], step=s.name),
                )
            assert state(request) == snapshot
            decide(request, who, step=step.name)
            closed = step == plan.steps[-1]
            again = "approval.closed" if closed else "approval.step_decided"
            refused(again, lambda s=step, w=who: decide(request, w, step=s.name))
            done.append(NAMED[step.name])
    request.refresh_from_db()
    assert request.status == "approved"
    assert request.decisions.count() == len(plan.steps)
    assert len(set(request.decisions.values_list("decider", flat=True))) == len(plan.steps)


def test_the_request_is_a_stage_machine_that_closes_once(personas):
    """The states are django-fsm's: pending closes by its outcome or is withdrawn by its
    requester, and a closed request offers no transition to anyone."""
    from django_fsm import has_transition_perm

    request = open_request(personas["carol"], BORROW)
    offered = {t.name for t in request.get_available_status_transitions()}
    assert offered == {"close", "withdraw"}
    assert has_transition_perm(request.withdraw, personas["carol"])
    assert not has_transition_perm(request.withdraw, personas["sam"])
    decide(request, personas["henry"], approve=False, reason="不需要")
    request.refresh_from_db()
    assert request.status == "rejected"
    assert list(request.get_available_status_transitions()) == []
    assert not has_transition_perm(request.withdraw, personas["carol"])


def test_a_principal_without_a_person_decides_nothing(personas):
    """A system reading alone or a customer has no step to decide, awaits nothing, and is
    refused opening, deciding or withdrawing a request — nothing changes."""
    request = open_request(personas["carol"], BORROW)
    for nobody in (system("t"), Customer(customer_id=1, verified_by="sms")):
        assert engine.decidable_steps(request, principal=nobody) == ()
        assert engine.step_for(request, principal=nobody) is None
        assert engine.awaiting(principal=nobody) == []
        snapshot = state(request)
        refused(
            "approval.nobody",
            lambda n=nobody: engine.approval_decide(
                request_id=request.pk, principal=n, approve=True
            ),
        )
        refused(
            "approval.nobody",
            lambda n=nobody: engine.approval_withdraw(request_id=request.pk, principal=n),
        )
        refused(
            "approval.nobody",
            lambda n=nobody: engine.approval_open(
                kind="test.kind", plan=BORROW, principal=n, owner_label=OWNER, owner_id=2
            ),
        )
        assert state(request) == snapshot


def test_a_decision_is_recorded_as_the_principal_unless_the_owner_names_the_actor(personas):
    """By default the trail records the caller (``Actor.of_principal``: an API client's name
    with its person's id); an owner may name another actor (the person acting)."""
    henry = personas["henry"]
    request = open_request(personas["carol"], BORROW)
    engine.approval_decide(
        request_id=request.pk, principal=System("api:crm", person=henry), approve=True
    )
    engine.approval_decide(
        request_id=request.pk,
        principal=System("api:crm", person=personas["sam"]),
        approve=True,
        actor=Actor.acting(System("api:crm", person=personas["sam"])),
    )
    events = AuditEvent.objects.filter(action=Action.APPROVAL, object_type=OWNER).order_by("seq")
    assert [(e.actor, e.actor_id) for e in events] == [
        ("api:crm", henry.pk),
        ("sam", personas["sam"].pk),
    ]
