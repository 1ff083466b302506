"""Server-drawn SVG charts: well-formed, accessible, labels whole and escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from veracity.web.charts import Bar, Segment, bar_chart, sparkline, stacked_bar_chart, text_width

SVG = "{http://www.w3.org/2000/svg}"


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))


def texts(root: ET.Element, cls: str) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text") if t.get("class") == cls]


def test_bar_chart_is_well_formed_and_titled():
    root = parsed(bar_chart([Bar("未通过", 3, "fail"), Bar("通过", 12, "pass")], title="核验结论"))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == "核验结论"
    assert root.get("aria-labelledby", "").split()[0] == title.get("id")
    desc = root.find(f"{SVG}desc")
    assert desc is not None and desc.text == "未通过: 3; 通过: 12"
    # whole labels, never cut to "未通"
    assert texts(root, "chart-label") == ["未通过", "通过"]
    assert texts(root, "chart-value") == ["3", "12"]
    assert {r.get("class") for r in root.iter(f"{SVG}rect")} >= {"c-fail", "c-pass"}


def test_the_label_column_fits_the_longest_label():
    long = "各渠道每百件投保单校验未通过数"
    root = parsed(bar_chart([Bar(long, 1), Bar("短", 2)], title="t"))
    label = next(t for t in root.iter(f"{SVG}text") if t.get("class") == "chart-label")
    bar = next(r for r in root.iter(f"{SVG}rect") if r.get("class") == "chart-track")
    assert float(label.get("x", 0)) >= text_width(long)
    assert float(bar.get("x", 0)) > float(label.get("x", 0))
    assert int(root.get("width", 0)) >= text_width(long) + 120


def test_text_width_counts_wide_characters_as_one_em():
    assert text_width("未通过", 10) == 30
    assert text_width("abc", 10) == pytest.approx(18.6)


def test_labels_and_titles_are_escaped():
    root = parsed(bar_chart([Bar("<script>&", 1)], title='a "b" <c>'))
    assert texts(root, "chart-label") == ["<script>&"]
    assert root.find(f"{SVG}title").text == 'a "b" <c>'  # type: ignore[union-attr]


def test_bars_scale_to_the_largest_value_and_zero_draws_nothing():
    root = parsed(bar_chart([Bar("a", 10), Bar("b", 5), Bar("c", 0)], title="t"))
    widths = [
        float(r.get("width", 0)) for r in root.iter(f"{SVG}rect") if r.get("class") == "c-brand"
    ]
    assert widths[0] == pytest.approx(2 * widths[1], abs=0.2) and widths[2] == 0


def test_an_empty_chart_is_still_valid():
    assert parsed(bar_chart([], title="无数据")).find(f"{SVG}title") is not None
    assert parsed(sparkline([], title="无数据")).find(f"{SVG}title") is not None


def test_stacked_bar_chart_has_segments_tooltips_and_a_legend():
    root = parsed(
        stacked_bar_chart(
            [("个人代理", [3, 1]), ("银行保险", [0, 2])],
            segments=[Segment("逾期", "fail"), Segment("更正", "brand")],
            title="各渠道",
        )
    )
    assert texts(root, "chart-label") == ["个人代理", "银行保险"]
    assert texts(root, "chart-legend") == ["逾期", "更正"]
    assert texts(root, "chart-value") == ["4", "2"]
    tips = [t.text for r in root.iter(f"{SVG}rect") for t in r.iter(f"{SVG}title")]
    assert tips == ["个人代理 · 逾期: 3", "个人代理 · 更正: 1", "银行保险 · 更正: 2"]


def test_sparkline_marks_every_point_with_its_label():
    root = parsed(sparkline([1, 4, 2], labels=["12月1日", "12月2日", "12月3日"], title="新线索"))
    assert len(list(root.iter(f"{SVG}polyline"))) == 1
    tips = [t.text for c in root.iter(f"{SVG}circle") for t in c.iter(f"{SVG}title")]
    assert tips == ["12月1日: 1", "12月2日: 4", "12月3日: 2"]
    assert [c.get("class") for c in root.iter(f"{SVG}circle")][-1] == "c-brand chart-last"


def test_no_inline_style_for_the_content_security_policy():
    svg = str(bar_chart([Bar("a", 1)], title="t")) + str(sparkline([1, 2], title="t"))
    assert "style=" not in svg and "<style" not in svg and "<script" not in svg
