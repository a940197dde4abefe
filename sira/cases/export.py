"""Case export rows with HTCDS v2.0 column names. Exports are pseudonymised: they carry the case number,
never names, contacts, addresses or narratives, because exported files leave the system's protection."""

import csv
import io

from sira.core.vocab import htcds_value

COLUMNS = [
    "cas_CaseNumber",
    "org_Name",
    "prs_Gender",
    "prs_Citizenship",
    "vic_AgeAtIdentification",
    "vic_TraffickingStatus",
    "vic_TraffickingStatusDecisionMakingOrg",
    "vic_TypeOfExploitation",
    "sira_TypeOfExploitation",
    "vic_ForcedLabourIndustry",
    "vic_MethodsOfControl",
    "vic_MethodOfRecruitment",
    "vic_RelationshipToTrafficker",
    "cas_Status",
    "sira_IdentificationDate",
    "sira_IdentificationContext",
    "sira_IdentificationRegion",
]


def _join(values) -> str:
    return ";".join(sorted({v for v in values if v}))


def case_row(case) -> dict:
    exploitations = list(case.exploitations.all())
    return {
        "cas_CaseNumber": case.case_number,
        "org_Name": case.organisation.name,
        "prs_Gender": case.person.gender,
        "prs_Citizenship": _join(str(c) for c in case.person.citizenships),
        "vic_AgeAtIdentification": case.age_at_identification
        if case.age_at_identification is not None
        else "",
        "vic_TraffickingStatus": case.trafficking_status,
        "vic_TraffickingStatusDecisionMakingOrg": case.status_decider,
        "vic_TypeOfExploitation": _join(htcds_value("exploitation_form", e.form) for e in exploitations),
        "sira_TypeOfExploitation": _join(e.form for e in exploitations),
        "vic_ForcedLabourIndustry": _join(e.industry for e in exploitations),
        "vic_MethodsOfControl": _join(
            htcds_value("means_of_control", m) for e in exploitations for m in e.means_of_control
        ),
        "vic_MethodOfRecruitment": _join(
            htcds_value("recruitment_method", m) for e in exploitations for m in e.recruitment_methods
        ),
        "vic_RelationshipToTrafficker": _join(e.recruiter_relationship for e in exploitations),
        "cas_Status": case.case_status,
        "sira_IdentificationDate": case.identification_date.isoformat(),
        "sira_IdentificationContext": case.identification_context,
        "sira_IdentificationRegion": case.identification_region_id,
    }


def export_queryset(queryset):
    return queryset.select_related("person", "organisation").prefetch_related("exploitations")


def to_csv(queryset) -> tuple[str, int]:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    count = 0
    for case in export_queryset(queryset).iterator(chunk_size=500):
        writer.writerow(case_row(case))
        count += 1
    return out.getvalue(), count


def export_cases(*, by, request, params) -> str:
    """The CSV of the cases `by` may export, filtered like the case list; the export is audited."""
    from sira.cases import access, services
    from sira.cases.filters import CaseFilter

    filterset = CaseFilter(params, queryset=access.visible_cases(by, access.EXPORT))
    body, count = to_csv(filterset.qs)
    filters = {k: v for k, v in params.items() if v}
    services.record_export(by=by, request=request, count=count, fmt="csv", filters=filters)
    return body
