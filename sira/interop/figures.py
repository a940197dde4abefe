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


def dhis2_cells(threshold: int | None = None) -> dict[tuple, dict]:
    """{(year, region): {(data element code, category option combo code): count}}, disclosure-controlled:
    a cell below the small-cell threshold hides its whole (year, region) group (every element of a group
    shares one total, so hiding one cell alone could be undone by subtraction)."""
    from django.conf import settings

    from sira.cases.rules import is_child

    threshold = settings.SIRA_SMALL_CELL_THRESHOLD if threshold is None else threshold
    config = catalogue.dhis2()
    groups: dict[tuple, Counter] = {}
    rows = (
        statistics_cases()
        .values_list(
            "identification_date__year", "identification_region_id", "person__gender", "age_at_identification"
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    for year, region, gender, age, n in rows:
        cells = groups.setdefault((year, region), Counter())
        for element in config["data_elements"]:
            combos = element["category_option_combos"]
            if element["dimension"] == "sex":
                value = gender if gender in combos else "other"
            else:
                value = "child" if is_child(age) else "adult"
            cells[(element["code"], combos[value])] += n
    return {
        key: dict(cells)
        for key, cells in groups.items()
        if all(n == 0 or n >= threshold for n in cells.values())
    }
