"""The figures of the annual national report, as tables already through disclosure control.

Every count in the report is read by ``table()`` below, the one place that knows where figures come
from. The report itself (``sira.statistics.annual_report``) never touches a model.

The figures of a statistics output are those of a reader without record access: each table is
protected as a whole (a count below the threshold is hidden, and so is a second cell whenever the
total would let the first be recovered by subtraction), and persons who refused statistics are left
out (``sira.cases.services.statistics_cases``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count
from django.utils.dates import MONTHS_3
from django.utils.translation import gettext as _
from django_countries import countries

from sira.cases.choices import AGE_GROUPS
from sira.cases.models import Assistance, Exploitation
from sira.cases.services import statistics_cases
from sira.core.vocab import terms
from sira.geo.models import Region
from sira.justice import stats as justice_stats
from sira.justice.models import Investigation
from sira.referrals.models import Referral
from sira.screening.models import Screening

UNKNOWN = "_unknown"


@dataclass
class Table:
    """rows: [(key, label, value or None)] in display order; total: the table's total or None."""

    rows: list[tuple[object, str, int | None]] = field(default_factory=list)
    total: int | None = None

    def pairs(self) -> list[tuple[str, int | None]]:
        return [(lbl, value) for _key, lbl, value in self.rows]

    def value(self, key) -> int | None:
        return next((v for k, _l, v in self.rows if k == key), None)


# --------------------------------------------------------------------------------------------------
# The one switch: where the report reads a table.
# --------------------------------------------------------------------------------------------------


def table(measure: str, by: str | None, year: int) -> Table:
    """One protected table of the report. ``measure`` and ``by`` name what the statistics layer
    names (victims by sex, age_group, nationality, form, region, month; referrals and assistance by
    service; screenings by outcome and determination; enforcement stages; sentences)."""
    return _registry_table(measure, by, year)


# --------------------------------------------------------------------------------------------------
# Interim source: the registry, protected here. Replaced by the statistics layer (one edit above).
# --------------------------------------------------------------------------------------------------


def threshold() -> int:
    return settings.SIRA_SMALL_CELL_THRESHOLD


def protect(counts: dict, total: int, limit: int | None = None) -> tuple[dict, int | None]:
    """One-way table disclosure control: primary suppression (0 < n < threshold), then complementary
    suppression until the hidden cells are at least two and together count at least the threshold
    (so neither subtraction from the total nor the sum of two "<5" tells a hidden value)."""
    limit = threshold() if limit is None else limit
    hidden = {k for k, n in counts.items() if 0 < n < limit}
    total_hidden = 0 < total < limit
    while hidden and not total_hidden:
        if len(hidden) >= 2 and sum(counts[k] for k in hidden) >= limit:
            break
        visible = [k for k, n in counts.items() if k not in hidden and n > 0]
        if not visible:
            total_hidden = True
            break
        hidden.add(min(visible, key=lambda k: (counts[k], str(k))))
    return {k: (None if k in hidden else n) for k, n in counts.items()}, (None if total_hidden else total)


