"""Every change of coordination data: one transaction each, its audit entry written inside it."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sira.accounts.models import Organisation
from sira.audit.models import AuditEvent
from sira.audit.services import record
from sira.coordination import access, importer, rules
from sira.coordination.models import (
    Activity,
    ActivityReport,
    Actor,
    Attendance,
    Decision,
    Indicator,
    Inspection,
    Meeting,
    Objective,
    Plan,
    Project,
)
from sira.geo.models import Cercle, Region

ACTOR_KIND_BY_ORG_TYPE = {"NGO": "ngo", "ShelterServiceProvider": "ngo", "InternationalOrganisation": "un"}


class PlanRefused(Exception):
    """The plan file has problems: nothing was imported."""

    def __init__(self, problems):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def _fold(text) -> str:
    return " ".join(str(text or "").split()).casefold()


def _lookups() -> dict:
    actors: dict[str, tuple] = {}
    for org in Organisation.objects.all():
        for key in (org.name, org.acronym):
            if key:
                actors[_fold(key)] = ("org", org.pk)
    for actor in Actor.objects.all():
        for key in (actor.name, actor.acronym):
            if key:
                actors[_fold(key)] = ("actor", actor.pk)
    regions = {}
    for region in Region.objects.all():
        for key in (region.code, region.name_fr, region.name_en):
            regions[_fold(key)] = region.code
    cercles = {}
    for cercle in Cercle.objects.all():
        for key in (cercle.code, cercle.name_fr):
            cercles[_fold(key)] = (cercle.code, cercle.region_id)
    plans = {_fold(p.code): p.pk for p in Plan.objects.all()}
    return {"actor": actors, "region": regions, "cercle": cercles, "plan": plans}


def _actor_for(ref) -> Actor:
    kind, pk = ref
    if kind == "actor":
        return Actor.objects.get(pk=pk)
    org = Organisation.objects.get(pk=pk)
    actor = Actor.objects.filter(organisation=org).first()
    if actor is None:
        actor = Actor.objects.create(
            name=org.name,
            acronym=org.acronym,
            kind=ACTOR_KIND_BY_ORG_TYPE.get(org.org_type, "government"),
            organisation=org,
            region_id=org.region_id,
            is_synthetic=org.is_synthetic,
        )
    return actor


def import_plan(fileobj, *, by, language: str, request=None, synthetic: bool = False) -> Plan:
    """Import a plan workbook whole, or nothing: any problem raises PlanRefused with all of them."""
    if not access.can_edit_plans(by):
        raise PermissionDenied
    lookups = _lookups()
    reading = importer.read(
        fileobj, lookups, language=language, existing_plans=set(Plan.objects.values_list("code", flat=True))
    )
    if reading.problems:
        raise PlanRefused(reading.problems)
    with transaction.atomic():
        p = reading.plan
        plan = Plan.objects.create(
            code=p["code"],
            title=p["title"],
            start_year=p["start_year"],
            end_year=p["end_year"],
            region_id=p["region"],
            successor_of_id=p["follows"],
            imported_by=by,
            is_synthetic=synthetic,
        )
        objectives = {
            o["code"]: Objective.objects.create(plan=plan, axis=o["axis"], code=o["code"], title=o["title"])
            for o in reading.objectives
        }
        actors: dict[tuple, Actor] = {}

        def actor(ref) -> Actor:
            if ref not in actors:
                actors[ref] = _actor_for(ref)
            return actors[ref]

        activities = Activity.objects.bulk_create(
            [
                Activity(
                    objective=objectives[a["objective"]],
                    code=a["code"],
                    title=a["title"],
                    kind=a["kind"],
                    responsible=actor(a["responsible"]) if a["responsible"] else None,
                    region_id=a["region"] or (a["cercle"][1] if a["cercle"] else None),
                    cercle_id=a["cercle"][0] if a["cercle"] else None,
                    planned_start=a["planned_start"],
                    planned_end=a["planned_end"],
                    budget=a["budget"],
                    funding_source=a["funding_source"],
                    funder=a["funder"],
                )
                for a in reading.activities
            ]
        )
        Partner = Activity.partners.through
        Partner.objects.bulk_create(
            [
                Partner(activity_id=activity.pk, actor_id=actor(ref).pk)
                for activity, a in zip(activities, reading.activities, strict=True)
                for ref in dict.fromkeys(a["partners"])
            ]
        )
        Indicator.objects.bulk_create(
            [
                Indicator(
                    objective=objectives[i["objective"]],
                    code=i["code"],
                    title=i["title"],
                    unit=i["unit"],
                    baseline=i["baseline"],
                    baseline_year=i["baseline_year"],
                    targets=i["targets"],
                )
                for i in reading.indicators
            ]
        )
        record(
            AuditEvent.Action.CREATE,
            actor=by,
            request=request,
            obj=plan,
            code=plan.code,
            objectives=len(reading.objectives),
            activities=len(reading.activities),
            indicators=len(reading.indicators),
        )
    return plan


REPORT_FIELDS = (
    "as_of",
    "status",
    "actual_start",
    "actual_end",
    "amount_spent",
    "girls",
    "boys",
    "women",
    "men",
    "evidence",
    "audience_types",
    "participants_female",
    "participants_male",
    "topics",
    "channels",
    "radio_languages",
)


def report_activity(
    activity: Activity, *, by, data: dict, request=None, today: dt.date | None = None
) -> ActivityReport:
    """An organisation's progress report on one of its activities (training and campaign details included)."""
    if not access.can_report(by, activity):
        raise PermissionDenied
    today = today or timezone.localdate()
    data = {k: data.get(k) for k in REPORT_FIELDS}
    data["as_of"] = data["as_of"] or today
    errors = rules.report_errors(activity.kind, data, planned_start=activity.planned_start, today=today)
    if errors:
        raise ValidationError(errors)
    for key in ("amount_spent", "girls", "boys", "women", "men", "participants_female", "participants_male"):
        data[key] = data[key] or 0
    for key in ("audience_types", "topics", "channels", "radio_languages"):
        data[key] = list(data[key] or [])
    if "radio" not in data["channels"]:
        data["radio_languages"] = []
    data["evidence"] = data["evidence"] or ""
    with transaction.atomic():
        report = ActivityReport.objects.create(
            activity=activity, organisation_id=by.organisation_id, reported_by=by, **data
        )
        record(
            AuditEvent.Action.CREATE,
            actor=by,
            request=request,
            obj=report,
            activity=activity.pk,
            status=report.status,
            reached=report.reached,
            spent=report.amount_spent,
        )
    return report


