"""The refusals of sales-force conduct.

Complaints (namespace ``complaint``, :class:`veracity.conduct.complaints.ComplaintError`) and
the second callbacks of a re-check (namespace ``callback``). Kinds follow the API's statuses:
a complaint one may not know of is not found (404); a step one's role or part in the
complaint does not allow is forbidden (403); a step the complaint's state does not allow is a
conflict (409); the rest is invalid input (400).

Penalties (namespace ``penalty``; the rules' own words — reason, measure, amount — are
registered by ``veracity.core.penalties``) and the quarterly regulator report (namespace
``regulator``), all in the one catalogue (``veracity.core.refusals``).
"""

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
        "callback.closed": (
            Kind.CONFLICT,
            "该问题件已关闭，不能再登记回访结果",
            "the problem item is closed: no callback is recorded on it",
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
        ),
    }
)

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

# --- the quarterly regulator report (D1.22, D1.23, D4.13) ----------------------------------
register(
    {
        "regulator.view": (
            Kind.FORBIDDEN,
            "无权查看监管报告",
            "you may not see the regulator report",
        ),
        "regulator.prepare": (
            Kind.FORBIDDEN,
            "只有销售渠道管理部门或合规部门可以编制监管报告",
            "only channel management or compliance prepare the regulator report",
        ),
        "regulator.review": (
            Kind.FORBIDDEN,
            "只有客户信息主管和客户服务部经理可以审核监管报告",
            "only the information manager and the customer service manager review the report",
        ),
        "regulator.file": (
            Kind.FORBIDDEN,
            "只有综合办公室可以登记报送情况",
            "only the general office records a filing",
        ),
        "regulator.person_required": (
            Kind.INVALID,
            "须以 --as 指明操作人员",
            "name the person acting (--as)",
        ),
        "regulator.unknown_person": (
            Kind.FORBIDDEN,
            "操作人员不存在或已停用：{username}",
            "no active person {username}",
        ),
        "regulator.unknown_report": (Kind.NOT_FOUND, "报告不存在", "no such report"),
        "regulator.in_review": (
            Kind.CONFLICT,
            "该季度已有报告正在审核，须待审核完毕",
            "an edition of this quarter is under review",
        ),
        "regulator.released": (
            Kind.CONFLICT,
            "该季度报告已发布，如需更改请提交更正版",
            "this quarter's report is released: a change is a correction (a new edition)",
        ),
        "regulator.frozen": (
            Kind.CONFLICT,
            "已发布的报告不能更改，更正须另出新版",
            "a released edition does not change: a correction is a new edition",
        ),
        "regulator.not_approved": (
            Kind.CONFLICT,
            "报告须经客户信息主管和客户服务部经理审核通过后才能发布",
            "the report is released only once both reviewers have approved it",
        ),
        "regulator.not_in_review": (
            Kind.CONFLICT,
            "该报告不在审核中",
            "this edition is not under review",
        ),
        "regulator.not_released": (
            Kind.CONFLICT,
            "该报告尚未发布",
            "this edition is not released",
        ),
        "regulator.superseded": (
            Kind.CONFLICT,
            "该版本已被更正版取代",
            "this edition has been superseded by a correction",
        ),
        "regulator.already_reviewed": (
            Kind.CONFLICT,
            "您已审核过该报告，两项审核须由两位不同人员作出",
            "you have already reviewed this edition: the two reviews are by two people",
        ),
        "regulator.step_decided": (
            Kind.CONFLICT,
            "这一项审核已有人作出",
            "this review has already been decided",
        ),
        "regulator.own_report": (
            Kind.FORBIDDEN,
            "不得审核本人编制的报告",
            "nobody reviews a report they prepared",
        ),
        "regulator.not_reviewer": (
            Kind.FORBIDDEN,
            "此项审核须由{step_zh}作出",
            "this review is for the {step_en}",
        ),
        "regulator.rejection_reason": (
            Kind.INVALID,
            "退回须说明理由",
            "a return needs a reason",
        ),
        "regulator.reason_required": (
            Kind.INVALID,
            "更正须说明理由",
            "a correction needs a reason",
        ),
        "regulator.too_long": (
            Kind.INVALID,
            "内容过长（最多 {limit} 字）",
            "too long (at most {limit} characters)",
        ),
        "regulator.control_characters": (
            Kind.INVALID,
            "内容含有控制字符",
            "the text holds control characters",
        ),
        "regulator.recipient": (
            Kind.INVALID,
            "报送对象应为保监局或保险行业协会",
            "a filing is with the regulator or the insurance industry association",
        ),
        "regulator.date": (
            Kind.INVALID,
            "报送日期格式应为 YYYY-MM-DD",
            "the filing date is written YYYY-MM-DD",
        ),
        "regulator.date_future": (
            Kind.INVALID,
            "报送日期不能晚于今天",
            "the filing date cannot be in the future",
        ),
        "regulator.date_before_release": (
            Kind.INVALID,
            "报送日期不能早于报告发布日期",
            "the filing date cannot be before the report was released",
        ),
        "regulator.means_required": (
            Kind.INVALID,
            "请填写报送方式",
            "say how it was filed",
        ),
        "regulator.already_filed": (
            Kind.CONFLICT,
            "该版本已登记向此对象报送",
            "the filing of this edition with this recipient is already recorded",
        ),
        "regulator.format": (
            Kind.INVALID,
            "文件格式应为 json、xlsx 或 pdf",
            "the format is json, xlsx or pdf",
        ),
        "regulator.file_mismatch": (
            Kind.CONFLICT,
            "文件与发布时记录的校验值不一致，已停止下载，请联系系统管理员",
            "the file does not match the hash recorded at release; ask the administrator",
        ),
    }
)
