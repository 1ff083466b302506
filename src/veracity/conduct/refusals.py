"""The refusals of sales-force conduct.

Complaints (namespace ``complaint``, :class:`veracity.conduct.complaints.ComplaintError`) and
the second callbacks of a re-check (namespace ``callback``). Kinds follow the API's statuses:
a complaint one may not know of is not found (404); a step one's role or part in the
complaint does not allow is forbidden (403); a step the complaint's state does not allow is a
conflict (409); the rest is invalid input (400).
"""
"""The refusals of sales-force conduct (namespace ``penalty`` for the penalty register; the
rules' own words — reason, measure, amount — are registered by ``veracity.core.penalties``)."""

from __future__ import annotations

from veracity.core.refusals import Kind, register

# --- complaints and second callbacks (SF-2, SD-4) -------------------------------------------
register(
    {
        "complaint.role": (
            Kind.FORBIDDEN,
            "您的角色不能{action_zh}",
            "your role may not {action_en}",
        ),
        # D1.14: 查实 is independent of the person complained about
        "complaint.conflict.self": (
            Kind.FORBIDDEN,
            "不能调查或查实针对本人的投诉",
            "nobody investigates or verifies a complaint against themselves",
        ),
        "complaint.conflict.team_leader": (
            Kind.FORBIDDEN,
            "不能调查或查实针对本团队销售人员的投诉",
            "a team leader does not investigate or verify a complaint against their team member",
        ),
        "complaint.conflict.agency_staff": (
            Kind.FORBIDDEN,
            "不能调查或查实针对本代理机构的投诉",
            "an agency's staff do not investigate or verify a complaint against their agency",
        ),
        "complaint.not_found": (Kind.NOT_FOUND, "投诉不存在或无权查看", "no such complaint"),
        "complaint.decided": (
            Kind.CONFLICT,
            "该投诉已有查实结论",
            "the complaint has already been decided",
        ),
        "complaint.taken": (
            Kind.CONFLICT,
            "该投诉已由他人调查",
            "someone else is already investigating the complaint",
        ),
        "complaint.exists": (
            Kind.CONFLICT,
            "投诉编号 {complaint_no} 已登记",
            "complaint {complaint_no} is already recorded",
        ),
        "complaint.unverify": (
            Kind.CONFLICT,
            "该投诉已查实，不能通过导入改为未查实；如需更正请由核实人员处理",
            "the complaint is verified; an import does not un-verify it (ask a verifier)",
        ),
        "complaint.required": (Kind.INVALID, "请填写{what_zh}", "{what_en} is required"),
        "complaint.too_long": (
            Kind.INVALID,
            "{what_zh}不能超过{limit}个字",
            "{what_en} is longer than {limit} characters",
        ),
        "complaint.future": (
            Kind.INVALID,
            "查实日期不能晚于今天",
            "the date of verification is after today",
        ),
        "complaint.before_received": (
            Kind.INVALID,
            "查实日期早于收到日期",
            "the date of verification is before the date received",
        ),
        "complaint.schema": (Kind.INVALID, "{message_zh}", "{message_en}"),
        "complaint.no_party": (
            Kind.INVALID,
            "投诉须指明被投诉的销售人员或代理机构",
            "a complaint names the seller or the agency complained about",
        ),
        "complaint.seller": (
            Kind.NOT_FOUND,
            "找不到销售人员 {code}",
            "no agent or bancassurance specialist with code {code}",
        ),
        "complaint.agency": (Kind.NOT_FOUND, "找不到代理机构 {code}", "no agency with code {code}"),
        "complaint.policy": (Kind.NOT_FOUND, "找不到保单 {policy_no}", "no policy {policy_no}"),
        "callback.role": (
            Kind.FORBIDDEN,
            "您的角色不能登记回访结果",
            "your role may not record callbacks",
        ),
        "callback.not_found": (
            Kind.NOT_FOUND,
            "该问题件下没有这张保单的回访任务",
            "no second callback of this policy under this item",
        ),
        "callback.result": (
            Kind.INVALID,
            "请选择回访结果",
            "choose the result of the callback",
        ),
        "callback.too_long": (
            Kind.INVALID,
            "回访说明不能超过{limit}个字",
            "the note is longer than {limit} characters",
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
