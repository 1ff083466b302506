"""The problem-item list as an Excel workbook (XlsxWriter): one row per member, masked values
only, bilingual headers, a title row naming the business date and when it was generated.
Written through :mod:`veracity.core.sheets`: a reason or an application number that looks like
a formula stays text, and every number in it (item, customer, archive, application, policy
numbers) is an identifier, written as text.

:func:`problem_items_export` is THE export of the list (D4.23), for the web page and the
command line alike: the person's approved export request, the list as that person may see it,
the ``EXPORT`` event and the watermark, in every format (xlsx, csv, JSON lines, a text table);
without the approval it is refused and the refusal recorded (``ACCESS_REFUSED``)."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Final

from django.db.models import Q
from django.utils import timezone

from veracity.access.exports import ExportRefused
from veracity.access.governance import export_authorisation, export_record
from veracity.access.models import AccessRequest
from veracity.access.policy import may, record_refusal
from veracity.audit.services import Actor
from veracity.cases.listing import MemberRow, ProblemItemRow, ProblemList, problem_items
from veracity.core.sheets import TextSheet, csv_row, workbook
from veracity.org.principals import Principal

__all__ = [
    "COLUMNS",
    "EXPORT_FORMATS",
    "ProblemItemsExport",
    "problem_items_export",
    "problem_items_xlsx",
]

#: The list's name in the export requests (``access.governance.EXPORTABLE``).
EXPORT_OF: Final = "problem_items"
ACTION: Final = "problems.export"
PURPOSE: Final = "problem_item"
#: format → (content type, file suffix)
EXPORT_FORMATS: Final[Mapping[str, tuple[str, str]]] = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "json": ("application/x-ndjson; charset=utf-8", "jsonl"),
    "table": ("text/plain; charset=utf-8", "txt"),
}

BASIS_LABELS = {"3_working_days": "3个工作日 / 3 working days", "callback": "回访日 / callback"}

#: (header zh, header en, width)
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("问题件编号", "Item", 8),
    ("规则代码", "Rule code", 18),
    ("规则", "Rule", 30),
    ("严重程度", "Severity", 9),
    ("状态", "Status", 8),
    ("共用信息（脱敏）", "Shared value (masked)", 20),
    ("原因", "Reason", 50),
    ("首次发现日", "First seen", 12),
    ("最近发现日", "Last seen", 12),
    ("下发日", "Distributed", 12),
    ("调查截止日", "Investigation deadline", 14),
    ("截止依据", "Deadline basis", 22),
    ("暂定", "Provisional", 8),
    ("客户编号", "Customer id", 10),
    ("客户姓名（脱敏）", "Customer name (masked)", 14),
    ("档案号", "Archive no.", 14),
    ("投保单号", "Application no.", 16),
    ("保单号", "Policy no.", 16),
    ("渠道", "Channel", 14),
    ("销售人员代码", "Agent code", 12),
    ("犹豫期回访日", "Callback due", 12),
)


def _row(item: ProblemItemRow, member: MemberRow | None) -> list[Any]:
    return [
        item.id,
        item.rule,
        item.rule_name,
        item.severity,
        item.status,
        item.shared_value,
        item.reason,
        item.first_seen_on,
        item.last_seen_on,
        item.distributed_on,
        item.deadline,
        BASIS_LABELS.get(item.deadline_basis, item.deadline_basis),
        "是 / yes" if item.deadline_provisional else "",
        member.customer_id if member else "",
        member.name if member else "",
        member.archive_no if member else "",
        member.application_no if member else "",
        member.policy_no if member else "",
        member.channel_label if member else "",
        member.seller_code if member else "",
        member.callback_due_on if member and member.callback_due_on else "",
    ]


def problem_items_xlsx(
    listing: ProblemList, *, generated_at: datetime, watermark: str = ""
) -> bytes:
    """The workbook's bytes. Row 1 is the title, row 2 the headers (frozen, autofiltered),
    then one row per member (an item without members still gets one row). ``watermark``
    (who exported it, why, when, under which approval — D4.23) is printed in the header and
    footer of every page and kept in the document properties."""
    buffer = io.BytesIO()
    book = workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("问题件清单")
    if watermark:
        book.set_properties({"comments": watermark, "keywords": "watermark"})
        text = watermark.replace("&", "&&")
        sheet.set_header(f"&L&8{text}")
        sheet.set_footer(f"&L&8{text}&R&P / &N")
    title = book.add_format({"bold": True, "font_size": 13})
    header = book.add_format(
        {"bold": True, "bg_color": "#DDE4EE", "text_wrap": True, "valign": "top", "border": 1}
    )
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    business = listing.business_date.isoformat() if listing.business_date else "全部 / all"
    cells = TextSheet(sheet, date_format=day)  # no quantities: every number is an id
    cells.text(
        0,
        0,
        f"可疑客户信息资料问题件清单 / Problem items — 业务日期 business date: {business} — "
        f"生成时间 generated: {generated_at:%Y-%m-%d %H:%M:%S}",
        title,
    )
    for col, (zh, en, width) in enumerate(COLUMNS):
        cells.text(1, col, f"{zh}\n{en}", header)
        sheet.set_column(col, col, width, wrap if en == "Reason" else None)
    sheet.set_row(1, 32)
    row = 2
    for item in listing.items:
        for member in item.members or (None,):
            cells.row(row, _row(item, member))
            row += 1
    sheet.autofilter(1, 0, max(row - 1, 1), len(COLUMNS) - 1)
    sheet.freeze_panes(2, 0)
    book.close()
    return buffer.getvalue()


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def problem_items_csv(listing: ProblemList, *, watermark: str) -> bytes:
    """The list as CSV (UTF-8 with BOM): the watermark first, then the bilingual headers and
    one row per member; a text a spreadsheet would take for a formula gets an apostrophe."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(csv_row([watermark]))
    writer.writerow(csv_row(f"{zh} / {en}" for zh, en, _width in COLUMNS))
    for item in listing.items:
        for member in item.members or (None,):
            writer.writerow(csv_row(_cell(v) for v in _row(item, member)))
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def item_json(item: ProblemItemRow) -> dict[str, Any]:
    """One item as the JSON lines carry it (masked, as on the page)."""
    data = asdict(item)
    data["callback_due_on"] = item.callback_due_on
    return data


