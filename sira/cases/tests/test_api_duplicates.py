"""A duplicate case number or a form of exploitation given twice through the API is a clear 400 on the
field, and nothing is written (once a server error)."""

from rest_framework.test import APIClient

from sira.audit.models import AuditEvent
from sira.cases.models import Case, Exploitation, Person
from sira.cases.tests.test_api import payload


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _counts():
    return (
        Case.objects.count(),
        Person.objects.count(),
        Exploitation.objects.count(),
        AuditEvent.objects.count(),
    )


def test_a_duplicate_case_number_is_a_field_error(awa):
    api = _api(awa)
    assert api.post("/api/v1/cases/", payload(case_number="tsta-x-1"), format="json").status_code == 201
    before = _counts()
    response = api.post(
        "/api/v1/cases/", payload(case_number="TSTA-X-1"), format="json", HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 400
    assert response.json()["case_number"] == [
        "Ce numéro de dossier est déjà utilisé dans votre organisation."
    ]
    assert _counts() == before


def test_a_form_given_twice_is_a_field_error(awa):
    api = _api(awa)
    twice = payload(exploitations=[{"form": "ForcedBegging"}, {"form": "ForcedBegging"}])
    before = _counts()
    response = api.post("/api/v1/cases/", twice, format="json", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert response.json()["exploitations"]["forms"] == [
        "Indiquez chaque forme d’exploitation une seule fois."
    ]
    assert _counts() == before

    case_id = api.post("/api/v1/cases/", payload(), format="json").json()["id"]
    before = _counts()
    response = api.post(
        f"/api/v1/cases/{case_id}/exploitations/", {"form": "SexualExploitation"}, format="json"
    )
    assert response.status_code == 400 and "form" in response.json()["exploitations"]
    assert _counts() == before


def test_a_case_number_that_a_spreadsheet_would_run_is_refused(awa):
    """A case number given by hand (the API; pages number cases themselves) has letters, digits and
    dashes, and starts with a letter or a digit: =1+1, +1 or @SUM(A1) are refused on the field, and
    nothing is written."""
    api = _api(awa)
    before = _counts()
    for number in ("=1+1", "+1", "@SUM(A1)", "-5", "ab cd"):
        response = api.post(
            "/api/v1/cases/", payload(case_number=number), format="json", HTTP_ACCEPT_LANGUAGE="fr"
        )
        assert response.status_code == 400, number
        assert "chiffres" in response.json()["case_number"][0]
    assert _counts() == before
    assert api.post("/api/v1/cases/", payload(case_number="tsta-2026/7"), format="json").status_code == 201


def test_a_body_nested_too_deeply_is_a_400_not_a_server_error(awa):
    api = _api(awa)
    case = Case.objects.get(pk=api.post("/api/v1/cases/", payload(), format="json").json()["id"])
    body = '{"a":' + "[" * 5000 + "]" * 5000 + "}"
    response = api.generic(
        "PATCH", f"/api/v1/cases/{case.pk}/", body, content_type="application/json", HTTP_IF_MATCH="*"
    )
    assert response.status_code == 400 and "JSON" in response.json()["detail"]


def test_a_missing_version_is_asked_for_in_the_users_language(awa):
    api = _api(awa)
    case_id = api.post("/api/v1/cases/", payload(), format="json").json()["id"]
    response = api.patch(
        f"/api/v1/cases/{case_id}/", {"narrative": "x"}, format="json", HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 428 and "version" in response.json()["detail"]
    assert response.json()["detail"].startswith("Envoyez")
