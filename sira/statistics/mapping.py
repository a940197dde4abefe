"""The choropleth: Mali's regions or cercles (sira/geo boundaries) drawn as a server-side SVG, no tile
server, no script. The outlines are projected and simplified once (a few kilobytes); each figure comes
from the statistics layer, so hidden cells are greyed and labelled "<5" like everywhere else."""

from __future__ import annotations

import json
import math
from functools import cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from sira.geo.loaders import DATA as GEO_DATA

WIDTH = 600.0
TOLERANCE = 0.9  # px: Douglas-Peucker tolerance at WIDTH
COLOURS = ["#fde7d9", "#f9b99a", "#f08a62", "#d9573a", "#a8321d"]  # five classes, light to dark
HIDDEN = "#c9c9c9"
EMPTY = "#ffffff"


def _simplify(points, tol):
    if len(points) < 3:
        return points
    (x1, y1), (x2, y2) = points[0], points[-1]
    dx, dy = x2 - x1, y2 - y1
    norm = math.hypot(dx, dy) or 1.0
    far, index = 0.0, 0
    for i in range(1, len(points) - 1):
        x, y = points[i]
        d = abs(dy * (x - x1) - dx * (y - y1)) / norm if (dx or dy) else math.hypot(x - x1, y - y1)
        if d > far:
            far, index = d, i
    if far <= tol:
        return [points[0], points[-1]]
    return _simplify(points[: index + 1], tol)[:-1] + _simplify(points[index:], tol)


@cache
def outlines(level: str) -> tuple[dict[str, str], str, dict[str, tuple[float, float]]]:
    """({code: SVG path}, viewBox, {code: label point}) for "region" or "cercle"."""
    name = "mali_adm1.geojson" if level == "region" else "mali_adm2.geojson"
    data = json.loads((GEO_DATA / name).read_text(encoding="utf-8"))
    rings_of: dict[str, list] = {}
    lons, lats = [], []
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = (
            geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        )
        rings = [ring for polygon in polygons for ring in polygon[:1]]  # outer rings only
        rings_of[feature["properties"]["code"]] = rings
        for ring in rings:
            lons += [p[0] for p in ring]
            lats += [p[1] for p in ring]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    k = math.cos(math.radians((south + north) / 2))
    scale = WIDTH / ((east - west) * k)
    height = (north - south) * scale

    def project(p):
        return ((p[0] - west) * k * scale, (north - p[1]) * scale)

    paths, labels = {}, {}
    for code, rings in rings_of.items():
        parts, best = [], (0.0, (0.0, 0.0))
        for ring in rings:
            pts = _simplify([project(p) for p in ring], TOLERANCE)
            if len(pts) < 3:
                continue
            parts.append("M" + "L".join(f"{x:.0f},{y:.0f}" for x, y in pts) + "Z")
            area = abs(sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(pts, pts[1:] + pts[:1], strict=True)))
            if area > best[0]:
                cx = sum(p[0] for p in pts) / len(pts)
                cy = sum(p[1] for p in pts) / len(pts)
                best = (area, (cx, cy))
        paths[code] = "".join(parts)
        labels[code] = best[1]
    return paths, f"0 0 {WIDTH:.0f} {height:.0f}", labels


def classes(values: list[int]) -> list[int]:
    """Upper bounds of up to five equal-count classes of the visible positive values."""
    values = sorted(v for v in values if v)
    if not values:
        return []
    bounds = []
    for i in range(1, 6):
        b = values[min(len(values) - 1, math.ceil(i * len(values) / 5) - 1)]
        if not bounds or b > bounds[-1]:
            bounds.append(b)
    return bounds


def colour(value, bounds) -> str:
    if value is None:
        return HIDDEN
    if not value:
        return EMPTY
    for i, b in enumerate(bounds):
        if value <= b:
            return COLOURS[
                min(i, len(COLOURS) - 1) if len(bounds) == 5 else round(i * 4 / max(len(bounds) - 1, 1))
            ]
    return COLOURS[-1]


PROJECT = "#1f5f99"  # the "who does what where" squares (coordination projects), over the colours


def choropleth(
    level: str,
    figures: dict[str, int | None],
    names: dict[str, str],
    threshold: int,
    projects: dict[str, int] | None = None,
) -> SafeString:
    """The SVG map: every unit of the level, coloured by its figure (absent = 0, None = hidden); on
    the regions, a square with the number of projects running there when `projects` is given."""
    paths, view_box, labels = outlines(level)
    bounds = classes([v for v in figures.values() if v is not None])
    shapes, texts = [], []
    for code, path in paths.items():
        value = figures.get(code, 0)
        shown = f"<{threshold}" if value is None else str(value)
        name = escape(names.get(code, code))
        css = ' class="hidden"' if value is None else ""
        shapes.append(
            f'<path d="{path}" fill="{colour(value, bounds)}"{css} data-code="{code}">'
            f"<title>{name}: {escape(shown)}</title></path>"
        )
        if level == "region":
            x, y = labels[code]
            texts.append(f'<text class="value" x="{x:.0f}" y="{y:.0f}">{escape(shown)}</text>')
            count = (projects or {}).get(code, 0)
            if count:
                texts.append(
                    f'<g class="projects"><rect x="{x - 14:.0f}" y="{y + 8:.0f}" width="28" height="24" '
                    f'fill="{PROJECT}"><title>{name}: {count}</title></rect>'
                    f'<text x="{x:.0f}" y="{y + 27:.0f}" fill="#fff" font-size="18">{count}</text></g>'
                )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{view_box}" class="choropleth" role="img">'
        '<g stroke="#555" stroke-width="0.8" stroke-linejoin="round">' + "".join(shapes) + "</g>"
        '<g font-size="24" font-weight="bold" text-anchor="middle" font-family="sans-serif">'
        + "".join(texts)
        + "</g></svg>"
    )
    return mark_safe(svg)  # noqa: S308 (our own markup; names and figures escaped above)


def legend(figures: dict[str, int | None]) -> list[tuple[str, str]]:
    bounds = classes([v for v in figures.values() if v is not None])
    out, low = [], 1
    for b in bounds:
        out.append((colour(b, bounds), f"{low}–{b}" if b != low else str(b)))
        low = b + 1
    return out
