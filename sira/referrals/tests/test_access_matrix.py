"""Referrals in the project's access matrix: the receiving organisation never reaches the case itself
(no page, list, search, export or API of the registry shows it), and reads exactly the shared fields
on the referral — from acceptance, for as long as the referral is open; nothing before (only what is
needed to decide) and nothing after withdrawal or completion. 0 leaks."""

import pytest
from django.urls import reverse

from sira.cases.tests.test_access_matrix import VIEW_ENDPOINTS
from sira.referrals import services
from sira.referrals.tests.conftest import api, web

pytestmark = pytest.mark.django_db
STAGES = ["sent", "accepted", "in_service", "completed", "withdrawn", "declined"]
SHARED = ["first_name", "gender", "age"]


@pytest.fixture
def at_stage(case, send, kadi, awa):
    def build(stage):
        referral = send(case, shared_fields=SHARED)
        steps = {
            "sent": [],
            "accepted": ["accept"],
            "in_service": ["accept", "start"],
            "completed": ["accept", "start", "complete"],
            "withdrawn": ["accept", "withdraw"],
            "declined": ["decline"],
        }[stage]
        for step in steps:
            if step == "accept":
                services.accept_referral(referral, by=kadi, case_worker=kadi)
            elif step == "decline":
                services.decline_referral(referral, by=kadi, reason="no_capacity")
            elif step == "withdraw":
                services.withdraw_referral(referral, by=awa)
            else:
                services.TRANSITION_SERVICES[step](referral, by=kadi)
            referral.refresh_from_db()
        assert referral.state == stage
        return referral

    return build


def referral_page(user, referral) -> str:
    response = web(user).get(reverse("referrals:detail", args=[referral.pk]))
    assert response.status_code == 200
    return response.content.decode()


def referral_api(user, referral) -> str:
    response = api(user).get(f"/api/v1/referrals/{referral.pk}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("endpoint", VIEW_ENDPOINTS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("stage", STAGES)
def test_the_receiver_never_reaches_the_case_itself(at_stage, kadi, stage, endpoint):
    referral = at_stage(stage)
    case = type(referral.case).objects.select_related("person").get(pk=referral.case_id)
    assert endpoint(kadi, case) is False


@pytest.mark.parametrize("read", [referral_page, referral_api], ids=["page", "api"])
@pytest.mark.parametrize("stage", STAGES)
def test_the_receiver_reads_exactly_the_shared_fields_while_open(at_stage, kadi, stage, read):
    referral = at_stage(stage)
    person = referral.case.person
    body = read(kadi, referral)
    is_open = stage in ("accepted", "in_service")
    assert (person.first_name in body) is is_open  # shared: readable exactly while open
    assert person.last_name not in body  # never shared: never shown
    assert referral.case.case_number not in body  # the case's number is not part of the packet


@pytest.mark.parametrize("stage", STAGES)
def test_the_grant_is_live_exactly_while_open(at_stage, kadi, stage):
    from sira.cases import access as case_access

    referral = at_stage(stage)
    fields = case_access.shared_fields(kadi, referral.case)
    assert fields == (frozenset(SHARED) if stage in ("accepted", "in_service") else frozenset())


def test_before_acceptance_the_receiver_sees_what_it_needs_to_decide(at_stage, kadi):
    referral = at_stage("sent")
    body = referral_page(kadi, referral)
    assert 'data-testid="accept"' in body
    assert "Féminin" in body or "Feminine" in body or "Femme" in body  # sex, age, region: to decide
    assert referral.case.person.first_name not in body


def test_another_organisations_worker_sees_nothing(at_stage, bakary):
    referral = at_stage("accepted")
    assert web(bakary).get(reverse("referrals:detail", args=[referral.pk])).status_code == 404
    assert api(bakary).get(f"/api/v1/referrals/{referral.pk}/").status_code == 404
    assert str(referral.pk) not in [
        str(r["id"]) for r in api(bakary).get("/api/v1/referrals/").json()["results"]
    ]


def test_a_coordinator_sees_the_referral_but_no_identity(at_stage, coordinator):
    referral = at_stage("accepted")
    body = referral_page(coordinator, referral)
    assert referral.case.person.first_name not in body
    assert 'data-testid="accept"' not in body and 'data-testid="withdraw"' not in body


def test_reading_the_packet_is_audited_with_exactly_its_fields(at_stage, kadi):
    from sira.referrals.tests.conftest import last_event

    referral = at_stage("accepted")
    referral_page(kadi, referral)
    event = last_event(referral.case, through="referral")
    assert event.action == "view_identity" and event.actor == kadi
    assert set(event.detail["fields"]) <= {"first_name"}
