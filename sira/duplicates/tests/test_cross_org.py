"""A worker of organisation A registers a person organisation B already follows: A learns only that
a probable match exists at B — on the case page and in the API — and nothing of B's person."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from sira.duplicates.tests.helpers import cercle, register

B_BIRTH = dt.date(2011, 3, 9)


@pytest.fixture
def b_case(bakary, org_a):
    # B's person: names A's worker writes differently (Aminatou/Aminata, Sekou/Sékou,
    # Coulibaly/Kulibali), a birth date and an age A's person does not have, B's own case number.
    return register(bakary, "Aminata", "Kulibali", middle="Sékou", birth_date=B_BIRTH)


def _secrets(case):
    person = case.person
    age = str(case.age_at_identification)
    return [
        person.first_name,
        person.middle_name,
        person.last_name,
        case.case_number,
        B_BIRTH.isoformat(),
        B_BIRTH.strftime("%d/%m/%Y"),
        B_BIRTH.strftime("%-d %B %Y"),
        f">{age}<",
        f"{age} ans",
        f"{age} years",
        f'"age": {age}',
        f"#{case.person_id}",
        f"/cases/{case.pk}/",
    ]


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_page_tells_only_the_organisation(client, awa, org_b, b_case):
    new = register(awa, "Aminatou", "Coulibaly", middle="Sekou", age=b_case.age_at_identification - 1)
    client.force_login(awa)
    html = client.get(reverse("cases:detail", args=[new.pk])).content.decode()
    for secret in _secrets(b_case):
        assert secret not in html, secret
    assert 'data-testid="duplicates-panel"' in html
    assert f"A probable match exists at {org_b.name}" in html or f"existe chez {org_b.name}" in html
    # The only link about B leads to the request page, which names the organisation.
    assert reverse("duplicates:ask", args=[new.pk, org_b.pk]) in html


def test_api_registration_answer_and_matches_tell_only_the_organisation(awa, org_b, b_case):
    api = _api(awa)
    response = api.post(
        "/api/v1/cases/",
        {
            "identification_date": (dt.date.today() - dt.timedelta(days=1)).isoformat(),
            "identification_context": "Community",
            "identification_region": "ML01",
            "identification_cercle": cercle("ML01").code,
            "person": {
                "first_name": "Aminatou",
                "middle_name": "Sekou",
                "last_name": "Coulibaly",
                "gender": "Feminine",
                "birth_date": "2011-05-01",
                "citizenships": ["ML"],
            },
            "exploitations": [{"form": "DomesticServitude"}],
            "route": [{"kind": "Identification", "country": "ML", "region": "ML01"}],
            "consents": [{"purpose": "Registration", "given": True}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["probable_duplicates"] == [
        {
            "kind": "elsewhere",
            "organisation": org_b.name,
            "organisation_id": org_b.pk,
            "request": None,
            "request_url": reverse("duplicates:ask", args=[body["id"], org_b.pk]),
        }
    ]
    matches = api.get(f"/api/v1/duplicates/cases/{body['id']}/matches/").json()
    assert matches == {"probable_duplicates": body["probable_duplicates"]}
    text = json.dumps(body) + json.dumps(matches)
    for secret in _secrets(b_case):
        assert secret not in text, secret


def test_ask_page_tells_only_the_organisation(client, awa, org_b, b_case):
    new = register(awa, "Aminatou", "Coulibaly", middle="Sekou", age=b_case.age_at_identification - 1)
    client.force_login(awa)
    html = client.get(reverse("duplicates:ask", args=[new.pk, org_b.pk])).content.decode()
    assert org_b.name in html
    for secret in _secrets(b_case):
        assert secret not in html, secret


def test_no_match_no_panel(client, awa, b_case):
    new = register(awa, "Fanta", "Diallo")
    client.force_login(awa)
    html = client.get(reverse("cases:detail", args=[new.pk])).content.decode()
    assert "duplicates-panel" not in html


def test_a_user_who_cannot_see_the_new_case_learns_nothing(awa, org_b, b_case):
    from sira.testing.factories import UserFactory

    new = register(awa, "Aminatou", "Coulibaly", middle="Sekou", age=b_case.age_at_identification - 1)
    stranger = UserFactory(username="stranger", organisation=org_b, role="frontline_worker", scope="own")
    assert _api(stranger).get(f"/api/v1/duplicates/cases/{new.pk}/matches/").status_code == 404


@pytest.mark.parametrize("pk", ["-5", "99999999999999999999", "abc"])
def test_any_id_in_the_path_is_a_json_not_found(awa, pk):
    response = _api(awa).get(f"/api/v1/duplicates/cases/{pk}/matches/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
