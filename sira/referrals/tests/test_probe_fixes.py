"""Found by the attacker and user probes of the merged referral work (2026-12-02): a consent
withdrawn ends the referral that rested on it; sharing names one grantee, whose consent is asked;
notices read in the reader's language; a malformed provider id is not a server error."""

import json

import pytest
from django.utils import translation

from sira.audit.models import AuditEvent
from sira.cases import services as case_services
from sira.cases.models import CaseGrant
from sira.referrals import services
from sira.referrals.models import Notification
from sira.referrals.tests.conftest import api, web

pytestmark = pytest.mark.django_db


def test_a_consent_withdrawn_after_acceptance_ends_the_referral(awa, case, send, kadi):
    referral = services.accept_referral(send(case), by=kadi, case_worker=kadi)
    case_services.withdraw_consent(case_services.current_consents(case)["Sharing"], by=awa)
    referral.refresh_from_db()
    assert referral.state == "withdrawn" and referral.ended_at is not None
    event = AuditEvent.objects.filter(object_type="referrals.referral", object_id=str(referral.pk)).latest(
        "id"
    )
    assert event.detail["transition"] == "withdraw" and event.detail["reason"] == "consent_withdrawn"
    assert Notification.objects.filter(user=kadi, key=f"referral:{referral.pk}:consent-withdrawn").exists()
    for action in ("start", "complete"):  # nothing more can be done on it
        answer = api(kadi).post(f"/api/v1/referrals/{referral.pk}/{action}/", {"note": "x"}, format="json")
        assert answer.status_code == 400
    referral.refresh_from_db()
    assert referral.state == "withdrawn"


def test_sharing_names_one_grantee_so_that_its_consent_is_the_one_asked(awa, case, shelter, bakary):
    before = CaseGrant.objects.count()
    body = {"organisation": shelter.pk, "user": bakary.username, "reason": "r"}
    answer = api(awa).post(f"/api/v1/cases/{case.pk}/grants/", body, format="json")
    assert answer.status_code == 400
    own = {"organisation": awa.organisation_id, "reason": "r"}
    assert api(awa).post(f"/api/v1/cases/{case.pk}/grants/", own, format="json").status_code == 400
    assert CaseGrant.objects.count() == before
    assert api(bakary).get(f"/api/v1/cases/{case.pk}/").status_code == 404


def test_notices_read_in_the_readers_language(awa, case, send, kadi):
    services.accept_referral(send(case), by=kadi, case_worker=kadi)
    notice = Notification.objects.filter(user=awa).latest("id")
    with translation.override("fr"):
        assert "acceptée" in notice.shown and "accepted" not in notice.shown
        assert "Hébergement" in notice.shown
    with translation.override("en"):
        assert "accepted" in notice.shown and "acceptée" not in notice.shown
    page = web(awa).get("/referrals/notifications/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "acceptée" in page and " / Referral" not in page


def test_a_provider_id_that_is_not_a_number_is_not_a_server_error(awa, case, offering):
    answer = web(awa).get(f"/referrals/new/{case.pk}/?service=Shelter&offering=abc")
    assert answer.status_code == 200


def test_a_case_worker_outside_the_receiver_is_simply_not_found(awa, case, send, kadi, bakary):
    referral = send(case)
    answer = api(kadi).post(
        f"/api/v1/referrals/{referral.pk}/accept/", {"case_worker": bakary.pk}, format="json"
    )
    missing = api(kadi).post(
        f"/api/v1/referrals/{referral.pk}/accept/", {"case_worker": 999999}, format="json"
    )
    assert answer.status_code == missing.status_code == 400
    assert json.dumps(answer.json()).replace(str(bakary.pk), "N") == json.dumps(missing.json()).replace(
        "999999", "N"
    )
    referral.refresh_from_db()
    assert referral.state == "sent"


def test_without_consent_the_referral_form_leads_to_recording_it(awa, bakary, offering):
    from sira.testing.factories import CaseFactory

    case = CaseFactory(by=awa, region="ML09")  # no consent to share with the shelter
    page = web(awa).get(f"/referrals/new/{case.pk}/?service=Shelter&offering={offering.pk}").content.decode()
    assert 'data-testid="no-consent"' in page
    assert f'href="/cases/{case.pk}/consents/Sharing/"' in page
