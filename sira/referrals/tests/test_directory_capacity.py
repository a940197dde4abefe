"""The directory (page, API, map), capacity kept by the provider, suggestions that skip full shelters,
and declines for capacity counted as unmet needs in the coordination figures (suppressed)."""

import pytest
from django.urls import reverse

from sira.referrals import services
from sira.referrals.models import ServiceOffering
from sira.referrals.tests.conftest import api, last_event, web
from sira.statistics import referral_figures
from sira.testing.factories import CaseFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_shelter(db):
    org = OrganisationFactory(name="Refuge Plein Test", acronym="TSTF", org_type="ShelterServiceProvider")
    return ServiceOffering.objects.create(
        organisation=org,
        service="Shelter",
        name="Refuge plein",
        region_id="ML09",
        capacity_total=5,
        capacity_in_use=5,
    )


def test_full_shelter_is_not_suggested(case, offering, full_shelter):
    suggested = [o for o, _km in services.suggestions(case, "Shelter")]
    assert offering in suggested and full_shelter not in suggested


def test_a_shelter_becomes_suggested_when_the_provider_frees_a_place(case, full_shelter):
    worker = UserFactory(username="refuge", organisation=full_shelter.organisation, role="service_provider")
    response = web(worker).post(
        reverse("referrals:places", args=[full_shelter.pk]), {"capacity_total": 5, "capacity_in_use": 4}
    )
    assert response.status_code == 303
    full_shelter.refresh_from_db()
    assert (full_shelter.capacity_total, full_shelter.capacity_in_use) == (5, 4)
    assert last_event(full_shelter).detail["after"] == [5, 4]
    assert full_shelter in [o for o, _km in services.suggestions(case, "Shelter")]


def test_places_by_api_and_only_by_the_provider(full_shelter, awa):
    worker = UserFactory(username="refuge", organisation=full_shelter.organisation, role="service_provider")
    url = f"/api/v1/services/{full_shelter.pk}/places/"
    assert api(awa).post(url, {"capacity_total": 9, "capacity_in_use": 0}, format="json").status_code == 403
    bad = api(worker).post(url, {"capacity_total": 5, "capacity_in_use": 7}, format="json")
    assert bad.status_code == 400 and "capacity_in_use" in bad.json()
    assert (
        api(worker).post(url, {"capacity_total": 6, "capacity_in_use": 2}, format="json").status_code == 200
    )
    full_shelter.refresh_from_db()
    assert (full_shelter.capacity_total, full_shelter.capacity_in_use) == (6, 2)


def test_suggestion_page_lists_matching_providers_only(awa, case, offering, full_shelter):
    men_only = ServiceOffering.objects.create(
        organisation=full_shelter.organisation,
        service="Shelter",
        name="Hommes",
        sexes=["Masculine"],
        region_id="ML09",
    )
    body = web(awa).get(reverse("referrals:new", args=[case.pk]) + "?service=Shelter").content.decode()
    assert offering.name in body and full_shelter.name not in body and men_only.name not in body


def test_capacity_declines_show_as_unmet_need(awa, kadi, case, send, secretariat, settings):
    settings.SIRA_SMALL_CELL_THRESHOLD = 1
    services.decline_referral(send(case), by=kadi, reason="no_capacity")
    figures = referral_figures.figures(secretariat)
    assert (
        figures["unmet"]
        == [
            {
                "region": "Bamako",
                "service": "Hébergement / centre d'accueil",
                "reason": "Pas de capacité (aucune place libre)",
                "n": 1,
            }
        ]
        or figures["unmet"][0]["n"] == 1
    )
    body = web(secretariat).get(reverse("referral_figures")).content.decode()
    assert "Besoins non satisfaits" in body and "Pas de capacité" in body


def test_small_cells_hidden_from_users_without_record_access(awa, kadi, case, send, secretariat):
    services.decline_referral(send(case), by=kadi, reason="no_capacity")
    figures = referral_figures.figures(secretariat)  # threshold 5: one referral is a small cell
    assert figures["total"] is None and figures["unmet"][0]["n"] is None and figures["rate"] is None
    national = UserFactory(
        username="nat", organisation=awa.organisation, role="case_manager", scope="national"
    )
    full = referral_figures.figures(national)
    assert full["total"] == 1 and full["unmet"][0]["n"] == 1 and full["rate"] == 0.0


def test_figures_acceptance_rate_and_median(awa, kadi, send, settings, secretariat, shelter):
    settings.SIRA_SMALL_CELL_THRESHOLD = 1
    for n in range(4):
        case = CaseFactory(by=awa, share_with=[shelter], region="ML09")
        referral = send(case)
        if n < 3:
            services.accept_referral(referral, by=kadi, case_worker=kadi)
        else:
            services.decline_referral(referral, by=kadi, reason="not_offered")
    figures = referral_figures.figures(secretariat)
    assert figures["total"] == 4 and figures["rate"] == 75.0 and figures["median_hours"] is not None
    assert figures["unmet"] == []  # "not offered" is not counted as an unmet need


def test_directory_page_search_and_query_bound(awa, offering, full_shelter, django_assert_max_num_queries):
    client = web(awa)
    client.get(reverse("referrals:directory"))
    with django_assert_max_num_queries(12):
        body = client.get(reverse("referrals:directory") + "?service=Shelter&free=on").content.decode()
    assert offering.name in body and full_shelter.name not in body
    body = client.get(reverse("referrals:directory") + "?gender=Masculine").content.decode()
    assert offering.name not in body  # for women and girls
    assert full_shelter.name in client.get(reverse("referrals:directory") + "?q=TSTF").content.decode()


def test_directory_api_and_map_data(awa, offering):
    listing = api(awa).get("/api/v1/services/?service=Shelter").json()
    assert [row["id"] for row in listing["results"]] == [offering.pk]
    assert listing["results"][0]["free_places"] == 7
    geo = web(awa).get(reverse("referrals:services_geojson")).json()
    assert geo["features"][0]["geometry"]["coordinates"] == [-8.0, 12.6]
    boundaries = web(awa).get(reverse("referrals:boundaries"))
    assert boundaries.status_code == 200 and b"ML01" in boundaries.content
    page = web(awa).get(reverse("referrals:map")).content.decode()
    assert (
        "vendor/leaflet/leaflet.js" in page and "http" not in page.split('id="service-map"')[1].split(">")[0]
    )


def test_queue_list_query_bound(awa, kadi, shelter, send, django_assert_max_num_queries):
    for _n in range(3):
        send(CaseFactory(by=awa, share_with=[shelter], region="ML09"))
    client = web(kadi)
    client.get(reverse("referrals:incoming"))
    with django_assert_max_num_queries(12):
        body = client.get(reverse("referrals:incoming")).content.decode()
    assert body.count('data-testid="queue-item"') == 3


def test_unknown_filters_match_nothing_and_a_nul_is_refused(awa, offering):
    assert api(awa).get("/api/v1/services/?region=ZZ99&service=Nothing").json()["count"] == 0
    assert web(awa).get(reverse("referrals:directory") + "?region=ZZ99&service=Nothing").status_code == 200
    # A NUL character is refused before any view (sira/core/middleware.py), page and API alike.
    assert api(awa).get("/api/v1/services/?region=ML\x0009&service=X\x00").status_code == 400
    assert web(awa).get(reverse("referrals:directory") + "?region=%00&service=%00").status_code == 400
