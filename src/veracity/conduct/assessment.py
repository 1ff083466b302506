"""The assessment (考核) of sellers and agencies per period (SF-4, D1.22): applications, those
failing the truthfulness gate (per 100 applications), problem items, verified escalations and
penalties in force — for channel management's decisions (``assessment.view``).

Every figure is one GROUP BY in the database (a 10M-customer book in mind), never a query per
seller:

- applications: policies applied for in the period, by their seller (agents and specialists)
  or their agency;
- gate failures: those applications that failed the gate at least once (any gate check with
  the verdict ``fail``), and that count per 100 applications;
- problem items: items first seen in the period with a member policy of the seller (agency);
- verified escalations: escalations recorded against the seller (agency) in the period (an
  escalation is recorded when the findings are verified);
- penalties: penalties in force (approved or imported) decided in the period.

The Excel export goes through the export approval (``access.governance``: an approved
export request of the list ``assessment``) with the watermark of that approval, text written
as text (``core.sheets``).
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from typing import Any, Final

from django.db.models import Count, QuerySet
from django.utils import timezone

from veracity.access.exports import ExportRefused
from veracity.access.governance import export_authorisation, export_record
from veracity.access.models import AccessRequest
from veracity.access.policy import may, record_refusal
from veracity.audit.services import Actor
from veracity.cases.models import Escalation, ProblemItemMember
from veracity.conduct.models import Penalty
from veracity.core.assessment import Period, per_100
from veracity.core.refusals import Refusal
from veracity.core.sheets import TextSheet, workbook
from veracity.org.principals import Principal
from veracity.policies.models import Policy
from veracity.sales.models import Seller, SellerKind

__all__ = [
    "ACTION",
    "COLUMNS",
    "EXPORT_OF",
    "SCOPES",
    "AssessmentExport",
    "AssessmentRow",
    "assessment_export",
    "assessment_rows",
    "assessment_xlsx",
]

ACTION: Final = "assessment.view"
#: The list's name in the export requests (``access.governance.EXPORTABLE``).
EXPORT_OF: Final = "assessment"
#: scope → (the seller kinds assessed, the policy's field naming them)
SCOPES: Final = {
    "seller": ((SellerKind.AGENT, SellerKind.BANCA_SPECIALIST), "seller"),
    "agency": ((SellerKind.AGENCY,), "agency"),
}


@dataclass(frozen=True, slots=True)
class AssessmentRow:
    seller_id: int
    code: str
    name: str
    kind: str
    applications: int = 0
    gate_failed: int = 0
    problem_items: int = 0
    escalations: int = 0
    penalties: int = 0

    @property
    def gate_failed_per_100(self) -> Decimal | None:
        return per_100(self.gate_failed, self.applications)


def _refused(principal: Principal, code: str, field: str, via: str, **detail: Any) -> Refusal:
    record_refusal(
        actor=Actor.of_principal(principal),
        action=ACTION,
        object_type=EXPORT_OF,
        object_id="list",
        detail={"code": code, "via": via, **detail},
    )
    if code in ("action", "request_required", "not_approved"):
        return ExportRefused(code, field, **detail)
    return Refusal(code, field, **detail)


def _counts(rows: QuerySet[Any], key: str) -> dict[int, int]:
    return {r[key]: r["n"] for r in rows if r[key] is not None}


def _aware(period: Period) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(period.start, time.min, tzinfo=zone),
        datetime.combine(period.end, time.min, tzinfo=zone),
    )


def assessment_rows(
    *, principal: Principal, scope: str, period: Period, code: str = "", via: str = "web"
) -> list[AssessmentRow]:
    """The figures of every seller (``scope`` ``seller``) or agency (``agency``) with
    anything to count in ``period``, by code; ``code`` keeps one. Refused (audited) for a
    person who may not read the assessment."""
    if not may(principal, ACTION):
        raise _refused(
            principal,
            "penalty.not_allowed",
            "principal",
            via,
            what_zh="查看考核",
            what_en="read the assessment",
        )
    if scope not in SCOPES:
        raise Refusal("assessment.scope", "scope")
    kinds, field = SCOPES[scope]
    key = f"{field}_id"
    applied = Policy.objects.filter(
        applied_on__gte=period.start,
        applied_on__lt=period.end,
        **{f"{field}__kind__in": list(kinds)},
    )
    figures: dict[str, dict[int, int]] = {
        "applications": _counts(applied.values(key).annotate(n=Count("id")), key),
        "gate_failed": _counts(
            applied.filter(gate_checks__verdict="fail")
            .values(key)
            .annotate(n=Count("id", distinct=True)),
            key,
        ),
        "problem_items": _counts(
            ProblemItemMember.objects.filter(
                item__first_seen_on__gte=period.start,
                item__first_seen_on__lt=period.end,
                **{f"policy__{field}__kind__in": list(kinds)},
            )
            .values(f"policy__{key}")
            .annotate(n=Count("item_id", distinct=True)),
            f"policy__{key}",
        ),
    }
    start, end = _aware(period)
    figures["escalations"] = _counts(
        Escalation.objects.filter(
            escalated_at__gte=start, escalated_at__lt=end, seller__kind__in=list(kinds)
        )
        .values("seller_id")
        .annotate(n=Count("id")),
        "seller_id",
    )
    figures["penalties"] = _counts(
        Penalty.objects.filter(
            status__in=list(Penalty.IN_FORCE),
            decided_on__gte=period.start,
            decided_on__lt=period.end,
            seller__kind__in=list(kinds),
        )
        .values("seller_id")
        .annotate(n=Count("id")),
        "seller_id",
    )
    by_seller: dict[int, dict[str, int]] = defaultdict(dict)
    for name, counts in figures.items():
        for seller_id, n in counts.items():
            by_seller[seller_id][name] = n
    sellers = Seller.objects.filter(pk__in=list(by_seller))
    code = (code or "").strip()
    if code:
        sellers = sellers.filter(code=code)
    rows = [
        AssessmentRow(seller_id=pk, code=c, name=n, kind=k, **by_seller[pk])
        for pk, c, n, k in sellers.values_list("pk", "code", "name", "kind")
    ]
    rows.sort(key=lambda r: r.code)
    return rows


#: (header zh, header en, width)
COLUMNS: Final[tuple[tuple[str, str, int], ...]] = (
    ("代码", "Code", 14),
    ("名称", "Name", 24),
    ("投保单数", "Applications", 12),
    ("未通过真实性校验的投保单", "Failing the gate", 14),
    ("每百件未通过数", "Failing per 100", 12),
    ("问题件", "Problem items", 10),
    ("查实移交", "Verified escalations", 12),
    ("处罚", "Penalties", 10),
)
_NUMERIC: Final = frozenset({2, 3, 4, 5, 6, 7})


def assessment_xlsx(
    rows: Sequence[AssessmentRow],
    *,
    scope: str,
    period: Period,
    generated_at: datetime,
    watermark: str = "",
) -> bytes:
    """The workbook's bytes: a title row, bilingual headers, one row per seller or agency;
    codes and names always text (a name starting with ``=`` stays a name), counts numbers,
    the rate per 100 a number with one decimal."""
    buffer = io.BytesIO()
    book = workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("考核")
    if watermark:
        book.set_properties({"comments": watermark, "keywords": "watermark"})
        text = watermark.replace("&", "&&")
        sheet.set_header(f"&L&8{text}")
        sheet.set_footer(f"&L&8{text}&R&P / &N")
    title = book.add_format({"bold": True, "font_size": 13})
    header = book.add_format(
        {"bold": True, "bg_color": "#DDE4EE", "text_wrap": True, "valign": "top", "border": 1}
    )
    cells = TextSheet(sheet, numeric=_NUMERIC)
    whom = "销售人员 / Sellers" if scope == "seller" else "代理机构 / Agencies"
    cells.text(
        0,
        0,
        f"考核表 / Assessment — {whom} — {period.label_zh} / {period.label} — "
        f"生成时间 generated: {generated_at:%Y-%m-%d %H:%M:%S}",
        title,
    )
    for col, (zh, en, width) in enumerate(COLUMNS):
        cells.text(1, col, f"{zh}\n{en}", header)
        sheet.set_column(col, col, width)
    sheet.set_row(1, 32)
    for offset, row in enumerate(rows):
        rate = row.gate_failed_per_100
        cells.row(
            2 + offset,
            [
                row.code,
                row.name,
                row.applications,
                row.gate_failed,
                float(rate) if rate is not None else "",
                row.problem_items,
                row.escalations,
                row.penalties,
            ],
        )
    sheet.freeze_panes(2, 0)
    book.close()
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class AssessmentExport:
    data: bytes
    watermark: str
    request: AccessRequest
    rows: int
    generated_at: datetime

    content_type: str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    @property
    def filename(self) -> str:
        return f"assessment-{self.generated_at:%Y%m%d-%H%M%S}.xlsx"


def assessment_export(
    *,
    principal: Principal,
    scope: str,
    period: Period,
    code: str = "",
    request_id: int | None = None,
    via: str = "web",
) -> AssessmentExport:
    """The assessment as Excel, under the person's approved export request of the list
    ``assessment`` (D4.23); refused (audited ``ACCESS_REFUSED``) without one, or when
    ``request_id`` names another than the one in force."""
    if not may(principal, ACTION):
        raise _refused(principal, "action", "as", via)
    approval = export_authorisation(EXPORT_OF, principal=principal)
    if approval is None:
        raise _refused(principal, "request_required", "request", via)
    if request_id is not None and approval.pk != request_id:
        raise _refused(principal, "not_approved", "request", via, request=request_id)
    rows = assessment_rows(principal=principal, scope=scope, period=period, code=code, via=via)
    watermark = export_record(
        principal=principal,
        request=approval,
        what=f"assessment {scope} {period.label}",
        rows=len(rows),
    )
    now = timezone.localtime()
    data = assessment_xlsx(rows, scope=scope, period=period, generated_at=now, watermark=watermark)
    return AssessmentExport(
        data=data, watermark=watermark, request=approval, rows=len(rows), generated_at=now
    )
