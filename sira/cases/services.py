"""State changes on cases. Every entry path (pages, API, imports, promotion of a screening, demo
seeding) calls these functions; each runs in one transaction, checks the rules of `rules.py` on the
state it is about to write, and writes its audit event inside the same transaction.

A write that breaks a rule raises `django.core.exceptions.ValidationError` with every error of the
submission, keyed by dotted paths (see rules.py), and changes nothing. A write that meets unconfirmed
consistency warnings raises `NeedsConfirmation`; the caller shows them and may send the same write
again with the warnings' codes in `confirmed_warnings` (the confirmation is kept in the audit log)."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, OuterRef, Q, Subquery
from django.dispatch import Signal
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from sira.accounts.access import can_break_glass
from sira.audit.models import AuditEvent
from sira.audit.services import field_label, record
from sira.cases import rules
from sira.cases.models import (
    EXPLOITATION_FIELDS,
    IDENTITY_FIELDS,
    AccessFlag,
    Assistance,
    Case,
    CaseGoal,
    CaseGrant,
    CaseNote,
    CaseNumberCounter,
    Consent,
    Exploitation,
    Person,
    RouteStop,
)
from sira.core.vocab import terms
from sira.geo.models import Cercle

CASE_PLACE = ("identification_region", "identification_cercle")
STOP_PLACE = ("region", "cercle")
STOP_FIELDS = ("kind", "country", "region_id", "cercle_id", "locality", "date")


class NeedsConfirmation(Exception):
    """The write meets consistency warnings the worker has not confirmed."""

    def __init__(self, warnings: list[rules.Warning]):
        super().__init__([w.code for w in warnings])
        self.warnings = warnings


class EditConflict(Exception):
    """The record was saved by someone else after the caller read it (its version moved on): nothing
    was written. `fields` names what changed since (as the audit log stores them, never values)."""

    def __init__(self, record, *, expected: int, fields: list[str], users: list[str]):
        super().__init__(f"{record._meta.label_lower}:{record.pk} is at version {record.version}")
        self.record, self.expected, self.fields, self.users = record, expected, fields, users
        self.current_version = record.version

    def labels(self) -> list[str]:
        """The changed fields' names in the active language (the case's own labels)."""
        return list(dict.fromkeys(capfirst(field_label(Case, f)) for f in self.fields))

    @property
    def message(self) -> str:
        return rules.conflict_message(self.labels(), self.users)


# ---------------------------------------------------------------------------------------------------
# Input normalisation: entry paths give places as objects (forms) or ids (API, demo, imports).


def _as_ids(data: dict, region: str, cercle: str) -> dict:
    out = dict(data)
    for name in (region, cercle):
        if name in out:
            value = out.pop(name)
            out[f"{name}_id"] = getattr(value, "pk", value)
    return out


def _cercle_regions(*cercle_ids) -> dict:
    ids = {c for c in cercle_ids if c}
    return dict(Cercle.objects.filter(pk__in=ids).values_list("pk", "region_id")) if ids else {}


def _with_cercle_region(data: dict, cercle: str, regions: dict) -> dict:
    cercle_id = data.get(f"{cercle}_id")
    return {**data, f"{cercle}_region_id": regions.get(cercle_id, "?") if cercle_id else None}


def _normal(value):
    """Values as compared for change detection: '' and None alike, countries and records by code/pk."""
    if value in ("", None):
        return None
    if isinstance(value, list | tuple):
        return sorted(str(v) for v in value)
    if hasattr(value, "pk"):
        return value.pk
    if hasattr(value, "code") and hasattr(value, "flag"):  # django-countries Country
        return value.code
    return value


def _raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError({key: [message] for key, message in errors.items()})


def _check_warnings(warnings, confirmed) -> list[str]:
    pending = rules.unconfirmed(warnings, confirmed)
    if pending:
        raise NeedsConfirmation(pending)
    return [w.code for w in warnings]


def _today() -> dt.date:
    return timezone.localdate()


# ---------------------------------------------------------------------------------------------------
# Versions: no lost update. Every save of an editable record raises its version with
# `UPDATE … SET version = version + 1 WHERE pk = … AND version = <as read>`: a concurrent save that
# got there first makes the update match no row, and the write is refused. A caller that read the
# record earlier (a page, an API client) passes the version it read as `version`; a stale one raises
# EditConflict, naming the fields changed since (from the audit log, which records each version).


def _changed_since(case_id: int, expected: int, *, key: str, **where) -> tuple[list[str], list[str]]:
    """The fields changed (and who changed them) in the case's audit events after version
    `expected` of a record; `key` names where an event keeps that record's version."""
    events = AuditEvent.objects.filter(
        object_type="cases.case", object_id=str(case_id), action=AuditEvent.Action.CHANGE, **where
    ).order_by("id")
    fields: list[str] = []
    users: list[str] = []
    for event in events:
        if (event.detail.get(key) or 0) > expected:
            named = event.detail.get("fields", [])
            if key == "person_version":
                named = [f for f in named if f.startswith("person.")]
            fields += [f for f in named if f not in fields]
            users += [event.actor_username] if event.actor_username not in users else []
    return fields, users


def _conflict(record, expected: int, case_id: int, *, key="version", **where) -> EditConflict:
    fields, users = _changed_since(case_id, expected, key=key, **where)
    return EditConflict(record, expected=expected, fields=fields, users=users)


