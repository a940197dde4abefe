"""Consent: given, refused or not asked; recorded and withdrawn after registration; sharing rests on
it, so a withdrawal ends the access it allowed."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from sira.audit.models import AuditEvent
from sira.cases import access, services
from sira.cases.models import Consent
from sira.testing.factories import CaseFactory, UserFactory
from sira.testing.html_forms import form_data

TODAY = dt.date.today()


def test_consent_shows_given_refused_and_not_asked(awa, client):
    case = CaseFactory(by=awa)
    services.record_consent(case, by=awa, purpose="Contact", given=False)
    client.force_login(awa)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()

    def line(purpose):
        return page.split(f'data-testid="consent-{purpose}"')[1].split("</li>")[0]

    assert "donné" in line("Registration")
    assert "refusé" in line("Contact")
    assert "non demandé" in line("Sharing") and "refusé" not in line("Sharing")


def test_granting_needs_the_persons_consent_to_share_with_that_organisation(awa, org_b):
    case = CaseFactory(by=awa)
    with pytest.raises(ValidationError):
        services.grant_access(case, by=awa, organisation=org_b, reason="référence")
    assert not case.grants.exists()
    services.record_consent(case, by=awa, purpose="Sharing", given=True, organisations=[org_b])
    services.grant_access(case, by=awa, organisation=org_b, reason="référence")
    assert case.grants.filter(organisation=org_b, revoked_at__isnull=True).exists()


def test_withdrawing_consent_on_the_page_ends_sharing(awa, org_b, client):
    case = CaseFactory(by=awa, share_with=[org_b])
    services.grant_access(case, by=awa, organisation=org_b, reason="orientation vers l'abri")
    provider = UserFactory(username="provider", organisation=org_b, role="service_provider")
    assert access.visible_cases(provider).filter(pk=case.pk).exists()

    sharing = case.consents.get(purpose="Sharing")
    client.force_login(awa)
    url = reverse("cases:consent_withdraw", args=[case.pk, sharing.pk])
    data = form_data(client.get(url).content.decode())
    assert data["consent-withdrawn_on"] == TODAY.isoformat()  # defaults to today
    response = client.post(url, data)
    assert response.status_code == 302
    sharing.refresh_from_db()
    assert (sharing.withdrawn_on, sharing.withdrawn_by) == (TODAY, awa) and not sharing.active
    assert not access.visible_cases(provider).filter(pk=case.pk).exists()
    assert case.grants.get().revoked_at is not None
    events = AuditEvent.objects.filter(action="change", object_id=str(case.pk)).order_by("id")
    assert [e.detail.get("operation") for e in events] == ["withdraw", None]
    assert events.last().detail["fields"] == ["grants"]


def test_a_withdrawal_cannot_be_dated_in_the_future_or_repeated(awa, client):
    case = CaseFactory(by=awa, share_with=[awa.organisation])
    sharing = case.consents.get(purpose="Sharing")
    client.force_login(awa)
    url = reverse("cases:consent_withdraw", args=[case.pk, sharing.pk])
    response = client.post(url, {"consent-withdrawn_on": (TODAY + dt.timedelta(days=3)).isoformat()})
    assert response.status_code == 200
    sharing.refresh_from_db()
    assert sharing.withdrawn_on is None
    services.withdraw_consent(sharing, by=awa)
    with pytest.raises(ValidationError):
        services.withdraw_consent(sharing, by=awa)


def test_recording_a_new_answer_supersedes_and_narrowing_sharing_ends_grants(awa, org_b, client):
    case = CaseFactory(by=awa, share_with=[org_b])
    services.grant_access(case, by=awa, organisation=org_b, reason="référence")
    client.force_login(awa)
    url = reverse("cases:consent_record", args=[case.pk, "Sharing"])
    data = form_data(client.get(url).content.decode()) | {"consent-given": "yes", "consent-organisations": []}
    data.pop("consent-organisations")
    assert client.post(url, data).status_code == 302
    assert services.current_consents(case)["Sharing"].organisations.count() == 0
    assert Consent.objects.filter(case=case, purpose="Sharing").count() == 2  # the earlier answer stays
    assert case.grants.get().revoked_at is not None


def test_consent_through_the_api(awa, org_b):
    case = CaseFactory(by=awa)
    api = APIClient()
    api.force_authenticate(awa)
    response = api.post(
        f"/api/v1/cases/{case.pk}/consents/",
        {"purpose": "Sharing", "given": True, "organisations": [org_b.pk]},
        format="json",
    )
    assert response.status_code == 201, response.content
    consent = Consent.objects.get(pk=response.json()["id"])
    services.grant_access(case, by=awa, organisation=org_b, reason="référence")
    response = api.post(f"/api/v1/cases/{case.pk}/consents/{consent.pk}/withdraw/", {}, format="json")
    assert response.status_code == 200 and response.json()["grants_ended"] == 1
    consent.refresh_from_db()
    assert consent.withdrawn_on == TODAY
    refused = api.post(
        f"/api/v1/cases/{case.pk}/consents/",
        {"purpose": "Statistics", "given": False, "organisations": [org_b.pk]},
        format="json",
    )
    assert refused.status_code == 400


def test_a_consent_dated_in_the_future_is_refused_and_the_latest_answer_is_current(awa):
    case = CaseFactory(by=awa)
    with pytest.raises(ValidationError):
        services.record_consent(
            case, by=awa, purpose="Contact", given=True, recorded_on=TODAY + dt.timedelta(days=9)
        )
    services.record_consent(case, by=awa, purpose="Contact", given=True, recorded_on=TODAY)
    services.record_consent(
        case, by=awa, purpose="Contact", given=False, recorded_on=TODAY - dt.timedelta(days=3)
    )
    assert services.current_consents(case)["Contact"].given is False  # recorded last, so current
