"""Disclosure control (rules.py): primary and complementary suppression, worked examples and random
tables. A hidden cell must never be computable from what is shown."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sira.statistics import rules

T = 5


def test_kidal_cannot_be_recovered_by_subtraction():
    # The case: regions add up to 314 of 318, Kidal "<5" would be 4.
    regions = {"Kayes": 100, "Sikasso": 120, "Mopti": 60, "Gao": 34, "Kidal": 4}
    shown, total = rules.one_way(regions, 318, T)
    assert shown["Kidal"] is None
    assert shown["Gao"] is None  # the next smallest, hidden in complement
    assert total == 318
    assert sum(v for v in shown.values() if v is not None) == 280  # 318 - 280 = 38, Kidal unknown


def test_two_hidden_cells_adding_to_less_than_threshold_take_a_third():
    shown, _total = rules.one_way({"a": 1, "b": 1, "c": 50, "d": 60}, 112, T)
    # a + b = 2 would give a = b = 1: c is hidden too.
    assert shown == {"a": None, "b": None, "c": None, "d": 60}


def test_total_below_threshold_hides_everything():
    shown, total = rules.one_way({"a": 3, "b": 0}, 3, T)
    assert shown == {"a": None, "b": 0} and total is None


def test_zero_and_large_cells_stay():
    shown, total = rules.one_way({"a": 0, "b": 10, "c": 20}, 30, T)
    assert shown == {"a": 0, "b": 10, "c": 20} and total == 30


def test_two_way_margins_do_not_reveal_a_cell():
    cells = {("F", "Kayes"): 3, ("F", "Mopti"): 40, ("M", "Kayes"): 30, ("M", "Mopti"): 50}
    rows = {"F": 43, "M": 80}
    cols = {"Kayes": 33, "Mopti": 90}
    c, r, k, total = rules.two_way(cells, rows, cols, 123, T)
    hidden = [key for key, v in c.items() if v is None]
    assert ("F", "Kayes") in hidden and len(hidden) == 4  # a 2x2 table: all four move together
    assert r == rows and k == cols and total == 123


def test_two_way_margins_follow_the_one_way_tables():
    # Kidal (1) is hidden in the one-way table by region, with Gao (its complement). The two-way table
    # by sex and region must hide the same margins, or Gao's margin shown there would give Kidal away.
    cells = {("F", "Kidal"): 1, ("F", "Gao"): 3, ("M", "Gao"): 4, ("F", "Kayes"): 40, ("M", "Kayes"): 50}
    regions = {"Kidal": 1, "Gao": 7, "Kayes": 90}
    sexes = {"F": 44, "M": 54}
    one, _t = rules.one_way(regions, 98, T)
    assert one == {"Kidal": None, "Gao": None, "Kayes": 90}
    c, _r, k, total = rules.two_way(cells, sexes, regions, 98, T)
    assert k == one and total == 98
    assert c[("F", "Kidal")] is None and c[("F", "Gao")] is None and c[("M", "Gao")] is None


def test_bridge_between_two_cycles_is_caught_by_the_audit():
    # Two hidden rectangles joined by one hidden cell: each line has two hidden cells, yet the joining
    # cell is computable from the margins. The exact audit must hide more.
    values = {("c", i, j): 10 for i in range(4) for j in range(4)}
    hidden = {("c", 0, 0), ("c", 0, 1), ("c", 1, 0), ("c", 1, 1), ("c", 2, 2), ("c", 2, 3), ("c", 3, 2)}
    hidden |= {("c", 3, 3), ("c", 1, 2)}
    relations = [(("r", i), [("c", i, j) for j in range(4)]) for i in range(4)]
    relations += [(("k", j), [("c", i, j) for i in range(4)]) for j in range(4)]
    for i in range(4):
        values[("r", i)] = 40
        values[("k", i)] = 40
    assert ("c", 1, 2) in rules.derivable(values, hidden, relations)


def _random_table(rng, rows, cols):
    cells = {
        (i, j): rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 12, 20, 40]) for i in range(rows) for j in range(cols)
    }
    row_m = {i: sum(cells[(i, j)] for j in range(cols)) for i in range(rows)}
    col_m = {j: sum(cells[(i, j)] for i in range(rows)) for j in range(cols)}
    return cells, row_m, col_m, sum(cells.values())


def _relations(cells, rows, cols):
    rel = [(("row", r), [("cell", k) for k in cells if k[0] == r]) for r in rows]
    rel += [(("col", c), [("cell", k) for k in cells if k[1] == c]) for c in cols]
    rel += [(("total",), [("row", r) for r in rows]), (("total",), [("col", c) for c in cols])]
    return rel


def _check(cells, rows, cols, total):
    c, r, k, t = rules.two_way(cells, rows, cols, total, T)
    values = {("cell", x): v for x, v in cells.items()} | {("row", x): v for x, v in rows.items()}
    values |= {("col", x): v for x, v in cols.items()} | {("total",): total}
    shown = {("cell", x): v for x, v in c.items()} | {("row", x): v for x, v in r.items()}
    shown |= {("col", x): v for x, v in k.items()} | {("total",): t}
    hidden = {x for x, v in shown.items() if v is None}
    # No small count is shown.
    assert all(not (0 < v < T) for v in shown.values() if v is not None)
    # What is shown is true.
    assert all(shown[x] == values[x] for x in shown if x not in hidden)
    # No small cell is computable from the shown ones (a cell hidden in complement may be).
    leaked = rules.derivable(values, hidden, _relations(cells, rows, cols))
    assert [c for c in leaked if 0 < values[c] < T] == []
    # The margins are hidden exactly as the one-way tables of the same dimensions.
    assert r == rules.one_way(rows, total, T)[0] and k == rules.one_way(cols, total, T)[0]
    return hidden


@pytest.mark.parametrize("seed", range(60))
def test_random_two_way_tables(seed):
    rng = random.Random(seed)
    _check(*_random_table(rng, rng.randint(1, 6), rng.randint(1, 6)))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=12))
def test_one_way_property(counts):
    cells = dict(enumerate(counts))
    total = sum(counts)
    shown, t = rules.one_way(cells, total, T)
    values = {("cell", k): v for k, v in cells.items()} | {("total",): total}
    hidden = {("cell", k) for k, v in shown.items() if v is None} | ({("total",)} if t is None else set())
    assert all(not (0 < v < T) for v in [*shown.values(), t] if v is not None)
    relation = [(("total",), [("cell", k) for k in cells])]
    assert [c for c in rules.derivable(values, hidden, relation) if 0 < values[c] < T] == []
    # Hidden cells of the line count at least the threshold together (when the total is shown).
    if t is not None and hidden:
        assert sum(cells[k[1]] for k in hidden) >= T


@settings(max_examples=80, deadline=None)
@given(
    st.integers(min_value=1, max_value=5),
    st.integers(min_value=1, max_value=5),
    st.lists(st.sampled_from([0, 1, 2, 3, 4, 6, 9, 15, 30]), min_size=25, max_size=25),
)
def test_two_way_property(nrows, ncols, pool):
    cells = {(i, j): pool[i * 5 + j] for i in range(nrows) for j in range(ncols)}
    rows = {i: sum(cells[(i, j)] for j in range(ncols)) for i in range(nrows)}
    cols = {j: sum(cells[(i, j)] for i in range(nrows)) for j in range(ncols)}
    _check(cells, rows, cols, sum(cells.values()))
