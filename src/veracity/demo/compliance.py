"""Compliance actions for the embedded demo (SF-6, D1.24), recorded by dave through the
services: a rectification demand on an agency past its due date (henry owns it and has
reported progress), one on the sales channel management department still running (mike),
a criticism and a referral to the compliance committee of an agent — so compliance's home,
channel management's, the owners' waiting panels, their inboxes (the overdue notice) and the
list have something to show.
Runs once: nothing is done when any compliance action exists."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from veracity.cases.models import Escalation
from veracity.conduct.actions import (
    compliance_action_record,
    compliance_follow_up_add,
    compliance_overdue_notify,
)
from veracity.conduct.models import ComplianceAction
from veracity.org.models import Department
from veracity.org.principals import Staff
from veracity.sales.models import Seller, SellerKind

__all__ = ["demo_compliance_actions"]


def demo_compliance_actions(*, today: date | None = None) -> int:
    """Record the demo's compliance actions; returns how many (0 when done before or when
    the demo users are missing)."""
    users = {u.username: u for u in get_user_model().objects.filter(is_active=True)}
    if not {"dave", "henry", "mike"} <= users.keys() or ComplianceAction.objects.exists():
        return 0
    dave, henry = Staff(users["dave"]), Staff(users["henry"])
    day = today or timezone.localdate()
    agency = Seller.objects.filter(kind=SellerKind.AGENCY).order_by("code").first()
    escalation = Escalation.objects.select_related("seller").order_by("pk").first()
    agent = (
        escalation.seller
        if escalation is not None
        else Seller.objects.filter(kind=SellerKind.AGENT).order_by("code").first()
    )
    items = [escalation.item_id] if escalation is not None and escalation.item_id else []
    department = Department.objects.filter(code="AGY").first()
    if agency is None and department is None:
        return 0
    made = 0
    # recorded a month ago with a ten-day deadline: now past due
    late = compliance_action_record(
        principal=dave,
        kind="rectification",
        text="抽查发现该机构多份投保单的客户电话为机构座机，须逐件核实客户本人电话并更正，"
        "整改结果报合规部。",
        due_on=day - timedelta(days=10),
        owner_id=users["henry"].pk,
        as_of=day - timedelta(days=30),
        seller_code=agency.code if agency is not None else "",
        department_id=department.pk if agency is None and department is not None else None,
    )
    ComplianceAction.objects.filter(pk=late.pk).update(
        recorded_at=timezone.now() - timedelta(days=30)
    )
    compliance_follow_up_add(
        principal=henry, action_id=late.pk, note="已约谈机构负责人，正在逐件核对客户电话。"
    )
    made += 1
    channel = Department.objects.filter(code="CHN").first()
    if channel is not None:
        compliance_action_record(
            principal=dave,
            kind="rectification",
            text="完善销售人员亲属联系方式登记，季度内完成全部在职营销员的登记复核。",
            department_id=channel.pk,
            due_on=day + timedelta(days=14),
            owner_id=users["mike"].pk,
            as_of=day,
        )
        made += 1
    if agent is not None:
        compliance_action_record(
            principal=dave,
            kind="criticism",
            text="以本人联系方式替代客户联系方式，予以批评。",
            seller_code=agent.code,
            item_ids=items,
            as_of=day,
        )
        compliance_action_record(
            principal=dave,
            kind="committee_referral",
            text="一年内多次提供不真实客户资料，提交合规委员会评议。",
            seller_code=agent.code,
            item_ids=items,
            as_of=day,
        )
        made += 2
    # the morning's notice of the overdue demand, as the daily task sends it
    compliance_overdue_notify(as_of=day)
    return made
