"""Every write of the workflow acted as a user would (page and API), read back from the database with
its audit entry; illegal transitions refused with a message, nothing changed."""

import pytest
from django.urls import reverse

from sira.cases.models import Assistance, CaseGrant
from sira.referrals.models import Notification, Referral
from sira.referrals.tests.conftest import api, last_event, web

pytestmark = pytest.mark.django_db


def _send_page(user, case, offering, **extra):
    url = reverse("referrals:new", args=[case.pk]) + f"?service=Shelter&offering={offering.pk}"
    data = {"shared_fields": ["first_name", "gender", "age"], **extra}
    return web(user).post(url, data)


def test_send_from_the_page_after_previewing_the_packet(awa, case, offering, kadi):
    preview = _send_page(awa, case, offering, preview="1")
    assert preview.status_code == 200
    body = preview.content.decode()
    assert case.person.first_name in body and 'data-testid="preview-first_name"' in body
    assert 'data-testid="preview-last_name"' not in body  # only what was chosen
    assert not Referral.objects.exists()  # a preview writes nothing

    response = _send_page(awa, case, offering, send="1")
    referral = Referral.objects.get()
    assert response.status_code == 303 and response["Location"] == reverse(
        "referrals:detail", args=[referral.pk]
    )
    assert (referral.state, referral.sender_id, referral.receiver_id) == (
        "sent",
        awa.organisation_id,
        offering.organisation_id,
    )
    assert referral.shared_fields == ["first_name", "gender", "age"]
    assert (referral.basis, referral.needs_review, referral.grant) == ("consent", False, None)
    assert referral.gender == "Feminine" and referral.age == 14 and referral.region_id == "ML09"
    event = last_event(referral)
    assert (
        event.action == "create"
        and event.actor == awa
        and event.detail["shared_fields"] == referral.shared_fields
    )
    assert case.person.first_name not in str(event.detail)
    assert Notification.objects.filter(user=kadi, key=f"referral:{referral.pk}:sent").exists()


def test_send_by_api(awa, case, offering):
    payload = {
        "case": case.pk,
        "offering": offering.pk,
        "service": "Shelter",
        "shared_fields": ["first_name", "age"],
    }
    response = api(awa).post("/api/v1/referrals/", payload, format="json")
    assert response.status_code == 201, response.content
    referral = Referral.objects.get(pk=response.json()["id"])
    assert referral.state == "sent" and referral.shared_fields == ["first_name", "age"]
    assert last_event(referral).action == "create"


def test_send_with_bad_input_shows_all_errors_and_writes_nothing(awa, case, offering):
    response = api(awa).post(
        "/api/v1/referrals/",
        {"case": case.pk, "offering": offering.pk, "service": "Medical", "shared_fields": []},
        format="json",
    )
    assert response.status_code == 400
    assert {"offering", "shared_fields"} <= set(response.json())
    assert not Referral.objects.exists()


def test_accept_on_the_page_assigns_a_worker_and_grants_exactly_the_packet(case, send, kadi, offering):
    referral = send(case)
    response = web(kadi).post(
        reverse("referrals:action", args=[referral.pk, "accept"]), {"accept-case_worker": kadi.pk}
    )
    assert response.status_code == 303
    referral.refresh_from_db()
    assert referral.state == "accepted" and referral.case_worker == kadi and referral.responded_at
    grant = referral.grant
    assert (grant.organisation_id, grant.fields, grant.revoked_at) == (
        offering.organisation_id,
        referral.shared_fields,
        None,
    )
    event = last_event(referral, transition="accept")
    assert event.actor == kadi and (event.detail["state_from"], event.detail["state"]) == ("sent", "accepted")
    assert last_event(case, basis="consent").action == "grant"


