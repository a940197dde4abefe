"""The case's own follow-up (notes, assistance, case plan, closure) and the sharing page: every write
acted as a user would, on the page and through the API, read back from the database with its audit."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from sira.audit.models import AuditEvent
from sira.cases.models import AccessFlag, Assistance, Case, CaseGoal, CaseGrant, CaseNote
from sira.testing.factories import CaseFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def web(user):
    client = Client()
    client.force_login(user)
    return client


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def event(case, **detail):
    events = AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk))
    for key, value in detail.items():
        events = events.filter(**{f"detail__{key}": value})
    return events.order_by("-id").first()


@pytest.fixture
def case(awa):
    return CaseFactory(by=awa)


@pytest.fixture
def partner(db):
    return OrganisationFactory(name="Partenaire Test P", acronym="TSTP")


def followup(user, case, what, data):
    return web(user).post(
        reverse("cases:followup", args=[case.pk]),
        {"what": what, **{f"{what}-{k}": v for k, v in data.items()}},
    )


@pytest.mark.parametrize("path", ["page", "api"])
def test_note_is_stored_encrypted_and_audited_without_its_text(awa, case, path):
    text = "Visite à domicile : la famille accepte le retour."
    if path == "page":
        assert followup(awa, case, "note", {"text": text}).status_code == 303
    else:
        assert (
            api(awa).post(f"/api/v1/cases/{case.pk}/notes/", {"text": text}, format="json").status_code == 201
        )
    note = CaseNote.objects.get(case=case)
    assert (note.text, note.author, note.organisation_id) == (text, awa, awa.organisation_id)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM cases_casenote WHERE id = %s", [note.pk])
        assert text not in str(cursor.fetchone()[0])  # encrypted at rest
    audit = event(case, part="note")
    assert audit.actor == awa and audit.detail["part_id"] == note.pk and text not in str(audit.detail)


def test_empty_note_is_refused_and_nothing_saved(awa, case):
    response = followup(awa, case, "note", {"text": "  "})
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    assert not CaseNote.objects.exists()


@pytest.mark.parametrize("path", ["page", "api"])
def test_assistance_recorded(awa, case, partner, path):
    data = {"service": "Medical", "provider": partner.pk, "given_on": dt.date.today().isoformat(), "note": ""}
    if path == "page":
        assert followup(awa, case, "assistance", data).status_code == 303
    else:
        assert api(awa).post(f"/api/v1/cases/{case.pk}/assistance/", data, format="json").status_code == 201
    item = Assistance.objects.get(case=case)
    assert (item.service, item.provider, item.recorded_by, item.referral_id) == (
        "Medical",
        partner,
        awa,
        None,
    )
    assert event(case, part="assistance").detail["service"] == "Medical"


def test_assistance_in_the_future_or_unknown_service_refused_with_all_errors(awa, case, partner):
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    answer = api(awa).post(
        f"/api/v1/cases/{case.pk}/assistance/",
        {"service": "Nope", "provider": partner.pk, "given_on": tomorrow},
        format="json",
    )
    assert answer.status_code == 400 and {"service", "given_on"} <= set(answer.json())
    assert not Assistance.objects.exists()


@pytest.mark.parametrize("path", ["page", "api"])
def test_goal_of_the_case_plan(awa, case, path):
    review = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    if path == "page":
        assert (
            followup(awa, case, "goal", {"text": "Retour à l'école", "review_on": review}).status_code == 303
        )
    else:
        payload = {"text": "Retour à l'école", "review_on": review}
        assert api(awa).post(f"/api/v1/cases/{case.pk}/goals/", payload, format="json").status_code == 201
    goal = CaseGoal.objects.get(case=case)
    assert (goal.text, str(goal.review_on), goal.status, goal.set_by) == (
        "Retour à l'école",
        review,
        "open",
        awa,
    )
    assert event(case, part="goal").actor == awa
    web(awa).post(
        reverse("cases:followup", args=[case.pk]), {"what": "goal_status", "goal": goal.pk, "status": "met"}
    )
    goal.refresh_from_db()
    assert goal.status == "met" and event(case, part="goal", status="met")


@pytest.mark.parametrize("path", ["page", "api"])
def test_closure_with_its_reason(awa, case, path):
    if path == "page":
        assert followup(awa, case, "close", {"closure_reason": "Reintegrated"}).status_code == 303
    else:
        answer = api(awa).post(
            f"/api/v1/cases/{case.pk}/close/", {"closure_reason": "Reintegrated"}, format="json"
        )
        assert answer.status_code == 200
    case.refresh_from_db()
    assert (case.case_status, case.closure_reason, case.version) == ("Closed", "Reintegrated", 2)
    audit = event(case, fields=["case_status", "closure_reason"])
    assert audit.actor == awa and audit.detail["version"] == 2


def test_closure_without_reason_refused(awa, case):
    answer = api(awa).post(f"/api/v1/cases/{case.pk}/close/", {"closure_reason": ""}, format="json")
    assert answer.status_code == 400
    case.refresh_from_db()
    assert case.case_status == "Active"


def test_a_reader_cannot_write_follow_up(case, awa, org_a):
    reader = UserFactory(username="stat", organisation=org_a, role="national_statistician")
    assert followup(reader, case, "note", {"text": "x"}).status_code == 404
    assert (
        api(reader).post(f"/api/v1/cases/{case.pk}/notes/", {"text": "x"}, format="json").status_code == 404
    )
    assert not CaseNote.objects.exists()


def test_the_follow_up_page_shows_everything_and_logs_the_reading(awa, case, partner):
    from sira.cases import services

    services.add_note(case, by=awa, text="Première note")
    services.record_assistance(case, by=awa, service="Shelter", provider=partner, given_on=dt.date.today())
    body = web(awa).get(reverse("cases:followup", args=[case.pk])).content.decode()
    assert "Première note" in body and "TSTP" in body
    assert event(case, fields=["notes"]).action == "view_identity"


@pytest.mark.parametrize("path", ["page", "api"])
def test_share_with_consent_then_revoke(awa, org_a, partner, path):
    case = CaseFactory(by=awa, share_with=[partner])
    if path == "page":
        response = web(awa).post(
            reverse("cases:sharing", args=[case.pk]),
            {"share-organisation": partner.pk, "share-reason": "Suivi médical"},
        )
        assert response.status_code == 303
    else:
        payload = {"organisation": partner.pk, "reason": "Suivi médical"}
        assert api(awa).post(f"/api/v1/cases/{case.pk}/grants/", payload, format="json").status_code == 201
    grant = CaseGrant.objects.get(case=case)
    assert (grant.organisation, grant.basis, grant.reason, grant.revoked_at) == (
        partner,
        "consent",
        "Suivi médical",
        None,
    )
    assert event(case, basis="consent").action == "grant"
    page = web(awa).get(reverse("cases:sharing", args=[case.pk])).content.decode()
    assert f'data-testid="grant-{grant.pk}"' in page and "TSTP" in page
    if path == "page":
        assert web(awa).post(reverse("cases:grant_revoke", args=[case.pk, grant.pk])).status_code == 303
    else:
        assert api(awa).post(f"/api/v1/cases/{case.pk}/grants/{grant.pk}/revoke/").status_code == 200
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    assert event(case, revoked=[grant.pk]).actor == awa


def test_share_with_a_person_without_consent_needs_an_urgent_reason(awa, case, bakary):
    answer = api(awa).post(
        f"/api/v1/cases/{case.pk}/grants/", {"user": "bakary", "reason": "Enquête"}, format="json"
    )
    assert answer.status_code == 400 and not CaseGrant.objects.exists()
    answer = api(awa).post(
        f"/api/v1/cases/{case.pk}/grants/",
        {"user": "bakary", "reason": "Enquête", "urgent_reason": "Audience demain matin"},
        format="json",
    )
    assert answer.status_code == 201
    grant = CaseGrant.objects.get()
    assert (grant.user, grant.basis) == (bakary, "urgent")
    assert AccessFlag.objects.get(grant=grant).kind == "urgent_sharing"


def test_a_referral_grant_is_not_revoked_from_the_sharing_page(awa, org_a, partner):
    from sira.cases import services

    case = CaseFactory(by=awa, share_with=[partner])
    grant = services.grant_access(
        case, by=awa, organisation=partner, reason="Referral R-1", fields=["first_name"]
    )
    web(awa).post(reverse("cases:grant_revoke", args=[case.pk, grant.pk]))
    grant.refresh_from_db()
    assert grant.revoked_at is None


def test_sharing_page_is_for_those_who_may_change_the_case(case, bakary):
    assert web(bakary).get(reverse("cases:sharing", args=[case.pk])).status_code == 404
    assert Case.objects.get(pk=case.pk).grants.count() == 0


def test_the_service_refuses_an_empty_note_whatever_the_caller(awa, case):
    """Forms and serializers refuse a blank note too; the rule itself is the service's."""
    from django.core.exceptions import ValidationError

    from sira.cases import services

    with pytest.raises(ValidationError) as error:
        services.add_note(case, by=awa, text="   ")
    assert "text" in error.value.message_dict
    assert not CaseNote.objects.exists() and not event(case, part="note")
