"""A worked example: a small plan, its reports, inspections, meetings and projects, with the expected
monitoring figures worked out by hand (in the comments) and written out below."""

import datetime as dt

import pytest

from sira.coordination import figures, services
from sira.coordination.models import Activity, Actor, Meeting, Objective, Plan, Project
from sira.geo.models import Cercle
from sira.testing.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
D = dt.date
AS_OF = D(2025, 6, 30)
REPORT_DAY = D(2025, 7, 20)  # the reports are entered then (one is dated after AS_OF: not counted)


@pytest.fixture
def example(ngo_actor, officer):
    plan = Plan.objects.create(code="PAN-X", title="Plan X", start_year=2023, end_year=2027)
    axes = {
        axis: Objective.objects.create(plan=plan, axis=axis, code=axis[:4], title=axis)
        for axis in ("prevention", "protection", "prosecution")
    }

    def activity(code, axis, start, end, budget, region, kind="other", owner=ngo_actor):
        return Activity.objects.create(
            objective=axes[axis],
            code=code,
            title=code,
            kind=kind,
            responsible=owner,
            planned_start=start,
            planned_end=end,
            budget=budget,
            region_id=region,
        )

    a = {
        "A1": activity("A1", "prevention", D(2025, 1, 1), D(2025, 3, 31), 2_000_000, "ML05", "awareness"),
        "A2": activity("A2", "prevention", D(2025, 2, 1), D(2025, 12, 31), 3_000_000, "ML09", "training"),
        "A3": activity("A3", "protection", D(2025, 3, 1), D(2025, 5, 31), 1_500_000, "ML05"),
        "A4": activity("A4", "protection", D(2025, 9, 1), D(2025, 12, 31), 4_000_000, "ML09"),
        "A5": activity("A5", "prosecution", D(2025, 4, 1), D(2025, 8, 31), 1_000_000, "ML09", owner=None),
        "A6": activity("A6", "prosecution", D(2025, 1, 1), D(2025, 12, 31), 500_000, "ML09"),
        "A7": activity("A7", "prosecution", D(2024, 1, 1), D(2024, 12, 31), 9_999_999, "ML09"),  # not in 2025
    }

    def report(code, **data):
        services.report_activity(a[code], by=officer, data=data, today=REPORT_DAY)

    report(
        "A1",
        as_of=D(2025, 3, 31),
        status="completed",
        actual_start=D(2025, 1, 5),
        actual_end=D(2025, 3, 30),
        amount_spent=1_800_000,
        girls=100,
        boys=80,
        women=50,
        men=20,
        channels=["radio"],
        radio_languages=["bm"],
    )
    report(
        "A2",
        as_of=D(2025, 5, 15),
        status="in_progress",
        actual_start=D(2025, 2, 10),
        amount_spent=1_000_000,
        participants_female=10,
        participants_male=15,
        audience_types=["police"],
        topics=["law_2012_023"],
    )
    report("A3", as_of=D(2025, 3, 20), status="in_progress", actual_start=D(2025, 3, 5), amount_spent=500_000)
    report(
        "A3",
        as_of=D(2025, 7, 15),
        status="completed",
        actual_start=D(2025, 3, 5),
        actual_end=D(2025, 7, 10),
        amount_spent=1_400_000,
    )
    report("A6", as_of=D(2025, 2, 1), status="cancelled")
    return plan, a


