"""The refusals of sales-force conduct, registered in the one catalogue
(``veracity.core.refusals``)."""

from __future__ import annotations

from veracity.core.refusals import Kind, register

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
