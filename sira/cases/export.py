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
CHUNK_SIZE = 500


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


def case_row(case, fmt: str = HTCDS) -> dict:
    """One case as {HTCDS column name: value}: standard codes for "htcds", labels in the active
    language for "labels". The only place that decides what an export says about a case."""
    exploitations = list(case.exploitations.all())
    means = [m for e in exploitations for m in e.means_of_control]
    methods = [m for e in exploitations for m in e.recruitment_methods]
    age = case.age_at_identification if case.age_at_identification is not None else ""
    common = {
        "cas_CaseNumber": case.case_number,
        "org_Name": case.organisation.name,
        "vic_AgeAtIdentification": age,
        "sira_IdentificationDate": case.identification_date.isoformat(),
    }
    if fmt == HTCDS:
        return {
            **common,
            "prs_Gender": case.person.gender,
            "prs_Citizenship": _codes(str(c) for c in case.person.citizenships),
            "vic_TraffickingStatus": case.trafficking_status,
            "vic_TraffickingStatusDecisionMakingOrg": case.status_decider,
            "vic_TypeOfExploitation": _codes(htcds_value("exploitation_form", e.form) for e in exploitations),
            "sira_TypeOfExploitation": _codes(e.form for e in exploitations),
            "vic_ForcedLabourIndustry": _codes(e.industry for e in exploitations),
            "vic_MethodsOfControl": _codes(htcds_value("means_of_control", m) for m in means),
            "vic_MethodOfRecruitment": _codes(htcds_value("recruitment_method", m) for m in methods),
            "vic_RelationshipToTrafficker": _codes(e.recruiter_relationship for e in exploitations),
            "cas_Status": case.case_status,
            "sira_IdentificationContext": case.identification_context,
            "sira_IdentificationRegion": case.identification_region_id,
        }

    def lbl(name, code):
        return label(name, code) if code else ""

    return {
        **common,
        "prs_Gender": lbl("gender", case.person.gender),
        "prs_Citizenship": _labels(c.name for c in case.person.citizenships),
        "vic_TraffickingStatus": lbl("trafficking_status", case.trafficking_status),
        "vic_TraffickingStatusDecisionMakingOrg": lbl("status_decider", case.status_decider),
        "sira_TypeOfExploitation": _labels(lbl("exploitation_form", e.form) for e in exploitations),
        "vic_ForcedLabourIndustry": _labels(lbl("industry", e.industry) for e in exploitations),
        "vic_MethodsOfControl": _labels(lbl("means_of_control", m) for m in means),
        "vic_MethodOfRecruitment": _labels(lbl("recruitment_method", m) for m in methods),
        "vic_RelationshipToTrafficker": _labels(
            lbl("recruiter_relationship", e.recruiter_relationship) for e in exploitations
        ),
        "cas_Status": lbl("case_status", case.case_status),
        "sira_IdentificationContext": lbl("identification_context", case.identification_context),
        "sira_IdentificationRegion": str(case.identification_region),
    }


class _Echo:
    """A file-like object whose write returns what it was given: csv.writer then yields lines."""

    def write(self, value):
        return value


def render_csv(rows: Iterable[dict], fmt: str, language: str) -> Iterator[str]:
    """The CSV text of `rows`, line by line, in `language` (a generator: nothing is built in memory).
    The language is fixed here because a streamed body is written after the view has returned."""
    with translation.override(language):
        cols = columns(fmt)
        delimiter = ";" if fmt == LABELS and language.startswith("fr") else ","
        writer = csv.writer(_Echo(), delimiter=delimiter)
        if fmt == LABELS:
            header = [str(c.title) for c in cols]
            yield BOM + writer.writerow(header)
        else:
            yield writer.writerow([c.htcds for c in cols])
        for row in rows:
            yield writer.writerow([safe_cell(row[c.htcds]) for c in cols])


def export_queryset(queryset):
    """What the rows need and nothing more: identifying fields and the narrative are never written to
    an export, so they are never loaded (nor decrypted)."""
    from sira.cases.models import IDENTITY_FIELDS

    return (
        queryset.select_related("person", "organisation", "identification_region")
        .defer("narrative", *(f"person__{name}" for name in IDENTITY_FIELDS))
        .prefetch_related("exploitations")
    )


def case_rows(queryset, fmt: str) -> Iterator[dict]:
    for case in export_queryset(queryset).iterator(chunk_size=CHUNK_SIZE):
        yield case_row(case, fmt)


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
    return render_csv(case_rows(queryset, fmt), fmt, language), filename(fmt)


def streaming_response(lines: Iterator[str], name: str):
    from django.http import StreamingHttpResponse

    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
