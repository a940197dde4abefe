"""Roles × endpoints × relation: justice roles see their agency's (investigators) or court's
(prosecutors) records; NGOs see only the status of justice cases linked to their victims; the
committee sees statistics only. Out of reach answers 404 like a record that does not exist."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from sira.testing.factories import UserFactory


def _web(user):
    client = Client()
    client.force_login(user)
    return client


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def page_investigation(user, chain):
    status = _web(user).get(chain["investigation"].get_absolute_url()).status_code
    assert status in (200, 403, 404)
    return status == 200


def page_prosecution(user, chain):
    status = _web(user).get(chain["prosecution"].get_absolute_url()).status_code
    assert status in (200, 403, 404)
    return status == 200


def page_home_lists(user, chain):
    response = _web(user).get("/justice/")
    assert response.status_code in (200, 403)
    return chain["investigation"].reference in response.content.decode()


def api_investigation(user, chain):
    status = _api(user).get(f"/api/v1/justice/investigations/{chain['investigation'].pk}/").status_code
    assert status in (200, 403, 404)
    return status == 200


def api_investigation_list(user, chain):
    return (
        chain["investigation"].reference in _api(user).get("/api/v1/justice/investigations/").content.decode()
    )


def api_prosecution(user, chain):
    status = _api(user).get(f"/api/v1/justice/prosecutions/{chain['prosecution'].pk}/").status_code
    assert status in (200, 403, 404)
    return status == 200


def suspect_name_on_case_page(user, chain):
    """The case page's justice panel never names the suspect, whoever looks."""
    case = chain["investigation"].cases.get()
    response = _web(user).get(f"/cases/{case.pk}/")
    return (
        response.status_code == 200
        and "Traoré" in response.content.decode().split("justice-panel")[-1][:3000]
    )


def case_status(user, chain):
    case = chain["investigation"].cases.get()
    response = _api(user).get(f"/api/v1/justice/case-status/{case.pk}/")
    assert response.status_code in (200, 404)
    return response.status_code == 200 and response.json()["investigations"][0]["status"] is not None


ENDPOINTS = [
    page_investigation,
    page_prosecution,
    page_home_lists,
    api_investigation,
    api_investigation_list,
    api_prosecution,
    case_status,
    suspect_name_on_case_page,
]

# who → which endpoints show them the record
EXPECTED = {
    "investigator": {
        page_investigation,
        page_prosecution,
        page_home_lists,
        api_investigation,
        api_investigation_list,
        api_prosecution,
    },
    "other_investigator": set(),
    "prosecutor": {
        page_investigation,
        page_prosecution,
        page_home_lists,
        api_investigation,
        api_investigation_list,
        api_prosecution,
    },
    "other_prosecutor": set(),
    "ngo_case_manager": {case_status},  # awa registered the victim's case
    "other_ngo": set(),
    "committee": set(),
}


@pytest.fixture
def people(investigator, other_investigator, prosecutor, other_prosecutor, awa, bakary, secretariat):
    return {
        "investigator": investigator,
        "other_investigator": other_investigator,
        "prosecutor": prosecutor,
        "other_prosecutor": other_prosecutor,
        "ngo_case_manager": awa,
        "other_ngo": UserFactory(username="ong2", role="case_manager"),
        "committee": secretariat,
    }


@pytest.mark.parametrize("who", list(EXPECTED))
def test_access_matrix(who, people, chain):
    user = people[who]
    seen = {endpoint for endpoint in ENDPOINTS if endpoint(user, chain)}
    assert seen == EXPECTED[who]


@pytest.mark.parametrize("who", ["other_investigator", "prosecutor", "ngo_case_manager", "committee"])
def test_only_the_agency_changes_its_investigation(who, people, chain):
    from sira.justice.models import Suspect

    user = people[who]
    response = _api(user).post(
        f"/api/v1/justice/investigations/{chain['investigation'].pk}/suspects/",
        {"last_name": "X", "gender": "Masculine"},
        format="json",
    )
    assert response.status_code in (403, 404)
    page = _web(user).post(
        f"/justice/investigations/{chain['investigation'].pk}/suspects/new/",
        {"last_name": "X", "gender": "Masculine"},
    )
    assert page.status_code in (403, 404)
    assert Suspect.objects.count() == 1


@pytest.mark.parametrize("who", ["investigator", "other_prosecutor", "ngo_case_manager", "committee"])
def test_only_the_court_records_verdicts(who, people, chain):
    user = people[who]
    pros = chain["prosecution"]
    response = _api(user).post(
        f"/api/v1/justice/prosecutions/{pros.pk}/verdicts/",
        {"charge": chain["charge"].pk, "outcome": "acquitted", "outcome_date": "2025-06-01"},
        format="json",
    )
    assert response.status_code in (403, 404)
    chain["charge"].refresh_from_db()
    assert chain["charge"].outcome == "pending"


def test_ngo_sees_status_without_suspects_or_charges(awa, chain, prosecutor):
    from sira.justice import services

    services.record_outcome(
        chain["prosecution"],
        by=prosecutor,
        charge=chain["charge"],
        outcome="convicted",
        outcome_date=chain["prosecution"].opened_on,
        sentence={"prison_months": 72},
    )
    case = chain["investigation"].cases.get()
    body = _api(awa).get(f"/api/v1/justice/case-status/{case.pk}/").content.decode()
    assert "Traoré" not in body and "Moussa" not in body and "L2012" not in body and "72" not in body
    page = _web(awa).get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="justice-panel"' in page
    panel = page.split('data-testid="justice-panel"')[1].split("</section>")[0]
    assert "Traoré" not in panel and ("convicted" in panel.lower() or "condamné" in panel.lower())


def test_suspect_identity_is_encrypted_at_rest(chain):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT first_name, last_name FROM justice_suspect")
        first, last = cursor.fetchone()
    assert "Traoré" not in str(last) and "Moussa" not in str(first)