def test_plan_execution_by_axis(example):
    rows = {r["key"]: r for r in figures.plan_execution(2025, as_of=AS_OF)}
    # prevention: A1 completed; A2 started, ends in December → on time.
    # Budget 2.0 M + 3.0 M; spent 1.8 M + 1.0 M.
    assert rows["prevention"] | {} == {
        "key": "prevention",
        "label": "Prévention",
        "activities": 2,
        "completed": 1,
        "on_time": 1,
        "late": 0,
        "not_started": 0,
        "cancelled": 0,
        "budget": 5_000_000,
        "spent": 2_800_000,
        "spent_rate": 56.0,
        "on_schedule_rate": 100.0,
    }
    # protection: A3 started but due 31 May (its completion is reported for 15 July, after AS_OF) → late;
    # A4 starts in September → not started. Spent 0.5 M of 5.5 M = 9.1 %.
    assert {
        k: rows["protection"][k]
        for k in ("activities", "late", "not_started", "budget", "spent", "spent_rate", "on_schedule_rate")
    } == {
        "activities": 2,
        "late": 1,
        "not_started": 1,
        "budget": 5_500_000,
        "spent": 500_000,
        "spent_rate": 9.1,
        "on_schedule_rate": 0.0,
    }
    # prosecution: A5 never reported, due to start 1 April → late; A6 cancelled. A7 is 2024's.
    assert {
        k: rows["prosecution"][k]
        for k in ("activities", "late", "cancelled", "budget", "spent", "on_schedule_rate")
    } == {
        "activities": 2,
        "late": 1,
        "cancelled": 1,
        "budget": 1_500_000,
        "spent": 0,
        "on_schedule_rate": 0.0,
    }
    assert rows["partnership"]["activities"] == 0 and rows["partnership"]["spent_rate"] is None
    # total: 6 activities; on schedule (completed + on time) 2 of the 5 not cancelled = 40 %;
    # spent 3.3 M of 12 M = 27.5 %.
    assert {
        k: rows["total"][k]
        for k in (
            "activities",
            "completed",
            "on_time",
            "late",
            "not_started",
            "cancelled",
            "budget",
            "spent",
            "spent_rate",
            "on_schedule_rate",
        )
    } == {
        "activities": 6,
        "completed": 1,
        "on_time": 1,
        "late": 2,
        "not_started": 1,
        "cancelled": 1,
        "budget": 12_000_000,
        "spent": 3_300_000,
        "spent_rate": 27.5,
        "on_schedule_rate": 40.0,
    }


def test_plan_execution_by_region_and_for_one_region(example):
    rows = {r["key"]: r for r in figures.plan_execution(2025, by="region", as_of=AS_OF)}
    # Mopti (ML05): A1 completed, A3 late; 3.5 M planned, 2.3 M spent.
    assert {k: rows["ML05"][k] for k in ("activities", "completed", "late", "budget", "spent")} == {
        "activities": 2,
        "completed": 1,
        "late": 1,
        "budget": 3_500_000,
        "spent": 2_300_000,
    }
    assert rows["ML09"]["activities"] == 4 and rows["total"]["activities"] == 6
    mopti = {r["key"]: r for r in figures.plan_execution(2025, "ML05", as_of=AS_OF)}
    assert mopti["total"]["activities"] == 2 and mopti["protection"]["late"] == 1


def test_at_the_end_of_the_year_the_later_report_counts(example):
    rows = {r["key"]: r for r in figures.plan_execution(2025, as_of=D(2025, 12, 31))}
    # A3's completion (15 July) now counts: spent 1.4 M; A4 (September) never reported → late;
    # A2 ends on 31 December → still on time.
    assert {k: rows["protection"][k] for k in ("completed", "late", "spent")} == {
        "completed": 1,
        "late": 1,
        "spent": 1_400_000,
    }
    assert rows["prevention"]["on_time"] == 1


def test_alerts_late_unowned_and_silent(example):
    plan, _a = example
    alerts = figures.alerts(plan=plan, as_of=AS_OF)
    # Late: A3 (due 31 May) and A5 (due to start 1 April), and A7 (2024, never reported).
    assert sorted(x.code for x in alerts["late"]) == ["A3", "A5", "A7"]
    assert [x.code for x in alerts["unowned"]] == ["A5"]
    # Running with nothing for 92 days: A3 (last report 20 March, 102 days), A5 and A7 (none).
    # A2 reported 15 May (46 days): not silent. A1 completed, A6 cancelled, A4 not yet due.
    assert sorted(x.code for x in alerts["silent"]) == ["A3", "A5", "A7"]


