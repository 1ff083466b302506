"""The second callbacks (再次回访) of a repeat misseller's policies (SD-4, D1.14).

A ``REPEAT_MISSELLING`` problem item lists every policy the seller or agency sold; each gets
a callback task when the item opens or extends (:func:`recheck_callbacks_ensure`, called by
detection in the rule's transaction). Customer service records what each callback found
(:func:`callback_record`, action ``callbacks.record``), on the item's page and via the API,
while the item is open: each result recorded is also a step of the item's timeline.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from veracity.access.policy import record_refusal
from veracity.access.roles import RoleName
from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record
from veracity.cases.models import ProblemItem
from veracity.cases.services import problem_item_callback_logged
from veracity.conduct import refusals as _refusals  # noqa: F401  (registers the words)
from veracity.conduct.models import RecheckCallback
from veracity.core.conduct import CALLBACK_RESULT_WORDS, CallbackResult
from veracity.core.detection import Rule
from veracity.core.refusals import Kind, Refusal
from veracity.db.batches import chunks
from veracity.db.bulk import insert_rows
from veracity.notify.services import tell
from veracity.org.actions import may
from veracity.org.principals import Principal, acting_user
from veracity.sales.models import Seller

MAX_NOTE = 2000


class CallbackError(Refusal):
    """A refused callback step (the ``callback.*`` entries of :mod:`veracity.conduct.refusals`)."""

    namespace = "callback"


def recheck_callbacks_ensure(item_policies: Mapping[int, Iterable[int]]) -> int:
    """A second-callback task for every (item, policy) that has none yet; returns how many
    were created. Set-based: the existing tasks are read per batch of items, the new ones
    written in batches."""
    wanted = {(item, pid) for item, pids in item_policies.items() for pid in pids}
    if not wanted:
        return 0
    have: set[tuple[int, int]] = set()
    for batch in chunks(sorted(item_policies)):
        have |= set(
            RecheckCallback.objects.filter(item_id__in=batch).values_list("item_id", "policy_id")
        )
    new = sorted(wanted - have)
    # by COPY on PostgreSQL (a repeat misseller may have sold tens of thousands of policies);
    # detection runs one rule at a time (its run record): nobody adds the same pair meanwhile
    insert_rows(RecheckCallback, ("item_id", "policy_id"), new)
    return len(new)


def recheck_told(items: Mapping[int, tuple[str, int]]) -> None:
    """Compliance and channel management are told of each new re-check (D1.14: reported to
    them), and customer service, who call the customers back. ``items``: item id →
    (seller id, number of policies)."""
    if not items:
        return
    people = list(
        get_user_model()
        .objects.filter(
            groups__name__in=[
                RoleName.COMPLIANCE.value,
                RoleName.CHANNEL_MANAGEMENT.value,
                RoleName.CUSTOMER_SERVICE.value,
                RoleName.CUSTOMER_SERVICE_MANAGER.value,
            ],
            is_active=True,
        )
        .distinct()
    )
    sellers = {
        str(s.pk): str(s) for s in Seller.objects.filter(pk__in=[int(k) for k, _ in items.values()])
    }
    for item_id, (seller_key, count) in sorted(items.items()):
        tell(
            people,
            "repeat_misselling_recheck",
            {"item": f"#{item_id}", "against": sellers.get(seller_key, ""), "policies": count},
            link=f"/problems/{item_id}/",
            object_type="problem_item",
            object_id=item_id,
        )


@dataclass(frozen=True)
class CallbackRow:
    id: int
    policy_id: int
    policy_no: str
    result: str
    result_zh: str
    result_en: str
    note: str
    called_by: str
    called_at: datetime | None


def callbacks_of_item(item_id: int) -> list[CallbackRow]:
    """The item's second callbacks, by policy number."""
    rows = []
    for cb in (
        RecheckCallback.objects.filter(item_id=item_id)
        .select_related("policy", "called_by")
        .order_by("policy__policy_no", "policy_id")
    ):
        words = CALLBACK_RESULT_WORDS.get(CallbackResult(cb.result)) if cb.result else None
        rows.append(
            CallbackRow(
                id=cb.pk,
                policy_id=cb.policy_id,
                policy_no=cb.policy.policy_no or cb.policy.application_no,
                result=cb.result,
                result_zh=words[0] if words else "",
                result_en=words[1] if words else "",
                note=cb.note,
                called_by=(cb.called_by.get_full_name() or cb.called_by.get_username())
                if cb.called_by
                else "",
                called_at=cb.called_at,
            )
        )
    return rows


def callback_record(
    *, item_id: int, policy_no: str, result: str, note: str = "", principal: Principal
) -> RecheckCallback:
    """Record what the second callback of one policy of a re-check found. Again later (a
    customer not reached is called again): the new result replaces the old, both audited and
    both on the item's timeline. Refused on a closed item (``callback.closed``): nothing
    changes."""

    def step() -> RecheckCallback:
        if not may(principal, "callbacks.record"):
            raise CallbackError("role", "user")
        # the item first (the order the item's own steps lock in): closing waits for us
        item = (
            ProblemItem.objects.select_for_update()
            .filter(pk=item_id, rule=Rule.REPEAT_MISSELLING.value)
            .first()
        )
        if item is None:
            raise CallbackError("not_found", "policy_no")
        callback = (
            RecheckCallback.objects.select_for_update(of=("self",))
            .select_related("policy")
            .filter(
                item_id=item_id,
                item__rule=Rule.REPEAT_MISSELLING.value,
                policy__policy_no=policy_no,
            )
            .first()
        )
        if callback is None:
            callback = (
                RecheckCallback.objects.select_for_update(of=("self",))
                .select_related("policy")
                .filter(
                    item_id=item_id,
                    item__rule=Rule.REPEAT_MISSELLING.value,
                    policy__policy_no__isnull=True,
                    policy__application_no=policy_no,
                )
                .first()
            )
        if callback is None:
            raise CallbackError("not_found", "policy_no")
        if item.status == ProblemItem.Status.CLOSED:
            raise CallbackError("closed", "item")
        if result not in CallbackResult.__members__.values():
            raise CallbackError("result", "result")
        text = (note or "").strip()
        if len(text) > MAX_NOTE:
            raise CallbackError("too_long", "note", limit=MAX_NOTE)
        before = callback.result
        callback.result = str(result)
        callback.note = text
        callback.called_by = acting_user(principal)
        callback.called_at = timezone.now()
        callback.save(update_fields=["result", "note", "called_by", "called_at"])
        audit_record(
            actor=Actor.acting(principal),
            event=Event(
                action=Action.CHANGE,
                object_type="recheck_callback",
                object_id=str(callback.pk),
                detail={
                    "item": item_id,
                    "policy": callback.policy_id,
                    "result": callback.result,
                    "before": before,
                },
            ),
        )
        problem_item_callback_logged(
            item=item,
            principal=principal,
            policy_no=callback.policy.policy_no or callback.policy.application_no,
            result=callback.result,
        )
        return callback

    try:
        with transaction.atomic():
            return step()
    except Refusal as error:
        if error.kind is Kind.FORBIDDEN:
            record_refusal(
                actor=Actor.of_principal(principal),
                action="callbacks.record",
                object_type="problem_item",
                object_id=str(item_id),
                detail={"code": error.key, "policy_no": str(policy_no)[:40]},
            )
        raise


def is_recheck_item(item: ProblemItem | Any) -> bool:
    return getattr(item, "rule", "") == Rule.REPEAT_MISSELLING.value
