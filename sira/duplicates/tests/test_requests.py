"""A duplicate request, acted as the users would: A's worker asks from the warning; B's case manager
confirms (with the person's consent to share with A: a grant, as sharing gives) or denies; without
that consent the gate refuses and nothing changes. Every step is read back with its audit entry."""

import pytest
from django.urls import reverse

from sira.audit.models import AuditEvent
from sira.cases import access as case_access
from sira.cases.models import CaseGrant
from sira.duplicates.models import DuplicateRequest
from sira.duplicates.tests.helpers import register
from sira.referrals.models import Notification


@pytest.fixture
def pair(awa, bakary, org_a):
    def build(consent: bool):
        b_case = register(bakary, "Aminata", "Kulibali", age=14, share_with=[org_a] if consent else ())
        a_case = register(awa, "Aminatou", "Coulibaly", age=14)
        return a_case, b_case

    return build


def _ask(client, user, a_case, org):
    client.force_login(user)
    return client.post(reverse("duplicates:ask", args=[a_case.pk, org.pk]))


def test_request_then_confirm_with_consent_creates_the_grant(client, awa, bakary, org_a, org_b, pair):
    a_case, b_case = pair(consent=True)
    assert not case_access.can(awa, b_case, case_access.VIEW)
    assert _ask(client, awa, a_case, org_b).status_code == 303
    req = DuplicateRequest.objects.get()
    assert (req.source_case, req.target_case, req.state) == (a_case, b_case, "pending")
    assert (req.requesting_organisation, req.target_organisation, req.requested_by) == (org_a, org_b, awa)
    asked = AuditEvent.objects.get(action="access_requested", object_id=str(req.pk))
    assert asked.actor == awa and asked.detail["target_case"] == b_case.pk
    notice = Notification.objects.get(user=bakary)
    assert req.reference in notice.text and org_a.name in notice.text
    for secret in ("Aminat", "Coulibaly", "Kulibali", a_case.case_number, b_case.case_number):
        assert secret not in notice.text

    # B's case manager opens the notice's page: B's own case is named to B, and B answers yes.
    client.force_login(bakary)
    page = client.get(notice.url).content.decode()
    assert b_case.case_number in page and a_case.case_number not in page
    assert client.post(reverse("duplicates:answer", args=[req.pk, "confirm"])).status_code == 303
    req.refresh_from_db()
    assert req.state == "confirmed" and req.decided_by == bakary
    grant = CaseGrant.objects.get(case=b_case, organisation=org_a)
    assert req.grant == grant and grant.basis == "consent" and grant.revoked_at is None
    assert AuditEvent.objects.filter(action="grant", object_id=str(b_case.pk), actor=bakary).exists()
    approved = AuditEvent.objects.get(action="access_approved", object_id=str(req.pk))
    assert approved.detail["grant"] == grant.pk
    assert Notification.objects.filter(user=awa, key=f"duplicate:{req.pk}:confirmed").exists()
    # A now sees B's case, and the warning shows it by its number.
    assert case_access.can(awa, b_case, case_access.VIEW)
    client.force_login(awa)
    assert b_case.case_number in client.get(reverse("cases:detail", args=[a_case.pk])).content.decode()


def test_confirm_without_consent_is_refused_and_changes_nothing(client, awa, bakary, org_b, pair):
    a_case, b_case = pair(consent=False)
    _ask(client, awa, a_case, org_b)
    req = DuplicateRequest.objects.get()
    client.force_login(bakary)
    page = client.get(reverse("duplicates:request", args=[req.pk])).content.decode()
    assert 'data-testid="no-consent"' in page
    response = client.post(reverse("duplicates:answer", args=[req.pk, "confirm"]), follow=True)
    req.refresh_from_db()
    assert req.state == "pending" and req.grant is None
    assert not CaseGrant.objects.filter(case=b_case).exists()
    assert not AuditEvent.objects.filter(action__in=["grant", "access_approved"]).exists()
    assert not case_access.can(awa, b_case, case_access.VIEW)
    assert "consent" in response.content.decode().lower() or "consentement" in response.content.decode()


def test_deny(client, awa, bakary, org_b, pair):
    a_case, b_case = pair(consent=True)
    _ask(client, awa, a_case, org_b)
    req = DuplicateRequest.objects.get()
    client.force_login(bakary)
    client.post(reverse("duplicates:answer", args=[req.pk, "deny"]))
    req.refresh_from_db()
    assert req.state == "denied" and req.decided_by == bakary and req.grant is None
    assert AuditEvent.objects.filter(action="access_rejected", object_id=str(req.pk), actor=bakary).exists()
    assert not CaseGrant.objects.filter(case=b_case).exists()
    notice = Notification.objects.get(user=awa, key=f"duplicate:{req.pk}:denied")
    assert b_case.case_number not in notice.text and "Kulibali" not in notice.text
    # Answered once: a second answer is refused.
    client.post(reverse("duplicates:answer", args=[req.pk, "confirm"]))
    req.refresh_from_db()
    assert req.state == "denied"


def test_only_b_may_answer_and_a_sees_no_b_case(client, awa, bakary, org_a, org_b, pair):
    from sira.testing.factories import UserFactory

    a_case, b_case = pair(consent=True)
    _ask(client, awa, a_case, org_b)
    req = DuplicateRequest.objects.get()
    # The asker cannot answer, and the request page never names B's case to A.
    page = client.get(reverse("duplicates:request", args=[req.pk])).content.decode()
    assert b_case.case_number not in page and f"/cases/{b_case.pk}/" not in page
    assert client.post(reverse("duplicates:answer", args=[req.pk, "confirm"])).status_code == 403
    # A user of a third organisation does not even find the request.
    third = UserFactory(username="third", role="case_manager")
    client.force_login(third)
    assert client.get(reverse("duplicates:request", args=[req.pk])).status_code == 404
    assert client.post(reverse("duplicates:answer", args=[req.pk, "confirm"])).status_code == 404
    # A prosecutor of B (no right to change B's cases) cannot answer either.
    reader = UserFactory(username="reader", organisation=org_b, role="prosecutor")
    client.force_login(reader)
    assert client.post(reverse("duplicates:answer", args=[req.pk, "confirm"])).status_code == 404
    req.refresh_from_db()
    assert req.state == "pending" and not CaseGrant.objects.filter(case=b_case).exists()


def test_asking_twice_makes_one_request_and_asking_without_a_match_is_refused(client, awa, org_b, pair):
    from sira.testing.factories import OrganisationFactory

    a_case, _b_case = pair(consent=True)
    _ask(client, awa, a_case, org_b)
    _ask(client, awa, a_case, org_b)
    assert DuplicateRequest.objects.count() == 1
    elsewhere = OrganisationFactory(name="Sans rapport")
    assert _ask(client, awa, a_case, elsewhere).status_code == 403
    assert DuplicateRequest.objects.count() == 1
    assert AuditEvent.objects.filter(action="access_requested").count() == 1