def _new_part(data: dict) -> dict:
    """A new exploitation or route stop starts at version 1, whatever version a caller sends."""
    return {name: value for name, value in data.items() if name != "version"}


def _check_version(record, expected, case_id: int, *, key="version", **where) -> None:
    """Refuse a write made from a copy of `record` older than the row (read under lock)."""
    if expected is not None and int(expected) != record.version:
        raise _conflict(record, int(expected), case_id, key=key, **where)


def _advance(record, case_id: int, *, key="version", **where) -> int:
    """Raise the version of `record` (as read) by one, or refuse if another save got there first."""
    model = type(record)
    if not model.objects.filter(pk=record.pk, version=record.version).update(version=F("version") + 1):
        fresh = model.objects.get(pk=record.pk)
        raise _conflict(fresh, record.version, case_id, key=key, **where)
    record.version += 1
    return record.version


def version_tag(record) -> str:
    """The ETag of a record's API representation: its version (a case's covers its person's fields,
    which are edited with it)."""
    return f'"{record.version}"'


# ---------------------------------------------------------------------------------------------------
# Registration


def case_number_prefix(organisation, year: int) -> str:
    return f"{(organisation.acronym or 'ORG').upper()}-{year}-"


def highest_case_number(cases, prefix: str) -> int:
    """The highest sequence among `cases`' numbers starting with `prefix` (a scan: only to start a
    counter)."""
    numbers = cases.filter(case_number__startswith=prefix).values_list("case_number", flat=True)
    return max((int(n.rsplit("-", 1)[1]) for n in numbers if n.rsplit("-", 1)[1].isdigit()), default=0)


def next_case_number(organisation, year: int) -> str:
    """The next registration number of an organisation for a year, from its counter taken under a row
    lock: constant time whatever the number of cases, and two registrations never get the same one
    (the second waits for the first's transaction). A number already given by hand is skipped."""
    prefix = case_number_prefix(organisation, year)
    with transaction.atomic():
        key = {"organisation": organisation, "year": year}
        if not CaseNumberCounter.objects.filter(**key).exists():
            start = highest_case_number(Case.objects.filter(organisation=organisation), prefix)
            CaseNumberCounter.objects.get_or_create(**key, defaults={"last": start})
        counter = CaseNumberCounter.objects.select_for_update().get(**key)
        while True:
            counter.last += 1
            number = f"{prefix}{counter.last:04d}"
            if not Case.objects.filter(organisation=organisation, case_number=number).exists():
                break
        counter.save(update_fields=["last"])
    return number


def reserve_case_numbers(organisation, year: int, count: int) -> list[str]:
    """`count` registration numbers for a bulk import, taken from the same counter as
    `next_case_number` in one locked update (numbers already given by hand are skipped)."""
    if count <= 0:
        return []
    prefix = case_number_prefix(organisation, year)
    with transaction.atomic():
        key = {"organisation": organisation, "year": year}
        if not CaseNumberCounter.objects.filter(**key).exists():
            start = highest_case_number(Case.objects.filter(organisation=organisation), prefix)
            CaseNumberCounter.objects.get_or_create(**key, defaults={"last": start})
        counter = CaseNumberCounter.objects.select_for_update().get(**key)
        numbers: list[str] = []
        while len(numbers) < count:
            wanted = [
                f"{prefix}{n:04d}" for n in range(counter.last + 1, counter.last + 1 + count - len(numbers))
            ]
            counter.last += len(wanted)
            taken = set(
                Case.objects.filter(organisation=organisation, case_number__in=wanted).values_list(
                    "case_number", flat=True
                )
            )
            numbers += [n for n in wanted if n not in taken]
        counter.save(update_fields=["last"])
    return numbers


def _prepare_registration(case: dict, route: list[dict]):
    """Places as ids, plus each cercle's region for the rules (one query for all cercles)."""
    case = _as_ids(case, *CASE_PLACE)
    route = [_as_ids(stop, *STOP_PLACE) for stop in route]
    regions = _cercle_regions(case.get("identification_cercle_id"), *(s.get("cercle_id") for s in route))
    checked_case = _with_cercle_region(case, "identification_cercle", regions)
    checked_route = [_with_cercle_region(stop, "cercle", regions) for stop in route]
    return case, route, checked_case, checked_route


def _registration_errors(person, checked_case, exploitation, checked_route, consents, *, by=None) -> dict:
    errors = rules.check_registration(
        person=person,
        case=checked_case,
        exploitation=exploitation,
        route=checked_route,
        consents=consents,
        today=_today(),
        legal_bases=set(terms("legal_basis")),
    )
    number = (checked_case.get("case_number") or "").strip().upper()
    if number and by is not None and by.organisation_id is not None:
        taken = Case.objects.filter(organisation_id=by.organisation_id, case_number=number).exists()
        errors |= rules.check_case_number(taken=taken, number=number)
    return errors


def registration_errors(*, person: dict, case: dict, exploitation: dict, route: list[dict], consents: dict):
    """Every rule a registration breaks, without writing anything: forms call it on partial input so
    that a worker sees all errors at once; `register_case` checks the same before writing."""
    _, _, checked_case, checked_route = _prepare_registration(case, route)
    return _registration_errors(person, checked_case, exploitation, checked_route, consents)


