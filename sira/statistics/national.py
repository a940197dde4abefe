"""Counts for dashboards. National figures are suppressed below the small-cell threshold."""

from django.db.models import Count

from sira.cases.choices import AGE_GROUPS
from sira.cases.models import Exploitation
from sira.cases.services import statistics_cases
from sira.core.vocab import label
from sira.geo.models import Region
from sira.screening.models import Screening
from sira.statistics.suppression import suppress, suppressed_counts


def by_status(queryset) -> list[dict]:
    rows = queryset.values("case_status").annotate(n=Count("id")).order_by("case_status")
    return [{"label": label("case_status", r["case_status"]), "n": r["n"]} for r in rows]


def national_summary() -> dict:
    # The statistics-consent rule (docs/security.md): cases whose person refused statistics are left out.
    cases = statistics_cases()
    regions = {r.pk: str(r) for r in Region.objects.all()}
    by_region = suppressed_counts(
        cases.values("identification_region").annotate(n=Count("id")).order_by("identification_region"),
        "identification_region",
    )
    by_gender = suppressed_counts(cases.values("person__gender").annotate(n=Count("id")), "person__gender")
    by_form = suppressed_counts(
        Exploitation.objects.filter(case__in=cases)
        .values("form")
        .annotate(n=Count("case", distinct=True))
        .order_by("-n"),
        "form",
    )
    by_age = [
        {"label": str(lbl), "n": suppress(cases.filter(age_at_identification__range=(lo, hi)).count())}
        for _code, lbl, lo, hi in AGE_GROUPS
    ]
    screenings = Screening.objects.filter(status=Screening.Status.COMPLETE)
    outcomes = dict(Screening.Outcome.choices)
    by_outcome = suppressed_counts(
        screenings.values("outcome").annotate(n=Count("id")).order_by("outcome"), "outcome"
    )
    by_determination = suppressed_counts(
        screenings.exclude(determination="").values("determination").annotate(n=Count("id")), "determination"
    )
    return {
        "screenings_by_outcome": [
            {"label": outcomes.get(r["outcome"], r["outcome"]), "n": r["n"]} for r in by_outcome
        ],
        "screenings_by_determination": [
            {"label": label("trafficking_status", r["determination"]), "n": r["n"]} for r in by_determination
        ],
        "total": suppress(cases.count()),
        "by_region": [
            {"label": regions.get(r["identification_region"], "?"), "n": r["n"]} for r in by_region
        ],
        "by_gender": [{"label": label("gender", r["person__gender"]), "n": r["n"]} for r in by_gender],
        "by_form": [{"label": label("exploitation_form", r["form"]), "n": r["n"]} for r in by_form],
        "by_age": by_age,
    }
