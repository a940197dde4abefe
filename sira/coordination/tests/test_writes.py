"""Each write acts as the user would (the page), then reads the database back with its audit entry."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from sira.audit.models import AuditEvent
from sira.coordination.models import (
    Activity,
    ActivityReport,
    Actor,
    Attendance,
    Decision,
    Inspection,
    Meeting,
    Objective,
    Plan,
    Project,
)
from sira.testing.factories import UserFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def audit(object_type, action):
    return AuditEvent.objects.get(object_type=object_type, action=action)


@pytest.fixture
def plan(ngo_actor):
    plan = Plan.objects.create(code="PAN-W", title="Plan W", start_year=2023, end_year=2027)
    objective = Objective.objects.create(plan=plan, axis="prevention", code="1", title="Prévenir")
    return plan, objective


def make_activity(objective, code, kind, responsible, **kw):
    defaults = dict(
        planned_start=TODAY - dt.timedelta(days=30),
        planned_end=TODAY + dt.timedelta(days=60),
        budget=1_000_000,
        region_id="ML09",
    )
    return Activity.objects.create(
        objective=objective,
        code=code,
        title=f"Activité {code}",
        kind=kind,
        responsible=responsible,
        **{**defaults, **kw},
    )


def test_an_organisation_reports_an_awareness_campaign(client, plan, ngo_actor, officer):
    activity = make_activity(plan[1], "1.1", "awareness", ngo_actor)
    client.force_login(officer)
    response = client.post(
        reverse("coordination:report", args=[activity.pk]),
        {
            "as_of": TODAY.isoformat(),
            "status": "in_progress",
            "actual_start": (TODAY - dt.timedelta(days=20)).isoformat(),
            "amount_spent": "250000",
            "girls": "40",
            "boys": "35",
            "women": "60",
            "men": "25",
            "channels": ["radio", "community_meeting"],
            "radio_languages": ["bm", "ff"],
            "evidence": "Attestations des radios de Mopti",
        },
    )
    assert response.status_code == 303
    report = ActivityReport.objects.get()
    assert (report.activity, report.organisation, report.reported_by) == (
        activity,
        officer.organisation,
        officer,
    )
    assert (report.status, report.amount_spent, report.reached) == ("in_progress", 250000, 160)
    assert report.channels == ["radio", "community_meeting"] and report.radio_languages == ["bm", "ff"]
    event = audit("coordination.activityreport", "create")
    assert event.actor == officer and event.object_id == str(report.pk)
    assert event.detail == {"activity": activity.pk, "status": "in_progress", "reached": 160, "spent": 250000}


def test_a_training_report_records_audience_participants_and_topics(client, plan, ngo_actor, officer):
    activity = make_activity(plan[1], "1.2", "training", ngo_actor)
    client.force_login(officer)
    response = client.post(
        reverse("coordination:report", args=[activity.pk]),
        {
            "as_of": TODAY.isoformat(),
            "status": "completed",
            "actual_start": (TODAY - dt.timedelta(days=3)).isoformat(),
            "actual_end": TODAY.isoformat(),
            "amount_spent": "900000",
            "audience_types": ["police", "magistrates"],
            "participants_female": "7",
            "participants_male": "18",
            "topics": ["law_2012_023", "identification"],
        },
    )
    assert response.status_code == 303
    report = ActivityReport.objects.get()
    assert report.audience_types == ["police", "magistrates"] and report.topics == [
        "law_2012_023",
        "identification",
    ]
    assert (report.participants_female, report.participants_male, report.status) == (7, 18, "completed")
    assert audit("coordination.activityreport", "create").detail["status"] == "completed"


def test_a_report_with_problems_names_them_all_and_changes_nothing(client, plan, ngo_actor, officer):
    activity = make_activity(plan[1], "1.3", "training", ngo_actor)
    client.force_login(officer)
    response = client.post(
        reverse("coordination:report", args=[activity.pk]),
        {"as_of": (TODAY + dt.timedelta(days=2)).isoformat(), "status": "completed"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {
        "as_of",
        "actual_start",
        "actual_end",
        "audience_types",
        "topics",
        "participants_female",
    }
    assert "La date d’avancement ne peut pas être dans le futur." in errors["as_of"]
    assert (
        not ActivityReport.objects.exists()
        and not AuditEvent.objects.filter(object_type="coordination.activityreport", action="create").exists()
    )


def test_another_organisation_cannot_report(client, plan, ngo_actor):
    activity = make_activity(plan[1], "1.4", "other", ngo_actor)
    client.force_login(UserFactory(username="autre", role="frontline_worker"))
    assert (
        client.post(
            reverse("coordination:report", args=[activity.pk]),
            {"status": "not_started", "as_of": TODAY.isoformat()},
        ).status_code
        == 403
    )
    assert not ActivityReport.objects.exists()


def test_a_partner_organisation_may_report(client, plan, ngo_actor, secretariat):
    activity = make_activity(plan[1], "1.5", "other", None)
    partner = Actor.objects.create(
        name="Secrétariat", kind="government", organisation=secretariat.organisation
    )
    activity.partners.add(partner)
    client.force_login(secretariat)
    response = client.post(
        reverse("coordination:report", args=[activity.pk]),
        {"status": "not_started", "as_of": TODAY.isoformat()},
    )
    assert (
        response.status_code == 303 and ActivityReport.objects.get().organisation == secretariat.organisation
    )


def test_the_secretariat_records_a_meeting_with_attendance(client, secretariat, ngo_actor):
    other = Actor.objects.create(
        name="Ministère de la Justice", acronym="MJ", kind="government", committee_member=True
    )
    client.force_login(secretariat)
    response = client.post(
        reverse("coordination:meeting_new"),
        {
            "date": TODAY.isoformat(),
            "title": "Session ordinaire",
            "place": "Bamako",
            "present": [ngo_actor.pk],
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 303 and response["Location"] == reverse(
        "coordination:meeting", args=[meeting.pk]
    )
    assert dict(Attendance.objects.values_list("member", "present")) == {ngo_actor.pk: True, other.pk: False}
    event = audit("coordination.meeting", "create")
    assert event.actor == secretariat and event.detail == {
        "date": TODAY.isoformat(),
        "present": [ngo_actor.pk],
        "absent": [other.pk],
    }


def test_a_decision_is_followed_until_closed_by_its_owner(client, secretariat, ngo_actor, officer):
    meeting = Meeting.objects.create(date=TODAY, title="Session", recorded_by=secretariat)
    client.force_login(secretariat)
    due = TODAY + dt.timedelta(days=30)
    response = client.post(
        reverse("coordination:meeting", args=[meeting.pk]),
        {"text": "Transmettre le rapport trimestriel", "owner": ngo_actor.pk, "due": due.isoformat()},
    )
    assert response.status_code == 303
    decision = Decision.objects.get()
    assert (decision.owner, decision.due, decision.closed_on) == (ngo_actor, due, None)
    assert audit("coordination.decision", "create").detail == {
        "meeting": meeting.pk,
        "owner": ngo_actor.pk,
        "due": due.isoformat(),
    }
    assert "Transmettre le rapport trimestriel" in client.get(reverse("coordination:home")).content.decode()

    client.force_login(officer)  # the owner's organisation closes it
    assert (
        client.post(
            reverse("coordination:decision_close", args=[decision.pk]), {"note": "Envoyé"}
        ).status_code
        == 303
    )
    decision.refresh_from_db()
    assert decision.closed_on == TODAY and decision.closing_note == "Envoyé"
    assert audit("coordination.decision", "change").actor == officer
    assert (
        "Transmettre le rapport trimestriel" not in client.get(reverse("coordination:home")).content.decode()
    )


def test_a_decision_due_before_its_meeting_is_refused(client, secretariat, ngo_actor):
    meeting = Meeting.objects.create(date=TODAY, title="Session", recorded_by=secretariat)
    client.force_login(secretariat)
    response = client.post(
        reverse("coordination:meeting", args=[meeting.pk]),
        {"text": "X", "owner": ngo_actor.pk, "due": (TODAY - dt.timedelta(days=1)).isoformat()},
    )
    assert (
        response.status_code == 200
        and "L’échéance précède la réunion." in response.context["form"].errors["due"]
    )
    assert not Decision.objects.exists()


def test_the_secretariat_adds_an_actor_and_a_project(client, secretariat):
    client.force_login(secretariat)
    response = client.post(
        reverse("coordination:actor_new"),
        {"name": "Bailleur démo", "acronym": "BD", "kind": "donor", "region": "ML09"},
    )
    assert response.status_code == 303
    donor = Actor.objects.get(acronym="BD")
    assert donor.kind == "donor" and audit("coordination.actor", "create").object_id == str(donor.pk)
    runner = Actor.objects.create(name="ONG Nord", kind="ngo", region_id="ML07")
    response = client.post(
        reverse("coordination:project_new"),
        {
            "title": "Retour des enfants des sites d'orpaillage",
            "actor": runner.pk,
            "donor": donor.pk,
            "exploitation_forms": ["ChildLabour", "ForcedLabour"],
            "axes": ["protection"],
            "regions": ["ML01", "ML03"],
            "start": "2025-01-01",
            "end": "2026-12-31",
            "budget": "45000000",
        },
    )
    assert response.status_code == 303
    project = Project.objects.get()
    assert (project.actor, project.donor, project.budget) == (runner, donor, 45_000_000)
    assert project.forms == ["ChildLabour", "ForcedLabour"] and sorted(
        r.code for r in project.regions.all()
    ) == ["ML01", "ML03"]
    assert audit("coordination.project", "create").detail == {
        "actor_id": runner.pk,
        "regions": ["ML01", "ML03"],
        "budget": 45_000_000,
    }
    page = client.get(
        reverse("coordination:directory"), {"region": "ML03", "form": "ChildLabour"}
    ).content.decode()
    assert "Retour des enfants" in page
    assert (
        "Retour des enfants"
        not in client.get(reverse("coordination:directory"), {"axis": "prosecution"}).content.decode()
    )


def test_an_organisation_adds_its_own_project_only(client, officer, ngo_actor):
    client.force_login(officer)
    data = {"title": "Projet ESP", "actor": ngo_actor.pk, "regions": ["ML09"], "start": "2025-01-01"}
    assert client.post(reverse("coordination:project_new"), data).status_code == 303
    assert Project.objects.get().actor == ngo_actor
    other = Actor.objects.create(name="Autre", kind="ngo")
    response = client.post(
        reverse("coordination:project_new"), {**data, "title": "Pas à moi", "actor": other.pk}
    )
    assert response.status_code == 200 and Project.objects.count() == 1
    assert client.post(reverse("coordination:actor_new"), {"name": "X", "kind": "ngo"}).status_code == 403


def test_a_labour_inspector_records_an_inspection_linked_to_a_referral(client, inspector):
    client.force_login(inspector)
    response = client.post(
        reverse("coordination:inspection_new"),
        {
            "date": TODAY.isoformat(),
            "cercle": "ML0101",
            "sector": "artisanal_gold_mining",
            "at_worksite": "on",
            "child_labour_violations": "4",
            "forced_labour_violations": "1",
            "penalties_imposed": "3",
            "penalties_collected": "1",
            "children_removed": "6",
            "children_referred": "5",
        },
    )
    assert response.status_code == 303
    inspection = Inspection.objects.get()
    assert (inspection.organisation, inspection.inspector, inspection.cercle_id, inspection.sector) == (
        inspector.organisation,
        inspector,
        "ML0101",
        "artisanal_gold_mining",
    )
    assert (
        inspection.child_labour_violations,
        inspection.penalties_imposed,
        inspection.children_referred,
    ) == (4, 3, 5)
    assert audit("coordination.inspection", "create").detail == {
        "cercle": "ML0101",
        "sector": "artisanal_gold_mining",
        "child_labour_violations": 4,
        "children_removed": 6,
        "referral": None,
    }


def test_an_inspection_with_impossible_figures_is_refused_whole(client, inspector):
    client.force_login(inspector)
    response = client.post(
        reverse("coordination:inspection_new"),
        {
            "date": (TODAY + dt.timedelta(days=1)).isoformat(),
            "cercle": "ML0101",
            "sector": "agriculture",
            "child_labour_violations": "1",
            "penalties_imposed": "2",
            "penalties_collected": "3",
            "children_removed": "0",
            "children_referred": "2",
            "referral": "R-999999",
        },
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"referral"}  # the form's own check first
    response = client.post(
        reverse("coordination:inspection_new"),
        {
            "date": (TODAY + dt.timedelta(days=1)).isoformat(),
            "cercle": "ML0101",
            "sector": "agriculture",
            "child_labour_violations": "1",
            "penalties_imposed": "2",
            "penalties_collected": "3",
            "children_removed": "0",
            "children_referred": "2",
        },
    )
    assert set(response.context["form"].errors) == {
        "date",
        "penalties_imposed",
        "penalties_collected",
        "children_referred",
    }
    assert not Inspection.objects.exists()


def test_only_labour_inspectors_record_inspections(client, officer, secretariat):
    for user in (officer, secretariat):
        client.force_login(user)
        assert (
            client.post(reverse("coordination:inspection_new"), {"date": TODAY.isoformat()}).status_code
            == 403
        )
    assert not Inspection.objects.exists()


def test_an_inspection_links_the_referral_of_a_child_removed(client, inspector):
    from sira.referrals import services as referral_services
    from sira.referrals.models import ServiceOffering
    from sira.testing.factories import CaseFactory, OrganisationFactory

    shelter = OrganisationFactory(
        name="Centre Test Refuge", acronym="TSTR", org_type="ShelterServiceProvider"
    )
    offering = ServiceOffering.objects.create(
        organisation=shelter, service="Shelter", name="Hébergement", region_id="ML09", capacity_total=5
    )
    case = CaseFactory(by=inspector, share_with=[shelter], region="ML01")
    referral = referral_services.send_referral(
        case, by=inspector, offering=offering, service="Shelter", shared_fields=["gender", "age"]
    )
    client.force_login(inspector)
    data = {
        "date": TODAY.isoformat(),
        "cercle": "ML0101",
        "sector": "artisanal_gold_mining",
        "child_labour_violations": "1",
        "children_removed": "1",
        "children_referred": "1",
    }
    assert (
        client.post(
            reverse("coordination:inspection_new"), {**data, "referral": referral.reference}
        ).status_code
        == 303
    )
    inspection = Inspection.objects.get()
    assert (
        inspection.referral == referral
        and audit("coordination.inspection", "create").detail["referral"] == referral.pk
    )
    # Another inspectorate cannot link a referral it does not see.
    other = UserFactory(
        username="inspecteur2",
        organisation=OrganisationFactory(name="IT Mopti", acronym="ITM", org_type="LabourInspection"),
        role="frontline_worker",
    )
    client.force_login(other)
    response = client.post(reverse("coordination:inspection_new"), {**data, "referral": referral.reference})
    assert (
        response.status_code == 200
        and "Aucune de vos orientations n’a ce numéro." in response.context["form"].errors["referral"]
    )
    assert Inspection.objects.count() == 1


def test_implausible_figures_are_refused_not_a_server_error(client, plan, ngo_actor, officer):
    """The attacker probe: 10**30 francs was a 500, 2**63 - 1 women corrupted the national totals."""
    activity = make_activity(plan[1], "1.4", "awareness", ngo_actor)
    client.force_login(officer)
    response = client.post(
        reverse("coordination:report", args=[activity.pk]),
        {
            "as_of": TODAY.isoformat(),
            "status": "in_progress",
            "actual_start": TODAY.isoformat(),
            "amount_spent": str(10**30),
            "women": str(2**63 - 1),
            "girls": "30000001",
            "channels": ["radio"],
        },
    )
    assert response.status_code == 200
    assert {"amount_spent", "women", "girls"} <= set(response.context["form"].errors)
    assert not ActivityReport.objects.exists()