def _consent_row(answer: dict) -> dict:
    """The columns of a Consent row from an answer ({"given", "legal_basis", "justification"})."""
    basis = answer.get("legal_basis") or ""
    return {
        "given": answer["given"],
        "legal_basis": basis,
        "basis_justification": (answer.get("justification") or "").strip() if basis else "",
    }


@transaction.atomic
def register_case(
    *,
    by,
    person: dict,
    case: dict,
    exploitation: dict,
    route: list[dict],
    consents: dict,
    confirmed_warnings=(),
    request=None,
    synthetic: bool = False,
) -> Case:
    """Create the person, the case and its exploitation, route and consent records in one go.

    `exploitation` holds `forms` (one row each) and the details they share; `consents` maps a
    purpose to {"given": bool, "organisations": [...]}; a purpose left out was not asked."""
    case, route, checked_case, checked_route = _prepare_registration(case, route)
    _raise_if(_registration_errors(person, checked_case, exploitation, checked_route, consents, by=by))
    details = {k: v for k, v in exploitation.items() if k not in ("forms", "rows")}
    # One row per form: the same details for each (the page), or each row its own (the API).
    rows = exploitation.get("rows") or [{"form": form, **details} for form in exploitation.get("forms", [])]
    confirmed = _check_warnings(
        rules.consistency_warnings(person=person, case=case, exploitations=rows, route=route),
        confirmed_warnings,
    )
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
    case_obj.age_at_identification = rules.age_at_identification(
        birth_date=person_obj.birth_date,
        estimated_age=person_obj.estimated_age,
        identification_date=case_obj.identification_date,
    )
    if not case_obj.case_number:
        case_obj.case_number = next_case_number(organisation, case_obj.identification_date.year)
    try:
        with transaction.atomic():  # a number given by hand and taken meanwhile: the rule's message
            case_obj.save()
    except IntegrityError:
        _raise_if(rules.check_case_number(taken=True))
    Exploitation.objects.bulk_create([Exploitation(case=case_obj, **row) for row in rows])
    RouteStop.objects.bulk_create(
        [RouteStop(case=case_obj, order=i, **stop) for i, stop in enumerate(route, start=1)]
    )
    for purpose, answer in consents.items():
        consent = Consent.objects.create(
            case=case_obj,
            purpose=purpose,
            recorded_on=case_obj.identification_date,
            recorded_by=by,
            **_consent_row(answer),
        )
        consent.organisations.set(answer.get("organisations", []))
    extra = {"confirmed_warnings": confirmed} if confirmed else {}
    basis = consents["Registration"].get("legal_basis")
    if basis and not consents["Registration"].get("given"):
        extra["legal_basis"] = basis
    record(
        AuditEvent.Action.CREATE,
        actor=by,
        request=request,
        obj=case_obj,
        case_number=case_obj.case_number,
        **extra,
    )
    return case_obj


# ---------------------------------------------------------------------------------------------------
# Editing: always compared with the row as it is in the database, never with an instance a form may
# already have modified (that is how an edit once saved nothing).


def _changes(instance, values: dict) -> dict:
    return {k: v for k, v in values.items() if _normal(getattr(instance, k)) != _normal(v)}


def _save(instance, changes: dict) -> list[str]:
    for name, value in changes.items():
        setattr(instance, name, value)
    if changes:
        fields = [*changes, "updated_at"] if hasattr(instance, "updated_at") else [*changes]
        instance.save(update_fields=fields)
    return list(changes)


def _exploitation_dicts(case_obj) -> list[dict]:
    return [{f: getattr(e, f) for f in EXPLOITATION_FIELDS} for e in case_obj.exploitations.all()]


def _case_state(case_obj) -> tuple[dict, dict]:
    person = {f: getattr(case_obj.person, f) for f in ("first_name", "birth_date", "estimated_age")}
    case = {
        f: getattr(case_obj, f)
        for f in ("identification_date", "identification_region_id", "identification_cercle_id")
    } | {"case_status": case_obj.case_status, "closure_reason": case_obj.closure_reason}
    return person, case


def _edit_state(fresh, person: dict, case_fields: dict):
    case_fields = _as_ids(case_fields, *CASE_PLACE)
    person_changes = _changes(fresh.person, person)
    case_changes = _changes(fresh, case_fields)
    if case_changes.get("case_status", "Closed") not in rules.CLOSED_STATUSES and fresh.closure_reason:
        case_changes.setdefault("closure_reason", "")  # a reopened case has no closure reason
    state_person, state_case = _case_state(fresh)
    state_person |= {k: v for k, v in person.items() if k in state_person}
    state_case |= case_changes
    regions = _cercle_regions(state_case.get("identification_cercle_id"))
    errors = {
        **rules.check_person(
            state_person, identification_date=state_case["identification_date"], today=_today()
        ),
        **rules.check_case(_with_cercle_region(state_case, "identification_cercle", regions), today=_today()),
    }
    return person_changes, case_changes, state_person, state_case, errors


def edit_errors(case: Case, *, person: dict, case_fields: dict) -> dict:
    """Every rule an edit breaks, without writing: the edit page calls it on what parsed, so that all
    errors show at once; `update_case` checks the same."""
    fresh = Case.objects.select_related("person").get(pk=case.pk)
    return _edit_state(fresh, person, case_fields)[4]


