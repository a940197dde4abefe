"""The one statistics layer: every figure that counts cases, screenings or referrals goes through
`run(Query, user)`, which reads the pre-aggregated tables and applies disclosure control
(sira.statistics.rules) for users without record access. docs/statistics.md describes it.

    q = layer.Query(measure="victims", by=("sex", "age_group"), filters={"year": 2025, "region": "ML01"})
    t = layer.run(q, user)
    t.rows      # [Row(key=("Feminine", "0-5"), labels=("Féminin", "0–5 ans"), value=12 | None)]
    t.total     # int | None     (None = "<5", hidden)
    t.as_csv("fr")
    layer.refresh()             # idempotent rebuild of the tables (manage.py refresh_statistics)
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
import itertools
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Case as When_
from django.db.models import Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, ExtractMonth, ExtractQuarter, ExtractYear, Substr
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from sira.accounts.access import AGGREGATE_ROLES
from sira.accounts.models import Scope
from sira.cases.choices import AGE_GROUPS
from sira.statistics import rules
from sira.statistics.models import DIMENSION_FIELDS, Cell, Fact, Refresh

MEASURES = {
    "victims": _("Victims (cases)"),
    "screenings": _("Screenings"),
    "referrals": _("Referrals"),
}
PERIODS = ("year", "quarter", "month")

CTDC_BANDS = [  # CTDC ageBroad
    ("0--8", 0, 8),
    ("9--17", 9, 17),
    ("18--20", 18, 20),
    ("21--23", 21, 23),
    ("24--26", 24, 26),
    ("27--29", 27, 29),
    ("30--38", 30, 38),
    ("39--47", 39, 47),
    ("48+", 48, 150),
]
REFERRAL_STAGES = {
    "none": _("Not referred"),
    "referred": _("Referred, not (yet) accepted"),
    "accepted": _("Referral accepted"),
    "completed": _("Service completed"),
}
JUSTICE_STAGES = {
    "none": _("No investigation"),
    "investigated": _("Investigation"),
    "prosecuted": _("Prosecution"),
    "convicted": _("Conviction"),
}
CHILD = {"child": _("Child (under 18)"), "adult": _("Adult (18 and over)")}
UNKNOWN = _("Unknown")


# --- dimensions -------------------------------------------------------------------------------------


def _vocab(name):
    from sira.core.vocab import label, terms

    return (lambda code: label(name, code)), (lambda: list(terms(name)))


@functools.cache
def _unit_names(kind: str, language: str) -> dict[str, str]:
    """Region or cercle names (reference data loaded by migrations: read once per process)."""
    from sira.geo.models import Cercle, Region

    if kind == "region":
        return {r.pk: (r.name_en if language == "en" else r.name_fr) for r in Region.objects.all()}
    return dict(Cercle.objects.values_list("code", "name_fr"))


def _regions():
    names = _unit_names("region", (translation.get_language() or "fr")[:2])
    return (lambda code: names.get(code, code)), (lambda: list(names))


def _cercles():
    names = _unit_names("cercle", "fr")
    return (lambda code: names.get(code, code)), (lambda: list(names))


def _fixed(mapping):
    return (lambda code: str(mapping.get(code, code))), (lambda: list(mapping))


def _countries():
    from django_countries import countries

    return (lambda code: countries.name(code) or code), (lambda: [])


@dataclasses.dataclass(frozen=True)
class Dimension:
    name: str
    title: object  # lazy text
    measures: tuple[str, ...]
    labels: Callable  # () -> (label(code), order() -> [codes])
    additive: bool = True  # one value per counted thing (False: a case counts under each of its forms)

    def labeller(self):
        return self.labels()


_V = ("victims",)
DIMENSIONS: dict[str, Dimension] = {
    d.name: d
    for d in (
        Dimension("sex", _("Sex"), (*_V, "referrals"), lambda: _vocab("gender")),
        Dimension(
            "age_group",
            _("Age group"),
            (*_V, "referrals"),
            lambda: _fixed({code: lbl for code, lbl, _lo, _hi in AGE_GROUPS}),
        ),
        Dimension("age_band", _("Age band (CTDC)"), _V, lambda: _fixed({b: b for b, _lo, _hi in CTDC_BANDS})),
        Dimension("child", _("Child or adult"), _V, lambda: _fixed(CHILD)),
        Dimension("nationality", _("Nationality"), _V, _countries),
        Dimension("region", _("Region of identification"), (*_V, "screenings", "referrals"), _regions),
        Dimension("cercle", _("Cercle of identification"), _V, _cercles),
        Dimension("origin_region", _("Region of origin"), _V, _regions),
        Dimension("origin_cercle", _("Cercle of origin"), _V, _cercles),
        Dimension("exploitation_region", _("Region of exploitation"), _V, _regions),
        Dimension("exploitation_cercle", _("Cercle of exploitation"), _V, _cercles),
        Dimension("form", _("Form of exploitation"), _V, lambda: _vocab("exploitation_form"), additive=False),
        Dimension("industry", _("Industry"), _V, lambda: _vocab("industry")),
        Dimension("context", _("Identification context"), _V, lambda: _vocab("identification_context")),
        Dimension("org_type", _("Identifying organisation type"), _V, lambda: _vocab("org_type")),
        Dimension("status", _("Trafficking status"), _V, lambda: _vocab("trafficking_status")),
        Dimension("referral_stage", _("Referral stage"), _V, lambda: _fixed(REFERRAL_STAGES)),
        Dimension("justice_stage", _("Justice stage"), _V, lambda: _fixed(JUSTICE_STAGES)),
        Dimension("outcome", _("Screening outcome"), ("screenings",), lambda: _screening_outcomes()),
        Dimension(
            "determination",
            _("Worker's determination"),
            ("screenings",),
            lambda: _vocab("trafficking_status"),
        ),
        Dimension("service", _("Service"), ("referrals",), lambda: _vocab("service_type")),
        Dimension("referral_state", _("Referral status"), ("referrals",), lambda: _referral_states()),
    )
}
assert set(DIMENSIONS) == set(DIMENSION_FIELDS)


def _screening_outcomes():
    from sira.screening.models import Screening

    return _fixed(dict(Screening.Outcome.choices))


def _referral_states():
    from sira.referrals.models import Referral

    return _fixed(dict(Referral.State.choices))


# Filters the pages offer; any dimension may be filtered, these are answered from the cell tables.
FILTER_DIMENSIONS = ("region", "sex", "age_group", "form")
# Two-way tables answered from the cell tables (others are computed from the fact table).
PAIRS = (
    ("origin_region", "exploitation_region"),
    ("origin_cercle", "exploitation_cercle"),
    ("form", "region"),
    ("form", "exploitation_region"),
    ("sex", "age_group"),
    ("sex", "child"),
    ("form", "sex"),
    ("form", "child"),
    ("region", "sex"),
    ("region", "child"),
    ("region", "cercle"),
    ("referral_stage", "region"),
    ("justice_stage", "region"),
    ("outcome", "determination"),
    ("service", "referral_state"),
)


FILTERED_PAIRS = (
    ("origin_region", "exploitation_region"),
    ("form", "region"),
    ("form", "cercle"),
    ("origin_cercle", "exploitation_cercle"),
)


@functools.cache
def grouping_sets(measure: str) -> list[tuple[str, ...]]:
    """The cell tables built for a measure: period level first ('' = all time, 'year', 'month')."""
    dims = [d for d, dim in DIMENSIONS.items() if measure in dim.measures]
    sets: list[tuple[str, ...]] = []
    for period in ("", "year", "month"):
        p = (period,) if period else ()
        sets.append(p)
        sets += [(*p, x) for x in dims]
        sets += [(*p, x, y) for x, y in PAIRS if x in dims and y in dims]
    filters = [f for f in FILTER_DIMENSIONS if f in dims]
    for f in filters:
        sets += [("month", f, x) for x in dims if x != f and (f, x) not in PAIRS and (x, f) not in PAIRS]
        # The two-way panels of the dashboard under one filter (and the region page's, by cercle).
        sets += [("year", f, x, y) for x, y in FILTERED_PAIRS if {x, y} <= set(dims) and f not in (x, y)]
    seen, out = set(), []
    for s in sets:
        key = (s[:1] if s and s[0] in PERIODS else ()) + tuple(sorted(d for d in s if d not in PERIODS))
        if key not in seen:
            seen.add(key)
            out.append(key)
    return out


def grouping_name(dims: tuple[str, ...]) -> str:
    return "+".join(dims) or "-"


# --- queries ----------------------------------------------------------------------------------------


class QueryError(ValueError):
    pass


@dataclasses.dataclass(frozen=True)
class Query:
    measure: str = "victims"
    by: tuple[str, ...] = ()  # 0, 1 or 2 dimensions (or a period: "year", "quarter", "month")
    filters: dict = dataclasses.field(default_factory=dict)  # {"year": 2025, "quarter": 2, "region": …}

    def __post_init__(self):
        object.__setattr__(self, "by", tuple(self.by))
        object.__setattr__(
            self, "filters", {k: v for k, v in dict(self.filters).items() if v not in ("", None)}
        )
        if self.measure not in MEASURES:
            raise QueryError(f"unknown measure {self.measure!r}")
        if len(self.by) > 2:
            raise QueryError("at most two dimensions")
        for d in (*self.by, *self.filters):
            if d not in PERIODS and (d not in DIMENSIONS or self.measure not in DIMENSIONS[d].measures):
                raise QueryError(f"{self.measure} has no dimension {d!r}")

    def __hash__(self):
        return hash((self.measure, self.by, tuple(sorted(self.filters.items()))))

    def with_(self, **changes) -> Query:
        return dataclasses.replace(self, **changes)


@dataclasses.dataclass
class Row:
    key: tuple
    labels: tuple
    value: int | None  # None: hidden ("<5")


@dataclasses.dataclass
class Table:
    query: Query
    rows: list[Row]
    total: int | None
    suppressed: bool  # disclosure control applied (the user has no record access)
    threshold: int
    # For two-way tables: the margins, {dimension: {code: value | None}}.
    margins: dict = dataclasses.field(default_factory=dict)

    @property
    def headers(self) -> list[str]:
        return [str(_period_title(d)) if d in PERIODS else str(DIMENSIONS[d].title) for d in self.query.by]

    def display(self, value) -> str:
        return f"<{self.threshold}" if value is None else str(value)

    @property
    def max_value(self) -> int:
        return max([r.value or 0 for r in self.rows] + [1])

    def as_csv(self, language: str | None = None) -> str:
        with translation.override(language or translation.get_language() or "fr"):
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow([*self.headers, str(MEASURES[self.query.measure])])
            relabel = _labellers(self.query.by)
            for row in self.rows:
                writer.writerow([*(relabel[i](k) for i, k in enumerate(row.key)), self.display(row.value)])
            if len(self.query.by) == 2:  # the margins, as on the page
                a, b = self.query.by
                for dim, position in ((a, 0), (b, 1)):
                    for code, value in self.margins.get(dim, {}).items():
                        label = relabel[position](code)
                        pair = [label, str(_("Total"))] if position == 0 else [str(_("Total")), label]
                        writer.writerow([*pair, self.display(value)])
            writer.writerow([str(_("Total")), *([""] * (len(self.query.by) - 1)), self.display(self.total)])
            if self.suppressed:
                writer.writerow([])
                writer.writerow(
                    [
                        str(
                            _(
                                'Counts below %(n)s are hidden ("<%(n)s"), with others so that none can be derived.'  # noqa: E501
                            )
                            % {"n": self.threshold}
                        )
                    ]
                )
            return out.getvalue()

    def grid(self) -> dict:
        """A two-way table for display: column labels, rows of (label, values, margin), column margins."""
        row_codes, col_codes, matrix = self.cross()
        a, b = self.query.by
        return {
            "columns": [label for _code, label in col_codes],
            "rows": [
                (label, values, self.margins.get(a, {}).get(code))
                for (code, label), values in zip(row_codes, matrix, strict=True)
            ],
            "column_margins": [self.margins.get(b, {}).get(code) for code, _label in col_codes],
        }

    def cross(self) -> tuple[list, list, list[list]]:
        """A two-way table as (row codes+labels, column codes+labels, matrix of values)."""
        rows = sorted(
            {(r.key[0], r.labels[0]) for r in self.rows}, key=lambda x: _order_key(self.query.by[0], x[0])
        )
        cols = sorted(
            {(r.key[1], r.labels[1]) for r in self.rows}, key=lambda x: _order_key(self.query.by[1], x[0])
        )
        cells = {r.key: r.value for r in self.rows}
        return rows, cols, [[cells.get((r, c), 0) for c, _l in cols] for r, _l in rows]


def _period_title(d):
    return {"year": _("Year"), "quarter": _("Quarter"), "month": _("Month")}[d]


def _labellers(dims) -> list[Callable]:
    out = []
    for d in dims:
        if d in PERIODS:
            out.append(lambda k: f"{k[0]}-{k[1]:02d}" if isinstance(k, tuple) else str(k))
        else:
            label, _order = DIMENSIONS[d].labeller()
            out.append(lambda k, label=label: str(UNKNOWN) if k in ("", None) else label(k))
    return out


_ORDER_CACHE: dict = {}


def _order_key(dim, code):
    if dim in PERIODS:
        return (0, code)
    if dim not in _ORDER_CACHE:
        _ORDER_CACHE[dim] = {c: i for i, c in enumerate(DIMENSIONS[dim].labeller()[1]())}
    order = _ORDER_CACHE[dim]
    return (1, order.get(code, len(order)), str(code)) if code not in ("", None) else (2, 0, "")


def has_record_access(user, query: Query) -> bool:
    """Whether the user may see the exact figures of this query: only when every record it counts is
    one the user may read anyway. Conservative by design (docs/statistics.md):
    - a national-scope user of a role that reads case records (not the statistician or the
      administrator, whose roles are aggregate-only) — they can open every case;
    - a regional-scope user of such a role, for a query filtered to their own region of identification
      (victims only: screenings and referrals are held by organisations, not by region);
    everyone else (aggregate roles, organisation, own and granted scopes) gets suppressed figures."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.role in AGGREGATE_ROLES:
        return False
    if user.scope == Scope.NATIONAL:
        return True
    if user.scope == Scope.REGION and query.measure == "victims" and user.organisation_id:
        region = user.organisation.region_id
        return bool(region) and query.filters.get("region") == region and "cercle" not in query.by
    return False


