"""The files of the quarterly regulator report: JSON, an Excel workbook and a PDF.

- JSON: the content (``regulator.regulator_report_build``) with the edition's facts
  (``edition``, ``status``, ``released_at``, ``reviewers``, ``content_sha256``).
- Excel: through ``core.sheets`` — every text cell written as text (a name starting with
  ``=`` stays text, never a formula), codes and long numbers as text, counts as numbers.
- PDF: WeasyPrint with the CJK fonts embedded — Noto Sans CJK SC first, then HanaMin
  (Debian ``fonts-hanazono``) for the rare name characters Noto lacks (e.g. U+2A6A5 𪚥).

The words are Chinese (the report goes to the regulator, 保监局, and the association): the
core's words of reasons and measures, the channel and kind labels in Chinese.
"""

from __future__ import annotations

import io
import json
from html import escape
from typing import Any, Final

from django.utils import timezone, translation

from veracity.conduct.models import RegulatorReport
from veracity.core.conduct import MEASURE_WORDS, REASON_WORDS, Measure, Reason
from veracity.core.sheets import TextSheet, workbook
from veracity.policies.models import Channel
from veracity.sales.models import SellerKind

__all__ = ["FONT_FAMILY", "kind_words", "measure_words", "reason_words", "render", "render_content"]

#: The PDF's fonts, in order: Noto Sans CJK SC, then HanaMin A/B for rare characters.
FONT_FAMILY: Final = '"Noto Sans CJK SC", "HanaMinA", "HanaMinB", sans-serif'

ESCALATED_WORDS: Final = ("经核实移交渠道管理部门及合规部门处理", "Verified and referred")
STATUS_WORDS: Final = {
    "unreleased": ("未发布（按当前数据生成）", "Not released (built from the data as of now)"),
    "released": ("已发布", "Released"),
    "superseded": ("已被更正版取代", "Superseded"),
}


def _zh(label: Any) -> str:
    with translation.override("zh-hans"):
        return str(label)


def reason_words(code: str, *, chinese: bool = True) -> str:
    words = REASON_WORDS.get(Reason(code)) if code in Reason._value2member_map_ else None
    return (words[0] if chinese else words[1]) if words else code


def measure_words(code: str, *, chinese: bool = True) -> str:
    if code == "escalated":
        return ESCALATED_WORDS[0] if chinese else ESCALATED_WORDS[1]
    words = MEASURE_WORDS.get(Measure(code)) if code in Measure._value2member_map_ else None
    return (words[0] if chinese else words[1]) if words else code


def kind_words(code: str) -> str:
    return _zh(SellerKind(code).label) if code in SellerKind.values else code


def channel_words(code: str) -> str:
    return _zh(Channel(code).label) if code in Channel.values else code


def _meta_of(report: RegulatorReport) -> dict[str, Any]:
    return {
        "edition": report.edition,
        "status": str(report.status),
        "released_at": timezone.localtime(report.released_at).isoformat(timespec="seconds")
        if report.released_at
        else None,
        "reviewers": report.reviewers,
        "content_sha256": report.content_sha256,
        "correction_of": report.correction_of.edition if report.correction_of else None,
        "correction_reason": report.correction_reason,
    }


def render(report: RegulatorReport, fmt: str) -> bytes:
    """The file ``fmt`` of an edition."""
    return render_content(report.content, fmt, meta=_meta_of(report))


def render_content(content: dict[str, Any], fmt: str, *, meta: dict[str, Any]) -> bytes:
    if fmt == "json":
        return _json(content, meta)
    if fmt == "xlsx":
        return _xlsx(content, meta)
    if fmt == "pdf":
        return _pdf(content, meta)
    raise ValueError(f"unknown format {fmt!r}")


def _json(content: dict[str, Any], meta: dict[str, Any]) -> bytes:
    document = {**content, **meta}
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode()


HEADERS: Final = (
    "代码",
    "名称",
    "类别",
    "渠道",
    "原因",
    "措施",
    "涉及保单件数",
    "首次认定日期",
    "最近认定日期",
    "所属代理机构",
)


