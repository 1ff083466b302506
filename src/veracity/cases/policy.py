"""Who may move a problem item, and to where (PW-1 … PW-4).

- Customer service distributes items to the management of a sales channel (PW-1), or takes
  one up itself; channel back-office claims the items of its channel.
- Only the investigator submits findings.
- Compliance or customer service verifies or returns them — never the one who investigated
  (nobody checks their own work, PW-4) — and closes verified items.
- Team leaders follow their agents' items; agents see the items of their own book and add
  a statement (情况说明) to them; the auditor and the managers who only approve requests
  take no step.

Each check returns a :class:`CaseError` (field-named, in Chinese and English) or ``None``.
The stage machine's transitions (``veracity.cases.models.ProblemItem``) take these checks as
their ``permission=``; :func:`steps_open_to` asks the machine which steps a person may take
now — what the item page, the work queue and the API offer.
"""

from __future__ import annotations

from typing import Any

from django_fsm import has_transition_perm

from veracity.access.roles import roles_of
from veracity.cases import refusals as _refusals  # noqa: F401  (registers the ``case.*`` words)
from veracity.cases.models import ProblemItem, Stage
from veracity.core.refusals import Refusal
from veracity.org.actions import roles_for
from veracity.org.principals import Principal, acting_user
from veracity.org.selectors import channels_of

# The role sets come from the one actions table (``veracity.access.policy.ACTIONS``); the
# rules below add what depends on the item (its stage, its channel, its investigator).
DISTRIBUTORS = roles_for("cases.distribute")
INVESTIGATORS = roles_for("cases.investigate")
VERIFIERS = roles_for("cases.verify")
CLOSERS = roles_for("cases.close")
#: Those who may add evidence or a note besides the investigator (a callback by customer
#: service, a remark by compliance).
SUPPORTERS = roles_for("cases.support")
#: Agents, who add a statement on the items of their own book.
STATEMENT_MAKERS = roles_for("cases.statement")

STAGE_NAMES = {
    Stage.NEW: ("新建", "new"),
    Stage.DISTRIBUTED: ("已分发", "distributed"),
    Stage.INVESTIGATING: ("调查中", "investigating"),
    Stage.SUBMITTED: ("已提交", "submitted"),
    Stage.RETURNED: ("已退回", "returned"),
    Stage.VERIFIED: ("已核实", "verified"),
    Stage.CLOSED: ("已关闭", "closed"),
}


class CaseError(Refusal):
    """A refused step; ``field`` names what is wrong, ``code`` is stable; the words are the
    ``case.*`` entries of :mod:`veracity.cases.refusals`."""

    namespace = "case"

    def message(self, chinese: bool) -> str:
        return self.message_zh if chinese else self.message_en


def refuse(code: str, field: str, **params: Any) -> CaseError:
    return CaseError(code, field, **params)


def stage_name(stage: str, chinese: bool = True) -> str:
    names = STAGE_NAMES.get(Stage(stage)) if stage in Stage.values else None
    return (names[0] if chinese else names[1]) if names else stage


def _pk(principal: Principal) -> int | None:
    """The acting user's id (``None`` for a principal without one)."""
    return getattr(acting_user(principal), "pk", None)


def _role_refusal(action_zh: str, action_en: str) -> CaseError:
    return refuse("role", "user", action_zh=action_zh, action_en=action_en)


def may_distribute(principal: Principal, item: ProblemItem) -> CaseError | None:
    if not roles_of(principal) & DISTRIBUTORS:
        return _role_refusal("分发问题件", "distribute problem items")
    return None


def may_claim(principal: Principal, item: ProblemItem) -> CaseError | None:
    """Channel back-office claims what was distributed to its channel; customer service may
    take up any item that is not yet being investigated."""
    roles = roles_of(principal)
    if roles & DISTRIBUTORS:
        return None
    if not roles & INVESTIGATORS:  # channel back-office, from here on
        return _role_refusal("认领问题件", "claim problem items")
    if item.stage == Stage.NEW:
        return refuse("not_distributed", "stage")
    if item.assigned_channel not in channels_of(acting_user(principal)):
        return refuse("other_channel", "assigned_channel")
    return None


