"""Who may do what in coordination, on the accounts base (no new role):

- the committee secretariat — national roles (statistician, administrator) of a ministry service, the
  same users who review emergency access (`sira.accounts.access.reviews_access`) — imports plans, records
  meetings and decisions, and keeps the directory of actors and projects;
- each organisation reports on its own activities: any active user of the Sira organisation linked to
  the activity's responsible actor or to one of its partners;
- an actor's own organisation may add and edit its projects;
- labour inspectors record inspections: users of a labour-inspection organisation (org type
  LabourInspection) with a role that records (frontline worker, case manager, investigator);
- every signed-in user reads the plan, the directory, the map and the monitoring figures (no person's
  identity is in them); inspection records are read by their inspectorate and the secretariat."""

from django.db.models import Q, QuerySet

from sira.accounts.access import CASE_EDITORS, RecordPolicy, reviews_access
from sira.coordination.models import Activity, Decision, Inspection, Project

LABOUR_INSPECTION = "LabourInspection"


def _active(user) -> bool:
    return user.is_authenticated and user.is_active


def reads(user) -> bool:
    return _active(user)


def is_secretariat(user) -> bool:
    return reviews_access(user)


def can_edit_plans(user) -> bool:
    return is_secretariat(user)


def can_edit_meetings(user) -> bool:
    return is_secretariat(user)


def can_edit_directory(user) -> bool:
    return is_secretariat(user)


def can_report(user, activity: Activity) -> bool:
    """A worker of the responsible or a partner organisation reports on the activity."""
    if not _active(user) or user.organisation_id is None:
        return False
    if activity.responsible is not None and activity.responsible.organisation_id == user.organisation_id:
        return True
    return activity.partners.filter(organisation_id=user.organisation_id).exists()


def reportable_activities(user) -> QuerySet[Activity]:
    if not _active(user) or user.organisation_id is None:
        return Activity.objects.none()
    org = user.organisation_id
    return Activity.objects.filter(
        Q(responsible__organisation_id=org) | Q(partners__organisation_id=org)
    ).distinct()


def can_edit_project(user, project: Project | None, actor=None) -> bool:
    """The secretariat, or a worker of the actor running the project (for a new one: `actor`)."""
    if is_secretariat(user):
        return True
    actor = project.actor if project is not None else actor
    return (
        _active(user)
        and actor is not None
        and actor.organisation_id is not None
        and (actor.organisation_id == user.organisation_id)
    )


def can_close_decision(user, decision: Decision) -> bool:
    return is_secretariat(user) or (
        _active(user)
        and decision.owner.organisation_id is not None
        and decision.owner.organisation_id == user.organisation_id
    )


def is_labour_inspector(user) -> bool:
    return (
        _active(user)
        and user.organisation_id is not None
        and user.role in CASE_EDITORS
        and user.organisation.org_type == LABOUR_INSPECTION
    )


class InspectionPolicy(RecordPolicy):
    model = Inspection
    related = ("cercle", "organisation", "inspector")

    def visible(self, user, action: str = "view") -> QuerySet[Inspection]:
        if not _active(user):
            return Inspection.objects.none()
        if action == "view" and is_secretariat(user):
            return Inspection.objects.all()
        if user.organisation_id is None:
            return Inspection.objects.none()
        if action != "view" and not is_labour_inspector(user):
            return Inspection.objects.none()
        return Inspection.objects.filter(organisation_id=user.organisation_id)


inspections = InspectionPolicy()
