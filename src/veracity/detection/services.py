"""Running the suspicious-information rules and keeping the problem-item list (D1.7).

``detection_run`` is idempotent for a business date and mode, and resumable: every rule
commits its problem items together with the run's checkpoint. An incremental run looks at
the values touched since the previous completed run — and at everything that shares a
value with them — and so finds exactly what a full run would.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record
from veracity.cases.models import ProblemItem
from veracity.cases.services import problem_items_open_or_extend
from veracity.conduct.callbacks import recheck_callbacks_ensure, recheck_told
from veracity.conduct.models import Complaint, RecheckCallback
from veracity.core.detection import (
    MISSELLING_THRESHOLD,
    Clue,
    Person,
    Rule,
    SellerRef,
    agent_contact_clue,
    identity_changed_clue,
    misselling_window,
    repeat_misselling_clue,
    shared_value_clue,
    third_party_payer_clue,
)
from veracity.core.masking import mask
from veracity.customers.models import Address, BankAccount, Customer, IdentityChange, Phone
from veracity.db.batches import chunks
from veracity.detection import selectors as q
from veracity.detection.models import DetectionRun
from veracity.org.principals import Principal, acting_user
from veracity.policies.models import Policy, PolicyRole, PolicyStatus, Role
from veracity.sales.models import Seller, SellerContact
from veracity.workcal.selectors import calendar

FAMILY_EXEMPT = True  # SD-1: links only among the parties of one policy are not a clue alone
LIVE_STATUSES = [
    PolicyStatus.PENDING_UNDERWRITING,
    PolicyStatus.IN_FORCE,
    PolicyStatus.APPLIED,
    PolicyStatus.BLOCKED,
]


@dataclass(frozen=True)
class Scope:
    """What a run looks at: everything (``since`` None), what changed since ``since``, or
    (``customers`` given) the current data of a few customers — the re-check of a corrected
    file, which sees everything sharing a value with them, like an incremental run."""

    business_date: date
    since: datetime | None
    customers: tuple[int, ...] | None = None

    @property
    def full(self) -> bool:
        return self.since is None and self.customers is None

    def touched(self, history_table: str, key: str) -> list[str] | None:
        """Keys changed since the previous run (or the customers' current keys); ``None``
        (everything) for a full run."""
        if self.customers is not None:
            table = _CURRENT.get(history_table)
            if table is None:
                return []
            return q.customer_keys(table, key, self.customers)
        if self.since is None:
            return None
        return q.touched_keys(history_table, key, self.since)


#: The current table behind each history table a rule reads (the customers' own values).
_CURRENT = {
    "customers_historicalphone": "customers_phone",
    "customers_historicalbankaccount": "customers_bankaccount",
    "customers_historicaladdress": "customers_address",
}


# --- people ----------------------------------------------------------------------------


def identity_of(customer_id: int, name: str, birth: Any) -> str:
    """One identity per person (name + birth date): two records of one person are not
    "different customers"."""
    return f"{name.strip()}|{birth}" if name.strip() else f"#{customer_id}"


def people(customer_ids: Iterable[int]) -> dict[int, Person]:
    """Customers as detection sees them: their identity and their policies."""
    ids = sorted(set(customer_ids))
    facts: dict[int, tuple[str, Any]] = {}
    for batch in chunks(ids):
        for cid, name, birth in Customer.objects.filter(pk__in=batch).values_list(
            "pk", "name", "birth_date"
        ):
            facts[cid] = (name, birth)
    policies = q.policies_of(ids)
    return {
        cid: Person(cid, identity_of(cid, name, birth), frozenset(policies.get(cid, ())))
        for cid, (name, birth) in facts.items()
    }


@dataclass
class Findings:
    """A rule's clues, and the policies of the customers on them (as the rule read them)."""

    clues: list[Clue]
    policies_of: dict[int, set[int]]


# --- rules -------------------------------------------------------------------------------


def _shared(rule: Rule, model: Any, history: str, scope: Scope, kind: str) -> Findings:
    table = model._meta.db_table
    touched = scope.touched(history, "number_bidx")
    members = q.shared_members(table, "number_bidx", touched, family_exempt=FAMILY_EXEMPT)
    policies = q.policies_of(cid for _k, cid, _n, _b in members)
    groups: dict[str, list[Person]] = defaultdict(list)
    for key, cid, name, birth in members:
        groups[key].append(
            Person(cid, identity_of(cid, name, birth), frozenset(policies.get(cid, ())))
        )

    def clue_of(key: str, masked: str) -> Clue | None:
        return shared_value_clue(
            rule, key, groups[key], family_exempt=FAMILY_EXEMPT, masked_value=masked
        )

    # Most shared values are family links (exempt): decrypt a sample only for real clues.
    hits = [key for key in sorted(groups) if clue_of(key, "")]
    samples = _sample_values(model, hits)
    clues = [c for key in hits if (c := clue_of(key, mask(samples.get(key), kind)))]
    return Findings(clues, policies)


def _sample_values(model: Any, keys: Sequence[str]) -> dict[str, str]:
    """One stored value per key, to show masked on the list."""
    out: dict[str, str] = {}
    for batch in chunks(keys):
        for bidx, value in model.objects.filter(number_bidx__in=batch).values_list(
            "number_bidx", "number"
        ):
            out.setdefault(bidx, value)
    return out


def shared_phone(scope: Scope) -> Findings:
    return _shared(Rule.SHARED_PHONE, Phone, "customers_historicalphone", scope, "phone")


def shared_account(scope: Scope) -> Findings:
    return _shared(
        Rule.SHARED_ACCOUNT, BankAccount, "customers_historicalbankaccount", scope, "account"
    )


def agent_contact(scope: Scope) -> Findings:
    found = Findings([], {})
    for kind, model, key, history in (
        ("phone", Phone, "number_bidx", "customers_historicalphone"),
        ("address", Address, "text_bidx", "customers_historicaladdress"),
    ):
        customers = scope.touched(history, key)
        sellers = scope.touched("sales_historicalsellercontact", "value_bidx")
        touched = None if customers is None else customers + (sellers or [])
        keys = sorted(q.seller_contact_keys(kind, model._meta.db_table, key, touched))
        part = _agent_contact_clues(kind, model, key, keys)
        found.clues += part.clues
        found.policies_of.update(part.policies_of)
    return found


def _agent_contact_clues(kind: str, model: Any, key: str, keys: list[str]) -> Findings:
    members: dict[str, set[int]] = defaultdict(set)
    for k, cid in q.members_of(model._meta.db_table, key, "customer_id", keys):
        members[k].add(cid)
    owners: dict[str, list[SellerRef]] = defaultdict(list)
    for batch in chunks(keys):
        for bidx, sid, code, skind, agency, relation in SellerContact.objects.filter(
            kind=kind, value_bidx__in=batch
        ).values_list(
            "value_bidx",
            "seller_id",
            "seller__code",
            "seller__kind",
            "seller__agency_id",
            "relative__relation",
        ):
            owners[bidx].append(SellerRef(sid, code, skind, agency, relation or ""))
    persons = people(c for cids in members.values() for c in cids)
    sold_by = _sellers_of(persons.keys())
    clues = []
    for k, cids in members.items():
        clue = agent_contact_clue(
            k,
            kind,
            [persons[c] for c in cids if c in persons],
            owners.get(k, []),
            sold_by=sold_by,
            masked_value="",
        )
        if clue:
            clues.append(clue)
    return Findings(clues, {cid: set(p.policies) for cid, p in persons.items()})


def _sellers_of(customer_ids: Iterable[int]) -> dict[int, frozenset[int]]:
    out: dict[int, set[int]] = defaultdict(set)
    for batch in chunks(sorted(customer_ids)):
        for cid, seller, agency in PolicyRole.objects.filter(customer_id__in=batch).values_list(
            "customer_id", "policy__seller_id", "policy__agency_id"
        ):
            out[cid] |= {s for s in (seller, agency) if s}
    return {cid: frozenset(s) for cid, s in out.items()}


def third_party_payer(scope: Scope) -> Findings:
    changed: list[int] | None = None
    if scope.customers is not None:
        changed = sorted(
            set(
                PolicyRole.objects.filter(
                    customer_id__in=scope.customers, role="policyholder"
                ).values_list("policy_id", flat=True)
            )
        )
    elif not scope.full:
        assert scope.since is not None
        policies = set(
            Policy.history.filter(history_date__gte=scope.since).values_list("id", flat=True)
        )
        accounts = BankAccount.history.filter(history_date__gte=scope.since).values_list(
            "id", flat=True
        )
        for batch in chunks(sorted(set(accounts))):
            policies |= set(
                Policy.objects.filter(payer_account_id__in=batch).values_list("pk", flat=True)
            )
        changed = sorted(policies)
    clues = []
    policies_of: dict[int, set[int]] = defaultdict(set)
    # Candidates only: a policy whose account names a document of its own policyholder can
    # raise no clue, so the database drops it (one anti-join) instead of Python.
    for pid, cid, name, holder_bidx, holder_name, excepted in q.payer_rows(changed):
        clue = third_party_payer_clue(
            pid,
            Person(customer_id=cid, identity="policyholder's document", policies=frozenset()),
            # the account names a document, and (anti-join) not one of the policyholder's
            holder_identity=holder_bidx,
            holder_name=holder_name,
            policyholder_name=name,
            exception_approved=excepted,
        )
        if clue:
            clues.append(clue)
            policies_of[cid].add(pid)
    return Findings(clues, policies_of)


def repeat_misselling(scope: Scope) -> Findings:
    """SD-4 over the whole history (complaints are few: always in full, also by an
    incremental run). One grouped query finds the sellers and agencies with two or more
    verified misselling complaints (index ``complaint_verified``), the pure rule decides on
    their verification dates, then their policies (``policy_seller_status``,
    ``policy_agency``) and the parties of those (policyholders and insured) are read in
    chunks."""
    verified = Complaint.objects.filter(category="misselling", verified=True).exclude(
        verified_on__isnull=True
    )
    dates: dict[int, list[date]] = defaultdict(list)
    for column in ("seller_id", "agency_id"):
        candidates = list(
            verified.exclude(**{f"{column}__isnull": True})
            .values_list(column, flat=True)
            .annotate(n=Count("pk"))
            .filter(n__gte=MISSELLING_THRESHOLD)
            .order_by()
        )
        for batch in chunks(sorted(candidates)):
            for sid, verified_on in verified.filter(**{f"{column}__in": batch}).values_list(
                column, "verified_on"
            ):
                dates[sid].append(verified_on)
    qualifying = {sid for sid, days in dates.items() if misselling_window(days) is not None}
    found = Findings([], defaultdict(set))
    if not qualifying:
        return found
    refs = {
        pk: SellerRef(pk, code, kind, agency_id)
        for pk, code, kind, agency_id in Seller.objects.filter(pk__in=sorted(qualifying))
        .values_list("pk", "code", "kind", "agency_id")
        .order_by("pk")
    }
    policies: dict[int, set[int]] = defaultdict(set)  # seller or agency -> its policies
    agencies = sorted(pk for pk, ref in refs.items() if ref.kind == "agency")
    sellers = sorted(pk for pk, ref in refs.items() if ref.kind != "agency")
    for column, ids in (("seller_id", sellers), ("agency_id", agencies)):
        for batch in chunks(ids):
            for owner, pid in Policy.objects.filter(**{f"{column}__in": batch}).values_list(
                column, "pk"
            ):
                policies[owner].add(pid)
    parties: dict[int, set[int]] = defaultdict(set)  # policy -> policyholder and insured
    for batch in chunks(sorted({pid for pids in policies.values() for pid in pids})):
        for pid, cid in PolicyRole.objects.filter(
            policy_id__in=batch,
            role__in=[Role.POLICYHOLDER, Role.INSURED],
            customer_id__isnull=False,
        ).values_list("policy_id", "customer_id"):
            parties[pid].add(cid)
    for pk, ref in refs.items():
        pairs = [(pid, cid) for pid in policies.get(pk, ()) for cid in parties.get(pid, ())]
        clue = repeat_misselling_clue(ref, dates[pk], parties=pairs)
        if clue:
            found.clues.append(clue)
            for pid, cid in pairs:
                found.policies_of[cid].add(pid)
    return found


def recheck_callbacks_after(clues: Sequence[Clue]) -> dict[str, int]:
    """After ``problem_items_upsert`` of SD-4's clues, in the same transaction: every policy
    of each open re-check item gets its second-callback task; compliance, channel management
    and customer service are told of each item that is new or grew."""
    if not clues:
        return {"callbacks": 0}
    by_key = {c.key: c for c in clues}
    items = dict(
        ProblemItem.objects.filter(
            rule=Rule.REPEAT_MISSELLING.value, status=ProblemItem.Status.OPEN, key__in=list(by_key)
        ).values_list("pk", "key")
    )
    wanted = {item: by_key[key].policies for item, key in items.items()}
    before = dict(
        RecheckCallback.objects.filter(item_id__in=list(items))
        .values_list("item_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    made = recheck_callbacks_ensure(wanted)
    if made:
        after = dict(
            RecheckCallback.objects.filter(item_id__in=list(items))
            .values_list("item_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        grown = {
            item: (items[item], after.get(item, 0))
            for item in items
            if after.get(item, 0) > before.get(item, 0)
        }
        recheck_told(grown)
    return {"callbacks": made}


def identity_changed(scope: Scope) -> Findings:
    """D1.6: the identity changes recorded at storage (another name, sex or birth date for
    a customer's document), one clue per customer with all its changes not yet covered by a
    closed investigation of that customer. Changes are few: read per customer, not
    set-based."""
    touched: list[int] | None
    if scope.customers is not None:
        touched = sorted(scope.customers)
    elif scope.since is not None:
        touched = sorted(
            set(
                IdentityChange.objects.filter(recorded_at__gte=scope.since).values_list(
                    "customer_id", flat=True
                )
            )
        )
    else:
        touched = None
    rows: list[tuple[int, str, str, str, Any, datetime]] = []
    fields = ("customer_id", "application_no", "name", "sex", "birth_date", "recorded_at")
    if touched is None:
        rows = list(IdentityChange.objects.order_by("pk").values_list(*fields))
    else:
        for batch in chunks(touched):
            rows += IdentityChange.objects.filter(customer_id__in=batch).values_list(*fields)
    closed: dict[str, datetime] = {}
    keys = sorted({str(row[0]) for row in rows})
    for batch in chunks(keys):
        for key, at in ProblemItem.objects.filter(
            rule=Rule.IDENTITY_CHANGED.value, status=ProblemItem.Status.CLOSED, key__in=batch
        ).values_list("key", "updated_at"):
            closed[key] = max(at, closed.get(key, at))
    rows = [row for row in rows if str(row[0]) not in closed or row[5] > closed[str(row[0])]]
    policy_of: dict[str, int] = {}
    for batch in chunks(sorted({row[1] for row in rows})):
        policy_of.update(
            Policy.objects.filter(application_no__in=batch).values_list("application_no", "pk")
        )
    changes: dict[int, list[tuple[frozenset[str], int | None]]] = defaultdict(list)
    for cid, application_no, name, sex, birth_date, _at in rows:
        facts = frozenset(
            f for f, v in (("name", name), ("sex", sex), ("birth_date", birth_date)) if v
        )
        changes[cid].append((facts, policy_of.get(application_no)))
    clues = [c for cid in sorted(changes) if (c := identity_changed_clue(cid, changes[cid]))]
    policies_of = {
        cid: {pid for _, pid in items if pid is not None} for cid, items in changes.items()
    }
    return Findings(clues, policies_of)


RULES: dict[Rule, Callable[[Scope], Findings]] = {
    Rule.SHARED_PHONE: shared_phone,
    Rule.SHARED_ACCOUNT: shared_account,
    Rule.AGENT_CONTACT: agent_contact,
    Rule.THIRD_PARTY_PAYER: third_party_payer,
    Rule.REPEAT_MISSELLING: repeat_misselling,
    Rule.IDENTITY_CHANGED: identity_changed,
}


# --- the list ----------------------------------------------------------------------------


def problem_items_upsert(
    clues: Sequence[Clue],
    *,
    business_date: date,
    policies_of: Mapping[int, set[int]] | None = None,
) -> dict[str, int]:
    """A run's clues onto the list: those an investigation explained are dropped, the rest
    open or extend items through :func:`veracity.cases.services.problem_items_open_or_extend`.

    ``policies_of`` (customer → policies) as the rules read it, or read here."""
    counts = {"opened": 0, "extended": 0, "unchanged": 0, "explained": 0}
    kept = _not_explained(clues)
    counts["explained"] = len(clues) - len(kept)
    if not kept:
        return counts
    if policies_of is None:
        policies_of = q.policies_of(c for clue in kept for c in clue.customers)
    counts.update(
        problem_items_open_or_extend(kept, business_date=business_date, policies_of=policies_of)
    )
    return counts


def _not_explained(clues: Sequence[Clue]) -> list[Clue]:
    """Drop the clues an investigation explained (the data is true, PW-4): the same rule and
    value on no other customers than the explained ones, while the records holding the value
    are unchanged since. A new customer on the value, or a change to it, raises it again."""
    explained = q.explanations(sorted({c.key for c in clues}))
    if not explained:
        return list(clues)

    def lifted(clue: Clue) -> bool:
        return any(
            set(clue.customers) <= cids
            and not q.clue_data_changed_since(clue.rule.value, clue.key, at)
            for at, cids in explained.get((clue.rule.value, clue.key), [])
        )

    return [c for c in clues if not lifted(c)]


# --- runs --------------------------------------------------------------------------------


def previous_run_start(business_date: date) -> datetime | None:
    run = (
        DetectionRun.objects.filter(
            status=DetectionRun.Status.DONE, business_date__lt=business_date
        )
        .order_by("-started_at")
        .first()
    )
    return run.started_at if run else None


def detection_run(
    *,
    business_date: date,
    full: bool = False,
    actor: Actor,
    progress: Callable[[str], None] | None = None,
) -> DetectionRun:
    """Run every rule for ``business_date``; a completed run is not repeated, an interrupted
    one resumes after its last completed rule."""
    mode = DetectionRun.Mode.FULL if full else DetectionRun.Mode.INCREMENTAL
    since = None if full else previous_run_start(business_date)
    run, _ = DetectionRun.objects.get_or_create(
        business_date=business_date,
        mode=mode,
        defaults={
            "status": DetectionRun.Status.RUNNING,
            "started_at": timezone.now(),
            "since": since,
        },
    )
    if run.status == DetectionRun.Status.DONE:
        return run
    scope = Scope(business_date=business_date, since=run.since)
    run.status = DetectionRun.Status.RUNNING
    run.save(update_fields=["status"])
    for rule, evaluate in RULES.items():
        if rule.value in run.done_rules:
            continue
        started = time.perf_counter()
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # SSD: index look-ups are cheap; the default 4 picks parallel seq-scans for
                # the touched-keys queries of an incremental run (3 s vs 1 s at 10M). The
                # batch reads whole results through server-side cursors, so plan for all
                # rows (not the first 10 %), and let its hash joins stay in memory (the
                # third-party-payer anti-join hashes every identity document: ~10M at 10M
                # customers, which 64MB would spill to disk in batches).
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL random_page_cost = 1.1")
                    cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
                    cursor.execute("SET LOCAL work_mem = '256MB'")
                    # JIT compiles for the planner's estimates (a HAVING over every value
                    # looks huge): 150–200 ms a query spent compiling, nothing gained.
                    cursor.execute("SET LOCAL jit = off")
            found = evaluate(scope)
            clues = found.clues
            evaluated = time.perf_counter()
            counts = problem_items_upsert(
                clues, business_date=business_date, policies_of=found.policies_of
            )
            if rule is Rule.REPEAT_MISSELLING:
                counts.update(recheck_callbacks_after(clues))
            written = time.perf_counter()
            run.done_rules = [*run.done_rules, rule.value]
            run.counts = {**run.counts, rule.value: {"clues": len(clues), **counts}}
            run.save(update_fields=["done_rules", "counts"])
        # after the commit: it checks the new members' deferred foreign keys, which is part
        # of what a rule costs
        done = time.perf_counter()
        run.timings = {
            **run.timings,
            rule.value: round(done - started, 3),
            f"{rule.value}.parts": {
                "evaluate": round(evaluated - started, 3),
                "write": round(written - evaluated, 3),
                "commit": round(done - written, 3),
            },
        }
        run.save(update_fields=["timings"])
        if progress:
            progress(f"{rule.value}: {len(clues)} clues {counts} ({run.timings[rule.value]} s)")
    run.status = DetectionRun.Status.DONE
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "finished_at"])
    audit_record(
        actor=actor,
        event=Event(
            action=Action.DETECTION_RUN,
            object_type="detection_run",
            object_id=str(run.pk),
            detail={"business_date": business_date.isoformat(), "mode": mode, "counts": run.counts},
        ),
    )
    return run


def detection_recheck(*, customer_ids: Sequence[int], business_date: date) -> dict[str, list[Clue]]:
    """The rules over these customers' data as it now stands (after a correction): the
    clues that still involve them, per rule, also written to the list like a run's (a
    changed value that now joins a stranger opens an item the same day)."""
    scope = Scope(business_date=business_date, since=None, customers=tuple(customer_ids))
    wanted = set(customer_ids)
    out: dict[str, list[Clue]] = {}
    for rule, evaluate in RULES.items():
        if rule is Rule.REPEAT_MISSELLING:
            continue  # about sellers' complaints, not a customer's data
        found = evaluate(scope)
        clues = [c for c in found.clues if wanted & set(c.customers)]
        problem_items_upsert(clues, business_date=business_date, policies_of=found.policies_of)
        out[rule.value] = clues
    return out


def problem_item_add_manual(
    *, customer_ids: Sequence[int], reason: str, business_date: date, principal: Principal
) -> ProblemItem:
    """SD-6: a suspicion found in a callback or elsewhere enters the same list by hand. The
    item is created by ``principal``'s acting user (nobody for a principal without a person,
    whose item's key then carries the name the trail records) and audited as
    ``Actor.of_principal(principal)``."""
    user = acting_user(principal)
    actor = Actor.of_principal(principal)
    with transaction.atomic():
        who = user.pk if user is not None else actor.label
        key = f"manual:{timezone.now().timestamp()}:{who}"
        policy_ids = tuple(
            sorted(
                set(
                    PolicyRole.objects.filter(customer_id__in=customer_ids).values_list(
                        "policy_id", flat=True
                    )
                )
            )
        )
        clue = Clue(Rule.MANUAL, key, tuple(customer_ids), policy_ids, "medium", reason, reason)
        problem_items_open_or_extend(
            [clue],
            business_date=business_date,
            policies_of=q.policies_of(clue.customers),
            created_by=user,
        )
        item = ProblemItem.objects.get(rule=Rule.MANUAL.value, key=key, status="open")
        audit_record(
            actor=actor,
            event=Event(
                action=Action.CREATE,
                object_type="problem_item",
                object_id=str(item.pk),
                detail={"rule": "MANUAL"},
            ),
        )
    made: ProblemItem = item
    return made


def business_dates_due(*, today: date) -> list[date]:
    """The working days whose T+1 list is not produced yet, oldest first: every working day
    after the last completed incremental run, up to today (the daily job runs after the
    business day closes). Without any run, just the latest working day (a full run)."""

    days = calendar()
    last = (
        DetectionRun.objects.filter(status=DetectionRun.Status.DONE)
        .order_by("-business_date")
        .values_list("business_date", flat=True)
        .first()
    )
    if last is None:
        day = today
        while not days.is_working_day(day).working:
            day -= timedelta(days=1)
        return [day]
    due = []
    day = last + timedelta(days=1)
    while day <= today:
        if days.is_working_day(day).working:
            due.append(day)
        day += timedelta(days=1)
    return due


def detection_catch_up(*, today: date, actor: Actor) -> list[DetectionRun]:
    """Produce every missing daily list (a missed day is caught up). The very first run is
    the full back-check of legacy data (SD-5)."""
    first = not DetectionRun.objects.filter(status=DetectionRun.Status.DONE).exists()
    return [
        detection_run(business_date=day, full=first and i == 0, actor=actor)
        for i, day in enumerate(business_dates_due(today=today))
    ]