def _period_level(dims) -> int:
    return max([PERIODS.index(d) + 1 for d in dims if d in PERIODS] + [0])


@functools.cache
def _plan(measure: str, needed: frozenset) -> str | None:
    """The cell table answering the needed dimensions: the smallest whose extra dimensions can be
    summed away (single-valued ones only); None: the fact table."""
    level = _period_level(needed)
    plain = {d for d in needed if d not in PERIODS}
    best = None
    for dims in grouping_sets(measure):
        set_level = {"year": 1, "month": 3}.get(dims[0], 0) if dims else 0
        others = {d for d in dims if d not in PERIODS}
        if set_level < level or not plain <= others:
            continue
        if any(not DIMENSIONS[d].additive for d in others - plain):
            continue
        cost = (len(others - plain), set_level)
        if best is None or cost < best[0]:
            best = (cost, dims)
    return grouping_name(best[1]) if best is not None else None


def _columns(by) -> list[str]:
    columns: list[str] = []
    for d in by:
        columns += {"year": ["year"], "quarter": ["year", "quarter"], "month": ["year", "month"]}.get(d, [d])
    return columns


def _key(row: dict, by) -> tuple:
    key = []
    for d in by:
        if d in ("quarter", "month"):
            key.append((row["year"], row[d]))
        else:
            key.append(row[d] if d == "year" else (row[d] or ""))
    return tuple(key)


