"""Consent and legal basis, on every path that registers or shares: a refused registration needs a
recorded legal basis; a grant to another organisation needs sharing consent for it or an urgent
reason flagged for review; statistics leave out whoever refused them."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from sira.audit.models import AuditEvent
from sira.cases import services
from sira.cases.models import AccessFlag, Case, CaseGrant, Consent
from sira.cases.tests.test_api import payload
from sira.screening.tests.test_promotion import screened
from sira.statistics import layer
from sira.statistics.national import national_summary
from sira.testing.factories import CaseFactory
from sira.testing.html_forms import form_data

TODAY = dt.date.today()
REFUSED = {"given": False}
CHILD_BASIS = {"given": False, "legal_basis": "ChildBestInterest", "justification": "Enfant seul, danger."}


def _register(awa, registration, age=14):
    return services.register_case(
        by=awa,
        person={"first_name": "Awa", "gender": "Feminine", "estimated_age": age},
        case={
            "identification_date": TODAY,
            "identification_context": "Community",
            "identification_region_id": "ML01",
        },
        exploitation={"forms": ["DomesticServitude"]},
        route=[],
        consents={"Registration": registration},
    )


def test_the_service_refuses_a_refusal_without_legal_basis(awa):
    with pytest.raises(ValidationError) as error:
        _register(awa, REFUSED)
    assert "consents.legal_basis" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _register(awa, {"given": False, "legal_basis": "ChildBestInterest"})
    assert "consents.justification" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _register(awa, CHILD_BASIS, age=30)  # an adult is no child
    assert "consents.legal_basis" in error.value.message_dict
    assert not Case.objects.exists()
    case = _register(awa, CHILD_BASIS)
    consent = case.consents.get(purpose="Registration")
    assert (consent.given, consent.legal_basis, consent.basis_justification) == (
        False,
        "ChildBestInterest",
        "Enfant seul, danger.",
    )
    event = AuditEvent.objects.get(action="create", object_id=str(case.pk))
    assert event.detail["legal_basis"] == "ChildBestInterest" and "Enfant" not in str(event.detail)
    assert _register(awa, {"given": False, "legal_basis": "VitalInterest", "justification": "Blessée."}, 30)


def test_the_page_refuses_then_accepts_with_a_legal_basis(awa, client):
    client.force_login(awa)
    url = reverse("cases:create")
    data = form_data(client.get(url).content.decode()) | {
        "person-first_name": "Awa",
        "person-gender": "Feminine",
        "person-estimated_age": "12",
        "case-identification_region": "ML01",
        "case-identification_context": "Community",
        "exp-exploitation_forms": ["DomesticServitude"],
        "consent-Registration": "no",
    }
    response = client.post(url, data)
    assert response.status_code == 200 and "base légale consignée" in response.content.decode()
    assert not Case.objects.exists()
    data |= {"consent-legal_basis": "ChildBestInterest", "consent-justification": "Enfant seul."}
    assert client.post(url, data).status_code == 302
    assert Consent.objects.get(purpose="Registration").legal_basis == "ChildBestInterest"


def test_the_api_refuses_a_refusal_without_legal_basis(awa):
    api = APIClient()
    api.force_authenticate(awa)
    refused = payload(consents=[{"purpose": "Registration", "given": False}])
    response = api.post("/api/v1/cases/", refused, format="json", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400 and "legal_basis" in response.json()["consents"]
    assert not Case.objects.exists()
    based = payload(
        consents=[
            {"purpose": "Registration", "given": False, "legal_basis": "VitalInterest", "justification": "x"}
        ]
    )
    assert api.post("/api/v1/cases/", based, format="json").status_code == 201


def test_promotion_refuses_a_refusal_without_legal_basis(awa, client):
    client.force_login(awa)
    screening = screened(client)
    url = reverse("screening:promote", args=[screening.pk])
    data = form_data(client.get(url).content.decode()) | {
        "person-first_name": "Awa",
        "consent-Registration": "no",
    }
    assert client.post(url, data).status_code == 200
    assert not Case.objects.exists()
    screening.refresh_from_db()
    assert screening.case is None


def test_a_new_refusal_after_registration_needs_a_legal_basis(awa, client):
    case = CaseFactory(by=awa)
    with pytest.raises(ValidationError):
        services.record_consent(case, by=awa, purpose="Registration", given=False)
    client.force_login(awa)
    url = reverse("cases:consent_record", args=[case.pk, "Registration"])
    data = form_data(client.get(url).content.decode()) | {"consent-given": "no"}
    assert client.post(url, data).status_code == 200
    assert case.consents.filter(purpose="Registration").count() == 1
    data |= {"consent-legal_basis": "ChildBestInterest", "consent-justification": "Enfant en danger."}
    assert client.post(url, data).status_code == 302
    assert case.consents.filter(purpose="Registration", given=False).get().legal_basis == "ChildBestInterest"


def test_sharing_needs_consent_or_an_urgent_reason_flagged_for_review(awa, org_b):
    case = CaseFactory(by=awa)
    assert services.sharing_basis(case, awa.organisation_id) == "own"
    assert services.sharing_basis(case, org_b.pk) is None
    with pytest.raises(ValidationError):
        services.grant_access(case, by=awa, organisation=org_b, reason="référence")
    assert not case.grants.exists() and not AccessFlag.objects.exists()
    grant = services.grant_access(
        case, by=awa, organisation=org_b, reason="référence", urgent_reason="Menaces du recruteur cette nuit."
    )
    assert grant.basis == CaseGrant.Basis.URGENT
    flag = AccessFlag.objects.get(grant=grant)
    assert (flag.kind, flag.raised_by, flag.verdict) == ("urgent_sharing", awa, "")
    event = AuditEvent.objects.get(action="grant", object_id=str(case.pk))
    assert event.detail["basis"] == "urgent" and event.detail["flag"] == flag.pk
    services.record_consent(case, by=awa, purpose="Sharing", given=True, organisations=[org_b])
    assert services.sharing_basis(case, org_b.pk) == "consent"


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_grants_only_on_consent_and_keeps_refusals_on_a_basis():
    call_command("seed_demo", cases=120)
    grants = CaseGrant.objects.select_related("case", "user")
    assert grants.exists()
    for grant in grants:
        organisation = grant.organisation_id or grant.user.organisation_id
        assert services.sharing_basis(grant.case, organisation) is not None, grant
    refused = Consent.objects.filter(purpose="Registration", given=False)
    assert refused.exists() and not refused.filter(legal_basis="").exists()


def test_statistics_leave_out_whoever_refused_them(awa, settings):
    settings.SIRA_SMALL_CELL_THRESHOLD = 0
    counted = CaseFactory(by=awa)
    refused = CaseFactory(by=awa)
    withdrawn = CaseFactory(by=awa)
    never_asked = CaseFactory(by=awa)
    services.record_consent(counted, by=awa, purpose="Statistics", given=True)
    services.record_consent(refused, by=awa, purpose="Statistics", given=False)
    consent = services.record_consent(withdrawn, by=awa, purpose="Statistics", given=True)
    services.withdraw_consent(consent, by=awa)
    assert set(services.statistics_cases()) == {counted, never_asked}
    layer.refresh()  # the figures come from the pre-aggregated tables
    summary = national_summary()
    assert summary["total"] == 2
    assert sum(r["n"] for r in summary["by_form"]) == 2
    # A later yes counts the person again (the latest answer is the one that holds).
    services.record_consent(refused, by=awa, purpose="Statistics", given=True)
    layer.refresh()
    assert national_summary()["total"] == 3
