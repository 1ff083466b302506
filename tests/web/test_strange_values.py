"""Nothing stored can break a page (issue 10, point 2): the strangest value every field
accepts is stored, then every page of the staff web app and every export is rendered for
every role — no server error, no unescaped markup, the exports answer.

The pages are found by walking the URL configuration, so a new page is rendered here too;
a page whose address takes a value must get one from ``arguments`` (or be listed among the
POST-only steps or the records not made here)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from tests.conftest import base_application, resident_id
from tests.web.factories import seller_for
from tests.web.test_problems import approve_export
from veracity.audit.services import Actor
from veracity.cases.models import ProblemItem
from veracity.conduct.models import Complaint, Penalty
from veracity.customers.models import Customer
from veracity.demo.accounts import DEMO_USERS
from veracity.detection.services import detection_run
from veracity.inquiry.models import ThirdPartyBasis
from veracity.notify.models import Notification
from veracity.policies.models import Policy
from veracity.policies.services import applications_store
from veracity.sales.models import Seller

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 26)
SCRIPT = "<script>alert(1)</script>"
RARE = "\U0002a6a5"  # 𪚥, missing from Noto CJK SC

#: Application (and product) numbers at the edges of the allow-list
#: ``[A-Za-z0-9][A-Za-z0-9_.-]{0,39}``.
NUMBERS = ["A", "9.-_x", "Z" * 40, "a..b", "0-0.0_0", "b" * 39 + "."]
#: The strangest names a 100-character field holds.
NAMES = [
    SCRIPT,
    RARE * 3 + "王",
    "龘" * 100,
    'O\'Brien "Jr" & <b>Sons</b>',
    "{{ request.user }}{% now 'Y' %}",
    "😀👨‍👩‍👧 李" + "\u200d",
    "محمد بن علي",
    '=HYPERLINK("http://x.example","x")',
]
ADDRESS = ("北京市" + SCRIPT + RARE + "'\"{{ x }}" + "😀" + "شارع")[:300]
ADDRESS = ADDRESS + "路" * (300 - len(ADDRESS))
#: A stored value no entry path accepts any longer, as older data may hold it.
LEGACY_NUMBER = "A/B\n?#%&" + SCRIPT
SHARED_PHONE = "13900139000"


def strange_application(i: int, no: str) -> dict[str, Any]:
    app = base_application(no)
    name = NAMES[i % len(NAMES)]
    birth = f"19{70 + i}-01-0{1 + i % 9}"
    app["product"] = {
        "code": NUMBERS[(i + 1) % len(NUMBERS)][:32],  # product codes hold 32
        "type": "ordinary_life",
        "term_years": 20,
        "name": (SCRIPT + RARE + "“终身”寿险")[:200],
    }
    app["policyholder"].update(
        name=name,
        sex="M" if i % 2 else "F",
        birth_date=birth,
        id_number=resident_id("110101", birth, 2 * i + (1 if i % 2 else 0)),
        address=ADDRESS,
        phones=[SHARED_PHONE] if i < 2 else [f"1380013{i:04d}"],
        email="o'brien+{{x}}@example.com",
    )
    app["insured"] = {"relation": "self"}
    app["beneficiaries"] = [
        {"relation": "other", "name": NAMES[(i + 1) % len(NAMES)], "share": 100}
    ]
    app["payer_account"] = {
        "number": f"6222020200{i:09d}",
        "holder_name": NAMES[(i + 2) % len(NAMES)],
        "holder_id_number": app["policyholder"]["id_number"],
    }
    if i % 3 == 2:
        app["policyholder"]["phones"] = []  # fails the gate: a supplement request is open
    return app


@pytest.fixture
def strange(personas) -> dict[str, Any]:
    seller_for(personas["alice"])
    apps = [strange_application(i, no) for i, no in enumerate(NUMBERS)]
    apps.append(strange_application(len(NUMBERS), "LEGACY1"))
    results = applications_store(apps, source="ui", actor=Actor.system("test"), as_of=TODAY)
    assert all(isinstance(getattr(r, "policy", None), Policy) for r in results), results
    Policy.objects.filter(application_no="LEGACY1").update(application_no=LEGACY_NUMBER)
    # Two strangers on one phone: a problem item whose members carry the strange names.
    detection_run(business_date=TODAY, full=True, actor=Actor.system("test"))
    item = ProblemItem.objects.filter(rule="SHARED_PHONE").first()
    assert item is not None
    approval = approve_export(personas["sam"], personas["ivan"])
    # a complaint against the strange seller, with strange words
    Complaint.objects.create(
        complaint_no="TS-" + NUMBERS[2][:30],
        received_on=TODAY,
        seller=Seller.objects.filter(user=personas["alice"]).first(),
        category="misselling",
        summary=SCRIPT + RARE,
        verified=True,
        verified_on=TODAY,
        status="verified",
        basis=SCRIPT,
    )
    # a penalty to decide and one in force, on the strangest seller, with a strange note
    seller = Seller.objects.order_by("pk").last()
    Penalty.objects.create(seller=seller, reason="false_data", measure="", note=SCRIPT)
    Penalty.objects.create(
        seller=seller,
        reason="other",
        measure="warning",
        status="imported",
        decided_on=TODAY,
        note=NAMES[-1],
    )
    compliance = _strange_compliance_action(personas, item)
    return {
        "compliance": compliance,
        "policies": list(Policy.objects.all()),
        "customers": list(Customer.objects.filter(name__in=NAMES)),
        "item": item,
        "approval": approval,
    }


def _strange_compliance_action(personas: dict[str, Any], item: ProblemItem) -> Any:
    """A rectification demand against a seller with a strange name, in strange words, owned
    by henry, with a follow-up (SF-6)."""
    from veracity.conduct.actions import compliance_action_record, compliance_follow_up_add
    from veracity.org.principals import Staff
    from veracity.sales.models import Seller, SellerKind

    Seller.objects.create(code="STRANGE-1", kind=SellerKind.AGENCY, name=NAMES[0] + RARE)
    action = compliance_action_record(
        principal=Staff(personas["dave"]),
        kind="rectification",
        text=ADDRESS,
        seller_code="STRANGE-1",
        due_on=TODAY,
        owner_id=personas["henry"].pk,
        item_ids=[item.pk],
        as_of=TODAY,
    )
    compliance_follow_up_add(
        principal=Staff(personas["henry"]), action_id=action.pk, note=NAMES[4], done=True
    )
    return action


def arguments(strange: dict[str, Any]) -> dict[str, list[Any]]:
    """Values for the converters of the addresses that take one."""
    note = Notification.objects.order_by("pk").first()
    return {
        "customer_id": [c.pk for c in strange["customers"]],
        "policy_id": [p.pk for p in strange["policies"]],
        "item_id": [strange["item"].pk],
        "pk": [strange["approval"].pk],
        "notification_id": [note.pk] if note else [],
        "fmt": ["xlsx", "csv"],
        "seller_id": list(Seller.objects.values_list("pk", flat=True)),
        "complaint_id": list(Complaint.objects.values_list("pk", flat=True)),
        "penalty_id": list(Penalty.objects.order_by("pk").values_list("pk", flat=True)),
        "action_id": [strange["compliance"].pk],
        # verified inquiry: an inquiry nobody verified (not found), the legal bases made
        "inquiry_id": ["no-such-inquiry", "x" * 60],
        "basis_id": list(ThirdPartyBasis.objects.values_list("pk", flat=True)),
    }


#: Steps taken by POST (each has its own tests); a GET of them is refused, never rendered.
POST_ONLY = {
    "case_act",
    "case_callback",
    "compliance_act",
    "case_queue_filter_delete",
    "grant_return",
    "penalty_act",
    "incident_act",
    "retention_hold_lift",
    "retention_request_approve",
    "retention_request_reject",
    "retention_request_execute",
    "seller_relative_add",
    "regulator_report_review",
    "regulator_report_correct",
    "regulator_report_file",
    "inquiry_basis_decide",
    "inquiry_consent",
}
#: Records this test does not make (an incident, an evidence file, a destruction request,
#: its certificate, an inspection); their lists are rendered, their pages have own tests.
NOT_MADE_HERE = {
    "case_evidence",
    "incident_detail",
    "incident_reported",
    "retention_request",
    "retention_certificate",
    "retention_inspection",
    "regulator_report",
    "regulator_report_download",
}


def web_patterns() -> list[URLPattern]:
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "web":
            return [p for p in entry.url_patterns if isinstance(p, URLPattern)]
    raise AssertionError("no web URLs")


def urls(strange: dict[str, Any]) -> list[str]:
    values = arguments(strange)
    out: list[str] = []
    for pattern in web_patterns():
        names = list(pattern.pattern.converters)
        if pattern.name in {"logout"}:
            continue
        if not names:
            out.append(reverse(f"web:{pattern.name}"))
            continue
        if pattern.name in POST_ONLY | NOT_MADE_HERE:
            continue
        assert len(names) == 1 and names[0] in values, (
            f"give web:{pattern.name} a value for {names} in arguments(), or list it"
        )
        out.extend(reverse(f"web:{pattern.name}", args=[v]) for v in values[names[0]])
    return out


def extra_urls(strange: dict[str, Any]) -> list[str]:
    """The pages again with the parameters that show the strange values."""
    customers = [c.pk for c in strange["customers"]]
    return [
        *(f"/customers/{pk}/?purpose=callback" for pk in customers),
        "/applications/?verdict=fail",
        "/applications/?verdict=pass&page=2",
        f"/customers/?kind=name&query={NAMES[1]}",
        f"/problems/?seller={NUMBERS[2]}",
        "/problems/?rule=SHARED_PHONE",
        "/audit/?q=A",
        "/penalties/?status=proposed&reason=false_data",
        "/assessment/?scope=agency&period=2026Q4",
        f"/penalties/new/?seller={NUMBERS[2]}",
        "/compliance/?overdue=1",
        f"/compliance/?target={NUMBERS[2]}",
        f"/compliance/sellers/?seller={NAMES[0]}",
        "/compliance/new/?seller=STRANGE-1&item=%3Cx%3E",
        "/inquiries/usage/?from=2026-01&to=2026-12",
        "/inquiries/usage/?from=%3Cx%3E",
        "/inquiries/usage/export.xlsx?from=2026-01&to=2026-03",
    ]


OK = {200, 302, 400, 403, 404, 405}


@pytest.mark.parametrize("username", [u for u, _, _ in DEMO_USERS])
def test_every_page_renders_the_strangest_values_for_every_role(login, personas, strange, username):
    client = login(personas[username])
    seen: dict[str, int] = {}
    for url in urls(strange) + extra_urls(strange):
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            assert response.status_code in OK, (url, response.status_code)
            seen[url] = response.status_code
            if response.get("Content-Type", "").startswith("text/html"):
                body = response.content.decode()
                assert "<script>alert" not in body, url
                assert "Traceback" not in body, url
    if username in {"sam", "dave", "admin"}:
        # Who sees every application sees the strange ones, escaped.
        listing = client.get("/applications/").content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing
        assert "Z" * 40 in listing and "a..b" in listing and "9.-_x" in listing
        legacy = Policy.objects.get(application_no=LEGACY_NUMBER)
        page = client.get(reverse("web:application_detail", args=[legacy.pk]))
        assert page.status_code == 200
        assert "A/B" in page.content.decode()
    assert seen, "no page rendered"


def test_the_agent_home_page_lists_strange_open_supplement_requests(login, personas, strange):
    body = login(personas["alice"]).get("/").content.decode()
    assert "a..b" in body  # the third application fails the gate
    assert "<script>alert" not in body


@pytest.mark.parametrize(
    ("username", "url", "kind"),
    [
        ("sam", "/problems/export.xlsx", "xlsx"),
        ("audrey", "/audit/export.xlsx", "xlsx"),
        ("audrey", "/audit/export.csv", "csv"),
        ("admin", "/audit/export.csv", "csv"),
    ],
)
def test_exports_answer_with_the_strangest_values(login, personas, strange, username, url, kind):
    response = login(personas[username]).get(url)
    assert response.status_code == 200, response.content[:500]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if kind == "xlsx":
        rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
        text = "\n".join(str(v) for row in rows for v in row if v is not None)
    else:
        text = content.decode("utf-8-sig")
    assert text.strip()
    if url.startswith("/problems"):
        assert len(rows) > 2, "the shared phone's item is listed"
    else:
        assert "Z" * 40 in text and "a..b" in text  # the trail names the applications stored
