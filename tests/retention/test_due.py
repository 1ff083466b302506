"""Which records are past retention: the three record classes, holds, open problem items,
the rules (editable and audited) and the ``veracity retention`` command."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.retention.conftest import AS_OF, LONG_AGO, end, store
from veracity.audit.models import Action, AuditEvent
from veracity.cases.models import ProblemItem, ProblemItemMember, RuleCode
from veracity.customers.models import Customer
from veracity.org.principals import Staff, system
from veracity.policies.models import PolicyStatus
from veracity.retention.models import RecordClass, RetentionRule
from veracity.retention.selectors import (
    cutoff,
    due_counts,
    due_iter,
    due_page,
    due_queryset,
    years_before,
)
from veracity.retention.services import (
    RetentionError,
    legal_hold_place,
    retention_rule_set,
)

pytestmark = pytest.mark.django_db
ENDED = RecordClass.CUSTOMER_POLICIES_ENDED
NO_POLICY = RecordClass.CUSTOMER_NO_POLICY
CLOSED_ITEMS = RecordClass.PROBLEM_ITEM_CLOSED


def due_ids(record_class: str) -> set[int]:
    return set(due_queryset(record_class, as_of=AS_OF).values_list("pk", flat=True))


def closed_item(customer: Customer, *, closed_at=LONG_AGO, status=ProblemItem.Status.CLOSED):
    item = ProblemItem.objects.create(
        rule=RuleCode.MANUAL,
        key=f"manual:{customer.pk}:{status}",
        status=status,
        severity="low",
        reason_zh="人工添加",
        reason_en="added by staff",
        first_seen_on=date(2015, 1, 5),
        last_seen_on=date(2015, 1, 5),
    )
    ProblemItemMember.objects.create(item=item, customer=customer, added_on=date(2015, 1, 5))
    ProblemItem.objects.filter(pk=item.pk).update(updated_at=closed_at)
    return item


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (date(2026, 11, 26), 10, date(2016, 11, 26)),
        (date(2028, 2, 29), 1, date(2027, 2, 28)),
        (date(2026, 1, 1), 0, date(2026, 1, 1)),
    ],
)
def test_years_before(day, years, expected):
    assert years_before(day, years) == expected


def test_default_rules_are_seeded_with_their_basis(rules):
    seeded = {r.record_class: r for r in RetentionRule.objects.all()}
    assert set(seeded) == set(RecordClass.values)
    assert all(r.years >= 1 and r.basis for r in seeded.values())


def test_customers_whose_policies_all_ended_long_ago_are_due(book):
    assert due_ids(ENDED) == {book.wang.pk, book.son.pk}
    assert book.zhang.pk not in due_ids(ENDED)  # in force


def test_a_recently_ended_policy_is_not_due(book):
    end(book.ended, when=timezone.now() - timedelta(days=365 * 9))
    assert due_ids(ENDED) == set()


def test_one_live_policy_keeps_the_customer(book, make_application):
    [second] = store(make_application("A3"))  # 王芳 again: pending underwriting
    assert second.roles.get(role="policyholder").customer == book.wang
    assert book.wang.pk not in due_ids(ENDED)
    end(second, status=PolicyStatus.CANCELLED)
    assert book.wang.pk in due_ids(ENDED)


def test_customer_without_policy(rules):
    old = Customer.objects.create(name="赵六", archive_no="C9")
    recent = Customer.objects.create(name="钱七", archive_no="C8")
    Customer.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=6 * 366))
    assert due_ids(NO_POLICY) == {old.pk}
    assert recent.pk not in due_ids(ENDED) | due_ids(NO_POLICY)


def test_closed_problem_items(book):
    old = closed_item(book.zhang)
    closed_item(book.zhang, closed_at=timezone.now() - timedelta(days=365))
    closed_item(book.zhang, status=ProblemItem.Status.OPEN)
    assert due_ids(CLOSED_ITEMS) == {old.pk}


def test_held_records_are_listed_as_held(personas, book):
    legal_hold_place(customer_id=book.wang.pk, reason="诉讼", principal=Staff(personas["ivan"]))
    item = closed_item(book.wang)
    page = due_page(ENDED, as_of=AS_OF)
    held = {r.object_id: r.held for r in page.records}
    assert held == {book.wang.pk: True, book.son.pk: False}
    assert [r.held for r in due_page(CLOSED_ITEMS, as_of=AS_OF).records] == [True]
    counts = {c.record_class: c for c in due_counts(as_of=AS_OF)}
    assert (counts[ENDED].due, counts[ENDED].held, counts[ENDED].destroyable) == (2, 1, 1)
    assert counts[CLOSED_ITEMS].held == 1
    assert item.pk in due_ids(CLOSED_ITEMS)


def test_an_open_problem_item_blocks(book):
    closed_item(book.son, status=ProblemItem.Status.OPEN)
    records = {r.object_id: r for r in due_page(ENDED, as_of=AS_OF).records}
    assert records[book.son.pk].blocked and not records[book.son.pk].destroyable
    assert records[book.wang.pk].destroyable


def test_due_records_carry_their_dates(book):
    [record, _] = due_page(ENDED, as_of=AS_OF).records
    assert record.trigger_at is not None and record.due_on is not None
    assert record.due_on <= AS_OF
    assert record.label.startswith("C")
    assert [r.object_id for r in due_iter(ENDED, as_of=AS_OF, chunk=1)] == sorted(
        [book.wang.pk, book.son.pk]
    )


def test_cutoff_is_the_start_of_the_day(book):
    moment = cutoff(AS_OF, 10)
    assert timezone.localtime(moment).date() == date(2016, 11, 26)
    assert timezone.localtime(moment).hour == 0


def test_changing_a_rule_is_audited_and_changes_what_is_due(personas, book):
    rule = retention_rule_set(record_class=ENDED, years=20, principal=Staff(personas["ivan"]))
    assert rule.years == 20 and rule.updated_by == personas["ivan"]
    assert due_ids(ENDED) == set()
    event = AuditEvent.objects.get(action=Action.CHANGE, object_type="retention_rule")
    assert json.loads(event.detail)["years"] == [10, 20]
    assert rule.history.count() >= 1


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"record_class": "nonsense", "years": 5}, "UNKNOWN"),
        ({"record_class": ENDED, "years": 0}, "INVALID"),
        ({"record_class": ENDED, "years": 101}, "INVALID"),
        ({"record_class": ENDED, "years": 5, "basis": "  "}, "REQUIRED"),
        ({"record_class": ENDED, "years": 5, "user": "alice"}, "NOT_ALLOWED"),
    ],
)
def test_bad_rule_changes_are_refused_and_change_nothing(personas, rules, kwargs, code):
    kwargs = dict(kwargs)
    user = kwargs.pop("user", None)
    principal = Staff(personas[user]) if user else system("t")
    events = AuditEvent.objects.count()
    with pytest.raises(RetentionError) as refused:
        retention_rule_set(principal=principal, **kwargs)
    assert refused.value.code == code
    assert refused.value.message_zh and refused.value.message_en
    assert RetentionRule.objects.get(record_class=ENDED).years == 10
    assert AuditEvent.objects.count() == events


def test_command_lists_and_changes_rules(rules):
    out = StringIO()
    call_command("retention", "rules", stdout=out)
    assert "customer_policies_ended" in out.getvalue() and "10" in out.getvalue()
    call_command("retention", "rules", "--set", "customer_no_policy=7", stdout=StringIO())
    assert RetentionRule.objects.get(record_class=NO_POLICY).years == 7
    with pytest.raises(CommandError):
        call_command("retention", "rules", "--set", "customer_no_policy=x", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("retention", "rules", "--set", "nothing=3", stdout=StringIO())


def test_command_lists_due_records(personas, book):
    legal_hold_place(customer_id=book.son.pk, reason="诉讼", principal=Staff(personas["ivan"]))
    out = StringIO()
    call_command("retention", "due", "--as-of", AS_OF.isoformat(), stdout=out)
    text = out.getvalue()
    assert "customer_policies_ended: 2 due" in text
    assert book.wang.archive_no in text and "HELD" in text
    out = StringIO()
    call_command("retention", "due", "--class", ENDED, "--all", "--format", "json", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines[0]["summary"]["due"] == 2 and lines[0]["summary"]["destroyable"] == 1
    assert {line["object_id"] for line in lines[1:]} == {book.wang.pk, book.son.pk}
    with pytest.raises(CommandError):
        call_command("retention", "due", "--as-of", "26.11.2026", stdout=StringIO())


def test_no_rule_means_nothing_is_due(book):
    RetentionRule.objects.filter(record_class=ENDED).delete()
    assert due_ids(ENDED) == set()
    assert due_page(ENDED, as_of=AS_OF).total == 0
