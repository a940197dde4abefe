import datetime as dt
import io

import pytest
from openpyxl import Workbook

from sira.coordination.models import Actor
from sira.testing.factories import OrganisationFactory, UserFactory

PLAN_HEAD = [
    "Code",
    "Intitulé",
    "Première année",
    "Dernière année",
    "Région (plan régional)",
    "Succède au plan (code)",
]
OBJ_HEAD = ["Code", "Axe", "Intitulé"]
ACT_HEAD = [
    "Code",
    "Objectif (code)",
    "Intitulé",
    "Type",
    "Responsable",
    "Partenaires (séparés par ;)",
    "Région",
    "Cercle",
    "Début prévu",
    "Fin prévue",
    "Budget (FCFA)",
    "Source de financement",
    "Bailleur",
]
IND_HEAD = [
    "Code",
    "Objectif (code)",
    "Intitulé",
    "Unité",
    "Valeur de référence",
    "Année de référence",
    "Cible 2023",
    "Cible 2024",
]


def workbook(plan=None, objectives=None, activities=None, indicators=None, *, english=False) -> io.BytesIO:
    wb = Workbook()
    wb.remove(wb.active)
    sheets = [
        (
            "Plan",
            "Plan",
            PLAN_HEAD,
            plan if plan is not None else [["PAN-T", "Plan test", 2023, 2027, "", ""]],
        ),
        (
            "Objectifs",
            "Objectives",
            OBJ_HEAD,
            objectives if objectives is not None else [["1.1", "prevention", "Sensibiliser"]],
        ),
        ("Activités", "Activities", ACT_HEAD, activities if activities is not None else []),
        ("Indicateurs", "Indicators", IND_HEAD, indicators if indicators is not None else []),
    ]
    for fr, en, head, rows in sheets:
        ws = wb.create_sheet(en if english else fr)
        ws.append(head)
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "plan.xlsx"
    return out


def activity_row(
    code,
    objective="1.1",
    *,
    kind="other",
    responsible="ESP",
    start=dt.date(2024, 1, 1),
    end=dt.date(2024, 6, 30),
    budget=1000,
    region="ML09",
    cercle="",
):
    return [
        code,
        objective,
        f"Activité {code}",
        kind,
        responsible,
        "",
        region,
        cercle,
        start,
        end,
        budget,
        "state",
        "",
    ]


@pytest.fixture
def ngo(db):
    return OrganisationFactory(name="ONG Espérance test", acronym="ESP", org_type="NGO", region_id="ML09")


@pytest.fixture
def ngo_actor(ngo):
    return Actor.objects.create(
        name=ngo.name, acronym="ESP", kind="ngo", organisation=ngo, region_id="ML09", committee_member=True
    )


@pytest.fixture
def officer(ngo):
    return UserFactory(username="agent.esp", organisation=ngo, role="frontline_worker")


@pytest.fixture
def inspector(db):
    org = OrganisationFactory(
        name="Inspection du travail test", acronym="ITT", org_type="LabourInspection", region_id="ML01"
    )
    return UserFactory(username="inspecteur", organisation=org, role="frontline_worker")


@pytest.fixture(autouse=True)
def french():
    """Labels are read in the active language: each test starts in French, whatever ran before."""
    from django.utils import translation

    with translation.override("fr"):
        yield
