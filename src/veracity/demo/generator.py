"""A deterministic synthetic insurance book for demos, tests and benchmarks.

Seeded ``random.Random`` plus name/street pools drawn once from ``Faker("zh_CN")``, so it
stays fast at millions of customers. ID numbers come from ``make_resident_id`` (Faker's
``ssn`` produces numbers that fail the rules). Numbers (IDs, phones, cards) are derived
from a person counter through bijections, so distinct persons never share one by
accident — sharing happens only where a feature plants it.

``labelled_applications`` yields ``(application, labels)``; the labels say which planted
features an application carries (``invalid_id`` marks those the gate must reject).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Final

from faker import Faker

from veracity.core.identity import known_county_codes, make_resident_id, parse_resident_id

__all__ = [
    "INVALID_LABELS",
    "PRODUCTS",
    "DemoConfig",
    "DemoPolicy",
    "applications",
    "labelled_applications",
    "policy_events",
    "sellers",
]

PRODUCTS: Final[list[dict[str, Any]]] = [
    {"code": "WL-20", "name": "福满堂终身寿险", "type": "ordinary_life", "term_years": 20},
    {
        "code": "PAR-10",
        "name": "金玉满堂两全保险（分红型）",
        "type": "participating",
        "term_years": 10,
    },
    {"code": "UL-15", "name": "稳盈万能型终身寿险", "type": "universal", "term_years": 15},
    {"code": "IL-10", "name": "智选投资连结保险", "type": "investment_linked", "term_years": 10},
    {"code": "ACC-1", "name": "安心意外伤害保险", "type": "accident", "term_years": 1},
    {"code": "HLT-5", "name": "康健重大疾病保险", "type": "health", "term_years": 5},
    # Out of TG-1 scope: shorter than a year, or not individual life insurance.
    {"code": "TRV-0", "name": "畅行短期旅行意外保险", "type": "accident", "term_years": 0},
    {"code": "GRP-AN", "name": "团体年金保险", "type": "other", "term_years": 10},
]
_IN_SCOPE: Final = PRODUCTS[:6]
_OUT_OF_SCOPE: Final = PRODUCTS[6:]

#: Labels of applications that the gate must reject.
INVALID_LABELS: Final = frozenset({"invalid_id"})

_MOBILE_PREFIXES: Final = [
    "130",
    "131",
    "132",
    "133",
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "177",
    "180",
    "181",
    "182",
    "183",
    "184",
    "185",
    "186",
    "187",
    "188",
    "189",
    "199",
]
_LANDLINES: Final = (("010", "68"), ("021", "58"), ("020", "38"))
_BANKS: Final = (
    ("AY0002", "中国工商银行北京分行", "622202"),
    ("AY0003", "中国农业银行上海分行", "622848"),
)
_CARD_BINS: Final = ("622202", "622848", "621700", "622588", "621226")
_EMAIL_DOMAINS: Final = ("qq.com", "163.com", "126.com", "sina.com")
_COPRIME: Final = 48271  # bijection on 0..10**8-1 (coprime with 10)


@dataclass
class DemoConfig:
    customers: int
    seed: int = 20261127
    invalid_id_rate: float = 0.03
    minor_insured_rate: float = 0.15
    banca_rate: float = 0.3
    shared_phone_groups: int | None = None  # default: 2 + customers // 2000
    shared_account_groups: int | None = None  # default: 2 + customers // 2000
    agent_phone_customers: int = 6
    third_party_payer_rate: float = 0.02
    out_of_scope_rate: float = 0.05
    repeat_customer_rate: float = 0.03
    legacy_id_rate: float = 0.02
    as_of: date = field(default_factory=lambda: date(2026, 11, 26))

    @property
    def phone_groups(self) -> int:
        if self.shared_phone_groups is not None:
            return self.shared_phone_groups
        return 2 + self.customers // 2000

    @property
    def account_groups(self) -> int:
        if self.shared_account_groups is not None:
            return self.shared_account_groups
        return 2 + self.customers // 2000


class _Pools:
    """Names and streets drawn once from Faker."""

    def __init__(self, seed: int) -> None:
        fake = Faker("zh_CN")
        fake.seed_instance(seed)
        self.last = [fake.last_name() for _ in range(400)]
        self.male = [fake.first_name_male() for _ in range(600)]
        self.female = [fake.first_name_female() for _ in range(600)]
        self.streets = sorted({fake.street_name() for _ in range(1500)})
        self.companies = [fake.company() for _ in range(50)]
        self.regions = known_county_codes()

        self.region_names = {}
        for code in self.regions:
            facts = parse_resident_id(make_resident_id(code, date(1990, 1, 1), 1))
            self.region_names[code] = facts.region_name or ""


def _mobile(k: int) -> str:
    p = len(_MOBILE_PREFIXES)
    return _MOBILE_PREFIXES[k % p] + f"{((k // p) * _COPRIME + 10_007) % 10**8:08d}"


def _luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = ord(ch) - 48
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


def _card(k: int, bin6: str, length: int = 19) -> str:
    body_len = length - 7
    body = bin6 + f"{(k * 7_368_787 + 99_991) % 10**body_len:0{body_len}d}"
    return body + _luhn_digit(body)


def _typed_phone(phone: str, rng: random.Random) -> str:
    """The same mobile number as a clerk might type it."""
    style = rng.randrange(6)
    if style == 0:
        return phone
    if style == 1:
        return f"{phone[:3]} {phone[3:7]} {phone[7:]}"
    if style == 2:
        return f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"
    if style == 3:
        return f"+86 {phone[:3]}-{phone[3:7]}-{phone[7:]}"
    if style == 4:
        return f"0086 {phone}"
    return f"+86{phone}"


def _build_sellers(cfg: DemoConfig) -> list[dict[str, Any]]:
    rng = random.Random(cfg.seed + 1)  # noqa: S311 - synthetic data, not security
    pools = _pools(cfg.seed)
    out: list[dict[str, Any]] = [
        {
            "code": "AY0001",
            "kind": "agency",
            "name": "华信保险代理有限公司",
            "agency_code": None,
            "phones": ["010-68000001"],
            "address": "北京市西城区金融大街1号",
            "qualified": True,
        }
    ]
    for code, name, _bin in _BANKS:
        out.append(
            {
                "code": code,
                "kind": "agency",
                "name": name,
                "agency_code": None,
                "phones": [f"021-580000{len(out):02d}"],
                "address": f"{name}营业部",
                "qualified": True,
            }
        )
    n_agents = max(3, cfg.customers // 200)
    n_banca = max(2, cfg.customers // 1000)
    base = 10**9  # seller phones come from their own counter range
    for i in range(n_agents):
        sex = "M" if rng.random() < 0.5 else "F"
        first = rng.choice(pools.male if sex == "M" else pools.female)
        region = rng.choice(pools.regions)
        out.append(
            {
                "code": f"AG{i + 1:05d}",
                "kind": "agent",
                "name": rng.choice(pools.last) + first,
                "agency_code": None,
                "phones": [_mobile(base + i)],
                "address": f"{pools.region_names[region]}{rng.choice(pools.streets)}"
                f"{rng.randint(1, 300)}号",
                # The last agent has not passed the form-filling test (SF-1).
                "qualified": i != n_agents - 1 or n_agents <= 3,
            }
        )
    for i in range(n_banca):
        bank = _BANKS[i % len(_BANKS)]
        out.append(
            {
                "code": f"BS{i + 1:04d}",
                "kind": "banca_specialist",
                "name": rng.choice(pools.last) + rng.choice(pools.female),
                "agency_code": bank[0],
                "phones": [_mobile(base + n_agents + i)],
                "address": f"{bank[1]}营业部",
                "qualified": True,
            }
        )
    return out


_POOLS: dict[int, _Pools] = {}


def _pools(seed: int) -> _Pools:
    pools = _POOLS.get(seed)
    if pools is None:
        pools = _POOLS[seed] = _Pools(seed)
    return pools


def sellers(cfg: DemoConfig) -> Iterator[dict[str, Any]]:
    """Agencies first, then agents (~1 per 200 customers), then bancassurance specialists."""
    yield from _build_sellers(cfg)


def training(cfg: DemoConfig) -> Iterator[dict[str, Any]]:
    """The training register of the demo's agents and specialists (SF-1): 2 class hours of
    form-filling training and a passed test over a year before the book's date, so most
    sellers hold sales qualification. The second agent passed the test only 60 days before
    (a failed attempt first): its earlier applications fail the gate's seller check. The
    last agent (not qualified) has 1.5 hours and a failed test."""
    sellers = [s for s in _build_sellers(cfg) if s["kind"] != "agency"]
    agents = [s["code"] for s in sellers if s["kind"] == "agent"]
    start = cfg.as_of - timedelta(days=400)
    for s in sellers:
        code = s["code"]
        unqualified = not s["qualified"]
        yield {
            "seller_code": code,
            "kind": "course",
            "date": start.isoformat(),
            "hours": 1.5 if unqualified else 2,
            "course_code": "FORM-101",
            "title": "投保单规范填写",
        }
        late = len(agents) > 3 and code == agents[1]
        yield {
            "seller_code": code,
            "kind": "test",
            "date": (start + timedelta(days=7)).isoformat(),
            "passed": not (unqualified or late),
            "score": 52 if unqualified or late else 86,
        }
        if late:
            yield {
                "seller_code": code,
                "kind": "test",
                "date": (cfg.as_of - timedelta(days=60)).isoformat(),
                "passed": True,
                "score": 78,
            }


class _Book:
    """State of one generation run."""

    def __init__(self, cfg: DemoConfig) -> None:
        self.cfg = cfg
        self.rng = random.Random(cfg.seed)  # noqa: S311 - synthetic data, not security
        self.pools = _pools(cfg.seed)
        self.k = 0  # person counter (drives unique numbers)
        self.n_regions = len(self.pools.regions)

    def person(
        self, *, min_age: int, max_age: int, on: date, sex: str | None = None
    ) -> dict[str, Any]:
        rng = self.rng
        pools = self.pools
        k = self.k
        self.k += 1
        if sex is None:
            sex = "M" if rng.random() < 0.5 else "F"
        region = pools.regions[k % self.n_regions]
        block = k // self.n_regions
        seq = 2 * (block % 500) + (1 if sex == "M" else 0)
        j = (block // 500) % 8
        age_days = rng.randint(min_age * 365 + 40, max_age * 365 + 300)
        ordinal = on.toordinal() - age_days
        birth = date.fromordinal(ordinal - ordinal % 8 + j)
        id_number = make_resident_id(region, birth, seq)
        first = rng.choice(pools.male if sex == "M" else pools.female)
        return {
            "k": k,
            "name": rng.choice(pools.last) + first,
            "sex": sex,
            "birth_date": birth,
            "id_type": "resident_id",
            "id_number": id_number,
            "region": region,
            "address": f"{pools.region_names[region]}{rng.choice(pools.streets)}"
            f"{rng.randint(1, 999)}号{rng.randint(1, 30)}栋"
            f"{rng.randint(1, 30)}0{rng.randint(1, 4)}室",
            "phone": _mobile(k),
        }


def _block(p: dict[str, Any], *, relation: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if relation is not None:
        out["relation"] = relation
    out.update(
        {
            "name": p["name"],
            "sex": p["sex"],
            "birth_date": p["birth_date"].isoformat(),
            "id_type": p["id_type"],
            "id_number": p["id_number"],
        }
    )
    return out


def _flip_check_digit(number: str, rng: random.Random) -> str:
    choices = [c for c in "0123456789X" if c != number[-1]]
    return number[:-1] + rng.choice(choices)


def labelled_applications(cfg: DemoConfig) -> Iterator[tuple[dict[str, Any], frozenset[str]]]:
    """Applications with the labels of the features planted in them."""
    book = _Book(cfg)
    rng = book.rng
    seller_list = _build_sellers(cfg)
    agents = [s for s in seller_list if s["kind"] == "agent" and s["qualified"]]
    bancas = [s for s in seller_list if s["kind"] == "banca_specialist"]
    agency = seller_list[0]
    star_agent = agents[0]  # the agent whose phone appears on several customers
    agent_phone_left = cfg.agent_phone_customers
    phone_groups_left = cfg.phone_groups
    account_groups_left = cfg.account_groups
    group_phone: list[str] = []  # phone to give the next members of the current group
    group_account: list[str] = []
    repeat_pool: list[dict[str, Any]] = []
    persons = 0
    i = 0
    # Features forced early so that even a small book has each of them.
    forced = {
        2: "bad_check_digit",
        4: "sex_mismatch",
        6: "birth_mismatch",
        8: "legacy_15",
        10: "third_party_payer",
        12: "out_of_scope",
        14: "family_phone",
        16: "minor_no_id",
        18: "banca",
    }
    family_done = False
    while persons < cfg.customers:
        i += 1
        labels: set[str] = set()
        force = forced.get(i)
        applied_on = cfg.as_of - timedelta(days=rng.randrange(0, 180))

        # Policyholder: a returning customer or a new person.
        returning = repeat_pool and (
            rng.random() < cfg.repeat_customer_rate or (i == 20 and not family_done)
        )
        if returning:
            ph = repeat_pool.pop(rng.randrange(len(repeat_pool)))
            labels.add("repeat_customer")
            phone_typed = _typed_phone(ph["phone"], rng)
            while phone_typed == ph["typed_phone"]:
                phone_typed = _typed_phone(ph["phone"], rng)
        else:
            ph = book.person(min_age=20, max_age=65, on=applied_on)
            persons += 1
            ph["typed_phone"] = phone_typed = _typed_phone(ph["phone"], rng)
            if rng.random() < cfg.repeat_customer_rate or i == 1:
                repeat_pool.append(ph)
        family_done = family_done or i >= 20

        phones = [phone_typed]
        # Shared phone between different customers.
        if not returning:
            if group_phone:
                phones = [group_phone.pop()]
                labels.add("shared_phone")
            elif phone_groups_left and (i % 97 == 5 or i == 5):
                phone_groups_left -= 1
                group_phone = [ph["phone"]] * rng.randint(1, 2)
                labels.add("shared_phone")
            elif agent_phone_left and (i % 53 == 7 or i in (7, 9, 11, 13, 15, 17)):
                agent_phone_left -= 1
                phones = [_typed_phone(star_agent["phones"][0], rng)]
                labels.add("agent_phone")
        if rng.random() < 0.1:
            area, lead = _LANDLINES[ph["k"] % 3]
            phones.append(f"{area}-{lead}{(ph['k'] * 7919) % 10**6:06d}")

        ph_block = _block(ph)
        ph_block["address"] = ph["address"]
        ph_block["phones"] = phones
        ph_block["email"] = (
            f"{10_000_000 + ph['k'] * 13}@{_EMAIL_DOMAINS[ph['k'] % 4]}"
            if ph["k"] % 5 < 2
            else None
        )
        if ph["birth_date"].year < 2000 and (
            force == "legacy_15" or (not returning and rng.random() < cfg.legacy_id_rate)
        ):
            n = ph["id_number"]
            ph_block["id_number"] = n[:6] + n[8:17]
            labels.add("legacy_15")
        elif ph["id_number"].endswith("X") and rng.random() < 0.3:
            ph_block["id_number"] = ph["id_number"][:-1] + "x"

        # Insured.
        r = rng.random()
        insured: dict[str, Any]
        insured_person: dict[str, Any] | None = None
        if force in ("family_phone", "minor_no_id") or r < cfg.minor_insured_rate:
            insured_person = book.person(min_age=0, max_age=17, on=applied_on)
            persons += 1
            insured = _block(insured_person, relation="child")
            if force == "minor_no_id" or rng.random() < 0.8:
                insured["id_number"] = None
                labels.add("minor_no_id")
            if force == "family_phone" or rng.random() < 0.2:
                insured["phones"] = [ph["phone"]]
                labels.add("family_phone")
        elif r < cfg.minor_insured_rate + 0.45:
            insured = {"relation": "self"}
        else:
            rel = "spouse" if rng.random() < 0.7 else "parent"
            ages = (20, 65) if rel == "spouse" else (45, 80)
            insured_person = book.person(min_age=ages[0], max_age=ages[1], on=applied_on)
            persons += 1
            insured = _block(insured_person, relation=rel)

        # Product: out-of-scope products pass the gate untouched, so no defects there.
        if force == "out_of_scope" or rng.random() < cfg.out_of_scope_rate:
            product = dict(_OUT_OF_SCOPE[rng.randrange(len(_OUT_OF_SCOPE))])
            labels.add("out_of_scope")
        else:
            product = dict(_IN_SCOPE[rng.randrange(len(_IN_SCOPE))])
        product.pop("name")

        # Planted identity defects (the gate must reject these).
        defect = force if force in ("bad_check_digit", "sex_mismatch", "birth_mismatch") else None
        if "out_of_scope" in labels:
            defect = None
        elif defect is None and rng.random() < cfg.invalid_id_rate:
            defect = ("bad_check_digit", "sex_mismatch", "birth_mismatch")[rng.randrange(3)]
        if defect is not None:
            target = ph_block
            if insured_person is not None and insured.get("id_number") and rng.random() < 0.3:
                target = insured
            if defect == "bad_check_digit":
                n = target["id_number"]
                if len(n) == 15:  # a legacy number has no check digit to break
                    n = ph["id_number"]
                    labels.discard("legacy_15")
                target["id_number"] = _flip_check_digit(n.upper(), rng)
            elif defect == "sex_mismatch":
                target["sex"] = "F" if target["sex"] == "M" else "M"
            else:
                b = date.fromisoformat(target["birth_date"])
                target["birth_date"] = (
                    b + timedelta(days=rng.choice((-31, -1, 1, 365)))
                ).isoformat()
            labels.update(("invalid_id", defect))

        # Beneficiaries: legal heirs (none named) or one named person.
        beneficiaries: list[dict[str, Any]] = []
        if rng.random() < 0.4:
            ben = book.person(min_age=20, max_age=70, on=applied_on)
            beneficiaries.append(
                {
                    "relation": "spouse" if rng.random() < 0.6 else "parent",
                    "name": ben["name"],
                    "share": 100,
                    "id_type": "resident_id" if rng.random() < 0.5 else None,
                    "id_number": ben["id_number"] if rng.random() < 0.5 else None,
                }
            )
            if beneficiaries[0]["id_number"] is None:
                beneficiaries[0]["id_type"] = None

        # Channel and seller.
        if "agent_phone" in labels:
            channel, seller = "agency", star_agent
        elif force == "banca" or rng.random() < cfg.banca_rate:
            channel, seller = "bancassurance", bancas[rng.randrange(len(bancas))]
            labels.add("banca")
        elif rng.random() < 0.1:
            channel, seller = "intermediary", agency
        else:
            channel, seller = "agency", agents[rng.randrange(len(agents))]

        # Payer account: the policyholder's card, unless planted otherwise.
        bank_bin = _CARD_BINS[ph["k"] % len(_CARD_BINS)]
        if seller["kind"] == "banca_specialist":
            bank_bin = next(b[2] for b in _BANKS if b[0] == seller["agency_code"])
        card = _card(ph["k"], bank_bin)
        holder = ph_block
        if not returning:
            if group_account:
                card = group_account.pop()
                labels.add("shared_account")
            elif account_groups_left and (i % 89 == 3 or i == 3):
                account_groups_left -= 1
                group_account = [card] * rng.randint(1, 2)
                labels.add("shared_account")
        if force == "third_party_payer" or rng.random() < cfg.third_party_payer_rate:
            payer = book.person(min_age=25, max_age=70, on=applied_on)
            holder = _block(payer)
            card = _card(payer["k"], _CARD_BINS[payer["k"] % len(_CARD_BINS)])
            labels.add("third_party_payer")
        number = card if rng.random() < 0.5 else " ".join(card[x : x + 4] for x in range(0, 19, 4))

        app: dict[str, Any] = {
            "application_no": f"A{cfg.as_of.year}{i:08d}",
            "applied_on": applied_on.isoformat(),
            **_cooling_off(applied_on, product),
            "product": product,
            "channel": channel,
            "seller": {"code": seller["code"], "agency_code": seller["agency_code"]},
            "policyholder": ph_block,
            "insured": insured,
            "beneficiaries": beneficiaries,
            "payer_account": {
                "number": number,
                "holder_name": holder["name"],
                "holder_id_type": "resident_id",
                "holder_id_number": ph["id_number"] if holder is ph_block else holder["id_number"],
            },
        }
        yield app, frozenset(labels)


def _cooling_off(applied_on: date, product: dict[str, Any]) -> dict[str, str]:
    """Long-term policies: delivered about 5 days after the application, then a 15-day
    cooling-off period (犹豫期), within which the callback (回访) is due."""
    if product["term_years"] < 1:
        return {}
    ends = applied_on + timedelta(days=20)
    return {
        "cooling_off_ends_on": ends.isoformat(),
        "callback_due_on": (ends - timedelta(days=2)).isoformat(),
    }


def applications(cfg: DemoConfig) -> Iterator[dict[str, Any]]:
    """Application dicts (see ``labelled_applications`` for the planted features)."""
    for app, _labels in labelled_applications(cfg):
        yield app


# --- policy service events (issue 14) ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class DemoPolicy:
    """A stored application the core system puts in force (one the gate did not block)."""

    application_no: str
    product_code: str
    applied_on: date
    cooling_off_ends_on: date | None = None
    callback_due_on: date | None = None


#: Every ``_STORY``-th policy (by its place) tells one story beside its first premium.
_STORY: Final = 20
_PRODUCT_TERMS: Final = {p["code"]: p["term_years"] for p in PRODUCTS}
_COVERAGE_PERIODS: Final = {
    "WL-20": "终身",
    "PAR-10": "10年",
    "UL-15": "终身",
    "IL-10": "10年",
    "ACC-1": "1年",
    "HLT-5": "至70岁",
}


def _policy_no(application_no: str) -> str:
    return "P" + application_no[1:]


def policy_events(cfg: DemoConfig, policies: Iterable[DemoPolicy]) -> Iterator[dict[str, Any]]:
    """The core system's events of the demo's policies, in the shape of
    ``core.policy_events``: a ``policy_effective`` for each (its policy number and coverage)
    and the first premium due and received; then, by place, a plausible history — a renewal
    premium due soon, one overdue, a claim reported, sent back for more documents, approved
    and paid, a major change of beneficiary, an address change, a lapse. Deterministic for
    the seed."""
    rng = random.Random(cfg.seed + 14)  # noqa: S311  (synthetic data, not security)
    n = 0

    def eid() -> str:
        nonlocal n
        n += 1
        return f"E{cfg.as_of.year}-{n:08d}"

    for k, p in enumerate(policies):
        term = _PRODUCT_TERMS.get(p.product_code, 1)
        policy_no = _policy_no(p.application_no)
        effective_on = min(p.applied_on + timedelta(days=5), cfg.as_of)
        sum_assured = rng.choice((100_000, 200_000, 300_000, 500_000, 1_000_000))
        premium = round(sum_assured * rng.uniform(0.008, 0.03), -1)
        single = term <= 1
        data: dict[str, Any] = {
            "effective_on": effective_on.isoformat(),
            "sum_assured": sum_assured,
            "coverage_period": _COVERAGE_PERIODS.get(p.product_code, f"{term}年"),
            "premium": premium,
            "payment_period": "趸交" if single else f"{min(term, 10)}年交",
        }
        if p.cooling_off_ends_on:
            data["cooling_off_ends_on"] = p.cooling_off_ends_on.isoformat()
        if p.callback_due_on:
            data["callback_due_on"] = p.callback_due_on.isoformat()
        if k % 3 == 0 and not single:
            data["riders"] = [{"code": "ADD-R", "name": "附加意外伤害保险", "sum_assured": 100_000}]
        yield {
            "event_id": eid(),
            "policy_no": policy_no,
            "application_no": p.application_no,
            "kind": "policy_effective",
            "occurred_on": effective_on.isoformat(),
            "data": data,
        }

        def event(kind: str, on: date, **fields: Any) -> dict[str, Any]:
            return {
                "event_id": eid(),
                "policy_no": policy_no,  # noqa: B023  (used at once)
                "kind": kind,
                "occurred_on": min(on, cfg.as_of).isoformat(),
                "data": fields,
            }

        first = {"due_on": effective_on.isoformat(), "amount": premium, "period": 1}
        yield event("premium_due", effective_on, **first)
        yield event("premium_received", effective_on, amount=premium, period=1)
        story = k % _STORY

        def later(days: int, start: date = effective_on) -> date:
            return start + timedelta(days=days)

        if story == 1 and not single and effective_on < cfg.as_of - timedelta(days=60):
            # the second premium was due ten days ago and has not come (逾期)
            due_on = cfg.as_of - timedelta(days=10)
            yield event(
                "premium_due",
                due_on - timedelta(days=30),
                due_on=due_on.isoformat(),
                amount=premium,
                period=2,
            )
        elif story == 2:
            claim = f"C{policy_no[1:]}"
            yield event("claim_reported", later(20), claim_no=claim, claimant_name="")
            yield event(
                "claim_reviewed",
                later(25),
                claim_no=claim,
                result="more_documents",
                reason="请补充医院诊断证明",
            )
            yield event("claim_reviewed", later(35), claim_no=claim, result="approved")
            yield event("benefit_paid", later(38), claim_no=claim, amount=round(premium * 2, 2))
        elif story == 3:
            yield event(
                "policy_changed",
                later(15),
                change="beneficiary",
                major=True,
                note="受益人变更为配偶",
            )
        elif story == 4:
            yield event("policy_changed", later(12), change="address", major=False)
        elif story == 5 and not single:
            yield event("policy_lapsed", later(60), reason="宽限期满未缴续期保费")
        elif story in (6, 7) and not single:
            # the second premium is due within the month (待缴)
            due_on = cfg.as_of + timedelta(days=20)
            yield event(
                "premium_due",
                cfg.as_of - timedelta(days=5),
                due_on=due_on.isoformat(),
                amount=premium,
                period=2,
            )
