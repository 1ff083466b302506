"""The refusals of sales-force conduct (namespace ``penalty`` for the penalty register; the
rules' own words — reason, measure, amount — are registered by ``veracity.core.penalties``)."""

from __future__ import annotations

from veracity.core.refusals import Kind, register

# --- penalties (D1.14, D1.22, D1.23) -----------------------------------------------------------
register(
    {
        "penalty.not_allowed": (Kind.FORBIDDEN, "您无权{what_zh}", "you may not {what_en}"),
        "penalty.person_required": (
            Kind.FORBIDDEN,
            "须由本人办理处罚事项",
            "only a person may propose or decide a penalty",
        ),
        "penalty.code_required": (
            Kind.INVALID,
            "请填写销售人员代码或代理机构代码（只填其一）",
            "give the seller's code or the agency's code (one of them)",
        ),
        "penalty.unknown_seller": (
            Kind.INVALID,
            "找不到销售人员 {code}",
            "no seller with code {code}",
        ),
        "penalty.unknown_agency": (
            Kind.INVALID,
            "找不到代理机构 {code}",
            "no agency with code {code}",
        ),
        "penalty.agency_as_seller": (
            Kind.INVALID,
            "{code} 是代理机构，请按代理机构填写",
            "{code} is an agency: give it as the agency",
        ),
        "penalty.unknown_policy": (
            Kind.INVALID,
            "找不到保单 {policy_no}",
            "no policy {policy_no}",
        ),
        "penalty.policies": (
            Kind.INVALID,
            "保单号应为保单号的列表（最多{limit}个）",
            "policy_nos is a list of policy numbers (at most {limit})",
        ),
        "penalty.decided_on": (
            Kind.INVALID,
            "决定日期应为形如 2026-10-15 的日期，且不晚于今天",
            "the decision date is a date such as 2026-10-15, not after today",
        ),
        "penalty.text": (
            Kind.INVALID,
            "{what_zh}应为不超过{limit}字的文字",
            "{what_en} is a text of at most {limit} characters",
        ),
        "penalty.unknown": (Kind.NOT_FOUND, "处罚记录不存在", "no such penalty"),
        "penalty.unknown_item": (
            Kind.INVALID,
            "找不到问题件 {item}",
            "no problem item {item}",
        ),
        "penalty.not_draft": (
            Kind.CONFLICT,
            "该处罚已提交审批或已办结",
            "this penalty has already been submitted or decided",
        ),
        "penalty.not_pending": (
            Kind.CONFLICT,
            "该处罚不在待审批状态",
            "this penalty is not awaiting approval",
        ),
        "penalty.own": (
            Kind.FORBIDDEN,
            "不得审批本人提议的处罚",
            "nobody approves a penalty they proposed",
        ),
        "penalty.not_approver": (
            Kind.FORBIDDEN,
            "此步骤须由{step_zh}审批",
            "this step is for the {step_en}",
        ),
        "penalty.rejection_reason": (
            Kind.INVALID,
            "驳回须说明理由",
            "a rejection needs a reason",
        ),
        "penalty.not_yours": (
            Kind.FORBIDDEN,
            "只能撤回本人提议的处罚",
            "only the proposer withdraws a penalty",
        ),
    }
)
