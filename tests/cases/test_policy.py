"""Every step × every role × every stage it could be tried from (PW-1 … PW-4).

For each (step, stage) one item is walked to the stage through the services; then every
persona tries the step. A legal step must succeed (it is then rolled back, so the next
persona finds the item as it was); an illegal one must raise :class:`CaseError` with a
stable code and a message in both languages, and change nothing: not the item's row, not
its timeline, not the audit trail, not its evidence.

The expected outcome is written out here from the rules of the issue, independently of
``veracity.cases.policy``, so a change in the policy shows up as a failing row.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.db import transaction

from tests.cases.conftest import PDF, attach_confirmation
from veracity.audit.models import AuditEvent
from veracity.cases import services as cs
from veracity.cases.models import CaseStep, Evidence, ProblemItem
from veracity.cases.policy import CaseError
from veracity.cases.selectors import actions_for, work_queue
from veracity.org.principals import Staff, with_purpose

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 26)
STAGES = ("new", "distributed", "investigating", "submitted", "returned", "verified", "closed")
USERS = (
    "alice",  # agent
    "carol",  # channel back-office, agency: the investigator once the item is claimed
    "henry",  # channel back-office, agency (head of the department)
    "bella",  # channel back-office, bancassurance: sees the item, which went to agency
    "dora",  # channel back-office, direct: the item is not hers to see
    "sam",  # customer service
    "mona",  # customer service manager
    "dave",  # compliance
    "ivan",  # information manager: sees the list, takes no step
    "terry",  # team leader of AG1, who sold the agency policy: follows, takes no step
    "george",  # general manager
    "audrey",  # auditor
    "admin",
)
SEES_NOTHING = {"alice", "dora", "george", "audrey"}
DISTRIBUTORS = {"sam", "mona"}
VERIFIERS = {"sam", "mona", "dave"}
AGENCY_BACKOFFICE = {"carol", "henry"}
BACKOFFICE = {*AGENCY_BACKOFFICE, "bella", "dora"}


# --- bringing an item to a stage ----------------------------------------------------------


def walk(item: ProblemItem, stage: str, users: dict[str, Any]) -> None:
    """new → … → ``stage``, by the usual hands: sam distributes to agency, carol claims,
    attaches her signed report and submits, dave returns, verifies or closes."""
    sam, carol, dave = users["sam"], users["carol"], users["dave"]
    path = STAGES[: STAGES.index(stage) + 1]
    if "distributed" in path:
        cs.problem_item_distribute(
            principal=Staff(sam), item_id=item.pk, channel="agency", as_of=DAY
        )
    if "investigating" in path:
        cs.problem_item_claim(principal=Staff(carol), item_id=item.pk)
    if "submitted" in path:
        cs.problem_item_attach(
            principal=Staff(carol),
            item_id=item.pk,
            kind="investigator_report",
            description="signed report",
            filename="report.pdf",
            data=PDF,
        )
        attach_confirmation(Staff(carol), item.pk)
        cs.problem_item_submit(
            principal=Staff(carol),
            item_id=item.pk,
            outcome="explained",
            findings="spouses share a phone",
        )
    if stage == "returned":
        cs.problem_item_return(
            principal=Staff(dave), item_id=item.pk, reason="attach the certificate"
        )
    if stage in ("verified", "closed"):
        cs.problem_item_verify(principal=Staff(dave), item_id=item.pk, as_of=DAY)
    if stage == "closed":
        cs.problem_item_close(principal=Staff(dave), item_id=item.pk)
    item.refresh_from_db()
    assert item.stage == stage


# --- the steps ----------------------------------------------------------------------------

Step = Callable[[Any, int], Any]
STEPS: dict[str, Step] = {
    "distribute": lambda u, pk: cs.problem_item_distribute(
        principal=Staff(u),
        item_id=pk,
        channel="agency",
        as_of=DAY,
    ),
    "claim": lambda u, pk: cs.problem_item_claim(principal=Staff(u), item_id=pk),
    "submit": lambda u, pk: cs.problem_item_submit(
        principal=Staff(u),
        item_id=pk,
        outcome="explained",
        findings="the customers are married",
    ),
    "return": lambda u, pk: cs.problem_item_return(
        principal=Staff(u), item_id=pk, reason="not enough"
    ),
    "verify": lambda u, pk: cs.problem_item_verify(principal=Staff(u), item_id=pk, as_of=DAY),
    "close": lambda u, pk: cs.problem_item_close(principal=Staff(u), item_id=pk),
    "attach": lambda u, pk: cs.problem_item_attach(
        principal=Staff(u),
        item_id=pk,
        kind="agent_statement",
        description="the agent's statement",
        filename="statement.pdf",
        data=PDF,
    ),
    "note": lambda u, pk: cs.problem_item_note(
        principal=Staff(u), item_id=pk, note="called the customer"
    ),
}
#: Where a legal step leaves the item (``None``: where it was).
TARGET = {
    "distribute": "distributed",
    "claim": "investigating",
    "submit": "submitted",
    "return": "returned",
    "verify": "verified",
    "close": "closed",
    "attach": None,
    "note": None,
}


def expected(step: str, user: str, stage: str) -> str:
    """ "ok" or the code of the refusal, from the rules of the issue."""
    investigator = "carol" if stage not in ("new", "distributed") else None
    if user in SEES_NOTHING:
        return "not_found"
    if step == "distribute":
        if user not in DISTRIBUTORS:
            return "role"
        return "ok" if stage in ("new", "distributed") else "illegal_transition"
    if step == "claim":
        if user not in DISTRIBUTORS:
            if user not in BACKOFFICE:
                return "role"
            if stage == "new":
                return "not_distributed"
            if user not in AGENCY_BACKOFFICE:
                return "other_channel"
        return "ok" if stage in ("new", "distributed") else "illegal_transition"
    if step == "submit":
        if user != investigator:
            return "not_investigator"
        return "ok" if stage in ("investigating", "returned") else "illegal_transition"
    if step in ("return", "verify"):
        if user not in VERIFIERS:
            return "role"
        if step == "return" and stage == "verified":
            return "ok"  # a verified item may still go back before it is closed
        return "ok" if stage == "submitted" else "illegal_transition"
    if step == "close":
        if user not in VERIFIERS:
            return "role"
        return "ok" if stage == "verified" else "illegal_transition"
    # attach, note
    if stage == "closed":
        return "closed"
    return "ok" if user == investigator or user in VERIFIERS else "role"


def snapshot(item_id: int) -> tuple[Any, ...]:
    return (
        ProblemItem.objects.values().get(pk=item_id),
        CaseStep.objects.filter(item_id=item_id).count(),
        AuditEvent.objects.count(),
        Evidence.objects.filter(item_id=item_id).count(),
    )


def attempt(step: str, user: Any, item_id: int) -> str:
    """Try the step; a success is checked and rolled back, a refusal must change nothing.
    Returns "ok" or the refusal's code."""
    before = snapshot(item_id)
    steps_before = before[1]
    try:
        with transaction.atomic():
            STEPS[step](user, item_id)
            item = ProblemItem.objects.get(pk=item_id)
            assert item.stage == (TARGET[step] or before[0]["stage"]), (step, user)
            assert CaseStep.objects.filter(item_id=item_id).count() > steps_before
            assert AuditEvent.objects.count() > before[2]
            transaction.set_rollback(True)
    except CaseError as error:
        assert error.message_zh and error.message_en and error.field, error
        assert any("\u4e00" <= ch <= "\u9fff" for ch in error.message_zh), error
        assert snapshot(item_id) == before, f"{user} {step}: refused but something changed"
        return error.code
    assert snapshot(item_id) == before  # the success was rolled back
    return "ok"


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("step", list(STEPS))
def test_step_by_every_role_from_every_stage(step, stage, item, staff):
    walk(item, stage, staff)
    got = {name: attempt(step, staff[name], item.pk) for name in USERS}
    want = {name: expected(step, name, stage) for name in USERS}
    assert got == want


