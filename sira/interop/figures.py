"""Counts interop reads back: through the statistics layer (sira.statistics.layer) when it is there,
else from the registry's statistics cases (the same consent rule). Used by the import's acceptance
test and by the DHIS2 export."""

from collections import Counter

from django.db.models import Count

from sira.cases.services import statistics_cases
from sira.interop import catalogue, rules


def _layer():
    from sira.statistics import layer

    return layer


# interop's names for the layer's dimensions
LAYER_DIMENSIONS = {"gender": "sex", "citizenship": "nationality", "ctdc_age_band": "age_band"}


def counts_by(dimension: str, user=None) -> Counter:
    """Number of statistics cases by `dimension`: "gender", "citizenship" or "ctdc_age_band", as the
    statistics layer gives them to `user` (exact for a user with record access, else suppressed)."""
    layer = _layer()
    if layer is not None:
        table = layer.run(layer.Query(measure="victims", by=(LAYER_DIMENSIONS[dimension],)), user)
        return Counter({row.key[0]: row.value for row in table.rows if row.value})
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
    layer = _layer()
    if layer is not None:
        return _dhis2_cells_from_layer(layer, config)
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


LAYER_COMBO_DIMENSIONS = {"sex": "sex", "child_adult": "child"}


def _dhis2_cells_from_layer(layer, config) -> dict[tuple, dict]:
    """The same cells through the statistics layer, disclosure control forced (published output):
    a hidden value ("<5", None) hides its whole (year, region) group."""
    years = [
        row.key[0] for row in layer.run(layer.Query(measure="victims", by=("year",)), None, full=False).rows
    ]
    groups: dict[tuple, dict] = {}
    hidden: set[tuple] = set()
    for year in years:
        for element in config["data_elements"]:
            combos = element["category_option_combos"]
            query = layer.Query(
                measure="victims",
                by=("region", LAYER_COMBO_DIMENSIONS[element["dimension"]]),
                filters={"year": year},
            )
            for row in layer.run(query, None, full=False).rows:
                region, value = row.key
                group = (year, region)
                if row.value is None:
                    hidden.add(group)
                    continue
                if not region or not row.value or (element["dimension"] == "child_adult" and not value):
                    continue  # unknown region or age: not reported in a disaggregation
                combo = combos[value if value in combos else "other"]
                cells = groups.setdefault(group, {})
                cells[(element["code"], combo)] = cells.get((element["code"], combo), 0) + row.value
    return {group: cells for group, cells in groups.items() if group not in hidden}