def _fact_counts(query: Query, by: tuple[str, ...]) -> dict[tuple, int]:
    plain = {d for d in (*by, *query.filters) if d not in PERIODS}
    qs = Fact.objects.filter(measure=query.measure, **query.filters)
    if all(DIMENSIONS[d].additive for d in plain):
        qs = qs.filter(first=1)
    columns = _columns(by)
    if not columns:
        return {(): qs.count()}
    out: dict[tuple, int] = {}
    for row in qs.values(*columns).annotate(n=models.Count("id")).order_by():
        out[_key(row, by)] = out.get(_key(row, by), 0) + row["n"]
    return out


def _fact_counts_together(idents: list[tuple[Query, tuple]]) -> dict[tuple, dict[tuple, int]]:
    """Several groupings of the fact table under the same filters in one pass (PostgreSQL GROUPING
    SETS): a filter combination no cell table holds costs one scan, not one per figure."""
    query = idents[0][0]
    sets = list(dict.fromkeys(tuple(_columns(by)) for _q, by in idents))
    used = sorted({c for cols in sets for c in cols})
    qs = Fact.objects.filter(measure=query.measure, **query.filters)
    where, params = qs.query.get_compiler(connection=connection).compile(qs.query.where)
    by_form = "form" in query.filters
    select = ", ".join(used)
    grouping = f"GROUPING({select})" if used else "0"
    if by_form or "form" not in used:
        weight = "COUNT(*)" if by_form else "SUM(first)"
    else:
        weight = "CASE WHEN GROUPING(form) = 0 THEN COUNT(*) ELSE SUM(first) END"
    groups = ", ".join("(" + ", ".join(cols) + ")" for cols in sets)
    sql = (
        f"SELECT {grouping}, {select + ', ' if used else ''}{weight} "  # noqa: S608 (our own columns)
        f"FROM {Fact._meta.db_table} WHERE {where} GROUP BY GROUPING SETS ({groups})"
    )
    bit = {c: 1 << (len(used) - 1 - i) for i, c in enumerate(used)}
    full = (1 << len(used)) - 1
    mask_of = {cols: full - sum(bit[c] for c in cols) for cols in sets}
    rows_of: dict[int, list[dict]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for mask, *values in cursor.fetchall():
            rows_of.setdefault(mask, []).append(dict(zip([*used, "n"], values, strict=True)))
    out = {}
    for ident in idents:
        counts: dict[tuple, int] = {}
        for row in rows_of.get(mask_of[tuple(_columns(ident[1]))], []):
            key = _key(row, ident[1])
            counts[key] = counts.get(key, 0) + (row["n"] or 0)
        out[ident] = counts if ident[1] else {(): counts.get((), 0)}
    return out


def _counts_many(requests: list[tuple[Query, tuple]]) -> dict[tuple, dict[tuple, int]]:
    """The counts of many (query, by) at once: the cell tables they need are read in one statement per
    measure and set of filters (a dashboard is a handful of statements), the rest from the facts."""
    results: dict[tuple, dict[tuple, int]] = {}
    batches: dict[tuple, dict[str, list]] = {}
    facts: dict[tuple, list] = {}
    for query, by in requests:
        ident = (query, by)
        if ident in results:
            continue
        grouping = _plan(query.measure, frozenset({*by, *query.filters}))
        if grouping is None:
            facts.setdefault((query.measure, tuple(sorted(query.filters.items()))), []).append(ident)
            continue
        batch = (query.measure, tuple(sorted(query.filters.items())))
        batches.setdefault(batch, {}).setdefault(grouping, []).append(ident)
        results[ident] = {}
    for (measure, filters), groupings in batches.items():
        wanted = {c for idents in groupings.values() for _q, by in idents for c in _columns(by)}
        columns = sorted(wanted)
        qs = Cell.objects.filter(measure=measure, grouping__in=list(groupings), **dict(filters))
        for row in qs.values("grouping", *columns, "n").order_by():
            for ident in groupings[row["grouping"]]:
                key = _key(row, ident[1])
                bucket = results[ident]
                bucket[key] = bucket.get(key, 0) + row["n"]
    for idents in facts.values():
        if connection.vendor == "postgresql" and len(idents) > 1:
            results.update(_fact_counts_together(idents))
        else:
            results.update({ident: _fact_counts(*ident) for ident in idents})
    for ident, counts in results.items():
        results[ident] = {k: v for k, v in counts.items() if v}
        if not ident[1]:
            results[ident] = {(): counts.get((), 0)}
    return results


def threshold() -> int:
    return settings.SIRA_SMALL_CELL_THRESHOLD


def _requests(query: Query) -> list[tuple[Query, tuple]]:
    wanted = [(query, ()), (query, query.by)] if query.by else [(query, ())]
    if len(query.by) == 2:
        wanted += [(query, query.by[:1]), (query, query.by[1:])]
    return wanted


def run(query: Query, user, *, full: bool | None = None, link_ages: bool = True) -> Table:
    """The figures of a query for a user. Disclosure control is applied unless the user has record
    access for it (`has_record_access`); `full` overrides that only downwards (False forces it)."""
    return run_all([query], user, full=full, link_ages=link_ages)[0]


def run_all(queries: list[Query], user, *, full: bool | None = None, link_ages: bool = True) -> list[Table]:
    """`run` for several queries at once (a dashboard): the same tables, fewer statements.
    `link_ages=False` only for a caller that protects the age tables together itself (the annual
    report's victims profile, report_data.victims_profile)."""
    counts = _counts_many([r for q in queries for r in _requests(q)])
    tables = [_table(q, user, full, counts) for q in queries]
    seen: dict = {}  # the panels of a page share their parent and age tables: each is read once
    return [t if not t.suppressed else _linked(t, link_ages, seen) for t in tables]


# Tables that are sums of one another, published side by side: the children are the age groups under
# 18, and the CTDC bands regroup the same ages. A cell hidden in one is found in another by
# subtraction, so where any of them hides a cell, the cells of all of them are hidden.
AGE_DIMENSIONS = ("age_group", "age_band", "child")


def _suppressed(query: Query, seen: dict) -> Table:
    """The table of a query as disclosure control alone publishes it (no links), read once per page."""
    if query not in seen:
        seen[query] = _table(query, None, False, _counts_many(_requests(query)))
    return seen[query]


def _protected(query: Query, seen: dict) -> Table:
    """The published (suppressed) table of a query, with its links to other tables applied."""
    return _linked(_suppressed(query, seen), True, seen)


def _hide_all(table: Table) -> Table:
    rows = [dataclasses.replace(r, value=None if r.value else r.value) for r in table.rows]
    margins = {d: {k: (None if v else v) for k, v in m.items()} for d, m in table.margins.items()}
    return dataclasses.replace(table, rows=rows, total=None if table.total else table.total, margins=margins)


def _hide_cells(table: Table) -> Table:
    rows = [dataclasses.replace(r, value=None if r.value else r.value) for r in table.rows]
    return dataclasses.replace(table, rows=rows)


def _slice_hidden(query: Query, seen: dict) -> bool:
    """A filtered query is a slice of the table by its filters: its total is one cell there. When that
    cell is hidden, the slice must be too, or the filter gives back what the table hid (Kidal's "<5"
    = the national total − the visible regions − the filtered total of the complement)."""
    names = list(query.filters)
    for size in (1, 2):
        for combo in itertools.combinations(names, size):
            rest = {k: v for k, v in query.filters.items() if k not in combo}
            try:
                parent = _protected(Query(query.measure, by=combo, filters=rest), seen)
            except QueryError:
                return True  # no such table to compare with: hide rather than guess
            wanted = tuple(str(query.filters[d]) for d in combo)
            for row in parent.rows:
                if tuple(str(k) for k in row.key) == wanted:
                    if row.value is None:
                        return True
                    break
    return False


def _age_linked_hidden(query: Query, seen: dict) -> bool:
    own = [d for d in query.by if d in AGE_DIMENSIONS]
    if not own:
        return False
    for dim in AGE_DIMENSIONS:
        if query.measure not in DIMENSIONS[dim].measures:
            continue
        filters = {k: v for k, v in query.filters.items() if k != dim}
        table = _suppressed(Query(query.measure, by=(dim,), filters=filters), seen)
        if any(r.value is None for r in table.rows):
            return True
    return False


def _linked(table: Table, link_ages: bool, seen: dict) -> Table:
    query = table.query
    if query.filters and _slice_hidden(query, seen):
        return _hide_all(table)
    if link_ages and _age_linked_hidden(query, seen):
        return _hide_cells(table)
    return table


def _table(query: Query, user, full, counts) -> Table:
    exact = has_record_access(user, query) if full is not False else False
    limit = threshold()
    total = counts[(query, ())][()]
    cells = counts[(query, query.by)] if query.by else {}
    margins: dict = {}
    if len(query.by) == 2:
        a, b = query.by
        rows_m = {k[0]: v for k, v in counts[(query, (a,))].items()}
        cols_m = {k[0]: v for k, v in counts[(query, (b,))].items()}
        # Every combination is a cell (0 where none): a zero shown is a known term of the sums, and
        # the last resort of disclosure control hides zeros too.
        cells = {(r, c): cells.get((r, c), 0) for r in rows_m for c in cols_m}
        if not exact:
            cells, rows_m, cols_m, total = rules.two_way(cells, rows_m, cols_m, total, limit)
        margins = {a: rows_m, b: cols_m}
    elif len(query.by) == 1 and not exact:
        one, total = rules.one_way({k[0]: v for k, v in cells.items()}, total, limit)
        cells = {(k,): v for k, v in one.items()}
    elif not exact:
        total = rules.suppress(total, limit)
    labels = _labellers(query.by)
    rows = [
        Row(key=k, labels=tuple(labels[i](x) for i, x in enumerate(k)), value=v)
        for k, v in sorted(
            cells.items(),
            key=lambda kv: tuple(_order_key(d, x) for d, x in zip(query.by, kv[0], strict=False)),
        )
    ]
    return Table(query=query, rows=rows, total=total, suppressed=not exact, threshold=limit, margins=margins)


# --- refresh ----------------------------------------------------------------------------------------

FACT_COLUMNS = ("measure", "first", "year", "quarter", "month", *DIMENSION_FIELDS)


def _age_case(field, bands):
    return When_(
        *[When(**{f"{field}__gte": lo, f"{field}__lte": hi}, then=Value(code)) for code, lo, hi in bands],
        default=Value(""),
        output_field=models.CharField(),
    )


def _stop(kind, column):
    from sira.cases.models import RouteStop

    return Coalesce(
        Subquery(
            RouteStop.objects.filter(case=OuterRef("pk"), kind=kind)
            .order_by("order", "pk")
            .values(column)[:1]
        ),
        Value(""),
        output_field=models.CharField(),
    )


def _victim_facts():
    from sira.cases.models import Exploitation
    from sira.cases.services import statistics_cases
    from sira.justice.choices import Outcome
    from sira.justice.models import Charge, Investigation, Prosecution
    from sira.referrals.models import Referral

    referrals = Referral.objects.filter(case=OuterRef("pk"))
    investigations = Investigation.objects.filter(cases=OuterRef("pk"))
    first_form = Exploitation.objects.filter(case=OuterRef("pk")).order_by("pk").values("pk")[:1]
    qs = statistics_cases().annotate(
        d_measure=Value("victims"),
        d_first=When_(
            When(
                Q(exploitations__id__isnull=True) | Q(exploitations__id=Subquery(first_form)), then=Value(1)
            ),
            default=Value(0),
            output_field=models.IntegerField(),
        ),
        d_year=ExtractYear("identification_date"),
        d_quarter=ExtractQuarter("identification_date"),
        d_month=ExtractMonth("identification_date"),
        d_sex=F("person__gender"),
        d_age_group=_age_case("age_at_identification", [(c, lo, hi) for c, _l, lo, hi in AGE_GROUPS]),
        d_age_band=_age_case("age_at_identification", CTDC_BANDS),
        d_child=_age_case("age_at_identification", [("child", 0, 17), ("adult", 18, 150)]),
        d_nationality=Substr(Coalesce("person__citizenships", Value("")), 1, 2),
        d_region=F("identification_region_id"),
        d_cercle=Coalesce("identification_cercle_id", _stop("Identification", "cercle_id")),
        d_origin_region=_stop("Origin", "region_id"),
        d_origin_cercle=_stop("Origin", "cercle_id"),
        d_exploitation_region=_stop("Exploitation", "region_id"),
        d_exploitation_cercle=_stop("Exploitation", "cercle_id"),
        d_form=Coalesce("exploitations__form", Value("")),
        d_industry=Coalesce(
            Subquery(
                Exploitation.objects.filter(case=OuterRef("pk"))
                .exclude(industry="")
                .order_by("pk")
                .values("industry")[:1]
            ),
            Value(""),
        ),
        d_context=F("identification_context"),
        d_org_type=F("organisation__org_type"),
        d_status=F("trafficking_status"),
        d_referral_stage=When_(
            When(Exists(referrals.filter(state="completed")), then=Value("completed")),
            When(Exists(referrals.filter(state__in=["accepted", "in_service"])), then=Value("accepted")),
            When(Exists(referrals), then=Value("referred")),
            default=Value("none"),
        ),
        d_justice_stage=When_(
            When(
                Exists(
                    Charge.objects.filter(
                        prosecution__investigation__cases=OuterRef("pk"), outcome=Outcome.CONVICTED
                    )
                ),
                then=Value("convicted"),
            ),
            When(
                Exists(Prosecution.objects.filter(investigation__cases=OuterRef("pk"))),
                then=Value("prosecuted"),
            ),
            When(Exists(investigations), then=Value("investigated")),
            default=Value("none"),
        ),
    )
    return qs


def _screening_facts():
    from sira.cases.services import statistics_cases
    from sira.screening.models import Screening

    return (
        Screening.objects.filter(status=Screening.Status.COMPLETE)
        .filter(Q(case__isnull=True) | Q(case__in=statistics_cases().values("pk")))
        .annotate(
            d_measure=Value("screenings"),
            d_first=Value(1),
            d_year=ExtractYear("screened_on"),
            d_quarter=ExtractQuarter("screened_on"),
            d_month=ExtractMonth("screened_on"),
            d_region=Coalesce("region_id", Value("")),
            d_outcome=F("outcome"),
            d_determination=F("determination"),
        )
    )


def _referral_facts():
    from sira.cases.services import statistics_cases
    from sira.referrals.models import Referral

    return Referral.objects.filter(case__in=statistics_cases().values("pk")).annotate(
        d_measure=Value("referrals"),
        d_first=Value(1),
        d_year=ExtractYear("sent_at"),
        d_quarter=ExtractQuarter("sent_at"),
        d_month=ExtractMonth("sent_at"),
        d_sex=F("gender"),
        d_age_group=_age_case("age", [(c, lo, hi) for c, _l, lo, hi in AGE_GROUPS]),
        d_region=Coalesce("region_id", Value("")),
        d_service=F("service"),
        d_referral_state=F("state"),
    )


FACT_SOURCES = {"victims": _victim_facts, "screenings": _screening_facts, "referrals": _referral_facts}


def _insert_facts(measure: str) -> None:
    qs = FACT_SOURCES[measure]()
    names = [f"d_{c}" for c in FACT_COLUMNS if f"d_{c}" in qs.query.annotations]
    sql, params = qs.values(*names).query.sql_with_params()
    columns = [n[2:] for n in names]
    table = Fact._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 (names from our own model)
            f"SELECT {', '.join(names)} FROM ({sql}) facts",
            params,
        )