@transaction.atomic
def update_case(
    case: Case,
    *,
    by,
    person: dict,
    case_fields: dict,
    confirmed_warnings=(),
    request=None,
    version=None,
    person_version=None,
) -> list[str]:
    """Apply changes; the audit event lists the names of changed fields, never their values.
    `version` (and `person_version`) are those the caller read: a stale one raises EditConflict."""
    fresh = Case.objects.select_for_update().select_related("person").get(pk=case.pk)
    _check_version(fresh, version, fresh.pk, detail__part__isnull=True)
    _check_version(fresh.person, person_version, fresh.pk, key="person_version")
    person_changes, case_changes, state_person, state_case, errors = _edit_state(fresh, person, case_fields)
    _raise_if(errors)
    if not person_changes and not case_changes:
        return []
    confirmed = _check_warnings(
        rules.consistency_warnings(
            person=state_person | {"birth_date": state_person.get("birth_date")},
            case=state_case,
            exploitations=_exploitation_dicts(fresh),
        ),
        confirmed_warnings,
    )
    if "trafficking_status" in case_changes:
        case_changes |= {"status_decided_by": by, "status_decided_on": _today()}
    versions = {"version": _advance(fresh, fresh.pk, detail__part__isnull=True)}
    if person_changes:
        versions["person_version"] = _advance(fresh.person, fresh.pk, key="person_version")
    person_changed = _save(fresh.person, person_changes)
    case_changed = _save(fresh, case_changes)
    age = rules.age_at_identification(
        birth_date=fresh.person.birth_date,
        estimated_age=fresh.person.estimated_age,
        identification_date=fresh.identification_date,
    )
    case_changed += _save(fresh, _changes(fresh, {"age_at_identification": age}))
    changed = [f"person.{name}" for name in person_changed] + case_changed
    extra = {"confirmed_warnings": confirmed} if confirmed else {}
    record(
        AuditEvent.Action.CHANGE, actor=by, request=request, obj=fresh, fields=changed, **versions, **extra
    )
    case.refresh_from_db()
    return changed


# ---------------------------------------------------------------------------------------------------
# Exploitation, route and consent after registration; each write is audited on the case.


def _audit_part(by, request, case, part: str, verb: str, fields=(), **extra) -> None:
    """A part's change, audited on its case; `part_id` and `version` name the row and its new version
    (what EditConflict reads back)."""
    record(
        AuditEvent.Action.CHANGE,
        actor=by,
        request=request,
        obj=case,
        fields=[f"{part}.{f}" for f in fields] or [part],
        part=part,
        operation=verb,
        **extra,
    )


def _part_where(part: str, pk) -> dict:
    return {"detail__part": part, "detail__part_id": pk}


def _check_exploitation(case, data: dict, *, exclude_pk=None, confirmed_warnings=()) -> list[str]:
    errors = rules.check_exploitation(data)
    if not data.get("form"):
        errors["exploitation.form"] = rules.check_forms([])["exploitation.forms"]
    elif case.exploitations.exclude(pk=exclude_pk).filter(form=data["form"]).exists():
        errors["exploitation.form"] = _("This form of exploitation is already recorded for this case.")
    _raise_if(errors)
    person, state = _case_state(case)
    person["birth_date"] = case.person.birth_date
    return _check_warnings(
        rules.consistency_warnings(person=person, case=state, exploitations=[data]), confirmed_warnings
    )


@transaction.atomic
def add_exploitation(case: Case, *, by, data: dict, confirmed_warnings=(), request=None) -> Exploitation:
    data = _new_part(data)
    case = Case.objects.select_for_update().select_related("person").get(pk=case.pk)
    confirmed = _check_exploitation(case, data, confirmed_warnings=confirmed_warnings)
    try:
        with transaction.atomic():
            exploitation = Exploitation.objects.create(case=case, **data)
    except IntegrityError:  # the same form added at the same moment by someone else
        _raise_if({"exploitation.form": _("This form of exploitation is already recorded for this case.")})
    _audit_part(
        by,
        request,
        case,
        "exploitation",
        "add",
        form=data["form"],
        confirmed_warnings=confirmed,
        part_id=exploitation.pk,
        version=exploitation.version,
    )
    return exploitation


@transaction.atomic
def update_exploitation(
    exploitation: Exploitation, *, by, data: dict, confirmed_warnings=(), request=None, version=None
) -> list[str]:
    fresh = Exploitation.objects.select_for_update().select_related("case__person").get(pk=exploitation.pk)
    where = _part_where("exploitation", fresh.pk)
    _check_version(fresh, version, fresh.case_id, **where)
    changes = _changes(fresh, data)
    if not changes:
        return []
    merged = {f: getattr(fresh, f) for f in EXPLOITATION_FIELDS} | changes
    confirmed = _check_exploitation(
        fresh.case, merged, exclude_pk=fresh.pk, confirmed_warnings=confirmed_warnings
    )
    new_version = _advance(fresh, fresh.case_id, **where)
    changed = _save(fresh, changes)
    _audit_part(
        by,
        request,
        fresh.case,
        "exploitation",
        "edit",
        changed,
        confirmed_warnings=confirmed,
        part_id=fresh.pk,
        version=new_version,
    )
    return changed


