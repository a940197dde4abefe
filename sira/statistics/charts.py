"""Server-side SVG charts: small, dependency-free, safe to inline in a page or a PDF.

Each function takes figures that have already been through disclosure control (the statistics layer)
and returns a ``SafeString`` holding one ``<svg>`` element:

- every text is XML-escaped here (labels come from catalogues and users' organisations);
- ``role="img"`` with a ``<title>`` and a ``<desc>`` listing every figure, so a screen reader (and the
  table view beside each chart) tells the same thing;
- a suppressed value (``None``) is drawn as a grey hatched mark of one fixed size with the label "<5":
  no bar length, point height or segment width depends on it, and the scale is computed from the shown
  values only, so the picture cannot reveal what the table hides;
- sized by a ``viewBox`` 360 units wide and ``width="100%"``: at a 390 px phone one unit is about one
  pixel, so the 12-unit text stays readable; in a PDF it scales to the column.

Functions: ``bar_chart`` (horizontal or vertical), ``stacked_bars``, ``line_chart``, ``flow_chart``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from html import escape

from django.conf import settings
from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH = 360
FONT = 12
SMALL = 10
BAR = 14  # bar thickness (horizontal) in viewBox units
GAP = 6
HATCH_W = 22  # fixed width of a suppressed mark: the same whatever the hidden value
HATCH_H = 12  # its fixed height in a vertical bar chart
PALETTE = ("#1f5f8b", "#d9822b", "#3c8d5a", "#8e5ea2", "#c0392b", "#5d6d7e", "#b7950b", "#17a2b8")
GREY = "#9aa3ab"
MAX_LABEL = 52  # characters of a category label before it is shortened (full text kept in <title>)

_ids = itertools.count(1)

Value = int | float | None


def _e(text) -> str:
    return escape(str(text), quote=True)


def _threshold(threshold: int | None) -> int:
    return settings.SIRA_SMALL_CELL_THRESHOLD if threshold is None else threshold


def fmt(value: Value, threshold: int | None = None) -> str:
    """A figure as the reader's language writes it; a suppressed one as "<5"."""
    if value is None:
        return f"<{_threshold(threshold)}"
    return formats.number_format(value, force_grouping=True)


def _spoken(value: Value, threshold: int | None) -> str:
    if value is None:
        return _("fewer than %(n)s") % {"n": _threshold(threshold)}
    return fmt(value)


def _short(label, limit: int = MAX_LABEL) -> str:
    text = str(label)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _defs(uid: str) -> str:
    return (
        f'<defs><pattern id="{uid}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#e9ecef"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{GREY}" stroke-width="2.5"/></pattern></defs>'
    )


def _hatch(uid: str, x: float, y: float, w: float, h: float) -> str:
    return (
        f'<rect class="suppressed" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
        f'fill="url(#{uid}-hatch)" stroke="{GREY}" stroke-width="0.8"/>'
    )


def _svg(uid: str, height: float, title: str, desc: str, body: str, css_class: str) -> SafeString:
    return mark_safe(  # noqa: S308 — every text above went through _e()
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" role="img" '
        f'aria-labelledby="{uid}-t {uid}-d" viewBox="0 0 {WIDTH} {height:.0f}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" font-family="DejaVu Sans, Arial, sans-serif" '
        f'font-size="{FONT}">'
        f'<title id="{uid}-t">{_e(title)}</title><desc id="{uid}-d">{_e(desc)}</desc>'
        f"{_defs(uid)}{body}</svg>"
    )


def _desc(pairs, threshold: int | None, extra: str = "") -> str:
    listed = "; ".join(f"{label}: {_spoken(value, threshold)}" for label, value in pairs)
    return (extra + " " + listed).strip() if listed else _("No data.")


def _empty(uid: str, title: str) -> SafeString:
    body = f'<text x="0" y="20" fill="#555">{_e(_("No data for this period."))}</text>'
    return _svg(uid, 30, title, _("No data."), body, "chart-empty")


def _scale(values) -> float:
    shown = [v for v in values if v is not None]
    top = max(shown, default=0)
    return top if top > 0 else 1


