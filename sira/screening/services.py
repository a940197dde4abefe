"""State changes on screenings; each writes its audit event in the same transaction."""

from django.db import transaction
from django.utils import timezone

from sira.audit.models import AuditEvent
from sira.audit.services import record
from sira.screening import engine
from sira.screening.models import PROFILE_FIELDS, CatalogueVersion, Screening


def current_catalogue() -> CatalogueVersion:
    return CatalogueVersion.objects.get(is_current=True)


def start_screening(*, by, profile: dict, request=None, catalogue=None) -> Screening:
    screening = Screening.objects.create(
        catalogue=catalogue or current_catalogue(),
        organisation=by.organisation,
        screened_by=by,
        **{k: v for k, v in profile.items() if k in PROFILE_FIELDS},
    )
    record(AuditEvent.Action.CREATE, actor=by, request=request, obj=screening)
    return screening


@transaction.atomic
def complete_screening(
    screening: Screening, *, by, answers: dict, urgent: list[str], request=None
) -> Screening:
    """Score with the catalogue version the screening started with, whatever is current now."""
    screening.answers = answers
    screening.urgent = sorted(urgent)
    screening.result = engine.score(
        screening.catalogue.catalogue,
        answers,
        age=screening.age,
        forms=screening.suspected_forms,
        urgent=screening.urgent,
    )
    if screening.result.get("contradictions"):  # nothing is decided until the worker resolves them
        screening.save(update_fields=["answers", "urgent", "result"])
        return screening
    screening.outcome = screening.result["outcome"]
    screening.urgent = screening.result["urgent"]
    screening.status = Screening.Status.COMPLETE
    screening.save(update_fields=["answers", "urgent", "result", "outcome", "status"])
    record(AuditEvent.Action.CHANGE, actor=by, request=request, obj=screening, fields=["answers", "outcome"])
    return screening


@transaction.atomic
def record_determination(screening: Screening, *, by, status: str, justification: str, request=None) -> None:
    screening.determination = status
    screening.justification = justification
    screening.determined_by = by
    screening.determined_at = timezone.now()
    screening.save(update_fields=["determination", "justification", "determined_by", "determined_at"])
    record(AuditEvent.Action.CHANGE, actor=by, request=request, obj=screening, fields=["determination"])


@transaction.atomic
def attach_to_case(screening: Screening, case, *, by, request=None) -> None:
    screening.case = case
    screening.save(update_fields=["case"])
    record(AuditEvent.Action.CHANGE, actor=by, request=request, obj=screening, fields=["case"])
    record(
        AuditEvent.Action.CHANGE,
        actor=by,
        request=request,
        obj=case,
        fields=["screenings"],
        screening=screening.pk,
    )


def case_initial(screening: Screening) -> dict:
    """What a new case takes from a screening: initial values for each step of the guided form."""
    case_forms = screening.catalogue.data.get("case_forms", {})
    route = []
    if screening.departure_country:
        route.append(
            {
                "kind": "Origin",
                "country": str(screening.departure_country),
                "region": screening.departure_region_id,
            }
        )
    return {
        "person": {
            "gender": screening.gender,
            "estimated_age": screening.age,
            "citizenships": [str(screening.nationality)] if screening.nationality else [],
        },
        "case": {
            "identification_date": screening.screened_on,
            "identification_context": screening.context,
            "identification_region": screening.region_id,
            "identification_cercle": screening.cercle_id,
        },
        "exploitation": {
            "exploitation_forms": sorted(
                {case_forms[f] for f in screening.suspected_forms if f in case_forms}
            )
        },
        "route": route,
    }


@transaction.atomic
def promote_to_case(screening: Screening, *, by, request=None, **case_input):
    """Register a new case from a screening and attach the screening to it, in one transaction."""
    from sira.cases.services import register_case

    case = register_case(by=by, request=request, **case_input)
    # The case is registered with everything the form carried, pre-filled or typed.
    attach_to_case(screening, case, by=by, request=request)
    return case


def score_only(catalogue_version: CatalogueVersion, *, age, forms, answers: dict, urgent=()) -> dict:
    """The API's score endpoint: a result for a profile and answers; nothing stored, no identity."""
    return engine.score(catalogue_version.catalogue, answers, age=age, forms=forms, urgent=urgent)


def demo_value(question, answer: str):
    """A valid answer for synthetic data: "yes"/"no"/"unknown" as the risk / safe / unknown side of
    any question (indicator items of 2026.1 take them as they are)."""
    if answer == "unknown" or not hasattr(question, "risk_value"):
        return answer
    if question.type == "yesno" and question.risk is None:
        return answer
    return question.risk_value() if answer == "yes" else question.safe_value()