@transaction.atomic
def remove_exploitation(exploitation: Exploitation, *, by, request=None, version=None) -> None:
    case = Case.objects.select_for_update().get(pk=exploitation.case_id)
    fresh = Exploitation.objects.get(pk=exploitation.pk)
    _check_version(fresh, version, case.pk, **_part_where("exploitation", fresh.pk))
    _raise_if(rules.check_exploitation_removal(case.exploitations.exclude(pk=exploitation.pk).count()))
    form = exploitation.form
    exploitation.delete()
    _audit_part(by, request, case, "exploitation", "remove", form=form)


def _check_stop(data: dict) -> dict:
    data = _as_ids(data, *STOP_PLACE)
    regions = _cercle_regions(data.get("cercle_id"))
    errors = rules.check_route_stop(_with_cercle_region(data, "cercle", regions), prefix="route")
    _raise_if(errors)
    return data


@transaction.atomic
def add_route_stop(case: Case, *, by, data: dict, request=None) -> RouteStop:
    case = Case.objects.select_for_update().get(pk=case.pk)
    data = _check_stop(_new_part(data))
    order = (case.route.aggregate(m=Max("order"))["m"] or 0) + 1
    stop = RouteStop.objects.create(case=case, order=order, **data)
    _audit_part(by, request, case, "route", "add", part_id=stop.pk, version=stop.version)
    return stop


@transaction.atomic
def update_route_stop(stop: RouteStop, *, by, data: dict, request=None, version=None) -> list[str]:
    fresh = RouteStop.objects.select_for_update().select_related("case").get(pk=stop.pk)
    where = _part_where("route", fresh.pk)
    _check_version(fresh, version, fresh.case_id, **where)
    data = _as_ids(data, *STOP_PLACE)
    changes = _changes(fresh, data)
    if not changes:
        return []
    _check_stop({f: getattr(fresh, f) for f in STOP_FIELDS} | changes)
    new_version = _advance(fresh, fresh.case_id, **where)
    changed = _save(fresh, changes)
    fields = [c.removesuffix("_id") for c in changed]
    _audit_part(by, request, fresh.case, "route", "edit", fields, part_id=fresh.pk, version=new_version)
    return changed


@transaction.atomic
def remove_route_stop(stop: RouteStop, *, by, request=None, version=None) -> None:
    case = Case.objects.select_for_update().get(pk=stop.case_id)
    _check_version(RouteStop.objects.get(pk=stop.pk), version, case.pk, **_part_where("route", stop.pk))
    stop.delete()
    for order, remaining in enumerate(case.route.order_by("order"), start=1):
        if remaining.order != order:
            remaining.order = order
            remaining.save(update_fields=["order"])
    _audit_part(by, request, case, "route", "remove")


def current_consents(case: Case) -> dict[str, Consent | None]:
    """The latest consent recorded for each purpose (None: never asked)."""
    latest: dict[str, Consent | None] = dict.fromkeys(terms("consent_purpose"))
    # The answer recorded last is the current one, whatever date it carries (a back-dated entry must
    # not hide a newer refusal).
    for consent in case.consents.order_by("pk").prefetch_related("organisations"):
        latest[consent.purpose] = consent
    return latest


def sharing_organisation_ids(case: Case) -> set[int]:
    consent = current_consents(case).get("Sharing")
    if consent is None or not consent.active:
        return set()
    return {o.pk for o in consent.organisations.all()}


def sharing_basis(case: Case, organisation_id: int | None) -> str | None:
    """On what basis the case may be shared with an organisation: "own" (the case's own organisation),
    "consent" (the person's active consent to share with it), or None (neither: only an urgent reason,
    flagged for review, can justify it). Every grant asks here: sharing, referral, break-glass aside."""
    if organisation_id is None or organisation_id == case.organisation_id:
        return CaseGrant.Basis.OWN
    if organisation_id in sharing_organisation_ids(case):
        return CaseGrant.Basis.CONSENT
    return None


def statistics_cases(cases=None):
    """The cases national statistics count. The committee's rule (docs/security.md): a person who
    refused, or withdrew, consent to anonymised statistics is left out of every figure; a person never
    asked is counted (aggregates are suppressed below the small-cell threshold)."""
    cases = Case.objects.all() if cases is None else cases
    latest = Consent.objects.filter(case=OuterRef("case"), purpose="Statistics").order_by("-pk").values("pk")
    refused = Consent.objects.filter(purpose="Statistics", pk=Subquery(latest[:1])).filter(
        Q(given=False) | Q(withdrawn_on__isnull=False)
    )
    return cases.exclude(pk__in=refused.values("case_id"))


def _end_grants_without_consent(case: Case, *, by, request) -> list[int]:
    """Sharing rests on consent: when it is withdrawn or narrowed, the grants it allowed end."""
    allowed = sharing_organisation_ids(case)
    ended = []
    # Urgent and emergency grants never rested on consent: the committee's review ends those.
    live = case.grants.filter(revoked_at__isnull=True, basis=CaseGrant.Basis.CONSENT)
    for grant in live.select_related("user"):
        grantee_org = grant.organisation_id or grant.user.organisation_id
        if grantee_org is not None and grantee_org != case.organisation_id and grantee_org not in allowed:
            grant.revoked_at = timezone.now()
            grant.save(update_fields=["revoked_at"])
            ended.append(grant.pk)
    if ended:
        record(
            AuditEvent.Action.CHANGE, actor=by, request=request, obj=case, fields=["grants"], revoked=ended
        )
        # Work resting on those grants ends too (a referral the receiver was serving: sira/referrals).
        grants_ended.send(sender=CaseGrant, case=case, grant_ids=ended, by=by, request=request)
    return ended


