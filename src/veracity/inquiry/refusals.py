"""The refusals of verified inquiry (namespace ``inquiry``), in the one catalogue
(``veracity.core.refusals``). A failed or locked verification is not a refusal: it is an
answer (``VerifyResult``) with its reason code, the same for an unknown policy as for wrong
data. These are the steps the desk or the API may not take."""

from __future__ import annotations

from veracity.core.refusals import Kind, register

register(
    {
        "inquiry.channel": (
            Kind.INVALID,
            "查询渠道不正确",
            "the channel is not one of the inquiry channels",
        ),
        "inquiry.role": (
            Kind.INVALID,
            "身份角色不正确",
            "the role is not policyholder, insured or beneficiary",
        ),
        "inquiry.required": (Kind.INVALID, "请填写{what_zh}", "{what_en} is required"),
        "inquiry.too_long": (Kind.INVALID, "{what_zh}过长", "{what_en} is too long"),
        "inquiry.counter_documents": (
            Kind.INVALID,
            "柜面查询须由客户出示身份证件和保险合同",
            "at the counter the ID card and the contract must both be presented",
        ),
        "inquiry.person_required": (
            Kind.FORBIDDEN,
            "须由工作人员本人办理",
            "only a member of staff in person may do this",
        ),
        "inquiry.role_forbidden": (
            Kind.FORBIDDEN,
            "您的角色不能办理客户查询",
            "your role may not handle customer inquiries",
        ),
        "inquiry.not_found": (
            Kind.NOT_FOUND,
            "查询不存在或无权查看",
            "no such inquiry, or not yours to see",
        ),
        "inquiry.not_verified": (
            Kind.CONFLICT,
            "身份未核实，不能提供保单信息",
            "the inquirer is not verified: nothing may be told",
        ),
        "inquiry.expired": (
            Kind.CONFLICT,
            "核实已超时，请重新核实身份",
            "the verification has expired: verify again",
        ),
        "inquiry.third_party": (
            Kind.CONFLICT,
            "第三方不能授权他人查询",
            "a third party cannot give consent for others",
        ),
        "inquiry.sections": (
            Kind.INVALID,
            "请选择可以告知的信息范围",
            "choose which information may be told",
        ),
        "inquiry.sections_beyond": (
            Kind.INVALID,
            "授权范围超出授权人本人可查询的信息",
            "a party cannot consent to more than they may be told themselves",
        ),
        "inquiry.valid_until": (
            Kind.INVALID,
            "有效期须晚于今天且不超过一年",
            "the end date must be after today and within one year",
        ),
        "inquiry.id_number": (
            Kind.INVALID,
            "证件号码不正确",
            "the ID number is not valid",
        ),
        "inquiry.party_self": (
            Kind.INVALID,
            "被授权人是本保单的当事人，无须授权",
            "the person is a party of the policy: no consent is needed",
        ),
        "inquiry.basis_kind": (Kind.INVALID, "法律依据类型不正确", "unknown kind of legal basis"),
        "inquiry.policy": (Kind.NOT_FOUND, "保单不存在", "no such policy"),
        "inquiry.basis_not_found": (
            Kind.NOT_FOUND,
            "法律依据记录不存在或无权查看",
            "no such legal basis, or not yours to see",
        ),
        "inquiry.basis_not_pending": (
            Kind.CONFLICT,
            "该法律依据已审批完毕",
            "the legal basis is no longer awaiting approval",
        ),
        "inquiry.basis_own": (
            Kind.FORBIDDEN,
            "不能审批本人登记的法律依据",
            "nobody approves a legal basis they recorded",
        ),
        "inquiry.basis_not_approver": (
            Kind.FORBIDDEN,
            "您不是当前审批步骤的审批人",
            "you do not decide the current step",
        ),
        "inquiry.basis_reason": (
            Kind.INVALID,
            "退回须填写理由",
            "a rejection needs a reason",
        ),
        "inquiry.evidence": (Kind.INVALID, "{message_zh}", "{message_en}"),
        "inquiry.month": (Kind.INVALID, "月份格式不正确", "the month is not valid"),
    }
)
