"""Every entry path parses a record through the one schema: the API (422, never 500), the
import (a rejected row with its line, the others stored), ``veracity gate`` (a rejected
verdict). The same records, the same words."""

from __future__ import annotations

import csv
import json
from io import StringIO
from typing import Any

import psycopg
import pytest
from django.core.management import call_command

from veracity.customers.models import Customer
from veracity.policies import services
from veracity.policies.models import GateCheck, Policy

pytestmark = pytest.mark.django_db

# (change, field named): each was stored, coerced or cut before the one schema (issue 10).
BAD = [
    ({"policyholder__phones": "13800000000"}, "policyholder.phones"),
    ({"application_no": 12345.5}, "application_no"),
    ({"beneficiaries": {"name": "李强"}}, "beneficiaries"),
    ({"policyholder__name": "王" * 101}, "policyholder.name"),
    ({"policyholder__name": "王\u0000芳"}, "policyholder.name"),
    ({"insured__name": "李\n明"}, "insured.name"),
    ({"application_no": "A/2026/1"}, "application_no"),
    ({"application_no": "A\u00001"}, "application_no"),
    ({"application_no": "A\n1"}, "application_no"),
    ({"channel": "pigeon"}, "channel"),
    ({"policyholder__id_type": "驾驶证"}, "policyholder.id_type"),
    ({"product__term_years": "20"}, "product.term_years"),
]


def _bad(make_application, change: dict[str, Any]) -> dict[str, Any]:
    return make_application("A1", **change)


@pytest.mark.parametrize(("change", "field"), BAD)
@pytest.mark.parametrize("path", ["/applications", "/applications/check"])
def test_the_api_answers_422_naming_the_field_and_stores_nothing(
    api, make_application, change, field, path
):
    response = api.post(path, _bad(make_application, change))
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"][0]["field"] == field
    assert body["message_zh"] and body["message_en"]
    assert Policy.objects.count() == 0 and Customer.objects.count() == 0


@pytest.mark.parametrize(("change", "field"), BAD)
def test_the_import_rejects_the_row_with_its_line_and_stores_the_others(
    tmp_path, make_application, change, field
):
    path = tmp_path / "apps.jsonl"
    rows = [make_application("A0"), _bad(make_application, change), make_application("A2")]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    out = StringIO()
    call_command("import", "applications", str(path), stdout=out)
    summary, *errors = out.getvalue().splitlines()
    assert json.loads(summary)["created"] == 2 and json.loads(summary)["rejected"] == 1
    assert errors == [errors[0]] and errors[0].startswith(f"line 2: {field}: ")
    assert set(Policy.objects.values_list("application_no", flat=True)) == {"A0", "A2"}


@pytest.mark.parametrize(("change", "field"), BAD[:4])
def test_the_gate_command_calls_the_row_rejected(tmp_path, make_application, change, field):
    path = tmp_path / "apps.jsonl"
    path.write_text(json.dumps(_bad(make_application, change), ensure_ascii=False) + "\n")
    out = StringIO()
    call_command("gate", str(path), stdout=out, stderr=StringIO())
    verdict = json.loads(out.getvalue())
    assert verdict["verdict"] == "rejected"
    assert verdict["errors"][0]["field"] == field


def test_a_csv_cell_that_is_not_a_number_is_rejected_not_kept_as_text(tmp_path):
    from tests.conftest import base_application
    from veracity.core.records import flatten

    row = flatten(base_application("C1"))
    row["product.term_years"] = "twenty"
    path = tmp_path / "apps.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    out = StringIO()
    call_command("import", "applications", str(path), stdout=out)
    assert "line 2: product.term_years: expected a number" in out.getvalue()
    assert not Policy.objects.exists()


def test_an_application_twice_in_one_batch_is_stored_and_counted_once(tmp_path, make_application):
    first = make_application("A1")
    second = make_application("A1", policyholder__address="上海市黄浦区中山东一路1号")
    path = tmp_path / "apps.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [first, second]))
    out = StringIO()
    call_command("import", "applications", str(path), stdout=out)
    summary = json.loads(out.getvalue().splitlines()[0])
    assert (summary["created"], summary["updated"], summary["superseded"]) == (1, 0, 1)
    assert Policy.objects.count() == 1 and GateCheck.objects.count() == 1


def test_a_row_the_database_refuses_costs_only_itself(tmp_path, make_application, monkeypatch):
    """psycopg's own errors (COPY) reach the import unwrapped: the batch is retried row by row
    and the one row is reported with its line."""
    write_checks = services._write_checks

    def refuse_one(rows, *, source):
        if any(row.application_no == "A-BOOM" for row in rows):
            raise psycopg.errors.DataError("invalid byte sequence")
        return write_checks(rows, source=source)

    monkeypatch.setattr(services, "_write_checks", refuse_one)
    path = tmp_path / "apps.jsonl"
    numbers = ["A0", "A1", "A-BOOM", "A3"]
    path.write_text("\n".join(json.dumps(make_application(n), ensure_ascii=False) for n in numbers))
    out = StringIO()
    call_command("import", "applications", str(path), "--batch-size", "2", stdout=out)
    summary, *errors = out.getvalue().splitlines()
    assert json.loads(summary)["created"] == 3
    assert errors == [
        "line 3: -: the database refused this row (DataError) / 数据库拒绝了该行（DataError）"
    ]
    assert set(Policy.objects.values_list("application_no", flat=True)) == {"A0", "A1", "A3"}


def test_the_schemas_enumerations_are_the_registers():
    """The core schema cannot import the models; this keeps its lists equal to theirs."""
    from typing import get_args

    from veracity.core import gate
    from veracity.core.schema import CHANNELS, ProductTypeCode
    from veracity.policies.models import Channel, ProductType

    assert set(CHANNELS) == set(Channel.values)
    assert set(get_args(ProductTypeCode)) == set(ProductType.values) == gate.KNOWN_PRODUCT_TYPES