# Sent when withdrawn consent ends grants (grant ids), so the apps above can end what rested on them.
grants_ended = Signal()


@transaction.atomic
def record_consent(
    case: Case,
    *,
    by,
    purpose: str,
    given: bool,
    organisations=(),
    recorded_on=None,
    legal_basis: str = "",
    justification: str = "",
    request=None,
) -> Consent:
    """A new answer for one purpose; it supersedes the earlier one, which stays on record. A refused
    registration needs a legal basis, as at registration."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    answer = {"given": given, "organisations": list(organisations)}
    if purpose == "Registration":
        answer |= {"legal_basis": legal_basis, "justification": justification}
    errors = rules.check_consents(
        {"Registration": {"given": True}} | {purpose: answer},
        age=case.age_at_identification,
        legal_bases=set(terms("legal_basis")),
    )
    if recorded_on and recorded_on > _today():
        errors["consent.recorded_on"] = _("A consent cannot be dated in the future.")
    _raise_if(errors)
    consent = Consent.objects.create(
        case=case,
        purpose=purpose,
        recorded_on=recorded_on or _today(),
        recorded_by=by,
        **_consent_row(answer),
    )
    consent.organisations.set(organisations)
    basis = {"legal_basis": consent.legal_basis} if consent.legal_basis else {}
    _audit_part(by, request, case, "consent", "record", purpose=purpose, **basis)
    _end_grants_without_consent(case, by=by, request=request)
    return consent


@transaction.atomic
def withdraw_consent(consent: Consent, *, by, on=None, request=None, version=None) -> list[int]:
    """Record the person's withdrawal; sharing that depended on the consent stops at once."""
    fresh = Consent.objects.select_for_update().select_related("case").get(pk=consent.pk)
    where = _part_where("consent", fresh.pk)
    _check_version(fresh, version, fresh.case_id, **where)
    if fresh.withdrawn_on is not None or not fresh.given:
        _raise_if({"consent": _("Only a consent that is given and not yet withdrawn can be withdrawn.")})
    on = on or _today()
    if on > _today() or on < fresh.recorded_on:
        _raise_if(
            {"consent.withdrawn_on": _("The withdrawal date must be between the consent's date and today.")}
        )
    new_version = _advance(fresh, fresh.case_id, **where)
    fresh.withdrawn_on, fresh.withdrawn_by = on, by
    fresh.save(update_fields=["withdrawn_on", "withdrawn_by"])
    _audit_part(
        by,
        request,
        fresh.case,
        "consent",
        "withdraw",
        ["withdrawn_on"],
        purpose=fresh.purpose,
        part_id=fresh.pk,
        version=new_version,
    )
    return _end_grants_without_consent(fresh.case, by=by, request=request)


# ---------------------------------------------------------------------------------------------------
# Reading identities, exports, sharing


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
def grant_access(
    case: Case,
    *,
    by,
    reason: str,
    organisation=None,
    user=None,
    urgent_reason: str = "",
    fields=None,
    request=None,
) -> CaseGrant:
    """Give an organisation or a user need-to-know access to one case (sharing, referral). Another
    organisation, or a user of one, needs the person's active consent to share with it (`sharing_basis`)
    or an urgent reason written down: that grant is flagged to the case owner and the committee and
    listed for review. `fields` limits the grant to those fields (a referral's packet)."""
    if organisation is None and user is None:
        _raise_if({"organisation": _("Choose the organisation or the person to share with.")})
    if organisation is not None and user is not None:  # the consent asked is that of one grantee
        _raise_if({"organisation": _("Share with an organisation or with one person, not both at once.")})
    grantee_org = organisation.pk if organisation else user.organisation_id
    if organisation is not None and grantee_org == case.organisation_id:
        _raise_if({"organisation": _("This organisation holds the case already.")})
    basis = sharing_basis(case, grantee_org)
    _raise_if(rules.check_sharing(basis=basis, urgent_reason=urgent_reason))
    grant = CaseGrant.objects.create(
        case=case,
        organisation=organisation,
        user=user,
        granted_by=by,
        reason=reason,
        basis=basis or CaseGrant.Basis.URGENT,
        fields=list(fields) if fields is not None else None,
    )
    extra = {"organisation": organisation.pk} if organisation else {"user": user.pk}
    if fields is not None:
        extra["shared_fields"] = list(fields)
    if basis is None:
        flag = AccessFlag.objects.create(
            kind=AccessFlag.Kind.URGENT_SHARING, case=case, grant=grant, raised_by=by, reason=urgent_reason
        )
        extra["flag"] = flag.pk
    record(
        AuditEvent.Action.GRANT,
        actor=by,
        request=request,
        obj=case,
        reason=reason,
        basis=grant.basis,
        **extra,
    )
    return grant


# ---------------------------------------------------------------------------------------------------
# Break-glass: emergency access to a case outside one's reach, for a few hours, flagged and reviewed.


def emergency_hours() -> int:
    return int(getattr(settings, "SIRA_BREAK_GLASS_HOURS", 4))


