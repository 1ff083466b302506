"""Suspicious-information rules (D1.7, D1.11, D1.14, D1.26): pure functions over plain data.

The database adapter (``veracity.detection``) finds the candidates set-based and hands the
members of each candidate to these functions, which decide — and explain — whether the
candidate is a clue. The same functions serve the daily incremental run and the full
back-check of legacy data (SD-5).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Final


class Rule(StrEnum):
    SHARED_PHONE = "SHARED_PHONE"
    SHARED_ACCOUNT = "SHARED_ACCOUNT"
    AGENT_CONTACT = "AGENT_CONTACT"
    THIRD_PARTY_PAYER = "THIRD_PARTY_PAYER"
    REPEAT_MISSELLING = "REPEAT_MISSELLING"
    IDENTITY_CHANGED = "IDENTITY_CHANGED"
    MANUAL = "MANUAL"
    #: D1.12: a notice to the phone on file failed as number-not-in-service (空号, 停机,
    #: invalid number): the contact on file may not be true (``veracity.notices``)
    CONTACT_UNDELIVERABLE = "CONTACT_UNDELIVERABLE"


RULE_NAMES: Final[Mapping[Rule, tuple[str, str]]] = {
    Rule.SHARED_PHONE: ("不同客户使用同一电话号码", "One phone number under different customers"),
    Rule.SHARED_ACCOUNT: ("不同客户使用同一银行账户", "One bank account under different customers"),
    Rule.AGENT_CONTACT: (
        "客户联系方式与销售人员或代理机构相同",
        "Customer contact equal to a seller's or an agency's",
    ),
    Rule.THIRD_PARTY_PAYER: (
        "保费由非投保人账户支付",
        "Premium paid from another person's account",
    ),
    Rule.REPEAT_MISSELLING: (
        "销售人员一年内两次及以上销售误导投诉",
        "Seller with repeated verified misselling complaints",
    ),
    Rule.IDENTITY_CHANGED: (
        "同一证件号码提交了不同的姓名、性别或出生日期",
        "Another name, sex or birth date submitted for the same ID number",
    ),
    Rule.MANUAL: ("回访或其他渠道发现的可疑信息", "Suspicion found in a callback or elsewhere"),
    Rule.CONTACT_UNDELIVERABLE: (
        "客户通知因手机号码为空号、停机或无效而无法送达",
        "A notice could not be delivered: the phone on file is not in service or invalid",
    ),
}


@dataclass(frozen=True, slots=True)
class Person:
    """A customer record as detection sees it. ``identity`` is the same for two records of
    one person (e.g. a legacy record without ID and a new one), so they are not "different
    customers" sharing a value."""

    customer_id: int
    identity: str
    policies: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Clue:
    rule: Rule
    key: str  # what the members share: a blind index, a policy id, a seller id
    customers: tuple[int, ...]
    policies: tuple[int, ...]
    severity: str  # "high" | "medium" | "low"
    reason_zh: str
    reason_en: str
    evidence: Mapping[str, object] = field(default_factory=dict)


def shared_value_clue(
    rule: Rule,
    key: str,
    people: Iterable[Person],
    *,
    family_exempt: bool = True,
    masked_value: str = "",
) -> Clue | None:
    """SD-1: one normalised phone or account under two or more different persons.

    Links only among the parties of one policy (policyholder, insured, beneficiaries —
    e.g. a mother and her child) are not a clue on their own when ``family_exempt``; once the
    value reaches anyone outside that policy, the clue lists every customer on it.
    """
    members = sorted({p.customer_id: p for p in people}.values(), key=lambda p: p.customer_id)
    identities = {p.identity for p in members}
    if len(identities) < 2:
        return None
    if family_exempt and _all_in_one_policy(members):
        return None
    what_zh, what_en = (
        ("电话号码", "phone number") if rule == Rule.SHARED_PHONE else ("银行账户", "bank account")
    )
    return Clue(
        rule=rule,
        key=key,
        customers=tuple(p.customer_id for p in members),
        policies=tuple(sorted({pid for p in members for pid in p.policies})),
        severity="high" if len(identities) >= 3 else "medium",
        reason_zh=f"{len(identities)}位不同客户使用同一{what_zh}{masked_value}",
        reason_en=(
            f"{len(identities)} different customers share the {what_en} {masked_value}"
        ).rstrip(),
        evidence={"persons": len(identities), "records": len(members), "value": masked_value},
    )


