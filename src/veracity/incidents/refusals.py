"""The refusals of leak-incident handling (``IncidentError``, namespace ``incident``).

A missing text or choice is ``REQUIRED`` with a variant per field (``REQUIRED.cause``), so each
field keeps its own words; the public code stays ``REQUIRED``.
"""

from __future__ import annotations

from veracity.core.refusals import Kind, register

register(
    {
        # what is missing
        "incident.REQUIRED.description": (
            Kind.INVALID,
            "请描述发生了什么",
            "description: say what happened",
        ),
        "incident.REQUIRED.cause": (Kind.INVALID, "请填写原因", "cause: state the cause"),
        "incident.REQUIRED.possible_harm": (
            Kind.INVALID,
            "请填写可能造成的危害",
            "possible_harm: state the possible harm",
        ),
        "incident.REQUIRED.action": (
            Kind.INVALID,
            "请填写采取的补救措施",
            "action: say what was done",
        ),
        "incident.REQUIRED.regulator_authority": (
            Kind.INVALID,
            "请填写被通知的监管部门",
            "regulator_authority: name the authority",
        ),
        "incident.REQUIRED.individuals_channel": (
            Kind.INVALID,
            "请选择通知方式",
            "individuals_channel: choose how they were notified",
        ),
        "incident.REQUIRED.notice": (
            Kind.INVALID,
            "通知须写明{what_zh}",
            "{name}: the notice must state {what_en}",
        ),
        "incident.REQUIRED.individuals_not_notified_reason": (
            Kind.INVALID,
            "请说明无需通知个人的理由（所采取的措施能够有效避免危害）",
            "individuals_not_notified_reason: state why the measures effectively avoid harm",
        ),
        "incident.REQUIRED.dismissed_reason": (
            Kind.INVALID,
            "请说明排除的理由",
            "dismissed_reason: say why it is no leak",
        ),
        "incident.REQUIRED.customers": (
            Kind.INVALID,
            "请填写客户档案号",
            "customers: name a customer file",
        ),
        "incident.REQUIRED.date": (Kind.INVALID, "请填写{what_zh}", "enter the {what_en}"),
        "incident.REQUIRED.steps": (
            Kind.INVALID,
            "须至少记录一项「补救措施」",
            "steps: record at least one remediation step first",
        ),
        "incident.REQUIRED.closing_cause": (
            Kind.INVALID,
            "关闭前须填写「原因」",
            "cause: record the cause before closing",
        ),
        "incident.REQUIRED.closing_steps": (
            Kind.INVALID,
            "关闭前须至少记录一项「补救措施」",
            "steps: record at least one remediation step before closing",
        ),
        "incident.REQUIRED.closing_individuals": (
            Kind.INVALID,
            "关闭前须记录「通知个人」的情况，或说明无需通知的理由",
            "individuals_notified_on: record the notice to the individuals, or why it is "
            "not needed, before closing",
        ),
        # what is wrong
        "incident.TOO_LONG": (
            Kind.INVALID,
            "内容过长（最多{limit}字）",
            "{name}: at most {limit} characters",
        ),
        "incident.FUTURE": (
            Kind.INVALID,
            "{what_zh}不能晚于今天",
            "the {what_en} cannot be in the future",
        ),
        "incident.FUTURE.taken_at": (
            Kind.INVALID,
            "措施时间不能晚于现在",
            "taken_at: cannot be in the future",
        ),
        "incident.INVALID.data_types": (
            Kind.INVALID,
            "未知的信息类型：{unknown}",
            "data_types: unknown kind of data {unknown}",
        ),
        "incident.INVALID.certainty": (
            Kind.INVALID,
            "请选择疑似或已确认",
            "certainty: suspected or confirmed",
        ),
        "incident.UNKNOWN": (Kind.NOT_FOUND, "事件不存在", "no such incident"),
        "incident.UNKNOWN.customers": (
            Kind.NOT_FOUND,
            "客户档案不存在",
            "customers: no such customer file",
        ),
        # who may, and when
        "incident.FORBIDDEN": (
            Kind.FORBIDDEN,
            "只有客户信息主管、客户服务部经理、合规人员或管理员处理泄露事件",
            "only the information manager, the customer service manager, compliance or an "
            "administrator handle leak incidents",
        ),
        "incident.FORBIDDEN.login": (Kind.FORBIDDEN, "请先登录", "log in to report a leak"),
        "incident.FINAL": (
            Kind.CONFLICT,
            "事件{status_zh}，不能再修改",
            "status: the incident is {status_en}; it cannot change",
        ),
        "incident.ALREADY_NOTIFIED": (
            Kind.CONFLICT,
            "已通知个人，无需说明不通知的理由",
            "individuals_not_notified_reason: the individuals were already notified",
        ),
        "incident.ILLEGAL_MOVE": (
            Kind.CONFLICT,
            "状态不能从「{from_zh}」改为「{to_zh}」",
            "status: an incident cannot go from {from_en} to {to_en}",
        ),
    }
)
