"""The API refuses exactly what the pages refuse: one table of rules, both paths, nothing saved."""

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from sira.cases.models import Case
from sira.cases.tests.test_api import payload
from sira.cases.tests.test_registration import valid_post
from sira.testing.factories import CaseFactory
from sira.testing.html_forms import form_data

TODAY = dt.date.today()
FUTURE = (TODAY + dt.timedelta(days=5)).isoformat()

# (id, page overrides, API overrides, message in French)
REGISTRATION_RULES = [
    (
        "cercle-outside-region",
        {"case-identification_region": "ML01", "case-identification_cercle": "ML0901"},
        {"identification_region": "ML01", "identification_cercle": "ML0901"},
        "Ce cercle n’est pas dans la région choisie.",
    ),
    (
        "identification-in-future",
        {"case-identification_date": FUTURE},
        {"identification_date": FUTURE},
        "La date d’identification ne peut pas être dans le futur.",
    ),
    (
        "age-over-120",
        {"person-estimated_age": "130"},
        {"person": payload()["person"] | {"estimated_age": 130}},
        "Un âge de plus de 120 ans n’est pas possible.",
    ),
    (
        "born-after-identification",
        {
            "person-birth_date": TODAY.isoformat(),
            "case-identification_date": (TODAY - dt.timedelta(days=9)).isoformat(),
        },
        {
            "person": payload()["person"] | {"birth_date": TODAY.isoformat()},
            "identification_date": (TODAY - dt.timedelta(days=9)).isoformat(),
        },
        "La date de naissance ne peut pas être postérieure à la date d’identification.",
    ),
    (
        "route-cercle-outside-region",
        {"route-1-cercle": "ML0901"},
        {"route": [{"kind": "Exploitation", "country": "ML", "region": "ML01", "cercle": "ML0901"}]},
        "Ce cercle n’est pas dans la région choisie.",
    ),
    (
        "mali-region-abroad",
        {"route-0-region": "ML01"},
        {"route": [{"kind": "Origin", "country": "BF", "region": "ML01"}]},
        "Une région du Mali ne peut être indiquée que pour un lieu au Mali.",
    ),
    (
        "exploitation-ends-before-start",
        {"exp-start_date": "2026-05-01", "exp-end_date": "2026-04-01"},
        {
            "exploitations": [
                payload()["exploitations"][0] | {"start_date": "2026-05-01", "end_date": "2026-04-01"}
            ]
        },
        "La fin de l’exploitation ne peut pas précéder son début.",
    ),
    (
        "no-form-of-exploitation",
        {"exp-exploitation_forms": None},
        {"exploitations": []},
        "Indiquez au moins une forme d’exploitation.",
    ),
    (
        "registration-consent-not-recorded",
        {"consent-Registration": None},
        {"consents": [{"purpose": "Statistics", "given": True}]},
        "consent à l’enregistrement",
    ),
]


@pytest.mark.parametrize(
    ("page", "api", "message"), [r[1:] for r in REGISTRATION_RULES], ids=[r[0] for r in REGISTRATION_RULES]
)
def test_page_and_api_refuse_the_same_registration(awa, client, page, api, message):
    client.force_login(awa)
    response = client.post(reverse("cases:create"), valid_post(**page))
    assert response.status_code == 200
    assert message.replace("’", "'") in response.content.decode().replace("&#x27;", "'").replace("’", "'")
    api_client = APIClient()
    api_client.force_authenticate(awa)
    response = api_client.post("/api/v1/cases/", payload(**api), format="json", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400, response.content
    assert message.replace("’", "'") in response.content.decode().replace("’", "'")
    assert not Case.objects.exists()


EDIT_RULES = [
    (
        "closure-without-reason",
        {"case-case_status": "Closed"},
        {"case_status": "Closed"},
        "Indiquez le motif de clôture",
    ),
    (
        "cercle-outside-region",
        {"case-identification_cercle": "ML0901"},
        {"identification_cercle": "ML0901"},
        "Ce cercle n’est pas dans la région choisie.",
    ),
    (
        "identification-in-future",
        {"case-identification_date": FUTURE},
        {"identification_date": FUTURE},
        "La date d’identification ne peut pas être dans le futur.",
    ),
]


@pytest.mark.parametrize(
    ("page", "api", "message"), [r[1:] for r in EDIT_RULES], ids=[r[0] for r in EDIT_RULES]
)
def test_page_and_api_refuse_the_same_edit(awa, client, page, api, message):
    case = CaseFactory(by=awa, region="ML01")
    before = Case.objects.values().get(pk=case.pk)
    client.force_login(awa)
    data = form_data(client.get(reverse("cases:edit", args=[case.pk])).content.decode()) | page
    response = client.post(reverse("cases:edit", args=[case.pk]), data)
    assert response.status_code == 200
    assert message.replace("’", "'") in response.content.decode().replace("&#x27;", "'").replace("’", "'")
    api_client = APIClient()
    api_client.force_authenticate(awa)
    response = api_client.patch(
        f"/api/v1/cases/{case.pk}/", api | {"version": case.version}, format="json", HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 400, response.content
    assert message.replace("’", "'") in response.content.decode().replace("’", "'")
    assert Case.objects.values().get(pk=case.pk) == before


def test_all_errors_of_a_submission_come_at_once_with_a_summary(awa, client):
    client.force_login(awa)
    response = client.post(
        reverse("cases:create"),
        valid_post(
            **{
                "person-first_name": "",
                "person-estimated_age": "douze",
                "case-identification_date": FUTURE,
                "case-identification_cercle": "ML0901",
            }
        ),
    )
    body = response.content.decode()
    summary = body.split('id="error-summary"')[1].split("</div>")[0]
    assert summary.count("<li>") == 4
    assert "Saisissez un nombre" in summary  # letters in a number field are named, not dropped
    assert not Case.objects.exists()


def test_the_database_holds_the_closure_and_date_rules_too(awa):
    import django.db

    from sira.cases.models import Exploitation

    case = CaseFactory(by=awa)
    with pytest.raises(django.db.IntegrityError), django.db.transaction.atomic():
        Case.objects.filter(pk=case.pk).update(case_status="Closed", closure_reason="")
    with pytest.raises(django.db.IntegrityError), django.db.transaction.atomic():
        Exploitation.objects.filter(case=case).update(start_date="2026-05-01", end_date="2026-04-01")


def test_api_registration_keeps_each_exploitations_own_details(awa):
    api_client = APIClient()
    api_client.force_authenticate(awa)
    rows = [
        {"form": "ForcedLabour", "age_at_recruitment": 14, "industry": "B_MiningAndQuarrying"},
        {"form": "SexualExploitation", "age_at_recruitment": 16},
    ]
    response = api_client.post("/api/v1/cases/", payload(exploitations=rows), format="json")
    assert response.status_code == 201, response.content
    saved = dict(Case.objects.get().exploitations.values_list("form", "age_at_recruitment"))
    assert saved == {"ForcedLabour": 14, "SexualExploitation": 16}


def test_the_edit_page_lists_parse_and_rule_errors_together(awa, client):
    case = CaseFactory(by=awa)
    client.force_login(awa)
    data = form_data(client.get(reverse("cases:edit", args=[case.pk])).content.decode())
    data |= {"person-estimated_age": "abc", "case-identification_date": FUTURE, "case-case_status": "Closed"}
    body = client.post(reverse("cases:edit", args=[case.pk]), data).content.decode()
    summary = body.split('id="error-summary"')[1].split("</div>")[0]
    assert "Saisissez un nombre" in summary and "futur" in summary and "motif de clôture" in summary