def _all_in_one_policy(members: list[Person]) -> bool:
    common: frozenset[int] | None = None
    for person in members:
        common = person.policies if common is None else common & person.policies
        if not common:
            return False
    return bool(common)


@dataclass(frozen=True, slots=True)
class SellerRef:
    seller_id: int
    code: str
    kind: str  # agent | banca_specialist | agency
    agency_id: int | None = None
    #: the contact is of the seller's registered relative (亲属) with this relation (配偶,
    #: 父亲 …); "" for the seller's own
    relation: str = ""


def agent_contact_clue(
    key: str,
    kind: str,
    people: Iterable[Person],
    sellers: Iterable[SellerRef],
    *,
    sold_by: Mapping[int, frozenset[int]],
    masked_value: str = "",
) -> Clue | None:
    """SD-2: a customer's phone or address equal to a seller's (the selling agent, another
    agent, an agency or its staff) or a seller's registered relative's (``relation`` set).
    ``sold_by`` maps a customer to the sellers (and their
    agencies) of that customer's policies: a match with one's own seller is the strongest
    sign of substitution."""
    members = sorted({p.customer_id: p for p in people}.values(), key=lambda p: p.customer_id)
    everyone = {(s.seller_id, s.relation): s for s in sellers}
    if not members or not everyone:
        return None
    own = sorted(
        {s.seller_id: s for s in everyone.values() if not s.relation}.values(),
        key=lambda s: s.seller_id,
    )
    kin = sorted(
        (s for s in everyone.values() if s.relation), key=lambda s: (s.seller_id, s.relation)
    )
    owner_ids = {s.seller_id for s in everyone.values()}
    own_seller = any(sold_by.get(p.customer_id, frozenset()) & owner_ids for p in members)
    codes = ", ".join(s.code for s in own)
    kin_zh = "、".join(f"{s.code}的{s.relation}" for s in kin)
    kin_en = ", ".join(f"the {s.relation} of {s.code}" for s in kin)
    what_zh, what_en = ("电话", "phone") if kind == "phone" else ("地址", "address")
    whose_zh = "；".join(
        part
        for part in (
            f"销售人员/机构（{codes}）" if own else "",
            f"销售人员的亲属（{kin_zh}）" if kin else "",
        )
        if part
    )
    whose_en = " and ".join(
        part
        for part in (
            f"seller(s) {codes}" if own else "",
            f"a seller's registered relative ({kin_en})" if kin else "",
        )
        if part
    )
    evidence: dict[str, object] = {
        "sellers": codes,
        "own_seller": own_seller,
        "value": masked_value,
    }
    if kin:
        evidence["relatives"] = [{"seller": s.code, "relation": s.relation} for s in kin]
    return Clue(
        rule=Rule.AGENT_CONTACT,
        key=f"{kind}:{key}",
        customers=tuple(p.customer_id for p in members),
        policies=tuple(sorted({pid for p in members for pid in p.policies})),
        severity="high" if own_seller or len(members) >= 3 else "medium",
        reason_zh=f"{len(members)}位客户的{what_zh}{masked_value}与{whose_zh}相同"
        + ("，含其本人销售的保单" if own_seller else ""),
        reason_en=(
            f"{len(members)} customer(s) have the {what_en} {masked_value} of {whose_en}"
            + (", including the seller of their own policy" if own_seller else "")
        ),
        evidence=evidence,
    )


def third_party_payer_clue(
    policy_id: int,
    policyholder: Person,
    *,
    holder_identity: str | None,
    holder_name: str,
    policyholder_name: str,
    exception_approved: bool,
) -> Clue | None:
    """SD-3: premium deducted from an account not owned by the policyholder, unless an
    approved exception is recorded. The holder is compared by identity document when the
    account names one, else by name."""
    if exception_approved:
        return None
    if holder_identity is not None:
        same = holder_identity == policyholder.identity
    else:
        same = not holder_name or holder_name.strip() == policyholder_name.strip()
    if same:
        return None
    return Clue(
        rule=Rule.THIRD_PARTY_PAYER,
        key=str(policy_id),
        customers=(policyholder.customer_id,),
        policies=(policy_id,),
        severity="medium",
        reason_zh="缴费账户持有人不是投保人，且无已批准的例外",
        reason_en=(
            "The premium account is not held by the policyholder and no exception is approved"
        ),
        evidence={"holder_compared_by": "id" if holder_identity is not None else "name"},
    )


