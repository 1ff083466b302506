"""Problem items at every stage for the embedded demo, walked there by the services.

After the demo book is built and its detection run has listed the suspicious items, a
handful of them are taken through the investigation as staff would: distributed to the
individual-agency channel, claimed by carol, documented, submitted, returned or verified by
dave, closed, one escalated against its agent, one taken up by sam himself, and two left past
their deadline (one unclaimed, one being investigated), so that every page has something to
show. Runs once: nothing is done when any item has left the "new" stage.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Min, Q
from django.utils import timezone

from veracity.cases import services as cs
from veracity.cases.listing import visible_to
from veracity.cases.models import CaseStep, ProblemItem, ProblemItemMember, Stage
from veracity.cases.policy import CaseError
from veracity.org.principals import Staff

__all__ = ["demo_cases_walk"]

logger = logging.getLogger(__name__)

#: A one-page PDF standing in for a scanned, signed form.
_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

_Walk = Callable[[int], None]


def demo_cases_walk(*, today: date | None = None) -> dict[str, int]:
    """Walk up to ten agency items through the stages; returns stage → items walked there
    (empty when the demo users or the items are missing, or a walk was done before)."""
    users = {u.username: u for u in get_user_model().objects.filter(is_active=True)}
    if not {"sam", "carol", "dave"} <= users.keys() or CaseStep.objects.exists():
        return {}
    sam, carol, dave = (Staff(users[name]) for name in ("sam", "carol", "dave"))
    day = today or timezone.localdate()
    long_ago = day - timedelta(days=14)

    def distribute(pk: int, on: date = day) -> None:
        cs.problem_item_distribute(item_id=pk, channel="agency", principal=sam, as_of=on)

    def claim(pk: int, on: date = day) -> None:
        distribute(pk, on)
        cs.problem_item_claim(item_id=pk, principal=carol)

    def document(pk: int, kind: str = "customer_confirmation") -> None:
        cs.problem_item_note(
            item_id=pk, principal=carol, note="已电话联系客户，客户确认为家庭成员共用号码。"
        )
        # verification rests on the customer's signed confirmation (D1.13); an escalation
        # adds the investigator's signed report
        cs.problem_item_attach(
            item_id=pk,
            principal=carol,
            kind="customer_confirmation",
            description="客户签字确认书（扫描件）",
            filename="客户确认书.pdf",
            data=_PDF,
        )
        if kind != "customer_confirmation":
            cs.problem_item_attach(
                item_id=pk,
                principal=carol,
                kind=kind,
                description="调查人签字的调查报告（扫描件）",
                filename="调查报告.pdf",
                data=_PDF,
            )

    def submit(pk: int, outcome: str = "explained", sellers: list[str] | None = None) -> None:
        claim(pk)
        document(pk, "investigator_report" if outcome == "escalated" else "customer_confirmation")
        findings = {
            "explained": "经核实，相关客户为夫妻，共用家庭座机，信息真实。",
            "escalated": "营销员代客户填写本人联系电话，已取得营销员书面说明。",
        }[outcome]
        cs.problem_item_submit(
            item_id=pk, principal=carol, outcome=outcome, findings=findings, seller_codes=sellers
        )

    def returned(pk: int) -> None:
        submit(pk)
        cs.problem_item_return(item_id=pk, principal=dave, reason="请补充结婚证或户口簿复印件。")

    def verified(pk: int) -> None:
        submit(pk)
        cs.problem_item_verify(item_id=pk, principal=dave, note="材料齐全，同意。")

    def closed(pk: int) -> None:
        verified(pk)
        cs.problem_item_close(item_id=pk, principal=dave)

    def escalated(pk: int) -> None:
        agents = ProblemItemMember.objects.filter(item_id=pk, policy__seller__kind="agent")
        codes = sorted(set(agents.values_list("policy__seller__code", flat=True)))
        submit(pk, "escalated", codes[:1])
        cs.problem_item_verify(item_id=pk, principal=dave, note="转渠道管理部门及合规处理。")

    def by_customer_service(pk: int) -> None:
        cs.problem_item_claim(item_id=pk, principal=sam)
        cs.problem_item_note(item_id=pk, principal=sam, note="回访中发现，由客服直接调查。")

    def overdue_investigation(pk: int) -> None:
        claim(pk, long_ago)
        document(pk)

    plan: list[tuple[str, _Walk]] = [
        ("distributed", distribute),
        ("distributed (overdue)", lambda pk: distribute(pk, long_ago)),
        ("investigating", claim),
        ("investigating (overdue)", overdue_investigation),
        ("investigating (customer service)", by_customer_service),
        ("submitted", submit),
        ("returned", returned),
        ("verified", verified),
        ("closed", closed),
        ("escalated", escalated),
    ]
    # items whose policies' cooling-off callbacks are not imminent first, so that only the
    # walks meant to be overdue are
    items = (
        visible_to(principal=sam, action="cases.view")
        .filter(
            status=ProblemItem.Status.OPEN,
            stage=Stage.NEW,
            members__policy__channel="agency",
            members__policy__seller__kind="agent",
        )
        .filter(pk__in=visible_to(principal=carol, action="cases.view").values("pk"))
        .annotate(callback=Min("members__policy__callback_due_on"))
    )
    calm = Q(callback__isnull=True) | Q(callback__gt=day + timedelta(days=10))
    candidates = [
        *items.filter(calm).order_by("pk").values_list("pk", flat=True)[: len(plan)],
        *items.exclude(calm).order_by("pk").values_list("pk", flat=True)[: len(plan)],
    ]
    done: dict[str, int] = {}
    for (label, walk), pk in zip(plan, candidates, strict=False):
        try:
            walk(pk)
        except CaseError as error:  # the demo goes on; the item simply stays where it got
            logger.warning("demo case walk: item %s (%s): %s", pk, label, error)
            continue
        done[label] = done.get(label, 0) + 1
    cs.problem_items_overdue_notify(as_of=day)
    return done
