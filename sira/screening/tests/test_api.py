"""The screening API: score without storing, create through the pages' services, the pages' access,
and bad input refused with every problem listed in the request's language."""

import html

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from sira.audit.models import AuditEvent
from sira.screening.models import Screening
from sira.screening.tests.bank_helpers import interview, shipped_bank

PROFILE = {
    "screened_on": "2026-11-20",
    "gender": "Masculine",
    "age": 12,
    "nationality": "BF",
    "departure_country": "BF",
    "region": "ML01",
    "cercle": "ML0104",
    "context": "FlowMonitoringPoint",
    "suspected_forms": ["forced_labour_gold_mining"],
}
CHILD_AT_MINE = {
    "U-DANGER": "no",
    "U-MEDICAL": "no",
    "U-ALONE": "yes",
    "C-ARRANGED": "yes",
    "C-HOURS": "yes",
    "C-PAY": "to_someone_else",
    "C-DOCS": "unknown",
}
ADULT = PROFILE | {"age": 30, "suspected_forms": []}


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def counts():
    return Screening.objects.count(), AuditEvent.objects.count()


@pytest.mark.parametrize(
    ("profile", "answers", "outcome"),
    [
        (PROFILE, CHILD_AT_MINE, "strong"),
        (PROFILE, {"C-ARRANGED": "yes", "C-HOURS": "yes"}, "some"),
        (ADULT, {"U-DANGER": "no", "U-MEDICAL": "no"}, "insufficient"),
        (ADULT, interview(shipped_bank(), 30, [], rest="safe"), "none"),
    ],
)
def test_score_returns_the_outcome_and_stores_nothing(awa, profile, answers, outcome):
    before = counts()
    response = api_for(awa).post(
        "/api/v1/screenings/score/", {"profile": profile, "answers": answers}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["outcome"] == outcome and body["catalogue"] == "2026.2"
    assert 1 <= len(body["reasons"]) <= 5 and body["actions"]
    assert {"findings", "elements", "dimensions", "forms", "context", "unknown"} <= set(body["evidence"])
    assert counts() == before  # nothing stored, not even an audit event


def test_score_explains_as_the_result_page_does(awa, client):
    body = (
        api_for(awa)
        .post(
            "/api/v1/screenings/score/",
            {
                "profile": {"age": 12, "suspected_forms": ["forced_labour_gold_mining"]},
                "answers": CHILD_AT_MINE,
            },
            format="json",
            HTTP_ACCEPT_LANGUAGE="fr",
        )
        .json()
    )
    assert body["outcome_text"] == "Forte indication de traite — orienter comme victime présumée"
    assert body["actions"][0].startswith("Enfant seul : prévenez aujourd'hui")  # urgent first
    assert any("Journées très longues ou sans repos" in r for r in body["reasons"])
    client.force_login(awa)
    screening_pk = (
        api_for(awa)
        .post("/api/v1/screenings/", {"profile": PROFILE, "answers": CHILD_AT_MINE}, format="json")
        .json()["id"]
    )
    page = html.unescape(client.get(reverse("screening:result", args=[screening_pk])).content.decode())
    for text in [body["outcome_text"], *body["reasons"], *body["actions"], *body["evidence"]["findings"]]:
        assert text in page


def test_score_answers_in_english(awa):
    body = (
        api_for(awa)
        .post(
            "/api/v1/screenings/score/",
            {"profile": {"age": 12}, "answers": CHILD_AT_MINE},
            format="json",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        .json()
    )
    assert body["outcome"] == "strong" and body["outcome_text"].startswith("Strong indication")


def test_create_completes_through_the_pages_services(awa):
    response = api_for(awa).post(
        "/api/v1/screenings/", {"profile": PROFILE, "answers": CHILD_AT_MINE}, format="json"
    )
    assert response.status_code == 201, response.content
    screening = Screening.objects.get(pk=response.json()["id"])  # read back from the database
    assert (screening.status, screening.outcome) == ("complete", "strong")
    assert screening.catalogue.version == "2026.2" and screening.organisation == awa.organisation
    assert screening.screened_by == awa and screening.age == 12 and screening.region_id == "ML01"
    assert screening.suspected_forms == ["forced_labour_gold_mining"] and screening.answers == CHILD_AT_MINE
    assert screening.urgent == ["URG-UNACCOMPANIED"] and screening.determination == ""
    events = AuditEvent.objects.filter(object_id=str(screening.pk), object_type="screening.screening")
    assert sorted(events.values_list("action", flat=True)) == ["change", "create"]
    detail = api_for(awa).get(f"/api/v1/screenings/{screening.pk}/").json()
    assert detail["outcome"] == "strong" and detail["explanation"]["outcome"] == "strong"
    assert detail["catalogue"] == "2026.2" and detail["nationality"] == "BF"
    assert [s["id"] for s in api_for(awa).get("/api/v1/screenings/").json()["results"]] == [screening.pk]


def test_list_and_detail_have_the_pages_access(awa, bakary):
    pk = (
        api_for(awa)
        .post("/api/v1/screenings/", {"profile": PROFILE, "answers": CHILD_AT_MINE}, format="json")
        .json()["id"]
    )
    other = api_for(bakary)
    assert other.get(f"/api/v1/screenings/{pk}/").status_code == 404  # another organisation's
    assert other.get(f"/api/v1/screenings/{pk + 1000}/").status_code == 404  # the same as missing
    assert other.get("/api/v1/screenings/").json()["results"] == []
    assert api_for(awa).get(f"/api/v1/screenings/{pk}/").status_code == 200


def test_statistician_cannot_create_or_score(secretariat):
    client = api_for(secretariat)
    payload = {"profile": PROFILE, "answers": CHILD_AT_MINE}
    assert client.post("/api/v1/screenings/", payload, format="json").status_code == 403
    assert client.post("/api/v1/screenings/score/", payload, format="json").status_code == 403
    assert Screening.objects.count() == 0


def test_anonymous_gets_nothing(db):
    client = APIClient()
    assert client.get("/api/v1/screenings/").status_code in (401, 403)
    payload = {"profile": PROFILE, "answers": CHILD_AT_MINE}
    assert client.post("/api/v1/screenings/score/", payload, format="json").status_code in (401, 403)


MESSAGES = {
    "en": [
        "“X-NOPE” is not a question of catalogue 2026.2.",
        "“maybe” is not an answer to C-HOURS; expected: yes, no, unknown, declined.",
        "“cash” is not an answer to C-PAY",
        "An age over 120 years is not possible.",
    ],
    "fr": [
        "« X-NOPE » n’est pas une question du catalogue 2026.2.",
        "« maybe » n’est pas une réponse à C-HOURS ; réponses attendues : yes, no, unknown, declined.",
        "« cash » n’est pas une réponse à C-PAY",
        "Un âge de plus de 120 ans n’est pas possible.",
    ],
}


@pytest.mark.parametrize("url", ["/api/v1/screenings/", "/api/v1/screenings/score/"])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_bad_input_lists_every_problem_in_the_request_language(awa, url, language):
    before = counts()
    payload = {
        "profile": PROFILE | {"age": 130},
        "answers": CHILD_AT_MINE | {"X-NOPE": "yes", "C-HOURS": "maybe", "C-PAY": "cash"},
    }
    response = api_for(awa).post(url, payload, format="json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    body = response.json()
    assert len(body["answers"]) == 3 and "age" in body["profile"]
    text = response.content.decode()
    for message in MESSAGES[language]:
        assert message in text
    assert counts() == before


def test_profile_checks_are_the_pages(awa):
    payload = {"profile": PROFILE | {"cercle": "ML0901"}, "answers": {}}
    response = api_for(awa).post("/api/v1/screenings/", payload, format="json", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert response.json()["profile"]["cercle"] == ["Ce cercle n’est pas dans la région choisie."]
    payload = {"profile": PROFILE | {"suspected_forms": ["gold"]}, "answers": {}}
    response = api_for(awa).post("/api/v1/screenings/score/", payload, format="json")
    assert "suspected_forms" in response.json()["profile"]


def test_contradictory_answers_are_refused_and_nothing_is_stored(awa):
    answers = {"C-ARRANGED": "yes", "C-VIOLENCE": "no", "B-FOR-OTHER": "yes", "B-SHORT": "beaten"}
    profile = PROFILE | {"age": 10, "suspected_forms": ["forced_begging"]}
    for url in ["/api/v1/screenings/", "/api/v1/screenings/score/"]:
        response = api_for(awa).post(
            url, {"profile": profile, "answers": answers}, format="json", HTTP_ACCEPT_LANGUAGE="en"
        )
        assert response.status_code == 400
        assert "contradict each other" in response.json()["answers"][0]
    assert Screening.objects.count() == 0


def test_screening_endpoints_are_in_the_schema(client, awa):
    client.force_login(awa)  # the schema is for logged-in users
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = response.json()["paths"]
    assert {"/api/v1/screenings/", "/api/v1/screenings/{id}/", "/api/v1/screenings/score/"} <= set(paths)
    score = paths["/api/v1/screenings/score/"]["post"]
    assert "ScoreInput" in str(score["requestBody"]) and "Explanation" in str(score["responses"]["200"])
