"""The figures of the annual national report, as tables already through disclosure control.

Every count in the report is read by ``table()`` below, the one place that knows where figures come
from: the statistics layer (``sira.statistics.layer``, forced to suppress: the report is a published
output whoever produces it) for victims, screenings and referrals; the enforcement figures as the
committee sees them (``sira.statistics.justice``); the assistance given, which the layer does not count,
protected by the same rule (``sira.statistics.rules.one_way``). The report never touches a model for a
figure it shows. Persons who refused statistics are left out everywhere
(``sira.cases.services.statistics_cases``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count
from django.utils.dates import MONTHS_3
from django.utils.translation import gettext as _

from sira.cases.choices import AGE_GROUPS
from sira.cases.models import Assistance
from sira.cases.services import statistics_cases
from sira.core.vocab import terms
from sira.justice import stats as justice_stats
from sira.statistics import justice as justice_figures
from sira.statistics import layer, rules

UNKNOWN = ""  # the layer's code for "unknown"


@dataclass
class Table:
    """rows: [(key, label, value or None)] in display order; total: the table's total or None."""

    rows: list[tuple[object, str, int | None]] = field(default_factory=list)
    total: int | None = None

    def pairs(self) -> list[tuple[str, int | None]]:
        return [(lbl, value) for _key, lbl, value in self.rows]

    def value(self, key) -> int | None:
        return next((v for k, _l, v in self.rows if k == key), None)


def threshold() -> int:
    return settings.SIRA_SMALL_CELL_THRESHOLD


# --------------------------------------------------------------------------------------------------
# The one switch: where the report reads a table.
# --------------------------------------------------------------------------------------------------

# The report's names → the layer's dimension names.
LAYER_DIMENSION = {"child_adult": "child"}
# Categories listed even when nobody is in them (a zero is published: it describes no one).
FIXED_LISTS = ("sex", "age_group", "child", "region")


def table(measure: str, by: str | None, year: int) -> Table:
    """One protected table of the report: victims by sex, age_group, child_adult, nationality, form,
    region, month; referrals by service; screenings by outcome, determination; assistance by service;
    enforcement by stage, sentence."""
    if measure == "assistance":
        return _assistance(year)
    if measure == "enforcement":
        stages, sentences = enforcement(year)
        return sentences if by == "sentence" else stages
    if by == "month":
        return _months(measure, year)
    dim = LAYER_DIMENSION.get(by, by) or {"referrals": "service"}[measure]
    # The age tables are protected together by victims_profile (below), not by the layer's links.
    t = layer.run(
        layer.Query(measure=measure, by=(dim,), filters={"year": year}), None, full=False, link_ages=False
    )
    rows = [(r.key[0], r.labels[0], r.value) for r in t.rows]
    if dim in FIXED_LISTS:
        label, order = layer.DIMENSIONS[dim].labeller()
        present = {k for k, _l, _v in rows}
        rows += [(code, str(label(code)), 0) for code in order() if code not in present]
        rank = {code: i for i, code in enumerate(order())}
        rows.sort(key=lambda r: (r[0] in ("", None), rank.get(r[0], len(rank))))
    elif dim not in ("outcome", "determination"):
        rows.sort(key=lambda r: (r[0] in ("", None), r[2] is None, -(r[2] or 0), str(r[1])))
    return Table(rows, t.total)


@dataclass
class Grid:
    """A two-way protected table: columns [(code, label)], rows [(code, label, [values], margin)],
    column margins, total."""

    columns: list
    rows: list
    column_margins: list
    total: int | None


def grid(measure: str, by: tuple[str, str], year: int) -> Grid:
    """A two-way table through the layer (its two-way disclosure control: cells, margins and total)."""
    t = layer.run(
        layer.Query(measure=measure, by=by, filters={"year": year}), None, full=False, link_ages=False
    )
    row_codes, col_codes, matrix = t.cross()
    a, b = by
    rows = [
        (code, str(label), values, t.margins.get(a, {}).get(code))
        for (code, label), values in zip(row_codes, matrix, strict=True)
    ]
    margins = [t.margins.get(b, {}).get(code) for code, _label in col_codes]
    return Grid([(code, str(label)) for code, label in col_codes], rows, margins, t.total)


