"""A database migrated as it was before the data-model changes of issue 11, with business
data in every table, migrates forward to the latest migrations with every row kept.

The rows go in through the historical models of that state; after the forward migration the
checks name TABLES, not app labels (a model may since have moved to another app and kept its
table), and read values back through whichever current model owns each table: an encrypted
field still decrypts, a foreign key still resolves.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps as current_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Model

# The leaf migration of every Veracity app at commit 058a6bf (the last commit before issue 11),
# derived with
#   git ls-tree -r 058a6bf --name-only src/veracity | grep migrations/0
# keeping the highest-numbered file of each app.
BEFORE: dict[str, str] = {
    "access": "0007_api_client_channels",
    "audit": "0003_chain_verification_and_actor_index",
    "cases": "0002_escalation_outlives_item",
    "customers": "0006_anchor_and_identity_change",
    "detection": "0005_identity_changed_rule",
    "incidents": "0002_login_lockout_source",
    "notify": "0001_notifications",
    "policies": "0005_policy_source_system",
    "retention": "0002_default_retention_rules",
    "sales": "0003_seller_team_leader",
    "signin": "0001_login_failures_and_lockouts",
    "workcal": "0003_history_user_without_constraint",
}

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
TODAY = date(2026, 11, 20)

ID_NUMBER = "11010119850314122X"
PHONE = "13800138000"
ADDRESS = "北京市东城区东长安街1号"
EMAIL = "wang.fang@example.com"
ACCOUNT = "6222020200001234567"
SELLER_PHONE = "13900139000"


def veracity_app_labels() -> set[str]:
    return {
        config.label
        for config in current_apps.get_app_configs()
        if config.name.startswith("veracity.")
    }


def targets_before(executor: MigrationExecutor) -> list[tuple[str, str | None]]:
    """The leaves of ``BEFORE``; a Veracity app that did not exist then is migrated to zero."""
    graph_apps = {app for app, _ in executor.loader.graph.nodes}
    targets: list[tuple[str, str | None]] = sorted(BEFORE.items())
    for missing in (app for app, _ in targets if (app, BEFORE[app]) not in executor.loader.graph):
        raise AssertionError(f"migration {missing}.{BEFORE[missing]} is gone from the graph")
    targets += [(app, None) for app in sorted(veracity_app_labels() & graph_apps - set(BEFORE))]
    return targets


def migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()  # reload: what is applied now
    return executor


def latest_targets() -> list[tuple[str, str | None]]:
    return list(MigrationExecutor(connection).loader.graph.leaf_nodes())


class Rows:
    """Creates rows through the historical models and remembers (table, pk) of each."""

    def __init__(self, apps: Any) -> None:
        self.apps = apps
        self.made: list[tuple[str, str, Any]] = []  # (table, primary-key column, pk)

    def add(self, label: str, /, **values: Any) -> Any:
        model = self.apps.get_model(label)
        row = model.objects.create(**values)
        self.made.append((model._meta.db_table, model._meta.pk.column, row.pk))
        return row

    def add_or_get(self, label: str, lookup: dict[str, Any], /, **values: Any) -> Any:
        """For tables that migrations seed (retention rules, the calendar)."""
        model = self.apps.get_model(label)
        row, _ = model.objects.get_or_create(**lookup, defaults=values)
        self.made.append((model._meta.db_table, model._meta.pk.column, row.pk))
        return row


def fill(apps: Any) -> tuple[Rows, dict[str, Any]]:
    """One row (at least) in every table that holds business data; returns the rows made and
    the primary keys the value checks need."""
    from veracity.db.fields import blind_index

    r = Rows(apps)
    User = apps.get_model("auth", "User")
    users = {}
    for name in ("alice", "carol", "dave", "ivan", "mike", "admin"):
        users[name] = User.objects.create(username=name, password="!", email=f"{name}@x.test")
        r.made.append((User._meta.db_table, User._meta.pk.column, users[name].pk))
    alice, carol, dave, ivan, mike = (users[n] for n in ("alice", "carol", "dave", "ivan", "mike"))

    # org: departments and staff profiles; API clients
    department = r.add("access.Department", code="D-CS", name="客户服务部", head=mike)
    r.add("access.StaffProfile", user=alice, department=department, channel="agency")
    r.add(
        "access.ApiClient",
        name="core-system",
        system="core",
        token_hash="a" * 64,
        token_prefix="vk_abcd",
        channels=["agency"],
        designated_user=dave,
    )

    # customers with encrypted identifiers
    customer = r.add(
        "customers.Customer",
        name="王芳",
        sex="F",
        birth_date=date(1985, 3, 14),
        confidentiality="confidential",
        custodian=ivan,
        archive_no="AR-0001",
    )
    document = r.add(
        "customers.IdentityDocument",
        customer=customer,
        id_type="resident_id",
        number=ID_NUMBER,
        number_bidx=blind_index(ID_NUMBER, domain="id_number"),
        is_primary=True,
    )
    phone = r.add(
        "customers.Phone",
        customer=customer,
        number=PHONE,
        number_bidx=blind_index(PHONE, domain="phone"),
    )
    r.add(
        "customers.Address",
        customer=customer,
        kind="home",
        text=ADDRESS,
        text_bidx=blind_index(ADDRESS, domain="address"),
    )
    r.add(
        "customers.Email",
        customer=customer,
        address=EMAIL,
        address_bidx=blind_index(EMAIL, domain="email"),
    )
    account = r.add(
        "customers.BankAccount",
        customer=customer,
        number=ACCOUNT,
        number_bidx=blind_index(ACCOUNT, domain="account"),
        holder_name="王芳",
        holder_id_type="resident_id",
        holder_id_number=ID_NUMBER,
        holder_id_bidx=blind_index(ID_NUMBER, domain="id_number"),
        bank_name="工商银行",
    )
    r.add(
        "customers.IdentityChange",
        customer=customer,
        application_no="A2026110001",
        role="policyholder",
        name="王芳",
        sex="F",
        birth_date=date(1985, 3, 14),
        on_file={"name": "王芳"},
    )

    # sellers
    agency = r.add("sales.Seller", code="AGY01", kind="agency", name="北京代理公司")
    seller = r.add(
        "sales.Seller", code="AG00017", kind="agent", name="张伟", agency=agency, user=alice
    )
    r.add(
        "sales.SellerContact",
        seller=seller,
        kind="phone",
        value=SELLER_PHONE,
        value_bidx=blind_index(SELLER_PHONE, domain="phone"),
    )

    # policies
    product = r.add(
        "policies.Product",
        code="WL-20",
        name="终身寿险",
        type="ordinary_life",
        term_years=Decimal("20"),
    )
    policy = r.add(
        "policies.Policy",
        application_no="A2026110001",
        policy_no="P2026110001",
        product=product,
        channel="agency",
        seller=seller,
        agency=agency,
        seller_code="AG00017",
        applied_on=TODAY,
        status="applied",
        verdict="fail",
        source_system="core",
        payer_account=account,
    )
    role = r.add(
        "policies.PolicyRole",
        policy=policy,
        customer=customer,
        role="policyholder",
        relation="self",
        name="王芳",
        position=0,
    )
    check = r.add(
        "policies.GateCheck",
        policy=policy,
        source="api",
        verdict="fail",
        findings=[{"code": "ID_CHECKSUM"}],
        digest="d" * 64,
    )
    r.add(
        "policies.SupplementRequest",
        policy=policy,
        status="open",
        opened_by_check=check,
        items=[{"code": "ID_CHECKSUM"}],
    )

    # detection: runs, clues (problem items), members, explanations, exceptions, complaints
    r.add(
        "detection.DetectionRun",
        business_date=TODAY,
        mode="full",
        status="done",
        started_at=NOW,
        finished_at=NOW,
        done_rules=["SHARED_PHONE"],
        counts={"SHARED_PHONE": 1},
        error="",
    )
    item = r.add(
        "detection.ProblemItem",
        rule="SHARED_PHONE",
        key="phone:" + "k" * 20,
        severity="high",
        shared_value="138****8000",
        reason_zh="多名客户共用一个电话",
        reason_en="Several customers share a phone",
        evidence={"customers": [customer.pk]},
        first_seen_on=TODAY,
        last_seen_on=TODAY,
        created_by=dave,
        stage="investigating",
        assigned_channel="agency",
        assignee=carol,
        findings="",
    )
    member = r.add(
        "detection.ProblemItemMember", item=item, customer=customer, policy=policy, added_on=TODAY
    )
    r.add(
        "detection.ClueExplanation",
        rule="SHARED_PHONE",
        key="phone:" + "e" * 20,
        customer_ids=[customer.pk],
        item=item,
        explained_at=NOW,
    )
    r.add(
        "detection.PayerException",
        policy=policy,
        reason="父母代缴",
        approved_by=dave,
        approved_at=NOW,
    )
    r.add("detection.Complaint", seller=seller, kind="misselling", received_on=TODAY)

    # cases: steps, evidence, escalations
    r.add(
        "cases.CaseStep",
        item=item,
        action="note",
        from_stage="investigating",
        to_stage="investigating",
        actor=carol,
        at=NOW,
        note="已致电客户",
        detail={},
    )
    r.add(
        "cases.Evidence",
        item=item,
        kind="customer_confirmation",
        description="客户确认书",
        filename="confirmation.pdf",
        content_type="application/pdf",
        size=1234,
        sha256="f" * 64,
        stored_as="ab/" + "f" * 64,
        uploaded_by=carol,
        uploaded_at=NOW,
    )
    r.add(
        "cases.Escalation",
        item=item,
        seller=seller,
        reason="误导销售",
        escalated_by=dave,
        escalated_at=NOW,
    )

    # access requests, approvals, grants
    request = r.add(
        "access.AccessRequest",
        kind="borrow",
        requester=alice,
        subject=f"customer:{customer.pk}",
        purpose="service",
        reason="客户来电",
        scope="unmask",
        days=3,
        export_of="",
        external_name="",
        external_org="",
        external_credential="",
        recipient="",
        legal_basis="",
        data_items="",
        status="approved",
        steps=["information_manager"],
        decided_at=NOW,
    )
    r.add(
        "access.Approval",
        request=request,
        step="information_manager",
        approver=ivan,
        decision="approve",
        reason="同意",
        decided_at=NOW,
    )
    grant = r.add(
        "access.AccessGrant",
        request=request,
        holder=alice,
        customer=customer,
        scope="unmask",
        starts_at=NOW,
        ends_at=NOW + timedelta(days=3),
    )

    # retention: rules (seeded by a migration), holds, destruction requests and their records
    r.add_or_get(
        "retention.RetentionRule",
        {"record_class": "customer_policies_ended"},
        years=5,
        basis="保险合同终止后五年",
    )
    r.add("retention.LegalHold", customer=customer, reason="诉讼", placed_by=ivan, placed_at=NOW)
    destruction = r.add(
        "retention.DestructionRequest",
        status="executed",
        reason="保存期满",
        requested_by=ivan,
        requested_at=NOW,
        decided_at=NOW,
        executed_by=ivan,
        executed_at=NOW,
    )
    for step, approver in (("information_manager", ivan), ("customer_service_manager", mike)):
        r.add(
            "retention.DestructionApproval",
            request=destruction,
            step=step,
            approver=approver,
            decision="approve",
            reason="同意",
            decided_at=NOW,
        )
    r.add(
        "retention.DestructionItem",
        request=destruction,
        kind="customer",
        object_id=987654,
        record_class="customer_no_policy",
        label="客户 987654",
        outcome="destroyed",
    )
    r.add(
        "retention.DestructionCertificate",
        request=destruction,
        executed_at=NOW,
        executed_by=ivan,
        requested_by=ivan,
        approved_by_information_manager=ivan,
        approved_by_customer_service_manager=mike,
        customer_ids=[987654],
        problem_item_ids=[],
        kept=[],
        counts={"customer": 1},
    )
    r.add(
        "retention.InspectionRecord",
        period="2026-Q4",
        performed_by=ivan,
        performed_label="ivan",
        performed_at=NOW,
        ok=True,
        results={"checked": 1},
    )

    # incidents and their notices, file-read counts
    incident = r.add(
        "incidents.LeakIncident",
        status="reported",
        certainty="suspected",
        source="staff",
        reported_by=carol,
        reported_at=NOW,
        description="名单外泄",
        data_types=["phone"],
        cause="",
        possible_harm="",
        dismissed_reason="",
        regulator_authority="国家金融监督管理总局",
        regulator_notified_on=TODAY,
        regulator_reference="REG-1",
        individuals_notified_on=TODAY,
        individuals_channel="sms",
        notice_data_types="电话号码",
        notice_cause_and_harm="",
        notice_remedial_measures="",
        notice_individual_measures="",
        notice_contact="95500",
        individuals_not_notified_reason="",
    )
    r.add(
        "incidents.RemediationStep",
        incident=incident,
        action="重置口令",
        taken_by=ivan,
        taken_at=NOW,
    )
    r.add("incidents.FileReadDay", day=TODAY, users=1, counted_at=NOW)
    r.add("incidents.FileReadCount", day=TODAY, actor_id=alice.pk, files=12)

    # notices (notifications), sign-in records, the calendar
    r.add(
        "notify.Notification",
        recipient=carol,
        kind="problem_item_distributed",
        title_zh="新的问题件",
        title_en="New problem item",
        body_zh="",
        body_en="",
        link=f"/problems/{item.pk}/",
        email_error="",
    )
    r.add("signin.LoginFailure", username="alice", ip="198.51.100.7", at=NOW)
    r.add(
        "signin.LoginLockout",
        kind="address",
        key="198.51.100.7",
        failures=30,
        started_at=NOW,
        until=NOW + timedelta(minutes=15),
    )
    r.add_or_get("workcal.CalendarDay", {"date": date(2026, 10, 1)}, kind="holiday", name="国庆节")
    r.add_or_get("workcal.CalendarYear", {"year": 2026}, complete=True, note="")

    # the audit trail (append-only: inserted once, never changed)
    AuditEvent = apps.get_model("audit", "AuditEvent")
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    r.add(
        "audit.AuditEvent",
        seq=last + 1,
        occurred_at=NOW,
        actor_id=alice.pk,
        actor="alice",
        action="customer_view",
        object_type="customer",
        object_id=str(customer.pk),
        customer_id=customer.pk,
        purpose="service",
        ip="198.51.100.7",
        detail="{}",
        prev_hash="0" * 64,
        hash="1" * 64,
    )
    r.add(
        "audit.ChainVerification",
        requested_by="auditor",
        requested_ip="198.51.100.7",
        requested_at=NOW,
        updated_at=NOW,
        head_hash="",
        error="",
    )
    keys = {
        "customer": customer.pk,
        "document": document.pk,
        "phone": phone.pk,
        "account": account.pk,
        "policy": policy.pk,
        "role": role.pk,
        "member": member.pk,
        "grant": grant.pk,
        "department": department.pk,
        "seller": seller.pk,
    }
    return r, keys


def table_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table == "django_migrations":
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def owner(table: str) -> type[Model]:
    """The current model that owns ``table``, whatever app it lives in now."""
    owners = [m for m in current_apps.get_models() if m._meta.db_table == table]
    assert len(owners) == 1, f"{table}: owned by {owners}"
    return owners[0]


def raw(table: str, column: str, pk: Any) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {connection.ops.quote_name(column)} FROM {connection.ops.quote_name(table)}"
            " WHERE id = %s",
            [pk],
        )
        found = cursor.fetchone()
    assert found is not None, f"{table} row {pk} is gone"
    return found[0]


@pytest.fixture
def back_to_latest() -> Iterator[None]:
    """Whatever happens in the test, the database ends at the latest migrations."""
    yield
    migrate(latest_targets())


@pytest.mark.django_db(transaction=True)
def test_data_from_before_issue_11_survives_the_forward_migration(back_to_latest):
    executor = migrate(targets_before(MigrationExecutor(connection)))
    # the state at the old leaves (an app migrated to zero has no node to name)
    old_leaves = [(app, name) for app, name in targets_before(executor) if name is not None]
    old_apps = executor.loader.project_state(old_leaves).apps
    rows, keys = fill(old_apps)
    before = table_counts()
    filled = {table for table, _, _ in rows.made}
    assert all(before[table] > 0 for table in filled)
    moving = {table: moved_rows(table) for table in MOVED}
    assert all(moving.values())

    migrate(latest_targets())

    after = table_counts()
    lost_tables = sorted(set(before) - set(after) - set(MOVED))
    assert not lost_tables, f"tables gone: {lost_tables}"
    stayed = set(before) & set(after)
    fewer = {t: (before[t], after[t]) for t in stayed if after[t] < before[t]}
    assert not fewer, f"rows lost (before, after): {fewer}"
    # business tables: exactly the rows we put in (no migration may add or drop any)
    changed = {t: (before[t], after[t]) for t in filled & stayed if after[t] != before[t]}
    assert not changed, f"row counts changed (before, after): {changed}"
    missing = [
        (table, pk)
        for table, column, pk in rows.made
        if table not in MOVED and not exists(table, column, pk)
    ]
    assert not missing, f"rows gone: {missing}"
    # the moved rows: every one in its new table
    lost = [
        (table, row)
        for table, rows_of in moving.items()
        for row in rows_of
        if not found_in_engine(MOVED[table], row)
    ]
    assert not lost, f"moved rows not found: {lost}"

    # values, read through whichever current model owns each table
    customer = owner("customers_customer").objects.get(pk=keys["customer"])
    assert customer.name == "王芳"
    assert customer.confidentiality == "confidential"
    document = owner("customers_identitydocument").objects.get(pk=keys["document"])
    assert document.number == ID_NUMBER  # still decrypts
    assert ID_NUMBER not in str(raw("customers_identitydocument", "number", keys["document"]))
    assert document.customer_id == customer.pk
    assert owner("customers_phone").objects.get(pk=keys["phone"]).number == PHONE
    account = owner("customers_bankaccount").objects.get(pk=keys["account"])
    assert (account.number, account.holder_id_number) == (ACCOUNT, ID_NUMBER)
    seller = owner("sales_seller").objects.get(pk=keys["seller"])
    assert owner("sales_sellercontact").objects.get(seller=seller).value == SELLER_PHONE
    policy = owner("policies_policy").objects.get(pk=keys["policy"])
    assert (policy.product.code, policy.seller.code, policy.payer_account.pk) == (
        "WL-20",
        "AG00017",
        account.pk,
    )
    role = owner("policies_policyrole").objects.get(pk=keys["role"])
    assert (role.policy.pk, role.customer.name) == (policy.pk, "王芳")
    member = owner("detection_problemitemmember").objects.get(pk=keys["member"])
    assert (member.item.rule, member.customer.pk, member.policy.pk) == (
        "SHARED_PHONE",
        customer.pk,
        policy.pk,
    )
    grant = owner("access_accessgrant").objects.get(pk=keys["grant"])
    assert (grant.customer.pk, grant.holder.username, grant.request.status) == (
        customer.pk,
        "alice",
        "approved",
    )
    profile = owner("access_staffprofile").objects.get(user__username="alice")
    assert profile.department.pk == keys["department"]
    assert profile.department.head.username == "mike"


#: Tables whose rows a migration of issue 11 moves into another app's table (the decisions on
#: access and destruction requests, into the approvals engine), with the owner label the
#: engine files them under: each row must be found there instead, with the same facts.
MOVED: dict[str, str] = {
    "access_approval": "access_request",
    "retention_destructionapproval": "destruction_request",
}


def moved_rows(table: str) -> list[tuple[Any, ...]]:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT request_id, step, approver_id, decision, reason FROM {quote(table)}"
        )
        return list(cursor.fetchall())


def found_in_engine(owner_label: str, row: tuple[Any, ...]) -> bool:
    request_id, step, approver_id, decision, reason = row
    found = owner("approvals_approvaldecision").objects.filter(
        request__owner_label=owner_label,
        request__owner_id=request_id,
        step=step,
        decider_id=approver_id,
        approve=decision == "approve",
        reason=reason,
    )
    return bool(found.exists())


def exists(table: str, column: str, pk: Any) -> bool:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {quote(table)} WHERE {quote(column)} = %s", [pk])
        return cursor.fetchone() is not None
