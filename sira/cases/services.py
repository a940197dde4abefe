"""State changes on cases. Each runs in one transaction and writes its audit event inside it."""

import datetime as dt

from django.db import transaction

from sira.audit.models import AuditEvent
from sira.audit.services import record
from sira.cases.models import IDENTITY_FIELDS, Case, CaseGrant, Consent, Exploitation, Person, RouteStop
from sira.cases.rules import age_at_identification


def next_case_number(organisation, year: int) -> str:
    prefix = f"{(organisation.acronym or 'ORG').upper()}-{year}-"
    numbers = Case.objects.filter(organisation=organisation, case_number__startswith=prefix).values_list(
        "case_number", flat=True
    )
    highest = max((int(n.rsplit("-", 1)[1]) for n in numbers if n.rsplit("-", 1)[1].isdigit()), default=0)
    return f"{prefix}{highest + 1:04d}"


@transaction.atomic
def register_case(
    *,
    by,
    person: dict,
    case: dict,
    exploitation: dict,
    route: list[dict],
    consents: dict,
    request=None,
    synthetic: bool = False,
) -> Case:
    """Create the person, the case and its exploitation, route and consent records in one go.

    `exploitation` holds `forms` (one row each) and the details they share; `consents` maps a
    purpose to {"given": bool, "organisations": [...]}."""
    organisation = by.organisation
    person_obj = Person.objects.create(organisation=organisation, is_synthetic=synthetic, **person)
    case_obj = Case(
        organisation=organisation,
        person=person_obj,
        identified_by=by,
        owner=by,
        is_synthetic=synthetic,
        **case,
    )
    case_obj.age_at_identification = age_at_identification(
        birth_date=person_obj.birth_date,
        estimated_age=person_obj.estimated_age,
        identification_date=case_obj.identification_date,
    )
    if not case_obj.case_number:
        case_obj.case_number = next_case_number(organisation, case_obj.identification_date.year)
    case_obj.save()
    details = {k: v for k, v in exploitation.items() if k != "forms"}
    Exploitation.objects.bulk_create(
        [Exploitation(case=case_obj, form=form, **details) for form in exploitation.get("forms", [])]
    )
    RouteStop.objects.bulk_create(
        [RouteStop(case=case_obj, order=i, **stop) for i, stop in enumerate(route, start=1)]
    )
    for purpose, answer in consents.items():
        consent = Consent.objects.create(
            case=case_obj,
            purpose=purpose,
            given=answer["given"],
            recorded_on=case_obj.identification_date,
            recorded_by=by,
        )
        consent.organisations.set(answer.get("organisations", []))
    record(
        AuditEvent.Action.CREATE, actor=by, request=request, obj=case_obj, case_number=case_obj.case_number
    )
    return case_obj


def _apply(instance, changes: dict) -> list[str]:
    changed = [name for name, value in changes.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, changes[name])
    if changed:
        instance.save(update_fields=[*changed, "updated_at"])
    return changed


@transaction.atomic
def update_case(case: Case, *, by, person: dict, case_fields: dict, request=None) -> list[str]:
    """Apply changes; the audit event lists the names of changed fields, never their values."""
    person_changed = _apply(case.person, person)
    if "trafficking_status" in case_fields and case_fields["trafficking_status"] != case.trafficking_status:
        case_fields = {**case_fields, "status_decided_by": by, "status_decided_on": dt.date.today()}
    case_changed = _apply(case, case_fields)
    if {"birth_date", "estimated_age", "identification_date"} & {*person_changed, *case_changed}:
        age = age_at_identification(
            birth_date=case.person.birth_date,
            estimated_age=case.person.estimated_age,
            identification_date=case.identification_date,
        )
        case_changed += _apply(case, {"age_at_identification": age})
    changed = [f"person.{name}" for name in person_changed] + case_changed
    if changed:
        record(AuditEvent.Action.CHANGE, actor=by, request=request, obj=case, fields=changed)
    return changed


def read_identity(case: Case, *, by, request=None) -> Person:
    """Every display of a person's identifying data goes through here, so none escapes the log."""
    record(
        AuditEvent.Action.VIEW_IDENTITY,
        actor=by,
        request=request,
        obj=case,
        fields=[f for f in IDENTITY_FIELDS if getattr(case.person, f)],
    )
    return case.person


def record_export(*, by, request, count: int, fmt: str, filters: dict) -> None:
    record(AuditEvent.Action.EXPORT, actor=by, request=request, count=count, format=fmt, filters=filters)


@transaction.atomic
def grant_access(case: Case, *, by, reason: str, organisation=None, user=None, request=None) -> CaseGrant:
    """Give an organisation or a user need-to-know access to one case (sharing, referral)."""
    grant = CaseGrant.objects.create(
        case=case, organisation=organisation, user=user, granted_by=by, reason=reason
    )
    grantee = {"organisation": organisation.pk} if organisation else {"user": user.pk}
    record(AuditEvent.Action.GRANT, actor=by, request=request, obj=case, reason=reason, **grantee)
    return grant