def bar_chart(
    rows: Sequence[tuple[object, Value]],
    *,
    title: str,
    orientation: str = "horizontal",
    threshold: int | None = None,
    colour: str = PALETTE[0],
) -> SafeString:
    """rows: [(label, value or None)] in display order."""
    uid = f"c{next(_ids)}"
    rows = list(rows)
    if not rows:
        return _empty(uid, title)
    desc = _desc(rows, threshold)
    if orientation == "vertical":
        return _vertical(uid, rows, title, desc, threshold, colour)
    top = _scale(v for _l, v in rows)
    value_room = 64  # right margin for the figure
    span = WIDTH - value_room
    parts = []
    y = 0.0
    for label, value in rows:
        parts.append('<g class="bar">')
        parts.append(f"<title>{_e(label)}: {_e(_spoken(value, threshold))}</title>")
        parts.append(f'<text x="0" y="{y + FONT:.1f}" fill="#222">{_e(_short(label))}</text>')
        by = y + FONT + 4
        if value is None:
            parts.append(_hatch(uid, 0, by, HATCH_W, BAR))
            tx = HATCH_W + 4
        else:
            w = span * value / top
            if value > 0:
                parts.append(
                    f'<rect x="0" y="{by:.1f}" width="{max(w, 1.5):.1f}" height="{BAR}" fill="{colour}"/>'
                )
            tx = w + 4
        parts.append(
            f'<text class="value" x="{tx:.1f}" y="{by + BAR - 3:.1f}" font-weight="bold" fill="#222">'
            f"{_e(fmt(value, threshold))}</text>"
        )
        parts.append("</g>")
        y = by + BAR + GAP + 2
    return _svg(uid, y, title, desc, "".join(parts), "chart-bar")


def _vertical(uid, rows, title, desc, threshold, colour) -> SafeString:
    plot_h = 150
    top_pad = 16  # room for the figure above the tallest bar
    label_h = 30
    top = _scale(v for _l, v in rows)
    slot = WIDTH / len(rows)
    bar_w = min(40, slot * 0.7)
    chars = max(3, int(slot / (SMALL * 0.6)))
    base = top_pad + plot_h
    parts = [f'<line x1="0" y1="{base}" x2="{WIDTH}" y2="{base}" stroke="#888" stroke-width="0.8"/>']
    for i, (label, value) in enumerate(rows):
        cx = slot * i + slot / 2
        x = cx - bar_w / 2
        parts.append('<g class="bar">')
        parts.append(f"<title>{_e(label)}: {_e(_spoken(value, threshold))}</title>")
        if value is None:
            h = HATCH_H
            parts.append(_hatch(uid, x, base - h, bar_w, h))
        else:
            h = plot_h * value / top
            if value > 0:
                parts.append(
                    f'<rect x="{x:.1f}" y="{base - max(h, 1.5):.1f}" width="{bar_w:.1f}" '
                    f'height="{max(h, 1.5):.1f}" fill="{colour}"/>'
                )
        parts.append(
            f'<text class="value" x="{cx:.1f}" y="{base - h - 4:.1f}" text-anchor="middle" '
            f'font-size="{SMALL}" font-weight="bold" fill="#222">{_e(fmt(value, threshold))}</text>'
        )
        parts.append(
            f'<text x="{cx:.1f}" y="{base + 14}" text-anchor="middle" font-size="{SMALL}" fill="#222">'
            f"{_e(_short(label, chars))}</text>"
        )
        parts.append("</g>")
    return _svg(uid, base + label_h, title, desc, "".join(parts), "chart-bar chart-vertical")


def _legend(series_names, y: float) -> tuple[str, float]:
    parts = []
    x = 0.0
    for i, name in enumerate(series_names):
        text = _short(name, 24)
        w = 16 + len(text) * SMALL * 0.6 + 10
        if x + w > WIDTH and x > 0:
            x = 0
            y += 16
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="10" height="10" fill="{PALETTE[i % len(PALETTE)]}"/>'
            f'<text x="{x + 14:.1f}" y="{y + 9:.1f}" font-size="{SMALL}" fill="#222">{_e(text)}</text>'
        )
        x += w
    return "".join(parts), y + 18


