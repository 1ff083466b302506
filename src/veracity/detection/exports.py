"""The problem-item list as an Excel workbook (XlsxWriter): one row per member, masked values
only, bilingual headers, a title row naming the business date and when it was generated.
Written through :mod:`veracity.core.sheets`: a reason or an application number that looks like
a formula stays text, and every number in it (item, customer, archive, application, policy
numbers) is an identifier, written as text."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from veracity.cases.listing import MemberRow, ProblemItemRow, ProblemList
from veracity.core.sheets import TextSheet, workbook

__all__ = ["COLUMNS", "problem_items_xlsx"]

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
