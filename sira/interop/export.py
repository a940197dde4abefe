"""Open data: the registry's statistics cases as an HTCDS-named or a CTDC-shaped CSV, k-anonymised
(sira/interop/rules.py), and DHIS2 aggregate data values. No identity field is ever read.

A file is written in two passes over the cases, each a server-side cursor in chunks (memory stays
flat, whatever the number of cases): the first counts the quasi-identifier combinations, from which
the generalisation level is chosen; the second writes each record generalised, or leaves it out when
its combination holds fewer than k records. The HTCDS codes are those of the identified-records export
(sira.cases.export.case_row): one mapping of Sira's values to the standard's."""

import csv
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery

from sira.cases.export import HTCDS as HTCDS_CODES
from sira.cases.export import case_records, case_row
from sira.cases.models import RouteStop
from sira.cases.services import statistics_cases
from sira.interop import catalogue, rules

HTCDS, CTDC = "htcds", "ctdc"
FORMATS = (HTCDS, CTDC)
HOME = "ML"

HTCDS_COLUMNS = [
    "sira_IdentificationYear",
    "sira_AgeBand",
    "prs_Gender",
    "prs_Citizenship",
    "sira_IdentificationRegion",
    "vic_TypeOfExploitation",
    "vic_TraffickingStatus",
    "cas_Status",
]
CTDC_FLAGS = [
    "isForcedLabour",
    "isSexualExploit",
    "isOtherExploit",
    "isForcedMarriage",
    "isForcedMilitary",
    "isOrganRemoval",
]
CTDC_COLUMNS = [
    "yearOfRegistration",
    "Datasource",
    "gender",
    "ageBroad",
    "majorityStatus",
    "citizenship",
    "CountryOfExploitation",
    *CTDC_FLAGS,
]


@dataclass
class Report:
    format: str
    k: int
    level: int
    total: int
    written: int
    generalised: int
    suppressed: int


def _cases():
    return statistics_cases().order_by("pk")


def _records():
    """(record, country of exploitation) for every statistics case, in id order."""
    cases = _cases()
    last_stop = RouteStop.objects.filter(case=OuterRef("pk"), kind="Exploitation").order_by("-order")
    countries = (
        cases.annotate(coe=Subquery(last_stop.values("country")[:1]))
        .values_list("coe", flat=True)
        .iterator(2000)
    )
    yield from zip(case_records(cases), countries, strict=True)


def _qi(fmt: str, record, country, bands) -> tuple:
    row = case_row(record, HTCDS_CODES)
    if fmt == HTCDS:
        citizenship, place, source = row["prs_Citizenship"], row["sira_IdentificationRegion"], ""
    else:
        citizenship = sorted(record.citizenships)[0] if record.citizenships else ""
        place = country or HOME  # CTDC's proxy: the country where the person was identified
        source = (
            "Hotline"
            if record.identification_context == catalogue.ctdc()["hotline_context"]
            else ("Case Management")
        )
    return (
        rules.band(record.age, bands),
        record.gender,
        citizenship,
        place,
        str(record.identification_date.year),
        row["vic_TypeOfExploitation"],
        source,
    ), row


def _line(fmt: str, qi: tuple, row: dict) -> list:
    age, gender, citizenship, place, year, forms, source = qi
    if fmt == HTCDS:
        return [year, age, gender, citizenship, place, forms, row["vic_TraffickingStatus"], row["cas_Status"]]
    c = catalogue.ctdc()
    missing = c["missing"]
    chosen = set(forms.split(";")) if forms else set()
    flags = [(1 if chosen & set(c["forms_out"][name]) else 0) if chosen else missing for name in CTDC_FLAGS]
    low = rules.band_low(age, [*c["age_bands"], *rules.WIDE_BANDS, *rules.MAJORITY_BANDS])
    majority = missing if low is None else ("Minor" if low < 18 else "Adult")
    return [
        year or missing,
        source or missing,
        c["gender_out"].get(gender, "Unknown"),
        age or missing,
        majority,
        citizenship or missing,
        place or missing,
        *flags,
    ]


class _Echo:
    def write(self, value):
        return value


def open_data(
    fmt: str, *, k: int = rules.DEFAULT_K, max_suppressed: float = rules.DEFAULT_MAX_SUPPRESSED
) -> tuple[Report, Iterator[str]]:
    """The report (level, counts) and the CSV lines of the k-anonymised file. The counting pass runs
    here; the lines are produced as they are read."""
    bands = catalogue.ctdc()["age_bands"]
    counts: Counter = Counter()
    for record, country in _records():
        counts[_qi(fmt, record, country, bands)[0]] += 1
    lad = rules.ladder(counts, k, bands, catalogue.ctdc()["forms_out"])
    chosen = rules.plan(counts, lad, max_suppressed)
    report = Report(
        fmt,
        k,
        chosen.level,
        chosen.total,
        chosen.total - chosen.suppressed,
        chosen.generalised,
        chosen.suppressed,
    )

    def lines():
        writer = csv.writer(_Echo(), lineterminator="\n")
        yield writer.writerow(HTCDS_COLUMNS if fmt == HTCDS else CTDC_COLUMNS)
        batch = []
        for record, country in _records():
            qi, row = _qi(fmt, record, country, bands)
            out = lad.apply(qi, chosen.level)
            if out in chosen.released:
                batch.append(writer.writerow(_line(fmt, out, row)))
                if len(batch) == 500:
                    yield "".join(batch)
                    batch = []
        if batch:
            yield "".join(batch)

    return report, lines()


def dhis2_values(threshold: int | None = None) -> list[dict]:
    """DHIS2 data values (dataElement, period, orgUnit, categoryOptionCombo, value), yearly periods,
    org units by code (data/dhis2.yaml); suppressed groups are left out."""
    from sira.interop.figures import dhis2_cells

    org_units = catalogue.dhis2()["org_units"]
    values = []
    for (year, region), cells in sorted(dhis2_cells(threshold).items()):
        for (element, combo), n in sorted(cells.items()):
            values.append(
                {
                    "dataElement": element,
                    "period": str(year),
                    "orgUnit": org_units.get(region, region),
                    "categoryOptionCombo": combo,
                    "value": str(n),
                }
            )
    return values


DHIS2_CSV_COLUMNS = ["dataElement", "period", "orgUnit", "categoryOptionCombo", "value"]