_FACT_WORDS: Final[Mapping[str, tuple[str, str]]] = {
    "name": ("姓名", "name"),
    "sex": ("性别", "sex"),
    "birth_date": ("出生日期", "birth date"),
}


def identity_changed_clue(
    customer_id: int, changes: Iterable[tuple[frozenset[str], int | None]]
) -> Clue | None:
    """D1.6: submissions gave another name, sex or birth date for a customer's identity
    document than the register holds — a typing error, a change the customer must prove, or
    someone using another's identity. ``changes`` are (differing facts, policy of the
    submission) pairs, one per recorded submission; customer service checks them with the
    customer."""
    items = list(changes)
    if not items:
        return None
    facts = [f for f in _FACT_WORDS if any(f in fs for fs, _ in items)]
    words_zh = "、".join(_FACT_WORDS[f][0] for f in facts)
    words_en = ", ".join(_FACT_WORDS[f][1] for f in facts)
    return Clue(
        rule=Rule.IDENTITY_CHANGED,
        key=str(customer_id),
        customers=(customer_id,),
        policies=tuple(sorted({pid for _, pid in items if pid is not None})),
        # another name is the sign of a false identity; sex or birth date alone, of a typo
        severity="high" if "name" in facts else "medium",
        reason_zh=(
            f"投保时提交的{words_zh}与客户档案中同一证件号码登记的不一致（{len(items)}次），"
            "可能冒用他人身份，请向客户核实"
        ),
        reason_en=(
            f"Applications gave another {words_en} than the customer file holds for the same "
            f"ID number ({len(items)} time(s)); possibly a false identity, verify with the "
            "customer"
        ),
        evidence={"facts": facts, "submissions": len(items)},
    )


MISSELLING_THRESHOLD: Final = 2
#: "Within one year" (D1.14): two verification dates at most this many days apart count
#: (365 apart: within 365 days, counted; 366 apart: not).
MISSELLING_WINDOW_DAYS: Final = 365


def misselling_window(
    verified_dates: Iterable[date],
    *,
    threshold: int = MISSELLING_THRESHOLD,
    window_days: int = MISSELLING_WINDOW_DAYS,
) -> tuple[date, ...] | None:
    """SD-4's window over the whole history: the verification dates of the first run of
    ``threshold`` or more verified misselling complaints whose dates fall within any
    ``window_days`` days (last − first ≤ ``window_days``), as many of them as that window
    holds; ``None`` when no such window exists."""
    days = sorted(verified_dates)
    best: tuple[date, ...] | None = None
    start = 0
    for end, day in enumerate(days):
        while (day - days[start]).days > window_days:
            start += 1
        if end - start + 1 >= threshold and (best is None or end - start + 1 > len(best)):
            best = tuple(days[start : end + 1])
    return best


def repeat_misselling_clue(
    seller: SellerRef,
    verified_complaint_dates: Iterable[date],
    *,
    parties: Iterable[tuple[int, int]],
) -> Clue | None:
    """SD-4: an agent, a bancassurance specialist or an agency with two or more verified
    misselling complaints whose verification dates fall within any 365 days (over the whole
    history: a repeat misseller stays one). Every policy it sold (for an agency: every policy
    with that agency) is listed for a re-check, with all its parties — ``parties`` are the
    ``(policy_id, customer_id)`` pairs of the policyholders and the insured."""
    window = misselling_window(verified_complaint_dates)
    if window is None:
        return None
    pairs = sorted(set(parties))
    agency = seller.kind == "agency"
    who_zh = "代理机构" if agency else "销售人员"
    who_en = "Agency" if agency else "Seller"
    return Clue(
        rule=Rule.REPEAT_MISSELLING,
        key=str(seller.seller_id),
        customers=tuple(sorted({c for _, c in pairs})),
        policies=tuple(sorted({p for p, _ in pairs})),
        severity="high",
        reason_zh=(
            f"{who_zh} {seller.code} 在一年内有{len(window)}次经查实的销售误导投诉，"
            "其全部保单的客户资料需复核并再次回访"
        ),
        reason_en=(
            f"{who_en} {seller.code} has {len(window)} verified misselling complaints within "
            "one year; the customer data of every policy it sold is to be re-checked with a "
            "second callback"
        ),
        evidence={
            "seller": seller.code,
            "complaints": len(window),
            "first": window[0].isoformat(),
            "last": window[-1].isoformat(),
        },
    )
