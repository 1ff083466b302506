"""The refusals of the problem-item workflow (``CaseError``, namespace ``case``).

Kinds follow the API's statuses: a missing item is not found (404); a step the person's role,
channel or part in the item does not allow is forbidden (403); a step the item's stage does
not allow is a conflict (409); a file over the limit is too large (413); the rest is invalid
input (400).
"""

from __future__ import annotations

from veracity.core.refusals import Kind, register

#: Codes of :class:`veracity.core.evidence.EvidenceRejected`, re-raised as refusals of the item.
EVIDENCE_REJECTED = {
    "empty": Kind.INVALID,
    "too_large": Kind.TOO_LARGE,
    "type": Kind.INVALID,
    "mismatch": Kind.INVALID,
}

register(
    {
        # who may take a step (cases.policy)
        "case.role": (Kind.FORBIDDEN, "您的角色不能{action_zh}", "your role may not {action_en}"),
        "case.not_distributed": (
            Kind.CONFLICT,
            "问题件尚未分发到渠道，不能认领",
            "the item has not been distributed to a channel yet",
        ),
        "case.other_channel": (
            Kind.FORBIDDEN,
            "问题件分发给了其他渠道",
            "the item was distributed to another channel",
        ),
        "case.not_investigator": (
            Kind.FORBIDDEN,
            "只有认领该问题件的调查人可以提交调查结果",
            "only the investigator who claimed the item may submit its findings",
        ),
        "case.own_work": (
            Kind.FORBIDDEN,
            "不能核实自己调查的问题件",
            "nobody verifies an item they investigated themselves",
        ),
        "case.closed": (Kind.CONFLICT, "问题件已关闭", "the item is closed"),
        # the steps (cases.services)
        "case.not_found": (Kind.NOT_FOUND, "问题件不存在或无权查看", "no such problem item"),
        "case.not_found.evidence": (Kind.NOT_FOUND, "材料不存在或无权查看", "no such evidence"),
        "case.illegal_transition": (
            Kind.CONFLICT,
            "问题件处于“{stage_zh}”状态，不能{step_zh}",
            "the item is {stage_en}; it cannot be {step_en}",
        ),
        "case.taken": (
            Kind.CONFLICT,
            "该问题件刚被他人处理，请刷新后再试",
            "someone else has just acted on this item; reload and try again",
        ),
        "case.required": (Kind.INVALID, "请填写{what_zh}", "{what_en} is required"),
        "case.required.file": (Kind.INVALID, "请选择文件", "choose a file"),
        "case.too_long": (Kind.INVALID, "{what_zh}过长（最多{limit}字）", "{what_en} is too long"),
        "case.too_long.description": (
            Kind.INVALID,
            "材料说明过长（最多{limit}字）",
            "the description is too long (at most {limit} characters)",
        ),
        "case.channel": (
            Kind.INVALID,
            "请选择要分发到的渠道（该问题件没有可分发的保单渠道）",
            "choose the channel to distribute to (the item has no policy channel)",
        ),
        "case.kind": (Kind.INVALID, "请选择材料类别", "choose the kind of evidence"),
        "case.purpose": (Kind.INVALID, "请说明查看目的", "state the purpose"),
        "case.missing": (Kind.INVALID, "材料文件缺失", "the stored file is missing"),
        "case.tampered": (Kind.INVALID, "材料文件校验失败", "the file fails its checksum"),
        "case.unreadable": (
            Kind.INVALID,
            "材料文件无法读取，请联系系统管理员",
            "the evidence file cannot be read; tell the administrator",
        ),
        "case.outcome": (
            Kind.INVALID,
            "请选择调查结论：更正、属实说明或上报",
            "choose the outcome: corrected, explained or escalated",
        ),
        "case.correction": (Kind.INVALID, "{message_zh}", "{message_en}"),
        "case.seller": (
            Kind.INVALID,
            "请选择本问题件保单的销售人员",
            "choose the seller(s) of this item's policies",
        ),
        "case.agency": (
            Kind.INVALID,
            "请选择本问题件保单的代理机构",
            "choose an agency of this item's policies",
        ),
        "case.misconduct": (Kind.INVALID, "请选择违规情形", "choose the misconduct"),
        "case.misconduct_agency": (
            Kind.INVALID,
            "“拒绝提供客户真实资料”只适用于代理机构：请只选择代理机构",
            "refusing to supply true data is an agency's misconduct: name the agency only",
        ),
        "case.new_members": (
            Kind.INVALID,
            "调查结果提交后又有客户加入本问题件（{listed}），请退回调查人补充调查",
            "customers joined the item after the findings were submitted ({listed});"
            " return it to the investigator",
        ),
        "case.evidence": (
            Kind.INVALID,
            "核实前须上传客户签字确认书（客户的证明材料及签字确认）",
            "verification needs the customer's signed confirmation among the evidence",
        ),
        "case.requested_kind": (
            Kind.INVALID,
            "请从列表中选择需补充的材料类别",
            "choose the kinds of evidence to add from the list",
        ),
        "case.filter_value": (
            Kind.INVALID,
            "筛选条件的取值无法识别",
            "a filter value is not understood",
        ),
        "case.filters_full": (
            Kind.INVALID,
            "最多保存{limit}个筛选条件，请先删除不用的",
            "at most {limit} saved filters; delete one first",
        ),
        "case.not_found.filter": (
            Kind.NOT_FOUND,
            "筛选条件不存在",
            "no such saved filter",
        ),
        "case.not_own_customer": (
            Kind.FORBIDDEN,
            "只有该问题件保单的销售人员可以提交情况说明",
            "only the seller of the item's policies may add a statement",
        ),
        # the API's own size check before the service reads the upload
        "case.too_large": (
            Kind.TOO_LARGE,
            "文件超过{mb}MB上限",
            "the file is larger than the {mb} MB limit",
        ),
        # an evidence file the core refused, in the core's words
        **{
            f"case.{code}.evidence_rejected": (kind, "{message_zh}", "{message_en}")
            for code, kind in EVIDENCE_REJECTED.items()
        },
    }
)

#: The refusals of the problem-item list (``ListingError``, namespace ``listing``): a filter
#: value the list does not know. One variant per filter, so each names its filter in its
#: words; the field is the filter's name on the wire.
register(
    {
        "listing.unknown.rule": (Kind.INVALID, "未知的规则代码：{value}", "Unknown rule: {value}"),
        "listing.unknown.status": (Kind.INVALID, "未知的状态：{value}", "Unknown status: {value}"),
        "listing.unknown.channel": (
            Kind.INVALID,
            "未知的渠道：{value}",
            "Unknown channel: {value}",
        ),
        "listing.unknown.stage": (Kind.INVALID, "未知的stage：{value}", "Unknown stage: {value}"),
        "listing.unknown.seller": (
            Kind.INVALID,
            "未知的销售人员代码：{value}",
            "Unknown seller: {value}",
        ),
    }
)