def record_meeting(*, by, date, title, present, absent=(), place="", minutes="", request=None) -> Meeting:
    """A committee meeting with the attendance of its member organisations (actors)."""
    if not access.can_edit_meetings(by):
        raise PermissionDenied
    present, absent = list(present), [a for a in absent if a not in present]
    errors = {}
    if date > timezone.localdate():
        errors["date"] = [_("A meeting cannot be recorded before it is held.")]
    if not present:
        errors["present"] = [_("Tick the members present.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        meeting = Meeting.objects.create(date=date, title=title, place=place, minutes=minutes, recorded_by=by)
        Attendance.objects.bulk_create(
            [Attendance(meeting=meeting, member=m, present=True) for m in present]
            + [Attendance(meeting=meeting, member=m, present=False) for m in absent]
        )
        record(
            AuditEvent.Action.CREATE,
            actor=by,
            request=request,
            obj=meeting,
            date=date.isoformat(),
            present=sorted(m.pk for m in present),
            absent=sorted(m.pk for m in absent),
        )
    return meeting


def add_decision(meeting: Meeting, *, by, text: str, owner: Actor, due: dt.date, request=None) -> Decision:
    if not access.can_edit_meetings(by):
        raise PermissionDenied
    if due < meeting.date:
        raise ValidationError({"due": [_("The due date comes before the meeting.")]})
    with transaction.atomic():
        decision = Decision.objects.create(meeting=meeting, text=text, owner=owner, due=due)
        record(
            AuditEvent.Action.CREATE,
            actor=by,
            request=request,
            obj=decision,
            meeting=meeting.pk,
            owner=owner.pk,
            due=due.isoformat(),
        )
    return decision


def close_decision(
    decision: Decision, *, by, note: str = "", on: dt.date | None = None, request=None
) -> Decision:
    if not access.can_close_decision(by, decision):
        raise PermissionDenied
    if decision.closed_on is not None:
        raise ValidationError(_("This decision is already closed."))
    with transaction.atomic():
        decision.closed_on = on or timezone.localdate()
        decision.closing_note = note
        decision.save(update_fields=["closed_on", "closing_note"])
        record(
            AuditEvent.Action.CHANGE,
            actor=by,
            request=request,
            obj=decision,
            closed_on=decision.closed_on.isoformat(),
        )
    return decision


ACTOR_FIELDS = ("name", "acronym", "kind", "organisation", "region", "committee_member", "contact")


def save_actor(*, by, data: dict, actor: Actor | None = None, request=None, synthetic: bool = False) -> Actor:
    if not access.can_edit_directory(by):
        raise PermissionDenied
    created = actor is None
    with transaction.atomic():
        actor = actor or Actor(is_synthetic=synthetic)
        for key in ACTOR_FIELDS:
            if key in data:
                setattr(actor, key, data[key])
        actor.full_clean()
        actor.save()
        record(
            AuditEvent.Action.CREATE if created else AuditEvent.Action.CHANGE,
            actor=by,
            request=request,
            obj=actor,
            fields=sorted(k for k in ACTOR_FIELDS if k in data),
        )
    return actor


PROJECT_FIELDS = ("title", "actor", "donor", "scope", "forms", "axes", "start", "end", "budget")


def save_project(
    *, by, data: dict, project: Project | None = None, request=None, synthetic: bool = False
) -> Project:
    if not access.can_edit_project(by, project, actor=data.get("actor")):
        raise PermissionDenied
    if data.get("end") and data.get("start") and data["end"] < data["start"]:
        raise ValidationError({"end": [_("The end cannot come before the start.")]})
    if not data.get("regions") and project is None:
        raise ValidationError({"regions": [_("Choose at least one region.")]})
    created = project is None
    with transaction.atomic():
        project = project or Project(is_synthetic=synthetic)
        for key in PROJECT_FIELDS:
            if key in data:
                setattr(project, key, data[key])
        project.forms, project.axes = list(project.forms or []), list(project.axes or [])
        project.save()
        if "regions" in data:
            project.regions.set(data["regions"])
        record(
            AuditEvent.Action.CREATE if created else AuditEvent.Action.CHANGE,
            actor=by,
            request=request,
            obj=project,
            actor_id=project.actor_id,
            regions=sorted(r.pk if hasattr(r, "pk") else r for r in data.get("regions", [])),
            budget=project.budget,
        )
    return project


INSPECTION_FIELDS = (
    "date",
    "cercle",
    "sector",
    "at_worksite",
    "child_labour_violations",
    "forced_labour_violations",
    "penalties_imposed",
    "penalties_collected",
    "children_removed",
    "children_referred",
    "referral",
    "note",
)


def record_inspection(*, by, data: dict, request=None, today: dt.date | None = None) -> Inspection:
    """A labour inspection, recorded by an inspector of a labour-inspection organisation."""
    if not access.is_labour_inspector(by):
        raise PermissionDenied
    errors = rules.inspection_errors(data, today=today or timezone.localdate())
    if errors:
        raise ValidationError(errors)
    fields = {k: data[k] for k in INSPECTION_FIELDS if k in data and data[k] is not None}
    with transaction.atomic():
        inspection = Inspection.objects.create(organisation_id=by.organisation_id, inspector=by, **fields)
        record(
            AuditEvent.Action.CREATE,
            actor=by,
            request=request,
            obj=inspection,
            cercle=inspection.cercle_id,
            sector=inspection.sector,
            child_labour_violations=inspection.child_labour_violations,
            children_removed=inspection.children_removed,
            referral=inspection.referral_id,
        )
    return inspection
