"""Charts drawn on the server as inline SVG: horizontal bars, stacked bars and a small line.

No script and no chart library: the page carries the SVG itself, so the chart prints, works
under the site's Content-Security-Policy (no inline style: colours are classes the site CSS
fills from its palette, ``.chart .c-<tone>``) and reads the same in every browser. Each chart
has a ``<title>`` and a ``<desc>`` naming every value, for screen readers and tooltips.

Labels are never cut: the label column is as wide as the widest label, measured with
:func:`text_width` (a CJK character one em, other characters about 0.6 em). A bar labelled
"未通" for 未通过 is the bug this avoids.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import count
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

__all__ = ["Bar", "Segment", "bar_chart", "sparkline", "stacked_bar_chart", "text_width"]

#: The tones the site CSS colours (``app.css``, ``.chart .c-…``).
TONES = ("brand", "pass", "fail", "warn", "info", "muted")

FONT = 13  # px, the labels' size
ROW = 24  # px per bar
GAP = 8
VALUE_ROOM = 64  # px right of the longest bar for its value
_ids = count(1)


def text_width(text: str, size: int = FONT) -> float:
    """The width in pixels a label takes at ``size`` px: wide (CJK, full-width) characters one
    em, the others 0.62 em — a slight overestimate, so a label always fits."""
    width = 0.0
    for ch in text:
        width += size if unicodedata.east_asian_width(ch) in ("W", "F") else 0.62 * size
    return width


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    tone: str = "brand"
    #: what the value is shown as ("12", "3.4"); the number itself when empty
    shown: str = ""


@dataclass(frozen=True, slots=True)
class Segment:
    """One part of a stacked bar; ``name`` appears in the legend."""

    name: str
    tone: str


def _svg(width: float, height: float, title: str, desc: str, body: list[str]) -> SafeString:
    uid = next(_ids)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'aria-labelledby="chart-t{uid} chart-d{uid}">'
        f'<title id="chart-t{uid}">{escape(title)}</title>'
        f'<desc id="chart-d{uid}">{escape(desc)}</desc>'
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 - every text escaped above


def bar_chart(
    bars: Sequence[Bar], *, title: str, width: int = 520, scale_max: float | None = None
) -> SafeString:
    """Horizontal bars, one per row, the label left (full length), the value right."""
    label_w = max((text_width(b.label) for b in bars), default=0) + GAP
    top = max([scale_max or 0, *(b.value for b in bars)]) or 1
    width = max(width, int(label_w + VALUE_ROOM + 120))
    track = width - label_w - VALUE_ROOM
    height = max(len(bars), 1) * ROW
    body: list[str] = []
    for i, b in enumerate(bars):
        y = i * ROW
        length = max(track * b.value / top, 2 if b.value else 0)
        tone = b.tone if b.tone in TONES else "brand"
        shown = b.shown or _number(b.value)
        body.append(
            f'<g class="chart-row"><title>{escape(b.label)}: {escape(shown)}</title>'
            f'<text class="chart-label" x="{label_w - GAP:.0f}" y="{y + ROW / 2 + 4:.0f}" '
            f'text-anchor="end">{escape(b.label)}</text>'
            f'<rect class="chart-track" x="{label_w:.0f}" y="{y + 4}" width="{track:.0f}" '
            f'height="{ROW - 8}" rx="3"/>'
            f'<rect class="c-{tone}" x="{label_w:.0f}" y="{y + 4}" width="{length:.1f}" '
            f'height="{ROW - 8}" rx="3"/>'
            f'<text class="chart-value" x="{label_w + length + 6:.0f}" y="{y + ROW / 2 + 4:.0f}">'
            f"{escape(shown)}</text></g>"
        )
    desc = "; ".join(f"{b.label}: {b.shown or _number(b.value)}" for b in bars)
    return _svg(width, height, title, desc, body)


def stacked_bar_chart(
    rows: Sequence[tuple[str, Sequence[float]]],
    *,
    segments: Sequence[Segment],
    title: str,
    width: int = 520,
) -> SafeString:
    """One horizontal bar per row, split into ``segments`` (their values in the same order),
    with a legend under the bars. A segment too narrow for its number shows it in its
    tooltip only."""
    label_w = max((text_width(label) for label, _v in rows), default=0) + GAP
    top = max((sum(values) for _l, values in rows), default=0) or 1
    width = max(width, int(label_w + VALUE_ROOM + 120))
    track = width - label_w - VALUE_ROOM
    legend_y = max(len(rows), 1) * ROW + 6
    body: list[str] = []
    for i, (label, values) in enumerate(rows):
        y = i * ROW
        x = label_w
        body.append(
            f'<text class="chart-label" x="{label_w - GAP:.0f}" y="{y + ROW / 2 + 4:.0f}" '
            f'text-anchor="end">{escape(label)}</text>'
        )
        for seg, value in zip(segments, values, strict=True):
            if not value:
                continue
            length = max(track * value / top, 2)
            tone = seg.tone if seg.tone in TONES else "brand"
            body.append(
                f'<rect class="c-{tone}" x="{x:.1f}" y="{y + 4}" width="{length:.1f}" '
                f'height="{ROW - 8}"><title>{escape(label)} · {escape(seg.name)}: '
                f"{_number(value)}</title></rect>"
            )
            shown = _number(value)
            if length >= text_width(shown, 11) + 6:
                body.append(
                    f'<text class="chart-inside" x="{x + length / 2:.1f}" '
                    f'y="{y + ROW / 2 + 4:.0f}" text-anchor="middle">{shown}</text>'
                )
            x += length
        body.append(
            f'<text class="chart-value" x="{x + 6:.0f}" y="{y + ROW / 2 + 4:.0f}">'
            f"{_number(sum(values))}</text>"
        )
    x = label_w
    for seg in segments:
        tone = seg.tone if seg.tone in TONES else "brand"
        body.append(
            f'<rect class="c-{tone}" x="{x:.0f}" y="{legend_y}" width="10" height="10" rx="2"/>'
            f'<text class="chart-legend" x="{x + 14:.0f}" y="{legend_y + 9}">'
            f"{escape(seg.name)}</text>"
        )
        x += 14 + text_width(seg.name, 12) + 16
    width = max(width, int(x))
    desc = "; ".join(
        f"{label}: "
        + ", ".join(f"{s.name} {_number(v)}" for s, v in zip(segments, values, strict=True))
        for label, values in rows
    )
    return _svg(width, legend_y + 16, title, desc, body)


def sparkline(
    values: Sequence[float],
    *,
    title: str,
    labels: Sequence[str] = (),
    width: int = 160,
    height: int = 36,
    tone: str = "brand",
) -> SafeString:
    """A small line over ``values`` (e.g. one point per day), its last point marked; each point
    has a tooltip with its label (``labels``, same length) and value."""
    tone = tone if tone in TONES else "brand"
    n = len(values)
    top = max(values, default=0) or 1
    pad = 3
    step = (width - 2 * pad) / max(n - 1, 1)

    def point(i: int, v: float) -> tuple[float, float]:
        return pad + i * step, height - pad - (height - 2 * pad) * v / top

    points = [point(i, v) for i, v in enumerate(values)]
    body: list[str] = []
    if points:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline class="l-{tone}" fill="none" points="{path}"/>')
        for i, (x, y) in enumerate(points):
            name = labels[i] if i < len(labels) else str(i + 1)
            last = " chart-last" if i == n - 1 else ""
            body.append(
                f'<circle class="c-{tone}{last}" cx="{x:.1f}" cy="{y:.1f}" '
                f'r="{2.5 if last else 1.5}"><title>{escape(name)}: {_number(values[i])}'
                f"</title></circle>"
            )
    desc = "; ".join(
        f"{labels[i] if i < len(labels) else i + 1}: {_number(v)}" for i, v in enumerate(values)
    )
    return _svg(width, height, title, desc, body)
