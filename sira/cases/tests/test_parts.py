"""Exploitation and route after registration: added, edited and removed on the page and through the
API, read back from the database, each with its audit entry."""

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from sira.audit.models import AuditEvent
from sira.cases.models import Exploitation, RouteStop
from sira.testing.factories import CaseFactory
from sira.testing.html_forms import form_data

TODAY = dt.date.today()


def last_change(case):
    return AuditEvent.objects.filter(action="change", object_id=str(case.pk)).latest("id")


@pytest.fixture
def api(awa):
    client = APIClient()
    client.force_authenticate(awa)
    return client


def test_add_edit_remove_an_exploitation_on_the_page(awa, client):
    case = CaseFactory(by=awa, forms=("DomesticServitude",))
    client.force_login(awa)
    url = reverse("cases:exploitation_add", args=[case.pk])
    data = form_data(client.get(url).content.decode()) | {
        "exp-form": "ForcedBegging",
        "exp-means_of_control": ["PhysicalAbuse"],
        "exp-age_at_recruitment": "10",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    added = case.exploitations.get(form="ForcedBegging")
    assert (added.means_of_control, added.age_at_recruitment) == (["PhysicalAbuse"], 10)
    assert last_change(case).detail | {"fields": None} == {
        "fields": None,
        "part": "exploitation",
        "operation": "add",
        "form": "ForcedBegging",
    } | {"confirmed_warnings": [], "part_id": added.pk, "version": 1}

    url = reverse("cases:exploitation_edit", args=[case.pk, added.pk])
    data = form_data(client.get(url).content.decode()) | {"exp-age_at_recruitment": "9"}
    assert data["exp-form"] == "ForcedBegging"  # the edit page shows what is saved
    client.post(url, data)
    added.refresh_from_db()
    assert added.age_at_recruitment == 9 and added.means_of_control == ["PhysicalAbuse"]
    assert last_change(case).detail["fields"] == ["exploitation.age_at_recruitment"]

    client.post(reverse("cases:part_remove", args=[case.pk, "exploitation", added.pk]))
    assert list(case.exploitations.values_list("form", flat=True)) == ["DomesticServitude"]
    assert last_change(case).detail["operation"] == "remove"


def test_the_last_form_of_exploitation_cannot_be_removed(awa, client):
    case = CaseFactory(by=awa)
    client.force_login(awa)
    only = case.exploitations.get()
    response = client.post(reverse("cases:part_remove", args=[case.pk, "exploitation", only.pk]), follow=True)
    assert case.exploitations.count() == 1
    assert "au moins une forme" in response.content.decode()


def test_a_form_already_recorded_is_refused_beside_its_field(awa, client):
    case = CaseFactory(by=awa, forms=("DomesticServitude",))
    client.force_login(awa)
    url = reverse("cases:exploitation_add", args=[case.pk])
    response = client.post(
        url, form_data(client.get(url).content.decode()) | {"exp-form": "DomesticServitude"}
    )
    assert response.status_code == 200 and case.exploitations.count() == 1
    assert "déjà enregistrée" in response.content.decode()


def test_add_edit_remove_route_stops_on_the_page(awa, client):
    case = CaseFactory(by=awa, region="ML01")
    client.force_login(awa)
    url = reverse("cases:route_add", args=[case.pk])
    data = form_data(client.get(url).content.decode()) | {
        "route-kind": "Transit",
        "route-country": "ML",
        "route-region": "ML04",
        "route-cercle": "ML0402",
        "route-locality": "Gare routière",
    }
    assert client.post(url, data).status_code == 302
    stop = case.route.get(kind="Transit")
    assert (stop.order, stop.region_id, stop.cercle_id, stop.locality) == (
        2,
        "ML04",
        "ML0402",
        "Gare routière",
    )

    url = reverse("cases:route_edit", args=[case.pk, stop.pk])
    data = form_data(client.get(url).content.decode()) | {"route-cercle": "ML0901"}  # not in Ségou
    response = client.post(url, data)
    assert response.status_code == 200 and "pas dans la région" in response.content.decode()
    stop.refresh_from_db()
    assert stop.cercle_id == "ML0402"  # the refused edit changed nothing

    client.post(
        url, data | {"route-cercle": "ML0401", "route-date": (TODAY - dt.timedelta(days=40)).isoformat()}
    )
    stop.refresh_from_db()
    assert stop.cercle_id == "ML0401" and stop.date == TODAY - dt.timedelta(days=40)
    assert sorted(last_change(case).detail["fields"]) == ["route.cercle", "route.date"]

    first = case.route.get(order=1)
    client.post(reverse("cases:part_remove", args=[case.pk, "route", first.pk]))
    assert list(case.route.values_list("order", "kind")) == [(1, "Transit")]  # renumbered


def test_parts_through_the_api(awa, api):
    case = CaseFactory(by=awa)
    base = f"/api/v1/cases/{case.pk}"
    response = api.post(f"{base}/exploitations/", {"form": "ForcedMarriage"}, format="json")
    assert response.status_code == 201, response.content
    exp_id = response.json()["id"]
    response = api.patch(
        f"{base}/exploitations/{exp_id}/", {"start_date": "2026-01-10", "version": 1}, format="json"
    )
    assert response.status_code == 200, response.content
    assert Exploitation.objects.get(pk=exp_id).start_date == dt.date(2026, 1, 10)
    response = api.patch(
        f"{base}/exploitations/{exp_id}/",
        {"start_date": "2026-02-01", "end_date": "2026-01-01", "version": 2},
        format="json",
    )
    assert response.status_code == 400 and "end_date" in response.json()["exploitations"]
    assert Exploitation.objects.get(pk=exp_id).start_date == dt.date(2026, 1, 10)
    assert api.delete(f"{base}/exploitations/{exp_id}/").status_code == 204
    assert not Exploitation.objects.filter(pk=exp_id).exists()

    response = api.post(f"{base}/route/", {"kind": "Exploitation", "country": "DZ"}, format="json")
    assert response.status_code == 201, response.content
    stop_id = response.json()["id"]
    response = api.patch(f"{base}/route/{stop_id}/", {"region": "ML01", "version": 1}, format="json")
    assert response.status_code == 400  # a region of Mali for a place in Algeria
    assert RouteStop.objects.get(pk=stop_id).region_id is None
    assert (
        api.patch(
            f"{base}/route/{stop_id}/", {"locality": "Tamanrasset", "version": 1}, format="json"
        ).status_code
        == 200
    )
    assert RouteStop.objects.get(pk=stop_id).locality == "Tamanrasset"
    assert api.delete(f"{base}/route/{stop_id}/").status_code == 204
    operations = [
        (e.detail["part"], e.detail["operation"])
        for e in AuditEvent.objects.filter(action="change", object_id=str(case.pk)).order_by("id")
    ]
    assert operations == [
        ("exploitation", "add"),
        ("exploitation", "edit"),
        ("exploitation", "remove"),
        ("route", "add"),
        ("route", "edit"),
        ("route", "remove"),
    ]


def test_parts_of_a_case_one_may_not_change_are_refused(awa, bakary, client):
    case = CaseFactory(by=awa)
    client.force_login(bakary)
    assert client.get(reverse("cases:exploitation_add", args=[case.pk])).status_code == 404
    stop = case.route.get()
    assert client.post(reverse("cases:part_remove", args=[case.pk, "route", stop.pk])).status_code == 404
    assert case.route.count() == 1
