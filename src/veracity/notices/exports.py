"""The effect report as an Excel workbook (aggregates only: no personal data), written
through the one export helper (text as text)."""

from __future__ import annotations

import io

from veracity.audit.models import Action
from veracity.audit.services import Actor, Event, audit_record
from veracity.core.sheets import TextSheet, workbook
from veracity.notices.selectors import (
    CHANNEL_WORDS,
    EFFECT_DAYS,
    EFFECT_WORDS,
    EffectReport,
    kind_words,
)
from veracity.org.principals import Principal


def effect_workbook(*, principal: Principal, report: EffectReport) -> bytes:
    """Two sheets: the notices per event, channel and month; the renewal reminders' effect."""
    out = io.BytesIO()
    book = workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True})
    pct = book.add_format({"num_format": "0.0%"})
    sheet = TextSheet(book.add_worksheet("通知送达"), numeric=(3, 4, 5))
    sheet.row(0, ["月份", "事件", "渠道", "已发送", "已送达", "发送失败"], bold)
    for i, f in enumerate(report.delivery, start=1):
        sheet.row(
            i,
            [
                f.month,
                kind_words(f.kind)[0],
                CHANNEL_WORDS.get(f.channel, (f.channel,))[0],
                f.sent,
                f.delivered,
                f.failed,
            ],
        )
    effect = TextSheet(book.add_worksheet("续期提醒效果"), numeric=(1, 2, 3))
    effect.row(0, ["短信通知", "续期保费应缴", f"{EFFECT_DAYS}天内到账", "到账比例"], bold)
    for i, e in enumerate(report.effect, start=1):
        effect.row(i, [EFFECT_WORDS[e.group][0], e.dues, e.paid])
        effect.cell(i, 3, round(e.share, 4), pct)
    book.close()
    audit_record(
        actor=Actor.of_principal(principal),
        event=Event(
            action=Action.EXPORT,
            object_type="notice_effect_report",
            purpose=principal.purpose,
            detail={
                "from": report.start.isoformat(),
                "to": report.end.isoformat(),
                "aggregates_only": True,
            },
        ),
    )
    return out.getvalue()