def _cell_columns(dims):
    cols = []
    for d in dims:
        cols += {"year": ["year"], "month": ["year", "quarter", "month"]}.get(d, [d])
    return cols


def _insert_cells(measure: str) -> None:
    fact, cell = Fact._meta.db_table, Cell._meta.db_table
    sets = grouping_sets(measure)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement: PostgreSQL computes every grouping set in one pass over the facts.
            columns = ["year", "quarter", "month", *DIMENSION_FIELDS]
            used = sorted({c for s in sets for c in _cell_columns(s)}, key=columns.index)
            bits = {c: 1 << (len(used) - 1 - i) for i, c in enumerate(used)}
            full = (1 << len(used)) - 1
            name_of = " ".join(
                f"WHEN {full - sum(bits[c] for c in _cell_columns(s))} THEN '{grouping_name(s)}'"
                for s in sets
            )
            select = ", ".join(f"{c}" for c in used)
            groups = ", ".join("(" + ", ".join(_cell_columns(s)) + ")" for s in sets)
            form_bit = "GROUPING(form) = 0" if "form" in used else "FALSE"
            cursor.execute(
                f"INSERT INTO {cell} (measure, grouping, {select}, n) "  # noqa: S608 (our own names)
                f"SELECT %s, CASE GROUPING({', '.join(used)}) {name_of} END, {select}, "
                f"CASE WHEN {form_bit} THEN COUNT(*) ELSE COALESCE(SUM(first), 0) END "
                f"FROM {fact} WHERE measure = %s GROUP BY GROUPING SETS ({groups})",
                [measure, measure],
            )
            cursor.execute(f"DELETE FROM {cell} WHERE measure = %s AND n = 0", [measure])  # noqa: S608
            return
        for s in sets:
            cols = _cell_columns(s)
            weight = "COUNT(*)" if "form" in s else "SUM(first)"
            select = "".join(f", {c}" for c in cols)
            group = f" GROUP BY {', '.join(cols)}" if cols else ""
            cursor.execute(
                f"INSERT INTO {cell} (measure, grouping{select}, n) "  # noqa: S608 (our own names)
                f"SELECT %s, %s{select}, {weight} FROM {fact} WHERE measure = %s{group} "
                f"HAVING {weight} > 0",
                [measure, grouping_name(s), measure],
            )


