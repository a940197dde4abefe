"""A referral needs the person's consent to share with the receiving organisation; an urgent one
without it needs a written reason and is flagged for review (and its access, once accepted, is an
urgent sharing the committee reviews)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sira.cases import services as case_services
from sira.cases.models import AccessFlag
from sira.referrals import services
from sira.referrals.models import Notification, Referral
from sira.referrals.tests.conftest import api, last_event, web
from sira.testing.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_consent_case(awa):
    return CaseFactory(by=awa, region="ML09")


def test_without_consent_a_referral_is_refused_on_every_path(awa, no_consent_case, offering):
    url = reverse("referrals:new", args=[no_consent_case.pk]) + f"?service=Shelter&offering={offering.pk}"
    page = web(awa).post(url, {"shared_fields": ["first_name"], "send": "1"})
    assert page.status_code == 200 and "consenti" in page.content.decode()
    answer = api(awa).post(
        "/api/v1/referrals/",
        {
            "case": no_consent_case.pk,
            "offering": offering.pk,
            "service": "Shelter",
            "shared_fields": ["first_name"],
        },
        format="json",
    )
    assert answer.status_code == 400 and "urgent_reason" in answer.json()
    with pytest.raises(ValidationError):
        services.send_referral(
            no_consent_case, by=awa, offering=offering, service="Shelter", shared_fields=["age"]
        )
    assert not Referral.objects.exists()


def test_urgent_without_consent_needs_a_reason(awa, no_consent_case, offering):
    answer = api(awa).post(
        "/api/v1/referrals/",
        {
            "case": no_consent_case.pk,
            "offering": offering.pk,
            "service": "Shelter",
            "shared_fields": ["age"],
            "urgent": True,
        },
        format="json",
    )
    assert answer.status_code == 400 and "urgent_reason" in answer.json()
    assert not Referral.objects.exists()


def test_urgent_with_a_reason_goes_flagged_for_review(awa, no_consent_case, offering, kadi, coordinator):
    reason = "Enfant seule à la gare routière, aucun tuteur joignable cette nuit"
    url = reverse("referrals:new", args=[no_consent_case.pk]) + f"?service=Shelter&offering={offering.pk}"
    web(awa).post(
        url, {"shared_fields": ["first_name", "age"], "urgent": "on", "urgent_reason": reason, "send": "1"}
    )
    referral = Referral.objects.get()
    assert (referral.basis, referral.needs_review, referral.urgent) == ("urgent", True, True)
    assert referral.urgent_reason == reason  # kept encrypted (IdentityTextField), never in the audit
    event = last_event(referral)
    assert event.detail["needs_review"] is True and reason not in str(event.detail)
    assert Notification.objects.filter(user=coordinator, key=f"referral:{referral.pk}:review").exists()
    # The committee lists it.
    assert referral.reference in web(coordinator).get(reverse("referrals:review")).content.decode()
    # Accepting it gives an urgent, flagged access (reviewed like any urgent sharing).
    services.accept_referral(referral, by=kadi, case_worker=kadi)
    referral.refresh_from_db()
    assert referral.grant.basis == "urgent"
    assert AccessFlag.objects.get(grant=referral.grant).kind == AccessFlag.Kind.URGENT_SHARING


def test_consent_withdrawn_before_acceptance_stops_it(awa, case, send, kadi, shelter):
    referral = send(case)
    consent = case_services.current_consents(case)["Sharing"]
    case_services.withdraw_consent(consent, by=awa)
    answer = api(kadi).post(
        f"/api/v1/referrals/{referral.pk}/accept/", {"case_worker": kadi.pk}, format="json"
    )
    assert answer.status_code == 400
    referral.refresh_from_db()
    assert referral.state == "sent" and referral.grant is None


def test_consent_withdrawn_after_acceptance_ends_the_access(awa, case, send, kadi):
    referral = services.accept_referral(send(case), by=kadi, case_worker=kadi)
    case_services.withdraw_consent(case_services.current_consents(case)["Sharing"], by=awa)
    referral.grant.refresh_from_db()
    assert referral.grant.revoked_at is not None
    assert services.read_packet(referral, by=kadi) == []
