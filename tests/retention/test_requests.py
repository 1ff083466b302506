"""The destruction request: who may ask, the two approvals (customer information manager and
customer service manager, two people, neither the requester), rejections with a reason, and
every illegal step refused with a clear message and nothing changed."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from tests.retention.conftest import AS_OF, Book
from veracity.approvals.models import ApprovalDecision
from veracity.audit.models import Action, AuditEvent
from veracity.cases.models import ProblemItem, ProblemItemMember, RuleCode
from veracity.org.principals import Staff
from veracity.retention.models import (
    DestructionCertificate,
    DestructionItem,
    DestructionRequest,
    LegalHold,
    Outcome,
)
from veracity.retention.services import (
    RetentionError,
    destroyable_ids,
    destruction_request_approve,
    destruction_request_execute,
    destruction_request_reject,
    destruction_request_submit,
    legal_hold_lift,
    legal_hold_place,
)

pytestmark = pytest.mark.django_db


def submit(personas: dict[str, Any], ids: list[int], who: str = "admin", **kw: Any):
    return destruction_request_submit(
        principal=Staff(personas[who]),
        reason=kw.pop("reason", "retention period expired"),
        customer_ids=ids,
        as_of=AS_OF,
        **kw,
    )


def approve(personas, request, who: str):
    return destruction_request_approve(request_id=request.pk, principal=Staff(personas[who]))


def snapshot(request: DestructionRequest | None = None) -> tuple[Any, ...]:
    """Everything a refused step must leave as it was."""
    status = None
    if request is not None:
        request.refresh_from_db()
        status = request.status
    return (
        status,
        DestructionRequest.objects.count(),
        DestructionItem.objects.count(),
        ApprovalDecision.objects.count(),
        DestructionCertificate.objects.count(),
        LegalHold.objects.filter(lifted_at__isnull=True).count(),
        AuditEvent.objects.count(),
    )


def second_information_manager() -> Any:
    user = get_user_model().objects.create_user(username="irene", password="pw-irene")
    user.groups.add(Group.objects.get(name="information_manager"))
    return user


def test_submit_approve_and_approve_in_either_order(personas, book: Book):
    request = submit(personas, [book.wang.pk, book.son.pk])
    assert request.status == DestructionRequest.Status.PENDING
    assert {(i.object_id, i.record_class, i.label) for i in request.items.all()} == {
        (book.wang.pk, "customer_policies_ended", book.wang.archive_no),
        (book.son.pk, "customer_policies_ended", book.son.archive_no),
    }
    approve(personas, request, "mona")  # the customer service manager first
    request.refresh_from_db()
    assert request.status == DestructionRequest.Status.PENDING
    approve(personas, request, "ivan")
    request.refresh_from_db()
    assert request.status == DestructionRequest.Status.APPROVED and request.decided_at
    steps = dict(request.approvals.values_list("step", "decider__username"))
    assert steps == {"customer_service_manager": "mona", "information_manager": "ivan"}
    actions = list(
        AuditEvent.objects.filter(object_type="destruction_request").values_list(
            "action", flat=True
        )
    )
    assert actions == [Action.CREATE, Action.APPROVAL, Action.APPROVAL]


def test_a_rejection_needs_a_reason_and_ends_the_request(personas, book):
    request = submit(personas, [book.wang.pk])
    before = snapshot(request)
    with pytest.raises(RetentionError) as refused:
        destruction_request_reject(
            request_id=request.pk, principal=Staff(personas["ivan"]), reason=" "
        )
    assert refused.value.code == "REQUIRED"
    assert snapshot(request) == before
    destruction_request_reject(
        request_id=request.pk, principal=Staff(personas["ivan"]), reason="客户仍有理赔争议"
    )
    request.refresh_from_db()
    assert request.status == DestructionRequest.Status.REJECTED
    assert request.approvals.get().reason == "客户仍有理赔争议"
    # rejected records may be asked for again
    assert submit(personas, [book.wang.pk]).status == DestructionRequest.Status.PENDING


@pytest.mark.parametrize(
    ("requester", "steps", "actor", "action", "code"),
    [
        # nobody approves their own request (ivan asked)
        ("ivan", [], "ivan", "approve", "OWN_REQUEST"),
        ("mona", [], "mona", "reject", "OWN_REQUEST"),
        # only the two managers approve
        ("admin", [], "alice", "approve", "NOT_APPROVER"),
        ("admin", [], "george", "approve", "NOT_APPROVER"),
        ("admin", [], "sam", "reject", "NOT_APPROVER"),
        ("admin", [], "admin", "approve", "OWN_REQUEST"),
        # two different people: ivan cannot give the second approval too
        ("admin", ["ivan"], "ivan", "approve", "SAME_PERSON"),
        # a second information manager cannot fill the customer service manager's step
        ("admin", ["ivan"], "irene", "approve", "STEP_DONE"),
        # decided requests are closed
        ("admin", ["ivan", "mona"], "ivan", "approve", "NOT_PENDING"),
        ("admin", ["ivan", "mona"], "mona", "reject", "NOT_PENDING"),
        # not executable before both approvals, nor by anyone else
        ("admin", [], "ivan", "execute", "NOT_APPROVED"),
        ("admin", ["mona"], "mona", "execute", "NOT_APPROVED"),
        ("admin", ["ivan", "mona"], "alice", "execute", "NOT_ALLOWED"),
        ("admin", ["ivan", "mona"], "audrey", "execute", "NOT_ALLOWED"),
    ],
)
def test_illegal_steps_are_refused_and_change_nothing(
    personas, book, requester, steps, actor, action, code
):
    personas = {**personas, "irene": second_information_manager()}
    request = submit(personas, [book.wang.pk], who=requester)
    for who in steps:
        approve(personas, request, who)
    before = snapshot(request)
    user = personas[actor]
    with pytest.raises(RetentionError) as refused:
        if action == "approve":
            approve(personas, request, actor)
        elif action == "reject":
            destruction_request_reject(request_id=request.pk, principal=Staff(user), reason="nein")
        else:
            destruction_request_execute(request_id=request.pk, principal=Staff(user))
    assert refused.value.code == code
    assert refused.value.message_zh and refused.value.message_en
    assert snapshot(request) == before
    book.wang.refresh_from_db()
    assert book.wang.name == "王芳"


def test_execution_after_rejection_is_refused(personas, book):
    request = submit(personas, [book.wang.pk])
    destruction_request_reject(
        request_id=request.pk, principal=Staff(personas["mona"]), reason="no"
    )
    before = snapshot(request)
    with pytest.raises(RetentionError) as refused:
        destruction_request_execute(request_id=request.pk, principal=Staff(personas["ivan"]))
    assert refused.value.code == "NOT_APPROVED"
    assert snapshot(request) == before


def _open_item(customer) -> None:
    item = ProblemItem.objects.create(
        rule=RuleCode.MANUAL,
        key=f"manual:{customer.pk}",
        severity="low",
        reason_zh="人工添加",
        reason_en="added by staff",
        first_seen_on=AS_OF,
        last_seen_on=AS_OF,
    )
    ProblemItemMember.objects.create(item=item, customer=customer, added_on=AS_OF)


@pytest.mark.parametrize(
    ("setup", "who", "ids", "code"),
    [
        ("none", "sam", "wang", "NOT_ALLOWED"),
        ("none", "alice", "wang", "NOT_ALLOWED"),
        ("none", "audrey", "wang", "NOT_ALLOWED"),
        ("none", "admin", "", "REQUIRED"),
        ("none", "admin", "zhang", "NOT_DUE"),  # policy in force
        ("none", "admin", "wang,zhang", "NOT_DUE"),  # refused as a whole
        ("none", "admin", "missing", "UNKNOWN"),
        ("hold", "admin", "wang", "HELD"),
        ("open_item", "admin", "son", "OPEN_PROBLEM_ITEM"),
        ("requested", "ivan", "wang", "ALREADY_REQUESTED"),
        ("no_reason", "admin", "wang", "REQUIRED"),
    ],
)
def test_bad_submissions_are_refused_and_change_nothing(personas, book, setup, who, ids, code):
    people = {"wang": book.wang.pk, "son": book.son.pk, "zhang": book.zhang.pk, "missing": 999999}
    reason = "retention period expired"
    if setup == "hold":
        legal_hold_place(customer_id=book.wang.pk, reason="诉讼", principal=Staff(personas["ivan"]))
    elif setup == "open_item":
        _open_item(book.son)
    elif setup == "requested":
        submit(personas, [book.wang.pk])
    elif setup == "no_reason":
        reason = "   "
    before = snapshot()
    with pytest.raises(RetentionError) as refused:
        submit(
            personas,
            [people[name] for name in ids.split(",") if name],
            who=who,
            reason=reason,
        )
    assert refused.value.code == code
    assert snapshot() == before


def test_too_many_records_are_refused(personas, book, monkeypatch):
    from veracity.retention import services

    monkeypatch.setattr(services, "MAX_ITEMS", 1)
    with pytest.raises(RetentionError) as refused:
        submit(personas, [book.wang.pk, book.son.pk])
    assert refused.value.code == "TOO_MANY"


def test_destroyable_ids_leave_out_held_blocked_and_requested(personas, book):
    assert destroyable_ids("customer_policies_ended", as_of=AS_OF) == sorted(
        [book.wang.pk, book.son.pk]
    )
    _open_item(book.son)
    assert destroyable_ids("customer_policies_ended", as_of=AS_OF) == [book.wang.pk]
    submit(personas, [book.wang.pk])
    assert destroyable_ids("customer_policies_ended", as_of=AS_OF) == []


def test_legal_holds(personas, book):
    hold = legal_hold_place(
        customer_id=book.wang.pk, reason="法院调取", principal=Staff(personas["mona"])
    )
    event = AuditEvent.objects.get(action=Action.LEGAL_HOLD)
    assert event.customer_id == book.wang.pk and event.object_id == str(hold.pk)
    before = snapshot()
    for kwargs, code in (
        (
            {"customer_id": book.wang.pk, "reason": "again", "principal": Staff(personas["ivan"])},
            "ALREADY_HELD",
        ),
        (
            {"customer_id": book.son.pk, "reason": " ", "principal": Staff(personas["ivan"])},
            "REQUIRED",
        ),
        ({"customer_id": 999999, "reason": "x", "principal": Staff(personas["ivan"])}, "UNKNOWN"),
        (
            {"customer_id": book.son.pk, "reason": "x", "principal": Staff(personas["sam"])},
            "NOT_ALLOWED",
        ),
        (
            {"customer_id": book.son.pk, "reason": "x", "principal": Staff(personas["audrey"])},
            "NOT_ALLOWED",
        ),
    ):
        with pytest.raises(RetentionError) as refused:
            legal_hold_place(**kwargs)
        assert refused.value.code == code
    with pytest.raises(RetentionError) as refused:
        legal_hold_lift(hold_id=hold.pk, reason="", principal=Staff(personas["ivan"]))
    assert refused.value.code == "REQUIRED"
    assert snapshot() == before
    legal_hold_lift(hold_id=hold.pk, reason="案件结束", principal=Staff(personas["ivan"]))
    hold.refresh_from_db()
    assert hold.lifted_by == personas["ivan"] and hold.lift_reason == "案件结束"
    with pytest.raises(RetentionError) as refused:
        legal_hold_lift(hold_id=hold.pk, reason="x", principal=Staff(personas["ivan"]))
    assert refused.value.code == "NOT_HELD"
    # lifted: the file may be destroyed again
    assert submit(personas, [book.wang.pk]).items.get().outcome == Outcome.PENDING


def test_a_destroyed_file_cannot_be_held_or_destroyed_again(personas, book):
    request = submit(personas, [book.wang.pk])
    approve(personas, request, "ivan")
    approve(personas, request, "mona")
    destruction_request_execute(
        request_id=request.pk, principal=Staff(personas["mona"]), as_of=AS_OF
    )
    with pytest.raises(RetentionError) as refused:
        legal_hold_place(customer_id=book.wang.pk, reason="x", principal=Staff(personas["ivan"]))
    assert refused.value.code == "ALREADY_DESTROYED"
    with pytest.raises(RetentionError) as refused:
        submit(personas, [book.wang.pk])
    assert refused.value.code == "ALREADY_DESTROYED"