@pytest.mark.parametrize("stage", STAGES)
def test_item_page_offers_exactly_the_legal_steps(stage, item, staff):
    """What ``actions_for`` offers on the item page is what the services accept."""
    walk(item, stage, staff)
    item.refresh_from_db()
    for name in USERS:
        if name in SEES_NOTHING:
            continue
        offered = set(actions_for(item, principal=Staff(staff[name])))
        legal = {s for s in STEPS if expected(s, name, stage) == "ok"}
        assert offered == legal, name


def test_investigator_cannot_verify_own_work(item, staff):
    """Customer service takes an item up itself; then another verifier must check it."""
    sam, mona = staff["sam"], staff["mona"]
    cs.problem_item_claim(principal=Staff(sam), item_id=item.pk)
    item.refresh_from_db()
    assert (item.stage, item.assignee, item.due_on is not None) == ("investigating", sam, True)
    cs.problem_item_attach(
        principal=Staff(sam),
        item_id=item.pk,
        kind="customer_confirmation",
        description="signed by both",
        filename="confirm.pdf",
        data=PDF,
    )
    cs.problem_item_submit(
        principal=Staff(sam), item_id=item.pk, outcome="explained", findings="married"
    )
    for step in ("verify", "return"):
        assert attempt(step, sam, item.pk) == "own_work"
    assert item.pk not in {r.id for r in work_queue(principal=with_purpose(Staff(sam), "t")).items}
    assert item.pk in {r.id for r in work_queue(principal=with_purpose(Staff(mona), "t")).items}
    cs.problem_item_verify(principal=Staff(mona), item_id=item.pk)
    item.refresh_from_db()
    assert item.stage == "verified"


