"""D1.12: a phone on file that a notice cannot reach — empty number (空号), suspended (停机),
invalid — is a clue that the contact on file is not true. It raises one problem item
``CONTACT_UNDELIVERABLE`` per customer and phone (however many notices failed), through the
same path as the detection's items (``cases.services.problem_items_open_or_extend``), so it
is distributed, investigated and verified like any other."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone

from veracity.cases.services import problem_items_open_or_extend
from veracity.core.detection import Clue, Rule
from veracity.core.masking import mask
from veracity.customers.services import phone_key
from veracity.detection import selectors as dq
from veracity.notices.models import CustomerNotice, NoticeChannel


def undeliverable_raise(notices: Sequence[CustomerNotice]) -> dict[str, int]:
    """Open (or see again) the ``CONTACT_UNDELIVERABLE`` item of each SMS notice's customer
    and phone; call inside the transaction that recorded the failure."""
    clues: dict[str, Clue] = {}
    for notice in notices:
        if notice.channel != NoticeChannel.SMS or not notice.address:
            continue
        key_facts = phone_key(notice.address)
        if key_facts is None:
            continue
        key = f"{notice.customer_id}:{key_facts[2]}"[:80]
        shown = mask(notice.address, "phone")
        clues[key] = Clue(
            rule=Rule.CONTACT_UNDELIVERABLE,
            key=key,
            customers=(notice.customer_id,),
            policies=(notice.policy_id,),
            severity="medium",
            reason_zh=f"发往客户手机{shown}的通知因空号、停机或号码无效而无法送达，请核实联系电话",
            reason_en=(
                f"A notice to the customer's phone {shown} failed: number not in service or"
                " invalid; verify the phone on file"
            ),
            evidence={"value": shown, "error_code": notice.error_code},
        )
    if not clues:
        return {"opened": 0, "extended": 0, "unchanged": 0}
    found = list(clues.values())
    return problem_items_open_or_extend(
        found,
        business_date=timezone.localdate(),
        policies_of=dq.policies_of(c for clue in found for c in clue.customers),
    )
