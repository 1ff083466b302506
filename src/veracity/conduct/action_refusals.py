"""The refusals of compliance actions (D1.24; ``ComplianceActionError``, namespace
``compliance``): criticism, rectification demands with their follow-ups, referrals to the
compliance committee."""

from __future__ import annotations

from veracity.core.refusals import Kind, register

register(
    {
        # who may
        "compliance.forbidden.record": (
            Kind.FORBIDDEN,
            "只有合规人员可以记录批评、整改要求或提交合规委员会",
            "only compliance records criticism, rectification demands and committee referrals",
        ),
        "compliance.forbidden.follow_up": (
            Kind.FORBIDDEN,
            "只有合规人员或整改责任人可以记录跟进情况",
            "only compliance or the owner of the demand adds follow-ups",
        ),
        "compliance.forbidden.close": (
            Kind.FORBIDDEN,
            "只有合规人员可以确认整改完成并关闭",
            "only compliance closes a compliance action",
        ),
        # what is wrong
        "compliance.kind": (
            Kind.INVALID,
            "请选择措施类型（批评、整改要求或提交合规委员会评议）",
            "kind: criticism, rectification demand or committee referral",
        ),
        "compliance.target": (
            Kind.INVALID,
            "请填写一个对象：销售人员或代理机构的代码，或选择一个部门（只能选一个）",
            "target: name one seller or agency by code, or one department",
        ),
        "compliance.seller": (
            Kind.NOT_FOUND,
            "找不到代码为 {code} 的销售人员或代理机构",
            "seller: no seller or agency with code {code}",
        ),
        "compliance.department": (Kind.NOT_FOUND, "找不到该部门", "department: no such department"),
        "compliance.text": (
            Kind.INVALID,
            "请填写发现的问题和要求",
            "text: state the finding and what is demanded",
        ),
        "compliance.too_long": (
            Kind.INVALID,
            "内容过长（最多{limit}字）",
            "at most {limit} characters",
        ),
        "compliance.due_on": (
            Kind.INVALID,
            "整改要求须填写整改期限",
            "due_on: a rectification demand needs a due date",
        ),
        "compliance.due_on.past": (
            Kind.INVALID,
            "整改期限不能早于今天",
            "due_on: the due date cannot be before today",
        ),
        "compliance.owner": (
            Kind.INVALID,
            "整改要求须指定整改责任人",
            "owner: a rectification demand needs an owner",
        ),
        "compliance.owner.unknown": (
            Kind.NOT_FOUND,
            "找不到该责任人（或其账户已停用）",
            "owner: no such active user",
        ),
        "compliance.items": (
            Kind.NOT_FOUND,
            "找不到问题件：{numbers}",
            "items: no problem item {numbers}",
        ),
        "compliance.note": (Kind.INVALID, "请填写跟进情况", "note: say what was done"),
        "compliance.not_found": (Kind.NOT_FOUND, "该合规措施不存在", "no such compliance action"),
        # when
        "compliance.not_a_demand": (
            Kind.CONFLICT,
            "只有整改要求才有跟进记录",
            "only a rectification demand has follow-ups",
        ),
        "compliance.closed": (
            Kind.CONFLICT,
            "该合规措施已完成，不能再修改",
            "status: the action is done; it no longer changes",
        ),
    }
)
