"""Case exports. Two formats share one row builder and one renderer:

- "labels" (the default, for people): column headers and values as labels in the user's language,
  UTF-8 with a byte-order mark so spreadsheet software reads the accents, `;` as separator in French
  (what French-locale Excel expects) and `,` in English;
- "htcds" (for interoperability): HTCDS v2.0 column names and standard codes, UTF-8, comma-separated.

Exports are pseudonymised: they carry the case number, never names, contacts, addresses or narratives,
because exported files leave the system's protection. Dates are ISO 8601 in both formats."""

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from sira.core.spreadsheet import FORMULA_START, safe_cell  # noqa: F401 - one rule, in core
from sira.core.vocab import htcds_value, label

HTCDS = "htcds"
LABELS = "labels"
FORMATS = (LABELS, HTCDS)
BOM = "\ufeff"
# Several values in one cell (forms of exploitation, means of control...). Labels contain commas.
LABEL_JOIN = " | "
CHUNK_SIZE = 2000  # cases read per query
# Lines sent at a time: one response chunk per line costs more than the line (and compresses badly).
LINES_PER_CHUNK = 200


@dataclass(frozen=True)
class Column:
    htcds: str  # HTCDS v2.0 column name (sira_* for Sira extensions)
    title: str  # lazy label, resolved in the language active when the file is written
    in_labels: bool = True  # False: a standard-code column with no meaning for people


COLUMNS = [
    Column("cas_CaseNumber", _("Case number")),
    Column("org_Name", _("Organisation")),
    Column("prs_Gender", _("Sex / gender")),
    Column("prs_Citizenship", _("Citizenships")),
    Column("vic_AgeAtIdentification", _("Age at identification")),
    Column("vic_TraffickingStatus", _("Trafficking status")),
    Column("vic_TraffickingStatusDecisionMakingOrg", _("Status decided by (type of body)")),
    Column("vic_TypeOfExploitation", _("Form of exploitation (HTCDS)"), in_labels=False),
    Column("sira_TypeOfExploitation", _("Forms of exploitation")),
    Column("vic_ForcedLabourIndustry", _("Labour industry (ISIC)")),
    Column("vic_MethodsOfControl", _("Means of control")),
    Column("vic_MethodOfRecruitment", _("Recruitment methods")),
    Column("vic_RelationshipToTrafficker", _("Relationship to recruiter")),
    Column("cas_Status", _("Case status")),
    Column("sira_IdentificationDate", _("Identification date")),
    Column("sira_IdentificationContext", _("Identification context")),
    Column("sira_IdentificationRegion", _("Region of identification")),
]


def columns(fmt: str) -> list[Column]:
    return [c for c in COLUMNS if fmt == HTCDS or c.in_labels]


def _codes(values) -> str:
    return ";".join(sorted({v for v in values if v}))


def _labels(values) -> str:
    return LABEL_JOIN.join(sorted({v for v in values if v}))


# What an export reads of a case, as plain values (no model instances: building and decrypting
# instances cost twenty times more than writing the line). Identity fields and the narrative are
# never written to an export, so they are never read.
CASE_VALUES = (
    "id",
    "case_number",
    "organisation__name",
    "person__gender",
    "person__citizenships",
    "age_at_identification",
    "trafficking_status",
    "status_decider",
    "case_status",
    "identification_date",
    "identification_context",
    "identification_region_id",
    "identification_region__name_fr",
    "identification_region__name_en",
)
EXPLOITATION_VALUES = (
    "case_id",
    "form",
    "industry",
    "means_of_control",
    "recruitment_methods",
    "recruiter_relationship",
)


@dataclass(frozen=True)
class Exploitation:
    form: str
    industry: str
    means_of_control: list
    recruitment_methods: list
    recruiter_relationship: str


@dataclass(frozen=True)
class Record:
    """One case as an export reads it: `CASE_VALUES` and its forms of exploitation."""

    case_number: str
    organisation: str
    gender: str
    citizenships: tuple[str, ...]
    age: int | None
    trafficking_status: str
    status_decider: str
    case_status: str
    identification_date: object
    identification_context: str
    region_code: str
    region_fr: str
    region_en: str
    exploitations: tuple[Exploitation, ...]


class Labels:
    """Labels of one language, each looked up once per export (an export writes the same few
    hundred labels again and again)."""

    def __init__(self, language: str):
        from django_countries import countries

        self.english = language.startswith("en")
        self._countries = countries
        self._seen: dict[tuple[str, str], str] = {}

    def __call__(self, name: str, code) -> str:
        if not code:
            return ""
        key = (name, code)
        found = self._seen.get(key)
        if found is None:
            found = str(self._countries.name(code) or code) if name == "country" else label(name, code)
            self._seen[key] = found
        return found