def problem_items_json(listing: ProblemList, *, watermark: str) -> bytes:
    """One JSON object a line and item, each carrying the watermark."""
    return "".join(
        json.dumps({**item_json(item), "watermark": watermark}, ensure_ascii=False, default=str)
        + "\n"
        for item in listing.items
    ).encode("utf-8")


def problem_items_table(listing: ProblemList, *, watermark: str) -> bytes:
    """A plain text table for the terminal: the watermark, then one line a member."""
    lines = [watermark, "\t".join(f"{zh}/{en}" for zh, en, _w in COLUMNS)]
    for item in listing.items:
        for member in item.members or (None,):
            lines.append("\t".join(_cell(v) for v in _row(item, member)))
    return "".join(line + "\n" for line in lines).encode("utf-8")


@dataclass(frozen=True, slots=True)
class ProblemItemsExport:
    """A made export: its bytes, its watermark and the approval it was made under."""

    data: bytes
    fmt: str
    watermark: str
    request: AccessRequest
    items: int
    generated_at: datetime

    @property
    def content_type(self) -> str:
        return EXPORT_FORMATS[self.fmt][0]

    @property
    def filename(self) -> str:
        return f"problem-items-{self.generated_at:%Y%m%d-%H%M%S}.{EXPORT_FORMATS[self.fmt][1]}"


def _purposed(principal: Principal) -> Principal:
    return dataclasses.replace(principal, purpose=PURPOSE)


def problem_items_authorisation(
    *, principal: Principal, request_id: int | None = None, via: str = "web"
) -> AccessRequest:
    """The approved export request under which ``principal`` may export the problem-item
    list now — or :class:`~veracity.access.exports.ExportRefused`, recorded first as
    ``ACCESS_REFUSED`` (action ``problems.export``, object ``problem_items``/``list``,
    ``via`` the surface): ``action`` when the person may never export it,
    ``request_required`` when no approved request is held, ``not_approved`` when
    ``request_id`` names another than the one in force."""

    def refuse(code: str, field: str, **detail: Any) -> ExportRefused:
        record_refusal(
            actor=Actor.of_principal(principal),
            action=ACTION,
            object_type=EXPORT_OF,
            object_id="list",
            detail={"code": code, "via": via, **detail},
        )
        return ExportRefused(code, field, **detail)

    if not may(principal, ACTION):
        raise refuse("action", "as")
    approval = export_authorisation(EXPORT_OF, principal=principal)
    if approval is None:
        raise refuse("request_required", "request")
    if request_id is not None and approval.pk != request_id:
        raise refuse("not_approved", "request", request=request_id)
    return approval


def problem_items_export(
    *,
    principal: Principal,
    fmt: str = "xlsx",
    request_id: int | None = None,
    via: str = "web",
    filters: Mapping[str, Any] | None = None,
    where: Q | None = None,
    order: str = "newest",
) -> ProblemItemsExport:
    """Export the problem-item list as ``principal`` may see it, under their approved export
    request (:func:`problem_items_authorisation`; ``request_id``, when given, must be that
    one), in ``fmt`` (:data:`EXPORT_FORMATS`). ``filters`` are ``cases.listing.problem_items``'s
    (``business_date``, ``rule``, ``channel``, ``seller_code``, ``status``, ``stage``; a
    wrong one raises ``ListingError`` and nothing is exported); ``where``/``order`` narrow
    it to a work queue. The export is recorded (``EXPORT``) and every format carries the
    watermark of its approval."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    approval = problem_items_authorisation(principal=principal, request_id=request_id, via=via)
    listing = problem_items(
        principal=principal if principal.purpose else _purposed(principal),
        action=ACTION,
        where=where,
        order="due" if order == "due" else "newest",
        **dict(filters or {}),
    )
    watermark = export_record(
        principal=principal,
        request=approval,
        what=EXPORT_OF,
        rows=sum(max(1, len(item.members)) for item in listing.items),
    )
    now = timezone.localtime()
    if fmt == "xlsx":
        data = problem_items_xlsx(listing, generated_at=now, watermark=watermark)
    elif fmt == "csv":
        data = problem_items_csv(listing, watermark=watermark)
    elif fmt == "json":
        data = problem_items_json(listing, watermark=watermark)
    else:
        data = problem_items_table(listing, watermark=watermark)
    return ProblemItemsExport(
        data=data,
        fmt=fmt,
        watermark=watermark,
        request=approval,
        items=len(listing.items),
        generated_at=now,
    )
