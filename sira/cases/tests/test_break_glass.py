"""Break-glass: a user who cannot see a case asks for emergency access in writing; it opens the case
for a few hours through a grant (sira.cases.access), is flagged to the owner and the committee,
audited, and reviewed."""

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from sira.audit.models import AuditEvent
from sira.cases import access, services
from sira.cases.models import AccessFlag, CaseGrant
from sira.testing.factories import CaseFactory, OrganisationFactory, UserFactory
from sira.testing.html_forms import form_data

REASON = "Personne blessée aux urgences, besoin des allergies connues."


@pytest.fixture
def case(awa):
    return CaseFactory(by=awa)


@pytest.fixture
def shelter_worker(db):
    org = OrganisationFactory(name="Abri Test", acronym="ABRI", org_type="ShelterServiceProvider")
    return UserFactory(username="abri", organisation=org, role="service_provider")


def test_emergency_access_on_the_page_opens_the_case_for_a_few_hours(case, shelter_worker, client, settings):
    settings.SIRA_BREAK_GLASS_HOURS = 4
    client.force_login(shelter_worker)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    url = reverse("cases:emergency_access")
    data = form_data(client.get(url).content.decode())
    response = client.post(url, data | {"case_number": case.case_number.lower(), "reason": "urgent"})
    assert response.status_code == 200 and not CaseGrant.objects.exists()  # a reason is required
    response = client.post(url, data | {"case_number": case.case_number, "reason": REASON})
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    detail = client.get(response["Location"]).content.decode()
    assert 'data-testid="emergency-notice"' in detail
    grant = CaseGrant.objects.get()
    assert (grant.user, grant.basis, grant.organisation) == (shelter_worker, "emergency", None)
    assert dt.timedelta(hours=3, minutes=59) < grant.expires_at - timezone.now() <= dt.timedelta(hours=4)
    flag = AccessFlag.objects.get()
    assert (flag.kind, flag.case, flag.reason, flag.verdict) == ("emergency", case, REASON, "")
    event = AuditEvent.objects.get(action="grant", object_id=str(case.pk))
    assert event.detail["basis"] == "emergency" and REASON not in str(event.detail)
    assert not access.can(shelter_worker, case, access.CHANGE)  # read only
    later = timezone.now() + dt.timedelta(hours=4, minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert not access.visible_cases(shelter_worker).filter(pk=case.pk).exists()


def test_the_owner_and_the_committee_are_told_and_the_committee_reviews(
    case, awa, shelter_worker, secretariat, client
):
    grant = services.request_emergency_access(by=shelter_worker, case_number=case.case_number, reason=REASON)
    client.force_login(awa)  # the case owner sees it, cannot review it
    assert 'data-testid="access-flags"' in client.get(reverse("accounts:dashboard")).content.decode()
    page = client.get(reverse("cases:access_reviews")).content.decode()
    assert REASON in page and "Enregistrer l’examen" not in page
    flag = grant.flag
    assert client.post(reverse("cases:access_reviews"), {"flag": flag.pk}).status_code == 403

    client.force_login(secretariat)
    url = reverse("cases:access_reviews")
    assert 'data-testid="access-flags"' in client.get(reverse("accounts:dashboard")).content.decode()
    assert client.post(url, {"flag": flag.pk, f"flag{flag.pk}-verdict": "unjustified"}).status_code == 200
    flag.refresh_from_db()
    assert flag.verdict == ""  # an unjustified verdict needs its reason
    response = client.post(
        url,
        {
            "flag": flag.pk,
            f"flag{flag.pk}-verdict": "unjustified",
            f"flag{flag.pk}-review_note": "Pas d'urgence.",
        },
    )
    assert response.status_code == 302
    flag.refresh_from_db()
    grant.refresh_from_db()
    assert (flag.verdict, flag.reviewed_by, grant.revoked_at is not None) == (
        "unjustified",
        secretariat,
        True,
    )
    assert not access.visible_cases(shelter_worker).filter(pk=case.pk).exists()
    review = AuditEvent.objects.filter(action="change", object_id=str(case.pk)).latest("id")
    assert review.detail["verdict"] == "unjustified" and review.detail["revoked"] == [grant.pk]
    with pytest.raises(ValidationError):  # reviewed once
        services.review_access_flag(flag, by=secretariat, verdict="justified")


@pytest.mark.parametrize(
    ("role", "org_type"),
    [
        ("prosecutor", "ProsecutionCourt"),
        ("national_statistician", "MinistryService"),
        ("administrator", "MinistryService"),
        ("service_provider", "InternationalOrganisation"),
    ],
)
def test_who_may_not_break_the_glass(case, client, role, org_type):
    org = OrganisationFactory(name=f"Org {role} {org_type}", org_type=org_type)
    user = UserFactory(username=f"u-{role}-{org_type}", organisation=org, role=role)
    client.force_login(user)
    assert client.get(reverse("cases:emergency_access")).status_code == 403
    api = APIClient()
    api.force_authenticate(user)
    body = {"case_number": case.case_number, "reason": REASON}
    assert api.post("/api/v1/cases/emergency-access/", body, format="json").status_code == 403
    with pytest.raises(ValidationError):
        services.request_emergency_access(by=user, case_number=case.case_number, reason=REASON)
    assert not CaseGrant.objects.exists() and not AccessFlag.objects.exists()


def test_emergency_access_through_the_api(case, awa, shelter_worker):
    api = APIClient()
    api.force_authenticate(shelter_worker)
    url = "/api/v1/cases/emergency-access/"
    response = api.post(url, {"case_number": "NOPE-1", "reason": REASON}, format="json")
    assert response.status_code == 400 and "case_number" in response.json()
    response = api.post(url, {"case_number": case.case_number, "reason": REASON}, format="json")
    assert response.status_code == 201 and response.json()["case"] == case.pk
    assert api.get(f"/api/v1/cases/{case.pk}/").status_code == 200
    own = APIClient()
    own.force_authenticate(awa)  # the owner already sees the case: nothing to break
    response = own.post(url, {"case_number": case.case_number, "reason": REASON}, format="json")
    assert response.status_code == 400 and CaseGrant.objects.count() == 1
