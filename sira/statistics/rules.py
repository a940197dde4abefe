"""Disclosure control: the one place that decides which counts a user without record access may see.

Pure functions (no I/O). A published table is a set of cells (counts) tied by linear relations: each
margin is the sum of its cells, the total the sum of the margins. Hiding a small cell is not enough:
if regions add up to 314 of 318, Kidal's "<5" is 4. So:

1. primary suppression: a count with 0 < n < threshold is hidden (0 is shown: nobody to protect);
2. complementary suppression, repeated until nothing changes:
   - every relation (a total and its members) with a hidden cell must have at least two hidden cells,
     and the hidden cells of a relation must together count at least `threshold` people (two hidden
     cells adding up to 2 would each be 1);
   - an exact audit (linear algebra over the rationals) of all relations together: no small cell may
     be derivable from the visible ones by any combination of relations (e.g. across rows and columns
     of a two-way table). A derivable one makes the next smallest visible cell of one of its
     relations hidden; when nothing is left to hide, the whole table is hidden.
3. a two-way table's margins are hidden exactly as the one-way tables of the same dimensions (both
   are published: different patterns would let one fill the other's gaps).
The cell hidden in complement is always the smallest positive visible member (least information lost),
the total only when no member is left.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from fractions import Fraction

Cell = Hashable
# A relation: (total cell, member cells): value(total) == sum(value(members)) (or <= for a margin over a
# multi-valued dimension such as the forms of exploitation: treated as an equality, which is stricter).
Relation = tuple[Cell, Sequence[Cell]]


def primary(n: int | None, threshold: int) -> bool:
    """Is this count too small to publish?"""
    return n is not None and 0 < n < threshold


def suppress(n: int, threshold: int) -> int | None:
    """A lone count (no relation to others): None when too small."""
    return None if primary(n, threshold) else n


def _determined(values: Mapping[Cell, int], hidden: set, relations: Sequence[Relation]) -> list[Cell]:
    """The hidden cells an attacker can compute exactly from the visible cells and the relations."""
    order = sorted(hidden, key=repr)
    index = {c: i for i, c in enumerate(order)}
    rows = []
    for total, members in relations:
        coeffs: dict[int, Fraction] = {}
        for cell, sign in ((total, -1), *((m, 1) for m in members)):
            if cell in index:
                coeffs[index[cell]] = coeffs.get(index[cell], Fraction(0)) + sign
        coeffs = {k: v for k, v in coeffs.items() if v}
        if coeffs:
            rows.append(coeffs)
    # Reduced row echelon form over the hidden variables (rows are sparse dicts).
    pivots: list[tuple[int, dict[int, Fraction]]] = []
    for row in rows:
        row = dict(row)
        for col, prow in pivots:
            if col in row:
                f = row[col]
                for k, v in prow.items():
                    row[k] = row.get(k, Fraction(0)) - f * v
                row = {k: v for k, v in row.items() if v}
        if not row:
            continue
        col = min(row)
        f = row[col]
        row = {k: v / f for k, v in row.items()}
        for i, (pc, prow) in enumerate(pivots):
            if col in prow:
                g = prow[col]
                new = dict(prow)
                for k, v in row.items():
                    new[k] = new.get(k, Fraction(0)) - g * v
                pivots[i] = (pc, {k: v for k, v in new.items() if v})
        pivots.append((col, row))
    return [order[col] for col, row in pivots if len(row) == 1]


def protect(
    values: Mapping[Cell, int],
    relations: Iterable[Relation],
    threshold: int,
    *,
    hidden: Iterable[Cell] = (),
    fixed: Iterable[Cell] = (),
) -> set:
    """The cells to hide (primary and complementary) so that none below the threshold is shown or can
    be derived exactly from what is shown. `values` holds every cell, totals included. `hidden`: cells
    already hidden elsewhere (kept hidden); `fixed`: cells published elsewhere (never hidden here, and
    known to whoever reads this table: a two-way table's margins are the one-way tables' cells, hidden
    exactly as there, so that the two together reveal nothing either)."""
    relations = [(t, list(m)) for t, m in relations]
    fixed = set(fixed)
    hidden = set(hidden) | {c for c, n in values.items() if primary(n, threshold) and c not in fixed}
    if not hidden:
        return hidden
    totals = {t for t, _ in relations}

    def complement(total, members) -> bool:
        candidates = [m for m in members if m not in hidden and m not in fixed and values.get(m, 0) > 0]
        if candidates:
            hidden.add(min(candidates, key=lambda m: (values[m], m in totals, repr(m))))
            return True
        if total not in hidden and total not in fixed and values.get(total, 0) > 0:
            hidden.add(total)
            return True
        return False

    # The last resort: every cell not published elsewhere, zeros included (a zero shown beside hidden
    # cells is a known term of their sums).
    everything = {c for c in values if c not in fixed} | hidden
    for _ in range(10_000):
        changed = False
        for total, members in relations:
            cells = [total, *members]
            shown_hidden = [c for c in cells if c in hidden]
            if not shown_hidden:
                continue
            # What the visible cells tell of the hidden ones together (unknown when the total is hidden).
            small = total not in hidden and sum(values.get(m, 0) for m in members if m in hidden) < threshold
            if len(shown_hidden) == 1 or small:
                if complement(total, members):
                    changed = True
                elif not all(c in hidden or c in fixed or not values.get(c, 0) for c in cells):
                    return everything
        if not changed:
            # A cell hidden in complement may be computable (it is then as good as shown): what must
            # never be computable is a small one.
            leaked = [c for c in _determined(values, hidden, relations) if primary(values.get(c), threshold)]
            for cell in leaked:
                for total, members in relations:
                    if (cell == total or cell in members) and complement(total, members):
                        changed = True
                        break
                if changed:
                    break
            if leaked and not changed:
                return everything  # nothing left to hide beside it: hide the whole table
        if not changed:
            return hidden
    return everything  # never reached on real tables; hide everything rather than risk a leak


def derivable(values: Mapping[Cell, int], hidden: set, relations: Iterable[Relation]) -> list[Cell]:
    """For tests and audits: the hidden cells that can be computed exactly."""
    return _determined(values, set(hidden), [(t, list(m)) for t, m in relations])


def one_way(cells: Mapping[Cell, int], total: int, threshold: int) -> tuple[dict, int | None]:
    """A 1-D table and its total → (cells with None for hidden, total or None)."""
    values = {("cell", k): v for k, v in cells.items()} | {("total",): total}
    hidden = protect(values, [(("total",), [("cell", k) for k in cells])], threshold)
    shown = {k: (None if ("cell", k) in hidden else v) for k, v in cells.items()}
    return shown, (None if ("total",) in hidden else total)


def two_way(
    cells: Mapping[tuple, int],
    rows: Mapping[Cell, int],
    cols: Mapping[Cell, int],
    total: int,
    threshold: int,
    *,
    consistent: bool = True,
) -> tuple[dict, dict, dict, int | None]:
    """A 2-D table (cells keyed (row, col)) with its margins and total → the same, None where hidden.
    `consistent` (the default): the margins and the total are hidden exactly as in the one-way tables
    of each dimension (which are published too), and only inner cells are hidden in complement."""
    values = {("cell", k): v for k, v in cells.items()}
    values |= {("row", k): v for k, v in rows.items()}
    values |= {("col", k): v for k, v in cols.items()}
    values[("total",)] = total
    relations: list[Relation] = []
    for r in rows:
        relations.append((("row", r), [("cell", k) for k in cells if k[0] == r]))
    for c in cols:
        relations.append((("col", c), [("cell", k) for k in cells if k[1] == c]))
    relations.append((("total",), [("row", r) for r in rows]))
    relations.append((("total",), [("col", c) for c in cols]))
    if consistent:
        row_shown, total_shown = one_way(rows, total, threshold)
        col_shown, _total = one_way(cols, total, threshold)
        margins = [("row", k) for k in rows] + [("col", k) for k in cols] + [("total",)]
        shown_as = {("row", k): v for k, v in row_shown.items()} | {
            ("col", k): v for k, v in col_shown.items()
        }
        shown_as[("total",)] = total_shown
        before = {m for m in margins if shown_as[m] is None}
        hidden = protect(values, relations, threshold, hidden=before, fixed=set(margins) - before)
    else:
        hidden = protect(values, relations, threshold)

    def show(kind, mapping):
        return {k: (None if (kind, k) in hidden else v) for k, v in mapping.items()}

    return (
        show("cell", cells),
        show("row", rows),
        show("col", cols),
        None if ("total",) in hidden else total,
    )