def test_verify_needs_confirmation_or_report(item, staff):
    """D1.13: an agent's statement alone does not carry a verification."""
    walk(item, "investigating", staff)
    carol, dave = staff["carol"], staff["dave"]
    cs.problem_item_attach(
        principal=Staff(carol),
        item_id=item.pk,
        kind="agent_statement",
        description="agent says so",
        filename="a.pdf",
        data=PDF,
    )
    cs.problem_item_submit(
        principal=Staff(carol), item_id=item.pk, outcome="explained", findings="x"
    )
    assert attempt("verify", dave, item.pk) == "evidence"


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"outcome": "maybe", "findings": "x"}, "outcome", "outcome"),
        ({"outcome": "explained", "findings": "  "}, "required", "findings"),
        ({"outcome": "explained", "findings": "x" * 4001}, "too_long", "findings"),
        ({"outcome": "corrected", "findings": "x"}, "correction", "changes"),
        ({"outcome": "escalated", "findings": "x"}, "seller", "seller_codes"),
        (
            {"outcome": "escalated", "findings": "x", "seller_codes": ["NOPE"]},
            "seller",
            "seller_codes",
        ),
    ],
)
def test_submit_refusals_name_the_field(kwargs, code, field, item, staff):
    walk(item, "investigating", staff)
    before = snapshot(item.pk)
    with pytest.raises(CaseError) as refused:
        cs.problem_item_submit(principal=Staff(staff["carol"]), item_id=item.pk, **kwargs)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert snapshot(item.pk) == before


@pytest.mark.parametrize(
    ("step", "kwargs", "code", "field"),
    [
        ("distribute", {"channel": "nowhere"}, "channel", "channel"),
        ("return", {"reason": ""}, "required", "reason"),
        ("note", {"note": ""}, "required", "note"),
        ("attach", {"kind": "selfie"}, "kind", "kind"),
        ("attach", {"description": ""}, "required", "description"),
        ("attach", {"filename": "  "}, "required", "file"),
    ],
)
def test_other_refusals_name_the_field(step, kwargs, code, field, item, staff):
    sam, dave, carol = staff["sam"], staff["dave"], staff["carol"]
    calls = {
        "distribute": lambda: cs.problem_item_distribute(
            principal=Staff(sam), item_id=item.pk, **kwargs
        ),
        "return": lambda: cs.problem_item_return(principal=Staff(dave), item_id=item.pk, **kwargs),
        "note": lambda: cs.problem_item_note(principal=Staff(carol), item_id=item.pk, **kwargs),
        "attach": lambda: cs.problem_item_attach(
            principal=Staff(carol),
            item_id=item.pk,
            **{
                "kind": "agent_statement",
                "description": "d",
                "filename": "s.pdf",
                "data": PDF,
                **kwargs,
            },
        ),
    }
    walk(item, {"distribute": "new", "return": "submitted"}.get(step, "investigating"), staff)
    before = snapshot(item.pk)
    with pytest.raises(CaseError) as refused:
        calls[step]()
    assert (refused.value.code, refused.value.field) == (code, field)
    assert snapshot(item.pk) == before


def test_bulk_distribution_reports_each_refusal(item, staff):
    """One refusal does not hold back the others; each is reported by item."""
    sam = staff["sam"]
    result = cs.problem_items_distribute(
        principal=Staff(sam),
        item_ids=[item.pk, item.pk, 999_999],
        channel=None,
    )
    assert result.done == [item.pk]
    assert result.refused[999_999].code == "not_found"
    item.refresh_from_db()
    assert (item.stage, item.assigned_channel) == ("distributed", "agency")


def test_unknown_item_is_not_found_for_everyone(staff):
    for name in USERS:
        for step in STEPS:
            with pytest.raises(CaseError) as refused:
                STEPS[step](staff[name], 424242)
            assert refused.value.code == "not_found"
