"""Importing a plan: the secretariat uploads a workbook through the page; a good one is written with
its audit entry; a bad one is refused whole, naming every bad cell in the user's language."""

import datetime as dt

import pytest
from django.urls import reverse

from sira.audit.models import AuditEvent
from sira.coordination import importer
from sira.coordination.models import Activity, Actor, Indicator, Objective, Plan

from .conftest import activity_row, workbook

pytestmark = pytest.mark.django_db


def post(client, fileobj, language="fr"):
    client.cookies["django_language"] = language
    return client.post(reverse("coordination:plan_import"), {"file": fileobj}, HTTP_ACCEPT_LANGUAGE=language)


def test_a_good_plan_is_imported_with_its_audit_entry(client, secretariat, ngo_actor):
    client.force_login(secretariat)
    partner_org_book = workbook(
        plan=[["PAN-T", "Plan régional test", 2023, 2027, "Mopti", ""]],
        objectives=[["1.1", "Prévention", "Sensibiliser"], ["2.1", "protection", "Protéger"]],
        activities=[
            activity_row("1.1.1", kind="Sensibilisation", region="ML05", cercle="ML0501"),
            activity_row("2.1.1", "2.1", kind="training", responsible="TSTS"),
            activity_row("2.1.2", "2.1", responsible=""),
        ],
        indicators=[["I1", "1.1", "Personnes sensibilisées", "personnes", 0, 2022, 1000, "2 000,5"]],
    )
    response = post(client, partner_org_book)
    plan = Plan.objects.get(code="PAN-T")
    assert response.status_code == 303 and response["Location"] == reverse(
        "coordination:plan", args=[plan.pk]
    )
    assert plan.region_id == "ML05"  # a regional plan
    assert plan.objectives.count() == 2 and Objective.objects.get(code="1.1").axis == "prevention"
    first = Activity.objects.get(code="1.1.1")
    assert (first.kind, first.responsible, first.region_id, first.cercle_id) == (
        "awareness",
        ngo_actor,
        "ML05",
        "ML0501",
    )
    # The secretariat's organisation had no actor: one is created, linked to it.
    assert Activity.objects.get(code="2.1.1").responsible.organisation == secretariat.organisation
    assert Activity.objects.get(code="2.1.2").responsible is None
    assert Indicator.objects.get().targets == {"2023": "1000", "2024": "2000.5"}
    event = AuditEvent.objects.get(object_type="coordination.plan", action="create")
    assert event.actor == secretariat and event.object_id == str(plan.pk)
    assert event.detail == {"code": "PAN-T", "objectives": 2, "activities": 3, "indicators": 1}


BAD = dict(
    plan=[["PAN-T", "", 2023, 2021, "Atlantide", ""]],
    objectives=[["1.1", "vertu", "Sensibiliser"]],
    activities=[
        [
            "1.1.1",
            "9.9",
            "Radio",
            "other",
            "Inconnue",
            "",
            "ML09",
            "ML0501",
            "hier",
            dt.date(2024, 1, 1),
            "beaucoup",
            "",
            "",
        ],
    ],
)


def test_a_bad_plan_is_refused_whole_naming_every_cell_in_french(client, secretariat):
    client.force_login(secretariat)
    response = post(client, workbook(**BAD))
    assert response.status_code == 200
    problems = response.context["problems"]
    expected = [
        "Feuille « Plan », ligne 2, colonne « Intitulé » : Cette cellule est obligatoire.",
        "Feuille « Plan », ligne 2, colonne « Dernière année » : La dernière année précède la première.",
        "Feuille « Plan », ligne 2, colonne « Région (plan régional) » : Région inconnue « Atlantide ».",
        "Feuille « Objectifs », ligne 2, colonne « Axe » : Valeur inconnue « vertu »",
        "Feuille « Activités », ligne 2, colonne « Objectif (code) » : Aucun objectif n’a le code « 9.9 ».",
        "Feuille « Activités », ligne 2, colonne « Responsable » : "
        "Aucun acteur ni organisation ne s’appelle « Inconnue ».",
        "Feuille « Activités », ligne 2, colonne « Cercle » : Ce cercle n’est pas dans la région indiquée.",
        "Feuille « Activités », ligne 2, colonne « Début prévu » : Une date est attendue",
        "Feuille « Activités », ligne 2, colonne « Budget (FCFA) » : "
        "Un nombre entier est attendu, pas « beaucoup ».",
    ]
    for text in expected:
        assert any(p.startswith(text) for p in problems), (text, problems)
    assert len(problems) == len(expected)
    assert "rien n’a changé" in response.content.decode()
    assert not Plan.objects.exists() and not Activity.objects.exists() and not Actor.objects.exists()
    assert not AuditEvent.objects.filter(object_type="coordination.plan", action="create").exists()