@transaction.atomic
def request_emergency_access(*, by, case_number: str, reason: str, request=None) -> CaseGrant:
    """Open a case the user cannot otherwise see, for `SIRA_BREAK_GLASS_HOURS`, through a user grant
    (sira.cases.access decides visibility as for any grant). The written reason is kept (encrypted) in
    an AccessFlag that the case owner and the committee see and a reviewer marks justified or not."""
    from sira.cases.access import visible_cases

    number = (case_number or "").strip().upper()
    matches = list(Case.objects.filter(case_number=number)[:2]) if number else []
    case = matches[0] if len(matches) == 1 else None
    errors = rules.check_emergency_request(
        allowed=can_break_glass(by),
        reason=reason,
        already_visible=case is not None and visible_cases(by).filter(pk=case.pk).exists(),
    )
    if case is None and "__all__" not in errors:
        errors["case_number"] = (
            _("Several cases have this number: ask the committee's secretariat.")
            if matches
            else _("No case has this number.")
        )
    _raise_if(errors)
    expires = timezone.now() + dt.timedelta(hours=emergency_hours())
    grant = CaseGrant.objects.create(
        case=case,
        user=by,
        granted_by=by,
        reason="emergency access",
        basis=CaseGrant.Basis.EMERGENCY,
        expires_at=expires,
    )
    flag = AccessFlag.objects.create(
        kind=AccessFlag.Kind.EMERGENCY, case=case, grant=grant, raised_by=by, reason=reason.strip()
    )
    record(
        AuditEvent.Action.GRANT,
        actor=by,
        request=request,
        obj=case,
        user=by.pk,
        basis=CaseGrant.Basis.EMERGENCY,
        expires_at=expires.isoformat(),
        flag=flag.pk,
    )
    return grant


@transaction.atomic
def review_access_flag(flag: AccessFlag, *, by, verdict: str, note: str = "", request=None) -> AccessFlag:
    """A committee reviewer's verdict on an emergency access or an urgent sharing. Unjustified access
    ends at once. Only reviewers (accounts.access.reviews_access) may call it; the views check too."""
    from sira.accounts.access import reviews_access

    fresh = AccessFlag.objects.select_for_update().select_related("grant", "case").get(pk=flag.pk)
    errors = {}
    if not reviews_access(by):
        errors["__all__"] = _("Only the committee's reviewers can review access.")
    elif fresh.verdict:
        errors["__all__"] = _("This access has already been reviewed.")
    if verdict not in AccessFlag.Verdict.values:
        errors["verdict"] = _("Say whether the access was justified.")
    elif verdict == AccessFlag.Verdict.UNJUSTIFIED and not (note or "").strip():
        errors["review_note"] = _("Say why the access was not justified.")
    _raise_if(errors)
    fresh.verdict, fresh.review_note = verdict, (note or "").strip()
    fresh.reviewed_by, fresh.reviewed_at = by, timezone.now()
    fresh.save(update_fields=["verdict", "review_note", "reviewed_by", "reviewed_at"])
    revoked = []
    if verdict == AccessFlag.Verdict.UNJUSTIFIED and fresh.grant.revoked_at is None:
        fresh.grant.revoked_at = timezone.now()
        fresh.grant.save(update_fields=["revoked_at"])
        revoked = [fresh.grant.pk]
    record(
        AuditEvent.Action.CHANGE,
        actor=by,
        request=request,
        obj=fresh.case,
        fields=["access_flags"],
        flag=fresh.pk,
        kind=fresh.kind,
        verdict=verdict,
        revoked=revoked,
    )
    return fresh


# Erasure on request (Mali, loi n° 2013-015 on personal data: the right to erasure)

# Why identities are erased, as the audit tombstone records it (never a free text: no name goes there).
ERASURE_GROUNDS = {
    "subject_request": _("Request of the person concerned"),
    "retention_expired": _("End of the retention period"),
    "legal_order": _("Decision of a court or of the data-protection authority"),
}

# Raised by erase_person after the registry's own fields are erased, in the same transaction: apps above
# the registry erase what they hold about the person's cases (a screening's justification).
person_erased = Signal()


@transaction.atomic
def erase_person(case: Case, *, by, ground: str, request=None) -> Person:
    """Erase the identity of a case's person: every identifying field, the name tokens and blind
    indexes, and the narrative of each of their cases. The anonymous facts stay for statistics (sex,
    age at identification, citizenship, region, dates, forms of exploitation, route countries,
    statuses), and each case's audit trail gets a tombstone naming the fields erased and the ground,
    never their values. Cannot be undone (backups age out on their own schedule: docs/security.md)."""
    if ground not in ERASURE_GROUNDS:
        raise ValidationError({"ground": [_("Choose the ground for the erasure.")]})
    person = Person.objects.select_for_update().get(pk=case.person_id)
    cases = list(Case.objects.filter(person=person).order_by("pk"))
    fields = [f for f in IDENTITY_FIELDS if getattr(person, f) not in (None, "")]
    narratives = [c.pk for c in cases if c.narrative]
    for name in IDENTITY_FIELDS:
        setattr(person, name, None)
    person.save()  # rebuilds the (now empty) name tokens and blind indexes
    # New versions: an edit opened before the erasure is refused instead of writing a name back.
    Person.objects.filter(pk=person.pk).update(version=F("version") + 1)
    Case.objects.filter(person=person).update(
        narrative=None, updated_at=timezone.now(), version=F("version") + 1
    )
    person_erased.send(sender=Person, person=person, cases=cases)
    for erased in cases:
        record(
            AuditEvent.Action.CHANGE,
            actor=by,
            request=request,
            obj=erased,
            erasure=ground,
            fields=[f"person.{f}" for f in fields] + (["narrative"] if erased.pk in narratives else []),
        )
    return person


