"""Who does what where on the statistics map (issue 14, item 4): the coordination projects drawn on
the same regions as the trafficking figures, filtered by year, form and axis."""

import datetime as dt

import pytest
from django.test import Client

from sira.coordination.models import Actor, Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def projects(ngo_actor):
    donor = Actor.objects.create(name="Bailleur test", kind="donor")

    def project(title, forms, axes, regions, budget):
        p = Project.objects.create(
            title=title,
            actor=ngo_actor,
            donor=donor,
            forms=forms,
            axes=axes,
            start=dt.date(2025, 1, 1),
            end=dt.date(2026, 12, 31),
            budget=budget,
        )
        p.regions.set(regions)
        return p

    project("Talibés", ["ForcedBeggingKoranic"], ["protection"], ["ML05", "ML09"], 45_000_000)
    project("Orpaillage", ["ChildLabour"], ["prevention"], ["ML01"], 10_000_000)
    project("Kayes encore", ["ChildLabour"], ["protection"], ["ML01"], 5_000_000)


def _page(user, **params):
    client = Client()
    client.force_login(user)
    response = client.get("/statistics/map/", params)
    assert response.status_code == 200
    return response.context


def test_projects_are_counted_on_their_regions(projects, secretariat):
    context = _page(secretariat)
    rows = {r["key"]: (r["projects"], r["actors"], r["budget"]) for r in context["projects"]}
    assert rows == {"ML01": (2, 1, 15_000_000), "ML05": (1, 1, 45_000_000), "ML09": (1, 1, 45_000_000)}
    svg = str(context["svg"])
    assert svg.count('<g class="projects">') == 3


def test_the_axis_and_form_filters_narrow_the_projects(projects, secretariat):
    by_axis = {r["key"]: r["projects"] for r in _page(secretariat, axis="prevention")["projects"]}
    assert by_axis == {"ML01": 1}
    by_form = {r["key"]: r["projects"] for r in _page(secretariat, form="ForcedBeggingKoranic")["projects"]}
    assert by_form == {"ML05": 1, "ML09": 1}
    assert _page(secretariat, axis="not-an-axis")["axis"] == ""  # unknown axis: all axes


def test_projects_can_be_hidden_and_are_not_drawn_on_cercles(projects, secretariat):
    assert _page(secretariat, projects="0")["projects"] == []
    context = _page(secretariat, level="cercle")
    assert context["projects"] == [] and '<g class="projects">' not in str(context["svg"])