def test_accept_by_api(case, send, kadi):
    referral = send(case)
    response = api(kadi).post(
        f"/api/v1/referrals/{referral.pk}/accept/", {"case_worker": kadi.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    referral.refresh_from_db()
    assert referral.state == "accepted" and referral.grant.revoked_at is None
    assert last_event(referral, transition="accept").actor == kadi


def test_accept_needs_a_worker_of_the_receiver(case, send, kadi, awa):
    referral = send(case)
    response = api(kadi).post(
        f"/api/v1/referrals/{referral.pk}/accept/", {"case_worker": awa.pk}, format="json"
    )
    assert response.status_code == 400 and "case_worker" in response.json()
    referral.refresh_from_db()
    assert (
        referral.state == "sent"
        and referral.grant is None
        and not CaseGrant.objects.filter(fields__isnull=False).exists()
    )


@pytest.mark.parametrize("path", ["page", "api"])
def test_decline_with_reason(case, send, kadi, path):
    referral = send(case)
    if path == "page":
        web(kadi).post(
            reverse("referrals:action", args=[referral.pk, "decline"]),
            {"decline-decline_reason": "no_capacity"},
        )
    else:
        assert (
            api(kadi).post(f"/api/v1/referrals/{referral.pk}/decline/", {"reason": "no_capacity"}).status_code
            == 200
        )
    referral.refresh_from_db()
    assert (referral.state, referral.decline_reason, referral.grant) == ("declined", "no_capacity", None)
    event = last_event(referral, transition="decline")
    assert event.actor == kadi and event.detail["unmet"] is True


def test_decline_without_reason_is_refused(case, send, kadi):
    referral = send(case)
    response = api(kadi).post(f"/api/v1/referrals/{referral.pk}/decline/", {"reason": ""}, format="json")
    assert response.status_code == 400 and "decline_reason" in response.json()
    referral.refresh_from_db()
    assert referral.state == "sent"


@pytest.mark.parametrize("path", ["page", "api"])
def test_start_and_complete_records_assistance_and_ends_access(case, send, kadi, awa, path):
    from sira.referrals import services

    referral = services.accept_referral(send(case), by=kadi, case_worker=kadi)
    for action in ("start", "complete"):
        if path == "page":
            web(kadi).post(
                reverse("referrals:action", args=[referral.pk, action]),
                {"complete-note": "Hébergée 10 jours"},
            )
        else:
            assert (
                api(kadi).post(f"/api/v1/referrals/{referral.pk}/{action}/", {}, format="json").status_code
                == 200
            )
    referral.refresh_from_db()
    assert referral.state == "completed" and referral.started_at and referral.ended_at
    assert referral.grant.revoked_at is not None  # access ends with the referral
    assistance = Assistance.objects.get(case=case)
    assert (assistance.service, assistance.provider_id, assistance.referral_id, assistance.recorded_by) == (
        "Shelter",
        referral.receiver_id,
        referral.pk,
        kadi,
    )
    assert last_event(referral, transition="complete").actor == kadi
    assert last_event(referral, transition="start").actor == kadi
    assert Notification.objects.filter(user=awa, key=f"referral:{referral.pk}:completed").exists()


@pytest.mark.parametrize("path", ["page", "api"])
def test_sender_withdraws_and_access_ends(case, send, kadi, awa, path):
    from sira.referrals import services

    referral = services.accept_referral(send(case), by=kadi, case_worker=kadi)
    if path == "page":
        assert web(awa).post(reverse("referrals:action", args=[referral.pk, "withdraw"])).status_code == 303
    else:
        assert (
            api(awa).post(f"/api/v1/referrals/{referral.pk}/withdraw/", {}, format="json").status_code == 200
        )
    referral.refresh_from_db()
    assert referral.state == "withdrawn" and referral.grant.revoked_at is not None
    assert last_event(referral, transition="withdraw").actor == awa
    assert last_event(case, revoked=[referral.grant_id]).actor == awa


@pytest.mark.parametrize(
    "actor,action,state",
    [
        ("awa", "accept", "sent"),  # the sender cannot accept its own referral
        ("kadi", "withdraw", "sent"),  # the receiver cannot withdraw
        ("kadi", "complete", "sent"),  # not before acceptance and service
        ("kadi", "start", "sent"),
    ],
)
def test_illegal_transitions_refused_with_a_message(case, send, kadi, awa, actor, action, state):
    referral = send(case)
    user = {"awa": awa, "kadi": kadi}[actor]
    page = web(user).post(
        reverse("referrals:action", args=[referral.pk, action]), {"accept-case_worker": kadi.pk}, follow=True
    )
    assert 'class="msg msg-error"' in page.content.decode()
    answer = api(user).post(
        f"/api/v1/referrals/{referral.pk}/{action}/", {"case_worker": kadi.pk}, format="json"
    )
    assert answer.status_code == 400 and answer.json()["non_field_errors"]
    referral.refresh_from_db()
    assert referral.state == state and referral.grant is None
    assert not last_event(referral, transition=action)


def test_completed_referral_cannot_be_withdrawn_or_reopened(case, send, kadi, awa):
    from sira.referrals import services

    referral = send(case)
    services.accept_referral(referral, by=kadi, case_worker=kadi)
    services.start_service(referral, by=kadi)
    services.complete_referral(referral, by=kadi)
    for user, action in (
        (awa, "withdraw"),
        (kadi, "accept"),
        (kadi, "start"),
        (kadi, "complete"),
        (kadi, "decline"),
    ):
        answer = api(user).post(
            f"/api/v1/referrals/{referral.pk}/{action}/",
            {"case_worker": kadi.pk, "reason": "other", "note": "x"},
            format="json",
        )
        assert answer.status_code == 400, (action, answer.content)
    referral.refresh_from_db()
    assert referral.state == "completed"


def test_an_outsider_gets_404(case, send, bakary):
    referral = send(case)
    assert web(bakary).get(reverse("referrals:detail", args=[referral.pk])).status_code == 404
    assert api(bakary).post(f"/api/v1/referrals/{referral.pk}/accept/", {}).status_code == 404


def test_follow_up_task_and_its_reminder(case, send, kadi):
    import datetime as dt

    from django.core.management import call_command

    referral = send(case)
    due = dt.date.today()
    response = web(kadi).post(
        reverse("referrals:task_add", args=[referral.pk]),
        {"task-kind": "visit", "task-due_on": due.isoformat()},
    )
    assert response.status_code == 303
    task = referral.tasks.get()
    assert (task.kind, task.due_on, task.created_by) == ("visit", due, kadi)
    assert last_event(referral, task=task.pk).actor == kadi
    call_command("referral_deadlines")
    call_command("referral_deadlines")
    assert Notification.objects.filter(user=kadi, key=f"referral:{referral.pk}:task:{task.pk}").count() == 1


def test_a_special_pathway_chooses_its_service_and_is_checked(awa, kadi):
    from sira.referrals.models import ServiceOffering
    from sira.testing.factories import CaseFactory

    ServiceOffering.objects.create(
        organisation=kadi.organisation,
        service="ChildProtection",
        name="Protection enfance",
        age_max=17,
        region_id="ML07",
    )
    child = CaseFactory(
        by=awa, share_with=[kadi.organisation], forms=("ArmedForcesRecruitment",), region="ML07"
    )
    body = web(awa).get(reverse("referrals:new", args=[child.pk]) + "?pathway=CAAFAG").content.decode()
    assert "Protection enfance" in body
    adult = CaseFactory(by=awa, share_with=[kadi.organisation], estimated_age=30, region="ML07")
    offering = ServiceOffering.objects.get(service="ChildProtection")
    answer = api(awa).post(
        "/api/v1/referrals/",
        {
            "case": adult.pk,
            "offering": offering.pk,
            "service": "ChildProtection",
            "shared_fields": ["age"],
            "pathway": "CAAFAG",
        },
        format="json",
    )
    assert answer.status_code == 400 and {"pathway", "offering"} & set(answer.json())
