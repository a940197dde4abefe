"""Input that reached the database as a server error (found by the schemathesis probe): a NUL
character in any text of a request, and a version number past the column's range. Each is now a
400 in the user's language, on pages and API alike, and changes nothing."""

import json

import pytest

from sira.cases.models import Case, Exploitation, RouteStop
from sira.testing.auth import force_login
from sira.testing.factories import CaseFactory

pytestmark = pytest.mark.django_db
NUL_FR = "caractère NUL"


def test_a_form_encoded_api_body_with_a_nul_is_refused_and_nothing_is_created(client, awa):
    force_login(client, awa)
    before = Case.objects.count()
    response = client.post(
        "/api/v1/cases/",
        {"region": "ML\x0001", "identification_context": "Outreach"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 400 and NUL_FR in response.content.decode()
    assert Case.objects.count() == before


@pytest.mark.parametrize("where", ["value", "key", "nested"])
def test_a_json_body_with_a_nul_is_refused(client, awa, where):
    force_login(client, awa)
    body = {
        "value": {"region": "ML\x0001"},
        "key": {"reg\x00ion": "ML01"},
        "nested": {"exploitations": [{"form": "ForcedLabour", "means_of_control": ["a\x00"]}]},
    }[where]
    before = Case.objects.count()
    response = client.post(
        "/api/v1/cases/", json.dumps(body), content_type="application/json", HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 400 and NUL_FR in response.content.decode()
    assert Case.objects.count() == before


def test_a_multipart_api_body_with_a_nul_is_refused(client, awa):
    force_login(client, awa)
    before = Case.objects.count()
    response = client.post("/api/v1/cases/", {"region": "ML\x0001"}, HTTP_ACCEPT_LANGUAGE="fr")  # multipart
    assert response.status_code == 400 and NUL_FR in response.content.decode()
    assert Case.objects.count() == before


@pytest.mark.parametrize(
    "url", ["/cases/?region=ML%0001", "/api/v1/cases/?region=ML%0001", "/cases/?re%00gion=1"]
)
def test_a_query_string_with_a_nul_is_refused_on_pages_and_api(client, awa, url):
    force_login(client, awa)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400 and NUL_FR in response.content.decode()


def test_english_users_read_the_nul_message_in_english(client, awa):
    force_login(client, awa)
    response = client.get("/cases/?region=ML%0001", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "NUL character" in response.content.decode()


def test_a_version_past_the_column_range_is_a_400_and_a_new_part_starts_at_one(client, awa):
    force_login(client, awa)
    case = CaseFactory(by=awa)
    url = f"/api/v1/cases/{case.pk}/exploitations/"
    huge = {"form": "ForcedLabour", "version": 14726996634486293135360}
    response = client.post(url, json.dumps(huge), content_type="application/json")
    assert response.status_code == 400 and "version" in response.json()
    assert not Exploitation.objects.filter(case=case, form="ForcedLabour").exists()
    response = client.post(url, json.dumps(huge | {"version": 7}), content_type="application/json")
    assert response.status_code == 201, response.content
    assert Exploitation.objects.get(case=case, form="ForcedLabour").version == 1  # the sent one is not taken
    stop = {"kind": "Transit", "country": "NE", "version": 9}
    response = client.post(
        f"/api/v1/cases/{case.pk}/route/", json.dumps(stop), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert RouteStop.objects.get(case=case, kind="Transit").version == 1


def test_the_api_refuses_a_nul_in_json_as_its_other_errors(client, awa):
    force_login(client, awa)
    response = client.get("/api/v1/cases/?region=ML%0001", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "NUL character" in response.json()["detail"]
