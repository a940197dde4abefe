"""The annual report's coordination section (issue 14, item 7): the plan's execution, reach and the
labour-inspection table, read back from the PDF; counts of children below the threshold hidden."""

import datetime as dt
import io

import pypdf
import pytest
from django.utils import translation

from sira.coordination import figures, services
from sira.coordination.tests.test_worked_example import example  # noqa: F401  (fixture)
from sira.geo.models import Cercle
from sira.statistics import annual_report, report_coordination

pytestmark = pytest.mark.django_db
D = dt.date


def _inspect(inspector, date, **counts):
    services.record_inspection(
        by=inspector,
        data={"date": date, "cercle": Cercle.objects.get(pk="ML0101"), "sector": "agriculture", **counts},
        today=D(2025, 12, 31),
    )


def _blocks(year):
    with translation.override("en"):
        return {b["title"]: b["matrix"] for b in report_coordination.plan_blocks(year)}


def test_the_section_holds_the_coordination_figures(example, inspector):  # noqa: F811
    _inspect(
        inspector,
        D(2025, 3, 1),
        at_worksite=True,
        child_labour_violations=2,
        children_removed=6,
        children_referred=3,
    )
    blocks = _blocks(2025)
    execution = blocks["Execution of the action plan by axis"]["rows"]
    total = figures.plan_execution(2025)[-1]
    assert execution[-1] == (
        "Total",
        [
            str(total[k]) if total[k] < 1000 else f"{total[k]:,}"
            for k in ("activities", "completed", "on_time", "late", "not_started", "budget", "spent")
        ],
    )
    # Worked example: A1 (awareness, 100 girls, 80 boys, 50 women, 20 men on the radio).
    campaigns = dict(blocks["Awareness campaigns by channel"]["rows"])
    assert campaigns["Total"] == ["1", "100", "80", "50", "20", "250"]
    trainings = dict(blocks["Trainings by audience"]["rows"])
    assert trainings["Total"] == ["1", "10", "15", "25"]
    inspections = dict(blocks["Labour inspections (child-labour report layout)"]["rows"])
    assert inspections["Number of labour inspections conducted"] == ["0", "1"]
    assert inspections["Number of children removed from work"] == ["0", "6"]
    assert inspections["Number of children referred to services"] == ["0", "<5"]  # 3 children: hidden


@pytest.mark.parametrize(
    ("language", "heading"),
    [("fr", "Coordination et Plan d’action national"), ("en", "Coordination and the National Action Plan")],
)
def test_the_pdf_has_the_section_in_each_language(example, inspector, language, heading):  # noqa: F811
    _inspect(inspector, D(2025, 3, 1), children_removed=2)
    text = "\n".join(
        p.extract_text() for p in pypdf.PdfReader(io.BytesIO(annual_report.build_pdf(2025, language))).pages
    )
    assert heading in text
    removed = (
        "Nombre d’enfants retirés du travail" if language == "fr" else "Number of children removed from work"
    )
    line = next(line for line in text.splitlines() if line.startswith(removed))
    assert line.endswith("<5") and " 2" not in line