def _source_tables() -> list[str]:
    from sira.cases.models import Case, Consent, Exploitation, Person, RouteStop
    from sira.referrals.models import Referral
    from sira.screening.models import Screening

    return [m._meta.db_table for m in (Case, Person, Exploitation, RouteStop, Consent, Referral, Screening)]


def refresh() -> Refresh:
    """Rebuild the fact and cell tables from the records (statistics-consent refusals left out).
    Idempotent: the same records give the same rows. Called by manage.py refresh_statistics, after each
    import and after the demo seed."""
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        # Fresh planner statistics first: after a bulk import the planner would otherwise take the
        # new tables for nearly empty and pick plans that walk them once per case.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(_source_tables())}")
    with transaction.atomic():
        Cell.objects.all().delete()
        Fact.objects.all().delete()
        for measure in MEASURES:
            _insert_facts(measure)
            _insert_cells(measure)
        done = Refresh.objects.create(
            finished_at=timezone.now(),
            seconds=time.perf_counter() - started,
            facts=Fact.objects.count(),
            cells=Cell.objects.count(),
        )
        old = list(Refresh.objects.order_by("-finished_at").values_list("pk", flat=True)[20:])
        Refresh.objects.filter(pk__in=old).delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Cell._meta.db_table}")
    return done


def last_refresh() -> Refresh | None:
    return Refresh.objects.order_by("-finished_at").first()
