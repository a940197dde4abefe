"""The guided registration form: a valid submission creates every part; bad input gets a clear message
in the user's language and saves nothing."""

import datetime as dt
import html

import pytest
from django.urls import reverse
from django.utils import translation

from sira.cases.models import Case, Consent, Person, RouteStop

TODAY = dt.date.today()


def valid_post(**overrides):
    data = {
        "person-first_name": "Assitan",
        "person-last_name": "Dembélé",
        "person-gender": "Feminine",
        "person-estimated_age": "13",
        "person-citizenships": ["ML"],
        "case-identification_date": (TODAY - dt.timedelta(days=3)).isoformat(),
        "case-identification_context": "LabourInspection",
        "case-identification_region": "ML01",
        "case-identification_cercle": "ML0104",
        "case-trafficking_status": "PossibleVictimOfTrafficking",
        "exp-exploitation_forms": ["ForcedLabour", "ChildLabour"],
        "exp-subsector": "ArtisanalGoldMining",
        "exp-means_of_control": ["DebtBondage", "TakesEarnings"],
        "route-TOTAL_FORMS": "3",
        "route-INITIAL_FORMS": "0",
        "route-MIN_NUM_FORMS": "0",
        "route-MAX_NUM_FORMS": "12",
        "route-0-kind": "Origin",
        "route-0-country": "BF",
        "route-1-kind": "Exploitation",
        "route-1-country": "ML",
        "route-1-region": "ML01",
        "route-1-cercle": "ML0104",
        "route-1-locality": "Site d'orpaillage",
        "consent-Registration": "yes",
        "consent-Statistics": "yes",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post(client, user, data, language="fr"):
    client.force_login(user)
    client.cookies["django_language"] = language
    with translation.override(language):
        return client.post(reverse("cases:create"), data, HTTP_ACCEPT_LANGUAGE=language)


def test_registration_creates_person_case_exploitation_route_and_consents(awa, client):
    response = post(client, awa, valid_post())
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[case.pk])
    assert case.case_number == f"TSTA-{case.identification_date.year}-0001"
    assert case.age_at_identification == 13
    assert sorted(case.exploitations.values_list("form", flat=True)) == ["ChildLabour", "ForcedLabour"]
    assert set(case.exploitations.values_list("industry", flat=True)) == {"B_MiningAndQuarrying"}
    assert list(case.route.values_list("order", "kind", "country")) == [
        (1, "Origin", "BF"),
        (2, "Exploitation", "ML"),
    ]
    consents = dict(Consent.objects.values_list("purpose", "given"))
    # Sharing and contact were not asked: no answer is recorded, and none reads as a refusal.
    assert consents == {"Registration": True, "Statistics": True}
    assert case.person.last_name == "Dembélé" and case.owner == awa


BAD_INPUT = [
    # (overrides, field, French message, English message)
    (
        {"case-identification_date": "2024-13-45"},
        "case-identification_date",
        "Saisissez une date valide",
        "Enter a valid date",
    ),
    (
        {"person-birth_date": (TODAY - dt.timedelta(days=1)).isoformat(), "person-estimated_age": None},
        "person-birth_date",
        "La date de naissance ne peut pas être postérieure à la date d’identification.",
        "The date of birth cannot be after the identification date.",
    ),
    (
        {"person-estimated_age": "140"},
        "person-estimated_age",
        "Un âge de plus de 120 ans n’est pas possible.",
        "An age over 120 years is not possible.",
    ),
    (
        {"person-citizenships": ["XZ"]},
        "person-citizenships",
        "Sélectionnez un choix valide",
        "Select a valid choice",
    ),
    ({"route-0-country": "QQ"}, "route-0-country", "Sélectionnez un choix valide", "Select a valid choice"),
    ({"person-first_name": ""}, "person-first_name", "Ce champ est obligatoire.", "This field is required."),
    ({"person-gender": ""}, "person-gender", "Ce champ est obligatoire.", "This field is required."),
    (
        {"exp-exploitation_forms": []},
        "exp-exploitation_forms",
        "Indiquez au moins une forme d'exploitation.",
        "Give at least one form of exploitation.",
    ),
    (
        {"consent-Registration": None},
        "consent-Registration",
        "Indiquez si la personne consent à l'enregistrement.",
        "Record whether the person consents to registration.",
    ),
    (
        {"case-identification_cercle": "ML0901"},
        "case-identification_cercle",
        "Ce cercle n’est pas dans la région choisie.",
        "This cercle is not in the chosen region.",
    ),
    (
        {"route-0-region": "ML01"},
        "route-0-region",
        "Une région du Mali ne peut être indiquée que pour un lieu au Mali.",
        "A region of Mali can only be given for a place in Mali.",
    ),
]


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    ("overrides", "field", "message_fr", "message_en"), BAD_INPUT, ids=lambda v: str(v)[:40]
)
def test_bad_input_is_explained_and_saves_nothing(
    awa, client, language, overrides, field, message_fr, message_en
):
    response = post(client, awa, valid_post(**overrides), language)
    assert response.status_code == 200
    body = html.unescape(response.content.decode())
    assert (message_fr if language == "fr" else message_en) in body
    assert Case.objects.count() == Person.objects.count() == RouteStop.objects.count() == 0


def test_required_fields_are_marked_in_the_form(awa, client):
    client.force_login(awa)
    body = client.get(reverse("cases:create")).content.decode()
    assert body.count('class="req"') >= 6