# ---------------------------------------------------------------------------------------------------
# Sharing: revoking a grant.


@transaction.atomic
def revoke_grant(grant: CaseGrant, *, by, request=None, limited_ok: bool = False) -> CaseGrant:
    """End a grant now; it stays on record. A referral's grant (limited to its packet) ends with the
    referral (withdrawal, completion): only the referral service passes `limited_ok`."""
    fresh = CaseGrant.objects.select_for_update().select_related("case").get(pk=grant.pk)
    if fresh.revoked_at is not None:
        _raise_if({"__all__": _("This access has already ended.")})
    if fresh.fields is not None and not limited_ok:
        _raise_if({"__all__": _("This access comes from a referral: it ends when the referral ends.")})
    fresh.revoked_at = timezone.now()
    fresh.save(update_fields=["revoked_at"])
    record(
        AuditEvent.Action.CHANGE,
        actor=by,
        request=request,
        obj=fresh.case,
        fields=["grants"],
        revoked=[fresh.pk],
    )
    return fresh


def read_shared(case: Case, *, fields, by, request=None) -> Person:
    """A display of a referral's packet: the reading of exactly those identity fields is logged."""
    shown = [f.removeprefix("person.") for f in fields if f.removeprefix("person.") in IDENTITY_FIELDS]
    record(
        AuditEvent.Action.VIEW_IDENTITY,
        actor=by,
        request=request,
        obj=case,
        fields=[f for f in shown if getattr(case.person, f)],
        through="referral",
    )
    return case.person


def read_followup(case: Case, *, by, request=None) -> None:
    """The follow-up page shows the case's notes (free text): its reading is logged like an identity's."""
    record(AuditEvent.Action.VIEW_IDENTITY, actor=by, request=request, obj=case, fields=["notes"])


# ---------------------------------------------------------------------------------------------------
# Follow-up: notes, assistance, case plan, closure. Callers check who may write (sira.cases.access
# for the case's own workers; sira.referrals.access for a receiving organisation's worker).


@transaction.atomic
def add_note(case: Case, *, by, text: str, request=None) -> CaseNote:
    _raise_if(rules.check_note(text))
    note = CaseNote.objects.create(
        case=case, organisation_id=by.organisation_id, author=by, text=text.strip()
    )
    _audit_part(by, request, case, "note", "add", ["text"], part_id=note.pk)
    return note


@transaction.atomic
def record_assistance(
    case: Case, *, by, service: str, provider, given_on, note: str = "", referral_id=None, request=None
) -> Assistance:
    _raise_if(
        rules.check_assistance(
            service=service,
            services=set(terms("service_type")),
            provider=provider,
            given_on=given_on,
            today=_today(),
        )
    )
    item = Assistance.objects.create(
        case=case,
        service=service,
        provider=provider,
        given_on=given_on,
        recorded_by=by,
        referral_id=referral_id,
        note=(note or "").strip(),
    )
    extra = {"referral": referral_id} if referral_id else {}
    _audit_part(
        by,
        request,
        case,
        "assistance",
        "add",
        part_id=item.pk,
        service=service,
        provider=provider.pk,
        **extra,
    )
    return item


@transaction.atomic
def add_goal(case: Case, *, by, text: str, review_on, request=None) -> CaseGoal:
    _raise_if(rules.check_goal(text=text, review_on=review_on, today=_today()))
    goal = CaseGoal.objects.create(case=case, text=text.strip(), review_on=review_on, set_by=by)
    _audit_part(by, request, case, "goal", "add", ["text", "review_on"], part_id=goal.pk)
    return goal


@transaction.atomic
def set_goal_status(goal: CaseGoal, *, by, status: str, request=None) -> CaseGoal:
    fresh = CaseGoal.objects.select_for_update().select_related("case").get(pk=goal.pk)
    if status not in CaseGoal.Status.values:
        _raise_if({"status": _("Choose the goal's status.")})
    fresh.status = status
    fresh.save(update_fields=["status"])
    _audit_part(by, request, fresh.case, "goal", "status", ["status"], part_id=fresh.pk, status=status)
    return fresh


@transaction.atomic
def close_case(case: Case, *, by, reason: str, request=None, version=None) -> Case:
    """Close a case with its reason (cas_ReasonForCaseClosure)."""
    fresh = Case.objects.select_for_update().get(pk=case.pk)
    _check_version(fresh, version, fresh.pk, detail__part__isnull=True)
    _raise_if(
        rules.check_closure(status=fresh.case_status, reason=reason, reasons=set(terms("closure_reason")))
    )
    new_version = _advance(fresh, fresh.pk, detail__part__isnull=True)
    status = "ClosedReferred" if reason == "ReferredElsewhere" else "Closed"
    fresh.case_status, fresh.closure_reason = status, reason
    fresh.save(update_fields=["case_status", "closure_reason", "updated_at"])
    record(
        AuditEvent.Action.CHANGE,
        actor=by,
        request=request,
        obj=fresh,
        fields=["case_status", "closure_reason"],
        version=new_version,
    )
    return fresh