def test_training_and_awareness_reach(example):
    training = {r["key"]: r for r in figures.training_reach(2025)}
    assert training["police"] == {
        "key": "police",
        "label": "Police et gendarmerie",
        "trainings": 1,
        "female": 10,
        "male": 15,
        "participants": 25,
    }
    assert training["magistrates"]["trainings"] == 0 and training["total"]["participants"] == 25
    assert {r["key"]: r["trainings"] for r in figures.training_reach(2025, by="topic")}["law_2012_023"] == 1
    awareness = {r["key"]: r for r in figures.awareness_reach(2025)}
    assert {k: awareness["radio"][k] for k in ("campaigns", "girls", "boys", "women", "men", "reached")} == {
        "campaigns": 1,
        "girls": 100,
        "boys": 80,
        "women": 50,
        "men": 20,
        "reached": 250,
    }
    assert awareness["school"]["campaigns"] == 0 and awareness["total"]["reached"] == 250
    assert {r["key"]: r["reached"] for r in figures.awareness_reach(2025, by="language")}["bm"] == 250
    assert figures.awareness_reach(2025, "ML09")[-1]["reached"] == 0  # the campaign was in Mopti


def test_the_inspection_table_in_the_child_labour_report_layout(inspector):
    other = UserFactory(username="inspecteur.b", organisation=inspector.organisation, role="case_manager")
    today = D(2025, 12, 31)

    def inspect(by, date, **figures_):
        services.record_inspection(
            by=by,
            data={
                "date": date,
                "cercle": Cercle.objects.get(pk="ML0101"),
                "sector": "artisanal_gold_mining",
                **figures_,
            },
            today=today,
        )

    inspect(
        inspector,
        D(2025, 3, 1),
        at_worksite=True,
        child_labour_violations=4,
        forced_labour_violations=1,
        penalties_imposed=3,
        penalties_collected=1,
        children_removed=6,
        children_referred=5,
    )
    inspect(other, D(2025, 4, 1), at_worksite=False)
    inspect(
        inspector,
        D(2025, 5, 1),
        at_worksite=True,
        child_labour_violations=2,
        penalties_imposed=2,
        penalties_collected=2,
        children_removed=2,
        children_referred=2,
    )
    inspect(inspector, D(2024, 6, 1), at_worksite=True, child_labour_violations=1)
    table = {r["key"]: (r["2024"], r["2025"]) for r in figures.inspection_table([2024, 2025])}
    assert table == {
        "inspectors": (1, 2),
        "inspections": (1, 3),
        "at_worksite": (1, 2),
        "child_labour_violations": (1, 6),
        "penalties_imposed": (0, 5),
        "penalties_collected": (0, 3),
        "forced_labour_violations": (0, 1),
        "children_removed": (0, 8),
        "children_referred": (0, 7),
    }
    assert figures.inspection_table([2025], "ML05")[1]["2025"] == 0  # none in Mopti
    sectors = {r["key"]: r for r in figures.inspections_by_sector(2025)}
    assert (
        sectors["artisanal_gold_mining"]["inspections"],
        sectors["artisanal_gold_mining"]["children_removed"],
    ) == (3, 8)