def victims_profile(year: int) -> dict:
    """The victims tables that share cells — sex, age group, their two-way table, children/adults —
    protected together as one publication. Each comes from the layer protected on its own; but the
    same margin (age groups in the one-way table and in the two-way one) could be hidden in one and
    shown in the other, and children = the sum of the age groups under 18: across tables a hidden cell
    could be worked out ("70 children, age groups under 18 shown 20 + 18 + 31, so 0–5 is 1"). So every
    cell hidden in any of them is hidden in all, and the layer's rule (`rules.protect`, with its exact
    audit) runs once more over all their relations; a hidden cell enters it as threshold − 1 (the
    layer already made each table's hidden cells count enough together)."""
    sex = table("victims", "sex", year)
    age = table("victims", "age_group", year)
    child = table("victims", "child_adult", year)
    two_way = grid("victims", ("age_group", "sex"), year)
    visible: dict = {}
    hidden: set = set()

    def put(key, value):
        if value is None:
            hidden.add(key)
        else:
            visible[key] = value

    for t in (sex, age, child):
        put(("total",), t.total)
    put(("total",), two_way.total)
    for key, _l, v in sex.rows:
        put(("sex", key), v)
    for key, _l, v in age.rows:
        put(("age", key), v)
    for key, _l, v in child.rows:
        put(("child", key), v)
    for a, _l, values, margin in two_way.rows:
        put(("age", a), margin)
        for (b, _lb), v in zip(two_way.columns, values, strict=True):
            put(("cell", a, b), v)
    for (b, _lb), margin in zip(two_way.columns, two_way.column_margins, strict=True):
        put(("sex", b), margin)
    limit = threshold()
    values = {k: (limit - 1 if k in hidden else v) for k, v in visible.items()} | {
        k: limit - 1 for k in hidden
    }
    ages = [k[1] for k in values if k[0] == "age"]
    bounds = {code: hi for code, _lbl, _lo, hi in AGE_GROUPS}
    relations = [(("total",), [k for k in values if k[0] == dim]) for dim in ("sex", "age", "child")]
    relations += [(("age", a), [k for k in values if k[0] == "cell" and k[1] == a]) for a in ages]
    sexes = {k[2] for k in values if k[0] == "cell"}
    relations += [(("sex", b), [k for k in values if k[0] == "cell" and k[2] == b]) for b in sexes]
    relations.append((("child", "child"), [("age", a) for a in ages if a in bounds and bounds[a] < 18]))
    relations.append((("child", "adult"), [("age", a) for a in ages if a in bounds and bounds[a] >= 18]))
    relations.append((("child", UNKNOWN), [("age", a) for a in ages if a not in bounds]))
    relations = [(t, m) for t, m in relations if t in values and m]
    hide = rules.protect(values, relations, limit) | hidden

    def shown(key):
        return None if key in hide else values.get(key, 0)

    def one_way(t: Table, dim: str) -> Table:
        return Table(
            [(k, lbl, shown((dim, k)) if (dim, k) in values else v) for k, lbl, v in t.rows],
            shown(("total",)),
        )

    return {
        "sex": one_way(sex, "sex"),
        "age_group": one_way(age, "age"),
        "child": one_way(child, "child"),
        "age_by_sex": Grid(
            two_way.columns,
            [
                (a, lbl, [shown(("cell", a, b)) for b, _lb in two_way.columns], shown(("age", a)))
                for a, lbl, _values, _m in two_way.rows
            ],
            [shown(("sex", b)) for b, _lb in two_way.columns],
            shown(("total",)),
        ),
    }


def routes(year: int, limit: int = 15) -> Table:
    """The largest routes, region of origin → region of exploitation, from the layer's protected two-way
    table: only shown cells are listed (a hidden one says nothing more by being left out)."""
    t = layer.run(
        layer.Query(measure="victims", by=("origin_region", "exploitation_region"), filters={"year": year}),
        None,
        full=False,
    )
    shown = [r for r in t.rows if r.value and all(k not in ("", None) for k in r.key)]  # both places known
    shown.sort(key=lambda r: (-r.value, r.labels))
    return Table([(r.key, f"{r.labels[0]} → {r.labels[1]}", r.value) for r in shown[:limit]], None)


def _months(measure: str, year: int) -> Table:
    t = layer.run(layer.Query(measure=measure, by=("month",), filters={"year": year}), None, full=False)
    by_month = {(r.key[0][1] if isinstance(r.key[0], tuple) else int(r.key[0])): r.value for r in t.rows}
    rows = [(m, str(MONTHS_3[m]).capitalize(), by_month.get(m, 0)) for m in range(1, 13)]
    return Table(rows, t.total)


def _year_range(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _assistance(year: int) -> Table:
    """Persons assisted in the year, by service (a person counts once per service, once in the total).
    Not a measure of the layer: counted here, protected by the layer's rule."""
    given = Assistance.objects.filter(
        case__in=statistics_cases().values("pk"), given_on__range=_year_range(year)
    )
    counts = Counter(dict(given.values_list("service").annotate(n=Count("case", distinct=True)).order_by()))
    shown, total = rules.one_way(dict(counts), given.values("case").distinct().count(), threshold())
    labels = {code: term.label() for code, term in terms("service_type").items()}
    rows = [(k, labels.get(k, k), shown[k]) for k in counts]
    rows.sort(key=lambda r: (r[2] is None, -(r[2] or 0), str(r[1])))
    return Table(rows, total)


def enforcement(year: int) -> tuple[Table, Table]:
    """(stages, sentences): the enforcement figures as the committee sees them (suppressed, margins
    protected), both tables from one reading."""
    figures, _suppressed = justice_figures.figures(AnonymousUser(), justice_stats.Period(*_year_range(year)))
    labels = justice_figures.SENTENCE_LABELS
    sentences = Table(
        [(k, str(labels[k]), v) for k, v in figures["sentences"].items()],
        figures["convictions"]["defendants"],
    )
    inv, pros, conv = figures["investigations"], figures["prosecutions"], figures["convictions"]
    stages = [
        ("investigations_new", _("New investigations"), inv["new"]),
        ("investigations_continued", _("Investigations continued from earlier periods"), inv["continued"]),
        ("prosecutions_initiated", _("Prosecutions initiated (cases)"), pros["initiated"]),
        ("defendants_initiated", _("Defendants in prosecutions initiated"), pros["defendants_initiated"]),
        ("prosecutions_continued", _("Prosecutions continued (cases)"), pros["continued"]),
        ("defendants_continued", _("Defendants in prosecutions continued"), pros["defendants_continued"]),
        ("convicted", _("Convicted defendants"), conv["defendants"]),
        ("acquitted", _("Acquitted defendants"), conv["acquitted_defendants"]),
    ]
    return Table(stages, None), sentences