def stacked_bars(
    categories: Sequence[object],
    series: Sequence[tuple[object, Sequence[Value]]],
    *,
    title: str,
    threshold: int | None = None,
) -> SafeString:
    """Horizontal stacked bars: one bar per category, one segment per series.

    series: [(series name, [value per category])]. A suppressed segment is a fixed-width hatched block
    appended after the shown segments, so the bar's length never depends on the hidden value."""
    uid = f"c{next(_ids)}"
    categories = list(categories)
    series = [(name, list(values)) for name, values in series]
    if not categories or not series:
        return _empty(uid, title)
    names = [name for name, _v in series]
    pairs = []
    for ci, cat in enumerate(categories):
        for name, values in series:
            pairs.append((f"{cat} — {name}", values[ci]))
    desc = _desc(pairs, threshold)
    legend, y = _legend(names, 0)
    totals = [sum(values[ci] or 0 for _n, values in series) for ci in range(len(categories))]
    hidden = [sum(1 for _n, values in series if values[ci] is None) for ci in range(len(categories))]
    room = 8 + max(hidden, default=0) * (HATCH_W + 2)
    top = _scale(totals)
    span = WIDTH - room
    parts = [legend]
    for ci, cat in enumerate(categories):
        parts.append('<g class="bar">')
        parts.append(f"<title>{_e(cat)}</title>")
        parts.append(f'<text x="0" y="{y + FONT:.1f}" fill="#222">{_e(_short(cat))}</text>')
        by = y + FONT + 4
        x = 0.0
        for si, (name, values) in enumerate(series):
            value = values[ci]
            if not value:
                continue
            w = span * value / top
            parts.append(
                f'<rect x="{x:.1f}" y="{by:.1f}" width="{max(w, 1.5):.1f}" height="{BAR}" '
                f'fill="{PALETTE[si % len(PALETTE)]}"><title>{_e(name)}: {_e(fmt(value))}</title></rect>'
            )
            if w > 30:
                parts.append(
                    f'<text x="{x + w / 2:.1f}" y="{by + BAR - 3:.1f}" text-anchor="middle" '
                    f'font-size="{SMALL}" fill="#fff">{_e(fmt(value))}</text>'
                )
            x += max(w, 1.5)
        for name, values in series:
            if values[ci] is None:
                parts.append(_hatch(uid, x + 2, by, HATCH_W, BAR))
                parts.append(
                    f'<text class="value" x="{x + 2 + HATCH_W / 2:.1f}" y="{by + BAR - 3:.1f}" '
                    f'text-anchor="middle" font-size="{SMALL}" fill="#222">'
                    f"{_e(fmt(None, threshold))}<title>{_e(name)}</title></text>"
                )
                x += HATCH_W + 2
        parts.append("</g>")
        y = by + BAR + GAP + 2
    return _svg(uid, y, title, desc, "".join(parts), "chart-stacked")


def line_chart(
    points: Sequence[tuple[object, Value]],
    *,
    title: str,
    threshold: int | None = None,
    colour: str = PALETTE[0],
) -> SafeString:
    """A trend over ordered periods: [(period label, value or None)].

    A suppressed period breaks the line and is marked by a hatched block on the axis with "<5": it has no
    height, and the line does not run through it."""
    uid = f"c{next(_ids)}"
    points = list(points)
    if not points:
        return _empty(uid, title)
    desc = _desc(points, threshold)
    left, top_pad, plot_h, label_h = 6, 18, 140, 30
    base = top_pad + plot_h
    top = _scale(v for _l, v in points)
    n = len(points)
    step = (WIDTH - 2 * left) / max(n - 1, 1) if n > 1 else 0
    xs = [left + step * i if n > 1 else WIDTH / 2 for i in range(n)]
    label_w = max(len(_short(label, 12)) for label, _v in points) * SMALL * 0.6 + 6
    every = max(1, math.ceil(label_w / step)) if step else 1  # period labels that do not overlap
    parts = [
        f'<line x1="0" y1="{base}" x2="{WIDTH}" y2="{base}" stroke="#888" stroke-width="0.8"/>',
    ]
    runs, run = [], []
    for x, (_label, value) in zip(xs, points, strict=True):
        if value is None:
            if run:
                runs.append(run)
            run = []
        else:
            run.append((x, base - plot_h * value / top))
    if run:
        runs.append(run)
    for r in runs:
        if len(r) > 1:
            coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in r)
            parts.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"/>')
    for i, (x, (label, value)) in enumerate(zip(xs, points, strict=True)):
        parts.append('<g class="point">')
        parts.append(f"<title>{_e(label)}: {_e(_spoken(value, threshold))}</title>")
        if value is None:
            parts.append(_hatch(uid, x - 6, base - 10, 12, 10))
            vy = base - 14
        else:
            y = base - plot_h * value / top
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
            vy = y - 6
        anchor = "start" if i == 0 and n > 1 else ("end" if i == n - 1 and n > 1 else "middle")
        parts.append(
            f'<text class="value" x="{x:.1f}" y="{vy:.1f}" text-anchor="{anchor}" font-size="{SMALL}" '
            f'fill="#222">{_e(fmt(value, threshold))}</text>'
        )
        if i % every == 0:
            parts.append(
                f'<text x="{x:.1f}" y="{base + 14}" text-anchor="{anchor}" font-size="{SMALL}" '
                f'fill="#222">{_e(_short(label, 12))}</text>'
            )
        parts.append("</g>")
    return _svg(uid, base + label_h, title, desc, "".join(parts), "chart-line")


def flow_chart(
    flows: Sequence[tuple[object, object, Value]],
    *,
    title: str,
    threshold: int | None = None,
    colour: str = PALETTE[1],
) -> SafeString:
    """Route flows as a table-like chart: one row per (origin, destination, value), "origin → destination"
    above a bar. Suitable for the few dozen largest routes."""
    rows = [(f"{origin} → {destination}", value) for origin, destination, value in flows]
    return bar_chart(rows, title=title, threshold=threshold, colour=colour)
