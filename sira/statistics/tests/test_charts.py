"""The SVG charts: well-formed, accessible, escaped, and a suppressed value leaves no trace of its size."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation

from sira.statistics import charts

NS = {"s": "http://www.w3.org/2000/svg"}
EVIL = '<script>alert("x")</script> & "Ségou"'


def parse(svg):
    return ET.fromstring(str(svg))  # noqa: S314 — our own output, parsed to check it


def texts(root):
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


ROWS = [("Bamako", 120), ("Kidal", None), ("Sikasso", 40), ("Gao", 0)]


@pytest.mark.parametrize(
    "svg",
    [
        lambda: charts.bar_chart(ROWS, title="Victims by region"),
        lambda: charts.bar_chart(ROWS, title="Victims by region", orientation="vertical"),
        lambda: charts.stacked_bars(
            ["Bamako", "Kidal"], [("F", [30, None]), ("M", [None, 12])], title="Sex by region"
        ),
        lambda: charts.line_chart([("2023", 10), ("2024", None), ("2025", 30)], title="Trend"),
        lambda: charts.flow_chart([("Mopti", "Bamako", 25), ("Kayes", "Kidal", None)], title="Routes"),
        lambda: charts.bar_chart([], title="Empty"),
    ],
)
def test_every_chart_is_an_accessible_svg(svg):
    root = parse(svg())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img"
    assert root.find("s:title", NS).text
    assert root.find("s:desc", NS).text
    t_id, d_id = root.get("aria-labelledby").split()
    assert root.find("s:title", NS).get("id") == t_id
    assert root.find("s:desc", NS).get("id") == d_id
    assert root.get("viewBox").startswith("0 0 360 ")


def test_labels_and_titles_are_escaped():
    for svg in (
        charts.bar_chart([(EVIL, 3)], title=EVIL),
        charts.stacked_bars([EVIL], [(EVIL, [7])], title=EVIL),
        charts.line_chart([(EVIL, 3), ("b", 4)], title=EVIL),
        charts.flow_chart([(EVIL, EVIL, 9)], title=EVIL),
    ):
        assert "<script>" not in str(svg)
        root = parse(svg)  # would raise on a raw & or <
        assert root.find("s:title", NS).text == EVIL
        assert not list(root.iter("{http://www.w3.org/2000/svg}script"))


@pytest.mark.parametrize(
    "make",
    [
        lambda v: charts.bar_chart([("A", 50), ("B", v)], title="t"),
        lambda v: charts.bar_chart([("A", 50), ("B", v)], title="t", orientation="vertical"),
        lambda v: charts.stacked_bars(["A", "B"], [("F", [20, v]), ("M", [30, 10])], title="t"),
        lambda v: charts.line_chart([("2024", 50), ("2025", v), ("2026", 40)], title="t"),
        lambda v: charts.flow_chart([("A", "B", 50), ("C", "D", v)], title="t"),
    ],
)
def test_suppressed_cell_has_no_value_and_no_proportional_size(make):
    svg = make(None)
    root = parse(svg)
    marks = [el for el in root.iter() if el.get("class") == "suppressed"]
    assert marks, "a suppressed value is drawn as a hatched mark"
    for mark in marks:
        assert mark.get("fill").startswith("url(#")
    # The mark is the same size whatever the chart's scale: its width does not follow the data.
    widths = {mark.get("width") for mark in marks}
    assert widths <= {f"{charts.HATCH_W:.1f}", "12.0", f"{min(40, 360 / 2 * 0.7):.1f}"}
    assert "&lt;5" in str(svg)
    # The same chart with the hidden cell standing for any value below 5 would be the same picture:
    # the function never sees it, but check no number 1–4 appears as a figure anywhere in the text.
    shown = [t for t in texts(root) if t.strip()]
    assert not any(re.fullmatch(r"[1-4]", t.strip()) for t in shown)


def test_suppressed_mark_size_is_independent_of_the_scale():
    small = parse(charts.bar_chart([("A", 6), ("B", None)], title="t"))
    large = parse(charts.bar_chart([("A", 60000), ("B", None)], title="t"))

    def mark(root):
        return next(el for el in root.iter() if el.get("class") == "suppressed")

    def size(el):
        return {k: v for k, v in el.attrib.items() if k != "fill"}

    assert size(mark(small)) == size(mark(large))


def test_stacked_suppressed_segment_is_fixed_width_after_the_shown_ones():
    root = parse(charts.stacked_bars(["A"], [("F", [100]), ("M", [None])], title="t"))
    rects = [
        el for el in root.iter("{http://www.w3.org/2000/svg}rect") if float(el.get("height", 0)) == charts.BAR
    ]
    shown = [r for r in rects if r.get("class") != "suppressed"]
    hidden = [r for r in rects if r.get("class") == "suppressed"]
    assert len(shown) == 1 and len(hidden) == 1
    assert float(hidden[0].get("width")) == charts.HATCH_W


def test_line_breaks_at_a_suppressed_period():
    root = parse(charts.line_chart([("a", 10), ("b", 12), ("c", None), ("d", 9), ("e", 11)], title="t"))
    lines = list(root.iter("{http://www.w3.org/2000/svg}polyline"))
    assert len(lines) == 2  # a–b and d–e, never through c
    circles = list(root.iter("{http://www.w3.org/2000/svg}circle"))
    assert len(circles) == 4


def test_description_lists_every_figure_in_the_reader_language():
    with translation.override("fr"):
        root = parse(charts.bar_chart([("Bamako", 12345), ("Kidal", None)], title="t"))
        desc = root.find("s:desc", NS).text
        assert "Bamako" in desc and "moins de 5" in desc
        assert "12\u202f345" in desc or "12 345" in desc or "12\xa0345" in desc
    with translation.override("en"):
        desc = parse(charts.bar_chart([("Bamako", 12345), ("Kidal", None)], title="t")).find("s:desc", NS)
        assert "12,345" in desc.text and "fewer than 5" in desc.text


def test_threshold_is_the_configured_one(settings):
    settings.SIRA_SMALL_CELL_THRESHOLD = 11
    assert "&lt;11" in str(charts.bar_chart([("A", None)], title="t"))