def test_attendance_rates_and_projects_by_region(secretariat):
    x = Actor.objects.create(name="Membre X", kind="government", committee_member=True)
    y = Actor.objects.create(name="Membre Y", kind="ngo", committee_member=True)
    z = Actor.objects.create(name="Membre Z", kind="un", committee_member=True)
    services.record_meeting(by=secretariat, date=D(2025, 2, 1), title="S1", present=[x, y], absent=[z])
    services.record_meeting(by=secretariat, date=D(2025, 5, 1), title="S2", present=[x], absent=[y, z])
    services.record_meeting(by=secretariat, date=D(2024, 5, 1), title="S0", present=[z])
    assert Meeting.objects.count() == 3
    rates = {r["name"]: (r["meetings"], r["present"], r["rate"]) for r in figures.attendance_rates(2025)}
    assert rates == {"Membre X": (2, 2, 100.0), "Membre Y": (2, 1, 50.0), "Membre Z": (2, 0, 0.0)}

    donor = Actor.objects.create(name="Bailleur", kind="donor")
    p1 = Project.objects.create(
        title="P1",
        actor=x,
        donor=donor,
        forms=["ChildLabour"],
        axes=["protection"],
        start=D(2024, 1, 1),
        end=D(2026, 1, 1),
        budget=10_000_000,
    )
    p1.regions.set(["ML01", "ML03"])
    p2 = Project.objects.create(
        title="P2",
        actor=y,
        forms=["SexualExploitation"],
        axes=["prevention"],
        start=D(2025, 3, 1),
        budget=5_000_000,
    )
    p2.regions.set(["ML01"])
    p3 = Project.objects.create(title="P3", actor=y, start=D(2020, 1, 1), end=D(2023, 1, 1), budget=1)
    p3.regions.set(["ML01"])
    rows = {r["key"]: r for r in figures.projects_by_region(2025)}
    assert {k: rows["ML01"][k] for k in ("projects", "actors", "budget")} == {
        "projects": 2,
        "actors": 2,
        "budget": 15_000_000,
    }
    assert {k: rows["ML03"][k] for k in ("projects", "actors", "budget")} == {
        "projects": 1,
        "actors": 1,
        "budget": 10_000_000,
    }
    assert rows["ML09"]["projects"] == 0
    only_child_labour = {
        r["key"]: r["projects"] for r in figures.projects_by_region(2025, form="ChildLabour")
    }
    assert (
        only_child_labour["ML01"] == 1
        and {r["key"]: r["projects"] for r in figures.projects_by_region(2025, axis="prevention")}["ML03"]
        == 0
    )


def test_rules_activity_state_table():
    from sira.coordination import rules

    start, end = D(2025, 3, 1), D(2025, 5, 31)
    cases = [
        (None, D(2025, 2, 1), "not_started"),
        (None, D(2025, 3, 1), "not_started"),
        (None, D(2025, 3, 2), "late"),
        ("not_started", D(2025, 4, 1), "late"),
        ("in_progress", D(2025, 5, 31), "on_time"),
        ("in_progress", D(2025, 6, 1), "late"),
        ("completed", D(2025, 9, 1), "completed"),
        ("cancelled", D(2025, 9, 1), "cancelled"),
    ]
    assert [rules.activity_state(start, end, status, on) for status, on, _ in cases] == [c[2] for c in cases]
    assert rules.silent_for_a_quarter(D(2025, 3, 30), D(2025, 6, 30)) is False
    assert rules.silent_for_a_quarter(D(2025, 3, 29), D(2025, 6, 30)) is True


def test_the_monitoring_page_and_its_csv(client, example, secretariat):
    client.force_login(secretariat)
    page = client.get("/coordination/monitoring/", {"year": 2025})
    assert page.status_code == 200 and "Exécution du plan par axe" in page.content.decode()
    csv_text = client.get(
        "/coordination/monitoring/", {"year": 2025, "csv": "training_audience"}
    ).content.decode()
    assert csv_text.splitlines()[0] == "key,label,trainings,female,male,participants"
    assert "police,Police et gendarmerie,1,10,15,25" in csv_text


def test_a_report_by_an_organisation_without_actor_is_impossible(example):
    _plan, a = example
    stranger = UserFactory(username="x", organisation=OrganisationFactory(name="Org X", acronym="OX"))
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.report_activity(a["A1"], by=stranger, data={"status": "not_started"}, today=REPORT_DAY)