def may_investigate(principal: Principal, item: ProblemItem) -> CaseError | None:
    """Submitting findings is the investigator's own act."""
    if item.assignee_id != _pk(principal):
        return refuse("not_investigator", "assignee")
    return None


def may_verify(principal: Principal, item: ProblemItem) -> CaseError | None:
    if not roles_of(principal) & VERIFIERS:
        return _role_refusal("核实或退回调查结果", "verify or return findings")
    if item.assignee_id is not None and item.assignee_id == _pk(principal):
        return refuse("own_work", "user")
    return None


def may_close(principal: Principal, item: ProblemItem) -> CaseError | None:
    if not roles_of(principal) & CLOSERS:
        return _role_refusal("关闭问题件", "close problem items")
    return None


def may_support(principal: Principal, item: ProblemItem) -> CaseError | None:
    """Evidence and notes: the investigator, or compliance and customer service."""
    if item.stage == Stage.CLOSED:
        return refuse("closed", "stage")
    if item.assignee_id is not None and item.assignee_id == _pk(principal):
        return None
    if roles_of(principal) & SUPPORTERS:
        return None
    return _role_refusal("为该问题件添加材料", "add material to this item")


def may_state(principal: Principal, item: ProblemItem) -> CaseError | None:
    """The agent's statement (情况说明, D1.13): an agent, on an open item with a member
    policy the agent sold."""
    if not roles_of(principal) & STATEMENT_MAKERS:
        return _role_refusal("提交情况说明", "add a statement")
    if item.stage == Stage.CLOSED:
        return refuse("closed", "stage")
    user = acting_user(principal)
    if user is None or not item.members.filter(policy__seller__user=user).exists():
        return refuse("not_own_customer", "user")
    return None


# --- the steps open to a person now ---------------------------------------------------------

#: The steps offered on an item, in the order they are shown: the step's name (as the item
#: page and the API call it) and the stage transition it takes.
STEP_TRANSITIONS = {
    "distribute": "distribute",
    "claim": "claim",
    "submit": "submit",
    "return": "send_back",
    "verify": "verify",
    "close": "close",
}
#: Steps that add to the item without moving its stage (:func:`may_support`).
SUPPORT_STEPS = ("attach", "note")


def step_open_to(item: ProblemItem, step: str, *, principal: Principal) -> bool:
    """Whether ``principal`` may take ``step`` on ``item`` now: for a stage transition, the
    machine's answer (the stage allows it and its ``permission=`` finds no refusal)."""
    transition = STEP_TRANSITIONS.get(step)
    if transition is not None:
        # django-fsm hands the principal to the transition's ``permission=`` (typed for a
        # user) as its "user"; ``cases.models._allowed`` takes either
        bound = getattr(item, transition)
        return bool(has_transition_perm(bound, principal))  # type: ignore[arg-type]
    if step in SUPPORT_STEPS:
        return may_support(principal, item) is None
    if step == "statement":
        return item.pk is not None and may_state(principal, item) is None
    return False


def steps_open_to(item: ProblemItem, *, principal: Principal) -> list[str]:
    """The steps ``principal`` may take on ``item`` now, in the order the item page shows
    them. The services refuse every other step (with the :class:`CaseError` of the check
    that fails)."""
    return [
        step
        for step in (*STEP_TRANSITIONS, *SUPPORT_STEPS, "statement")
        if step_open_to(item, step, principal=principal)
    ]


def distributable(stage: str, *, principal: Principal) -> bool:
    """Whether ``principal`` may distribute an item in ``stage`` (a row of the work queue,
    whose distribution depends on nothing else of the item)."""
    return step_open_to(ProblemItem(stage=stage), "distribute", principal=principal)