def test_the_same_problems_in_english(client, secretariat):
    client.force_login(secretariat)
    response = post(client, workbook(**BAD, english=True), language="en")
    problems = response.context["problems"]
    assert "Sheet “Plan”, row 2, column “Intitulé”: This cell is required." in problems
    assert any(
        p.startswith("Sheet “Activities”, row 2, column “Budget (FCFA)”: A whole number is expected")
        for p in problems
    )
    assert len(problems) == 9
    assert not Plan.objects.exists()


def test_missing_sheets_and_columns_and_not_a_workbook(client, secretariat):
    client.force_login(secretariat)
    from io import BytesIO

    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Plan"
    wb.active.append(["Code"])
    out = BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "x.xlsx"
    problems = post(client, out).context["problems"]
    assert "Feuille « Plan », colonne « Intitulé » : Cette colonne manque." in problems
    assert "Feuille « Activités » : Cette feuille manque." in problems
    junk = BytesIO(b"not a workbook")
    junk.name = "x.xlsx"
    assert post(client, junk).context["problems"] == [
        "Feuille « fichier » : Ce fichier n’est pas un classeur Excel (.xlsx)."
    ]
    assert not Plan.objects.exists()


def test_only_the_secretariat_imports(client, officer):
    client.force_login(officer)
    assert client.post(reverse("coordination:plan_import"), {"file": workbook()}).status_code == 403
    assert not Plan.objects.exists()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_template_reimports_cleanly(client, secretariat, language):
    """The downloadable template, filled as shipped (its example rows), imports without a problem."""
    from sira.coordination.models import Actor

    Actor.objects.create(name="CNCLTP", acronym="CNCLTP", kind="government")
    Plan.objects.create(code="PAN-2018-2022", title="PAN", start_year=2018, end_year=2022)
    client.force_login(secretariat)
    client.cookies["django_language"] = language
    response = client.get(reverse("coordination:plan_template"))
    assert response["Content-Disposition"].endswith(f'sira-plan-{language}.xlsx"')
    from io import BytesIO

    data = BytesIO(response.content)
    data.name = "t.xlsx"
    response = post(client, data, language)
    assert response.status_code == 303, response.context and response.context["problems"]
    assert Plan.objects.get(code="PAN-2023-2027").successor_of.code == "PAN-2018-2022"
    assert importer.template(language)[:2] == b"PK"


def test_the_command_imports_a_good_file_and_refuses_a_bad_one(tmp_path, secretariat, ngo_actor, officer):
    from django.core.management import CommandError, call_command

    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(workbook(activities=[activity_row("1.1.1")]).getvalue())
    bad.write_bytes(workbook(**BAD).getvalue())
    with pytest.raises(CommandError, match="9 problem"):
        call_command("import_plan", str(bad), user=secretariat.username)
    assert not Plan.objects.exists()
    with pytest.raises(CommandError, match="may not import"):
        call_command("import_plan", str(good), user=officer.username)
    call_command("import_plan", str(good), user=secretariat.username)
    assert Activity.objects.get().responsible == ngo_actor
    assert AuditEvent.objects.get(object_type="coordination.plan", action="create").actor == secretariat


def test_a_huge_file_is_refused_before_it_is_read(client, secretariat, monkeypatch):
    from sira.coordination.forms import PlanImportForm

    monkeypatch.setattr(PlanImportForm, "MAX_BYTES", 100)
    client.force_login(secretariat)
    response = post(client, workbook())
    assert response.status_code == 200 and "dépasse 5 Mo" in response.content.decode()
    assert not Plan.objects.exists()


def test_an_oversized_number_is_named_and_nothing_is_imported(client, secretariat, ngo_actor):
    """The attacker probe: a baseline of 1e20 was stored, then the plan page failed for everyone."""
    client.force_login(secretariat)
    book = workbook(
        objectives=[["1.1", "prevention", "Sensibiliser"]],
        indicators=[["I1", "1.1", "Personnes", "personnes", "1e20", 2022, 1000, 2000]],
    )
    problems = post(client, book).context["problems"]
    assert any("Valeur de référence" in p and "trop grand" in p for p in problems), problems
    assert not Plan.objects.exists()