def case_row(record: Record, fmt: str = HTCDS, labels: Labels | None = None) -> dict:
    """One case as {HTCDS column name: value}: standard codes for "htcds", labels in the active
    language for "labels". The only place that decides what an export says about a case."""
    exploitations = record.exploitations
    means = [m for e in exploitations for m in e.means_of_control or ()]
    methods = [m for e in exploitations for m in e.recruitment_methods or ()]
    common = {
        "cas_CaseNumber": record.case_number,
        "org_Name": record.organisation,
        "vic_AgeAtIdentification": record.age if record.age is not None else "",
        "sira_IdentificationDate": record.identification_date.isoformat(),
    }
    if fmt == HTCDS:
        return {
            **common,
            "prs_Gender": record.gender,
            "prs_Citizenship": _codes(record.citizenships),
            "vic_TraffickingStatus": record.trafficking_status,
            "vic_TraffickingStatusDecisionMakingOrg": record.status_decider,
            "vic_TypeOfExploitation": _codes(htcds_value("exploitation_form", e.form) for e in exploitations),
            "sira_TypeOfExploitation": _codes(e.form for e in exploitations),
            "vic_ForcedLabourIndustry": _codes(e.industry for e in exploitations),
            "vic_MethodsOfControl": _codes(htcds_value("means_of_control", m) for m in means),
            "vic_MethodOfRecruitment": _codes(htcds_value("recruitment_method", m) for m in methods),
            "vic_RelationshipToTrafficker": _codes(e.recruiter_relationship for e in exploitations),
            "cas_Status": record.case_status,
            "sira_IdentificationContext": record.identification_context,
            "sira_IdentificationRegion": record.region_code,
        }
    lbl = labels or Labels(translation.get_language() or "fr")
    return {
        **common,
        "prs_Gender": lbl("gender", record.gender),
        "prs_Citizenship": _labels(lbl("country", c) for c in record.citizenships),
        "vic_TraffickingStatus": lbl("trafficking_status", record.trafficking_status),
        "vic_TraffickingStatusDecisionMakingOrg": lbl("status_decider", record.status_decider),
        "sira_TypeOfExploitation": _labels(lbl("exploitation_form", e.form) for e in exploitations),
        "vic_ForcedLabourIndustry": _labels(lbl("industry", e.industry) for e in exploitations),
        "vic_MethodsOfControl": _labels(lbl("means_of_control", m) for m in means),
        "vic_MethodOfRecruitment": _labels(lbl("recruitment_method", m) for m in methods),
        "vic_RelationshipToTrafficker": _labels(
            lbl("recruiter_relationship", e.recruiter_relationship) for e in exploitations
        ),
        "cas_Status": lbl("case_status", record.case_status),
        "sira_IdentificationContext": lbl("identification_context", record.identification_context),
        "sira_IdentificationRegion": record.region_en if lbl.english else record.region_fr,
    }


class _Echo:
    """A file-like object whose write returns what it was given: csv.writer then yields lines."""

    def write(self, value):
        return value


def render_csv(records: Iterable[Record], fmt: str, language: str) -> Iterator[str]:
    """The CSV text of `records`, a few hundred lines at a time, in `language` (a generator: nothing
    is built in memory). The language is fixed here because a streamed body is written after the view
    has returned."""
    with translation.override(language):
        cols = columns(fmt)
        names = [c.htcds for c in cols]
        delimiter = ";" if fmt == LABELS and language.startswith("fr") else ","
        writer = csv.writer(_Echo(), delimiter=delimiter)
        labels = Labels(language)
        if fmt == LABELS:
            header = [str(c.title) for c in cols]
            yield BOM + writer.writerow(header)
        else:
            yield writer.writerow(names)
        lines = []
        for record in records:
            row = case_row(record, fmt, labels)
            lines.append(writer.writerow([safe_cell(row[name]) for name in names]))
            if len(lines) == LINES_PER_CHUNK:
                yield "".join(lines)
                lines = []
        if lines:
            yield "".join(lines)


def _citizenships(value) -> tuple[str, ...]:
    # CountryField(multiple=True) keeps "ML,BF" in the column.
    if not value:
        return ()
    return tuple(str(code) for code in (value.split(",") if isinstance(value, str) else value) if code)


def case_records(queryset) -> Iterator[Record]:
    """The export's records, read in chunks through a server-side cursor: one query for a chunk of
    cases and one for their forms of exploitation, so memory stays flat whatever the size."""
    from sira.cases.models import Exploitation as ExploitationModel

    rows = queryset.values_list(*CASE_VALUES).iterator(chunk_size=CHUNK_SIZE)
    while True:
        chunk = [row for _, row in zip(range(CHUNK_SIZE), rows, strict=False)]
        if not chunk:
            return
        found: dict[int, list[Exploitation]] = {}
        for case_id, *values in (
            ExploitationModel.objects.filter(case_id__in=[row[0] for row in chunk])
            .order_by("case_id", "id")
            .values_list(*EXPLOITATION_VALUES)
        ):
            found.setdefault(case_id, []).append(Exploitation(*values))
        for case_id, *values in chunk:
            yield Record(
                values[0],
                values[1],
                values[2],
                _citizenships(values[3]),
                *values[4:],
                exploitations=tuple(found.get(case_id, ())),
            )


def filename(fmt: str) -> str:
    suffix = "-htcds" if fmt == HTCDS else ""
    return f"sira-cases{suffix}-{timezone.localdate().isoformat()}.csv"


def export_cases(*, by, request, params) -> tuple[Iterator[str], str]:
    """The CSV lines of the cases `by` may export, filtered like the case list, in the format asked
    for by `params["format"]`, and the file name. The export is audited before the first line goes."""
    from sira.cases import access, search, services
    from sira.cases.filters import CaseFilter

    fmt = params.get("format") if params.get("format") in FORMATS else LABELS
    params, expired = search.resolve(params, by)  # a search comes as a token, never as the name
    filterset = CaseFilter(params, queryset=access.visible_cases(by, access.EXPORT))
    # An expired search exports nothing rather than every case the search was narrowing.
    queryset = filterset.qs.none() if expired else filterset.qs
    filters = search.audit_filters(params)
    services.record_export(by=by, request=request, count=queryset.count(), fmt=fmt, filters=filters)
    language = translation.get_language() or "fr"
    return render_csv(case_records(queryset), fmt, language), filename(fmt)


def streaming_response(lines: Iterator[str], name: str):
    from django.http import StreamingHttpResponse

    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
