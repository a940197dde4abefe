"""Counts interop reads back: through the statistics layer (sira.statistics.layer) when it is there,
else from the registry's statistics cases (the same consent rule). Used by the import's acceptance
test and by the DHIS2 export."""

from collections import Counter

from django.db.models import Count

from sira.cases.services import statistics_cases
from sira.interop import catalogue, rules


def _layer():
    try:
        from sira.statistics import layer
    except ImportError:
        return None
    return layer if hasattr(layer, "run") else None


def counts_by(dimension: str, user=None) -> Counter:
    """Number of statistics cases by `dimension`: "gender", "citizenship" or "ctdc_age_band"."""
    cases = statistics_cases()
    if dimension == "gender":
        rows = cases.values_list("person__gender").annotate(n=Count("id"))
        return Counter({k: n for k, n in rows})
    if dimension == "citizenship":
        rows = cases.values_list("person__citizenships").annotate(n=Count("id"))
        return Counter({(k or ""): n for k, n in rows})
    if dimension == "ctdc_age_band":
        bands = catalogue.ctdc()["age_bands"]
        out: Counter = Counter()
        for age, n in cases.values_list("age_at_identification").annotate(n=Count("id")):
            out[rules.band(age, bands)] += n
        return out
    raise ValueError(dimension)
