"""Every role sees a coherent app: empty states say why, error pages are in the user's language with
the menu, and pages travel compressed."""

import gzip
import re
from unittest import mock

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error
from rest_framework.test import APIClient

from sira.cases.services import grant_access
from sira.testing.factories import CaseFactory, UserFactory

AGGREGATE_FR = "Votre rôle ne voit que les chiffres nationaux, sans noms"
DASHBOARD_LINK_FR = "Voir les chiffres nationaux sur le tableau de bord"


def logged_in(user, language="fr"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


# Empty states -----------------------------------------------------------------------------------


def test_statistician_case_list_explains_instead_of_showing_zero(awa, secretariat):
    CaseFactory(by=awa)
    body = logged_in(secretariat).get(reverse("cases:list")).content.decode()
    assert AGGREGATE_FR in body
    assert f'href="{reverse("accounts:dashboard")}"' in body and DASHBOARD_LINK_FR in body
    assert "0 dossier" not in body
    assert reverse("cases:export") not in body  # no export of headers only


def test_statistician_with_a_shared_case_sees_it_and_may_export_it(awa, secretariat):
    case = CaseFactory(by=awa, share_with=[secretariat.organisation])  # consented to
    grant_access(case, by=awa, user=secretariat, reason="test: shared for a study")
    body = logged_in(secretariat).get(reverse("cases:list")).content.decode()
    assert AGGREGATE_FR not in body
    assert case.case_number in body and reverse("cases:export") in body


def test_an_empty_result_offers_no_export(awa):
    CaseFactory(by=awa)
    client = logged_in(awa)
    assert reverse("cases:export") in client.get(reverse("cases:list")).content.decode()
    body = client.get(reverse("cases:list"), {"case_status": "Closed"}).content.decode()
    assert "0 dossier" in body and reverse("cases:export") not in body
    assert AGGREGATE_FR not in body


def test_statistician_screening_list_explains(secretariat, awa):
    body = logged_in(secretariat).get(reverse("screening:list")).content.decode()
    assert AGGREGATE_FR in body and "Aucun dépistage" not in body
    # A worker with no screening yet is told just that.
    body = logged_in(awa).get(reverse("screening:list")).content.decode()
    assert AGGREGATE_FR not in body and "Aucun dépistage pour l’instant." in body


def test_empty_dashboard_tables_say_so(secretariat):
    body = logged_in(secretariat, "en").get(reverse("accounts:dashboard")).content.decode()
    for caption in ("By region of identification", "Screenings: what workers determined"):
        empty = '<tbody><tr><td colspan="2">Nothing recorded yet.</td>'
        assert re.search(rf"<caption>{re.escape(caption)}</caption>\s*{re.escape(empty)}", body), caption
    assert "A case is listed here only when it is shared with you." in body


# Error pages ------------------------------------------------------------------------------------


def test_not_found_is_friendly_in_french_with_the_menu(awa):
    response = logged_in(awa).get("/cases/999999/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page introuvable</h1>" in body
    assert 'lang="fr"' in body and ">Tableau de bord</a>" in body and ">Dossiers</a>" in body


def test_not_found_in_english_for_anyone():
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/no-such-page/")
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.content.decode()


def test_forbidden_page_is_friendly_and_the_api_still_answers_json(org_a):
    provider = UserFactory(username="provider", organisation=org_a, role="service_provider")
    response = logged_in(provider).get(reverse("cases:create"))
    body = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Accès refusé</h1>" in body and ">Tableau de bord</a>" in body
    assert "provider" in body  # the menu knows who is logged in
    api = APIClient()
    api.force_authenticate(provider)
    response = api.post("/api/v1/cases/", {}, format="json")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}


def test_server_error_page_needs_no_request_context():
    request = RequestFactory().get("/")
    with translation.override("fr"):
        response = server_error(request)
    body = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Une erreur s’est produite de notre côté</h1>" in body


def test_a_failing_view_shows_the_server_error_page(awa):
    client = logged_in(awa, "en")
    client.raise_request_exception = False
    with mock.patch("sira.cases.access.visible_cases", side_effect=RuntimeError("boom")):
        response = client.get(reverse("accounts:dashboard"))
    assert response.status_code == 500
    assert "<h1>Something went wrong on our side</h1>" in response.content.decode()


# Compression ------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["accounts:dashboard", "cases:list"])
def test_pages_are_served_gzip_compressed(awa, url):
    client = logged_in(awa)
    plain = client.get(reverse(url))
    assert "Content-Encoding" not in plain
    response = client.get(reverse(url), HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    page = gzip.decompress(response.content).decode()
    assert "<h1>" in page and ">Tableau de bord</a>" in page
    assert len(response.content) < len(plain.content)
