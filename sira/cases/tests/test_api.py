import datetime as dt

import pytest
from rest_framework.test import APIClient

from sira.accounts import tokens
from sira.cases.models import Case
from sira.testing import auth

TODAY = dt.date.today()


def payload(**overrides):
    data = {
        "identification_date": (TODAY - dt.timedelta(days=2)).isoformat(),
        "identification_context": "BorderPost",
        "identification_region": "ML03",
        "person": {
            "first_name": "Rokia",
            "last_name": "Sangaré",
            "gender": "Feminine",
            "estimated_age": 16,
            "citizenships": ["ML", "BF"],
        },
        "exploitations": [
            {
                "form": "SexualExploitation",
                "subsector": "ArtisanalGoldMining",
                "industry": "B_MiningAndQuarrying",
                "means_of_control": ["DebtBondage"],
            }
        ],
        "route": [
            {"kind": "Origin", "country": "BF"},
            {"kind": "Identification", "country": "ML", "region": "ML03"},
        ],
        "consents": [{"purpose": "Registration", "given": True}, {"purpose": "Statistics", "given": True}],
    }
    data.update(overrides)
    return data


@pytest.fixture
def api(awa):
    client = APIClient()
    auth.authenticator(awa)  # a token is created from a session that passed the second factor
    client.credentials(HTTP_AUTHORIZATION=f"Token {tokens.issue(awa)[1]}")
    return client


def test_token_authenticated_registration(api, awa):
    response = api.post("/api/v1/cases/", payload(), format="json")
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["id"])
    assert case.organisation == awa.organisation and case.person.last_name == "Sangaré"
    assert {str(c) for c in case.person.citizenships} == {"ML", "BF"}
    assert list(case.route.values_list("kind", flat=True)) == ["Origin", "Identification"]
    detail = api.get(f"/api/v1/cases/{case.pk}/").json()
    assert detail["person"]["first_name"] == "Rokia" and detail["forms"] == ["SexualExploitation"]


def _keys(body) -> set[str]:
    """Every key of a nested error body (errors sit beside their field: person.birth_date…)."""
    if not isinstance(body, dict):
        return set()
    return {*body, *(k for value in body.values() for k in _keys(value))}


@pytest.mark.parametrize(
    ("change", "field", "message_en", "message_fr"),
    [
        (
            {"person": {"first_name": "X", "gender": "Feminine", "citizenships": ["ZZ"]}},
            "person",
            "is not a valid choice",
            "n'est pas un choix valide",
        ),
        (
            {"identification_date": "2025-02-30"},
            "identification_date",
            "Date has wrong format",
            "La date n'a pas le bon format",
        ),
        (
            {
                "person": {
                    "first_name": "X",
                    "gender": "Feminine",
                    "birth_date": (TODAY - dt.timedelta(days=1)).isoformat(),
                }
            },
            "birth_date",
            "cannot be after the identification date",
            "ne peut pas être postérieure à la date d’identification",
        ),
        (
            {"route": [{"kind": "Transit", "country": "NE", "region": "ML01"}]},
            "route",
            "can only be given for a place in Mali",
            "ne peut être indiquée que pour un lieu au Mali",
        ),
        (
            {"exploitations": []},
            "exploitations",
            "Give at least one form of exploitation.",
            "Indiquez au moins une forme",
        ),
        ({"consents": []}, "consents", "consents to registration", "consent à l'enregistrement"),
    ],
)
@pytest.mark.parametrize("language", ["en", "fr"])
def test_bad_input_is_refused_in_the_users_language(api, change, field, message_en, message_fr, language):
    response = api.post("/api/v1/cases/", payload(**change), format="json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    body = response.content.decode()
    assert field in _keys(response.json())
    assert (message_en if language == "en" else message_fr) in body
    assert Case.objects.count() == 0


def test_service_provider_cannot_register(org_a):
    from sira.testing.factories import UserFactory

    client = APIClient()
    client.force_authenticate(UserFactory(organisation=org_a, role="service_provider"))
    assert client.post("/api/v1/cases/", payload(), format="json").status_code == 403
    assert Case.objects.count() == 0


def test_schema_is_published_to_logged_in_users(client, awa):
    assert client.get("/api/v1/schema/").status_code == 401  # not to anyone (tests: accounts/test_tokens)
    client.force_login(awa)
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/v1/cases/", "/api/v1/cases/{id}/", "/api/v1/cases/export/"} <= set(paths)