def _year_range(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _cases(year: int):
    return statistics_cases().filter(identification_date__range=_year_range(year))


def _ordered(counts: Counter, order: list[tuple[object, str]], total: int, *, extra=True) -> Table:
    """A table in a fixed category order; categories met in the data but not in the order follow."""
    known = [k for k, _l in order]
    keys = known + ([k for k in counts if k not in known] if extra else [])
    labels = dict(order)
    shown, shown_total = protect({k: counts.get(k, 0) for k in keys}, total)
    rows = [(k, labels.get(k) or str(k), shown[k]) for k in keys]
    # Nothing to show for a category with none, unless it is part of a fixed list.
    rows = [r for r in rows if r[2] != 0 or r[0] in labels]
    return Table(rows, shown_total)


def _by_size(counts: Counter, labels: dict, total: int) -> Table:
    shown, shown_total = protect(dict(counts), total)
    rows = [(k, labels.get(k, str(k)), shown[k]) for k in counts]
    rows.sort(key=lambda r: (r[0] == UNKNOWN, r[2] is None, -(r[2] or 0), str(r[1])))
    return Table(rows, shown_total)


def _victims(by: str, year: int) -> Table:
    cases = _cases(year)
    total = cases.count()
    unknown = _("Unknown")
    if by == "sex":
        counts = Counter(dict(cases.values_list("person__gender").annotate(n=Count("id")).order_by()))
        order = [(code, term.label()) for code, term in terms("gender").items()]
        return _ordered(counts, order, total)
    if by == "age_group":
        counts = Counter()
        for age, n in cases.values_list("age_at_identification").annotate(n=Count("id")).order_by():
            code = next((c for c, _l, lo, hi in AGE_GROUPS if age is not None and lo <= age <= hi), UNKNOWN)
            counts[code] += n
        order = [(c, str(lbl)) for c, lbl, _lo, _hi in AGE_GROUPS] + [(UNKNOWN, unknown)]
        return _ordered(counts, order, total)
    if by == "child_adult":
        counts = Counter()
        for age, n in cases.values_list("age_at_identification").annotate(n=Count("id")).order_by():
            counts[UNKNOWN if age is None else ("child" if age < 18 else "adult")] += n
        order = [("child", _("Children (under 18)")), ("adult", _("Adults")), (UNKNOWN, unknown)]
        return _ordered(counts, order, total)
    if by == "nationality":
        counts = Counter()
        for value, n in cases.values_list("person__citizenships").annotate(n=Count("id")).order_by():
            codes = [c for c in str(value or "").split(",") if c]
            counts[codes[0] if codes else UNKNOWN] += n  # the first citizenship recorded
        labels = {code: str(name) for code, name in countries} | {UNKNOWN: unknown}
        return _by_size(counts, labels, total)
    if by == "form":
        counts = Counter(
            dict(
                Exploitation.objects.filter(case__in=cases.values("pk"))
                .values_list("form")
                .annotate(n=Count("case", distinct=True))
                .order_by()
            )
        )
        labels = {code: term.label() for code, term in terms("exploitation_form").items()}
        return _by_size(counts, labels, total)
    if by == "region":
        counts = Counter(dict(cases.values_list("identification_region").annotate(n=Count("id")).order_by()))
        order = [(r.pk, str(r)) for r in Region.objects.order_by("pk")]
        return _ordered(counts, order, total)
    if by == "month":
        counts = Counter()
        for month, n in cases.values_list("identification_date__month").annotate(n=Count("id")).order_by():
            counts[month] += n
        order = [(m, str(MONTHS_3[m]).capitalize()) for m in range(1, 13)]
        return _ordered(counts, order, total, extra=False)
    raise ValueError(by)


def _referrals(year: int) -> Table:
    start, end = _year_range(year)
    referrals = Referral.objects.filter(
        case__in=statistics_cases().values("pk"), sent_at__date__range=(start, end)
    )
    counts = Counter(dict(referrals.values_list("service").annotate(n=Count("id")).order_by()))
    labels = {code: term.label() for code, term in terms("service_type").items()}
    return _by_size(counts, labels, sum(counts.values()))


def _assistance(year: int) -> Table:
    """Persons assisted, by service (a person counts once per service, once in the total)."""
    given = Assistance.objects.filter(
        case__in=statistics_cases().values("pk"), given_on__range=_year_range(year)
    )
    counts = Counter(dict(given.values_list("service").annotate(n=Count("case", distinct=True)).order_by()))
    labels = {code: term.label() for code, term in terms("service_type").items()}
    return _by_size(counts, labels, given.values("case").distinct().count())


def _screenings(by: str, year: int) -> Table:
    done = Screening.objects.filter(status=Screening.Status.COMPLETE, screened_on__range=_year_range(year))
    total = done.count()
    if by == "outcome":
        counts = Counter(dict(done.values_list("outcome").annotate(n=Count("id")).order_by()))
        return _ordered(counts, list(Screening.Outcome.choices), total)
    if by == "determination":
        counts = Counter(dict(done.values_list("determination").annotate(n=Count("id")).order_by()))
        counts = Counter({(k or UNKNOWN): n for k, n in counts.items()})
        order = [(code, term.label()) for code, term in terms("trafficking_status").items()]
        return _ordered(counts, [*order, (UNKNOWN, _("Not determined"))], total)
    raise ValueError(by)


def _enforcement_figures(year: int) -> dict:
    start, end = _year_range(year)
    period = justice_stats.Period(start, end)
    cases = statistics_cases().filter(identification_date__range=(start, end))
    return justice_stats.enforcement(period, justice_stats.collect(Investigation.objects.all(), cases))


def _enforcement(by: str, figures: dict) -> Table:
    if by == "sentence":
        from sira.statistics.justice import SENTENCE_LABELS

        counts = dict(figures["sentences"])
        shown, total = protect(counts, figures["convictions"]["defendants"])
        return Table([(k, str(SENTENCE_LABELS[k]), shown[k]) for k in counts], total)
    # Stages: separate measures (no one is the sum of others), each hidden alone when small.
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
    rows = [(k, lbl, None if 0 < n < threshold() else n) for k, lbl, n in stages]
    return Table(rows, None)


def _registry_table(measure: str, by: str | None, year: int) -> Table:
    if measure == "victims":
        return _victims(by, year)
    if measure == "referrals":
        return _referrals(year)
    if measure == "assistance":
        return _assistance(year)
    if measure == "screenings":
        return _screenings(by, year)
    if measure == "enforcement":
        return _enforcement(by, _enforcement_figures(year))
    raise ValueError(measure)