def _row(entry: dict[str, Any]) -> list[object]:
    agency = entry.get("agency") or {}
    return [
        entry["code"],
        entry["name"],
        kind_words(entry["kind"]),
        channel_words(entry["channel"]),
        "；".join(reason_words(r) for r in entry["reasons"]),
        "；".join(measure_words(m) for m in entry["measures"]),
        int(entry["policies"]),
        entry["first_on"],
        entry["last_on"],
        f"{agency.get('code', '')} {agency.get('name', '')}".strip() if agency else "",
    ]


def _title(content: dict[str, Any], meta: dict[str, Any]) -> list[str]:
    status = STATUS_WORDS.get(str(meta.get("status")), (str(meta.get("status")), ""))[0]
    lines = [
        f"{content['quarter']} 季度提供虚假客户资料及拒绝提供真实资料情况报告",
        f"统计期间：{content['first_day']} 至 {content['last_day']}；"
        f"数据截止：{content['cut_off']}",
        f"版本：{meta.get('edition') or '—'}；状态：{status}",
    ]
    if meta.get("correction_of"):
        lines.append(f"更正第 {meta['correction_of']} 版：{meta.get('correction_reason', '')}")
    if meta.get("reviewers"):
        names = "、".join(str(r.get("name", "")) for r in meta["reviewers"])
        lines.append(f"审核人：{names}；发布时间：{meta.get('released_at') or ''}")
    return lines


def _xlsx(content: dict[str, Any], meta: dict[str, Any]) -> bytes:
    out = io.BytesIO()
    book = workbook(out, {"in_memory": True})
    book.set_properties({"title": f"{content['quarter']} regulator report"})
    bold = book.add_format({"bold": True})
    for sheet_name, key in (("销售人员", "sellers"), ("代理机构", "agencies")):
        sheet = TextSheet(book.add_worksheet(sheet_name), numeric={6})
        row = 0
        for line in _title(content, meta):
            sheet.text(row, 0, line, bold if row == 0 else None)
            row += 1
        row += 1
        sheet.row(row, HEADERS, bold)
        for entry in content[key]:
            row += 1
            sheet.row(row, _row(entry))
        sheet.sheet.set_column(0, 1, 18)
        sheet.sheet.set_column(4, 5, 36)
    book.close()
    return out.getvalue()


_CSS: Final = f"""
@page {{ size: A4 landscape; margin: 14mm 10mm; }}
body {{ font-family: {FONT_FAMILY}; font-size: 9pt; }}
h1 {{ font-size: 14pt; margin: 0 0 4pt; }}
h2 {{ font-size: 11pt; margin: 10pt 0 4pt; }}
p {{ margin: 1pt 0; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 0.5pt solid #666; padding: 2pt 3pt; vertical-align: top; }}
th {{ background: #eee; }}
thead {{ display: table-header-group; }}
"""


def _table(entries: list[dict[str, Any]]) -> str:
    if not entries:
        return "<p>无</p>"
    head = "".join(f"<th>{escape(h)}</th>" for h in HEADERS)
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in _row(e)) + "</tr>" for e in entries
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _pdf(content: dict[str, Any], meta: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    title, *lines = _title(content, meta)
    refused = [e for e in content["agencies"] if "refused_true_data" in e["reasons"]]
    false_agencies = [e for e in content["agencies"] if e not in refused]
    body = (
        f"<h1>{escape(title)}</h1>"
        + "".join(f"<p>{escape(line)}</p>" for line in lines)
        + "<h2>一、提供虚假客户资料的销售人员</h2>"
        + _table(content["sellers"])
        + "<h2>二、提供虚假客户资料的代理机构</h2>"
        + _table(false_agencies)
        + "<h2>三、拒绝提供客户真实资料的代理机构</h2>"
        + _table(refused)
    )
    html = (
        '<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>{body}</body></html>"
    )
    data: bytes = HTML(string=html).write_pdf()
    return data
