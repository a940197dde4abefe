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
    t = layer.run(layer.Query(measure=measure, by=(dim,), filters={"year": year}), None, full=False)
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
