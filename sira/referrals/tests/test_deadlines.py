"""Deadlines: overdue referrals on both dashboards, escalated once to the committee's coordinators
by `manage.py referral_deadlines` (idempotent), notices in the app and by e-mail when configured."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from sira.referrals.models import Notification
from sira.referrals.tests.conftest import last_event, web

pytestmark = pytest.mark.django_db


@pytest.fixture
def late(case, send):
    return send(case, now=timezone.now() - dt.timedelta(days=3))  # shelter: 2 days to answer


def test_overdue_on_both_dashboards(late, awa, kadi, coordinator):
    for user, testid in ((awa, "sent-overdue"), (kadi, "incoming-overdue"), (coordinator, "all-overdue")):
        body = web(user).get(reverse("accounts:dashboard")).content.decode()
        assert f'data-testid="{testid}">1<' in body, user
    queue = web(kadi).get(reverse("referrals:incoming")).content.decode()
    assert 'data-testid="overdue"' in queue


def test_not_yet_due_is_not_overdue(case, send, kadi):
    send(case)
    body = web(kadi).get(reverse("accounts:dashboard")).content.decode()
    assert 'data-testid="incoming-overdue">0<' in body


def test_escalation_once_to_the_coordinators_and_both_sides(late, awa, kadi, coordinator, capsys):
    call_command("referral_deadlines")
    late.refresh_from_db()
    assert late.escalated_at is not None
    event = last_event(late, escalated=True)
    assert event.actor_username == "referral_deadlines"
    key = f"referral:{late.pk}:overdue"
    for user in (awa, kadi, coordinator):
        assert Notification.objects.filter(user=user, key=key).count() == 1
    first = late.escalated_at
    call_command("referral_deadlines")  # idempotent
    late.refresh_from_db()
    assert late.escalated_at == first
    assert Notification.objects.filter(key=key).count() == 3
    assert "escalated=1" in capsys.readouterr().out


def test_notice_text_names_no_one(late, kadi, case):
    call_command("referral_deadlines")
    for notice in Notification.objects.all():
        assert case.person.first_name not in notice.text and case.person.last_name not in notice.text
        assert late.reference in notice.text


def test_email_when_configured(late, kadi, settings):
    settings.SIRA_REFERRAL_EMAIL = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    kadi.email = "kadi@example.org"
    kadi.save()
    from django.test.utils import CaptureQueriesContext  # noqa: F401  (transaction.on_commit below)

    with pytest.MonkeyPatch.context() as m:
        m.setattr("django.db.transaction.on_commit", lambda fn, using=None, robust=False: fn())
        call_command("referral_deadlines")
    assert [m.to for m in mail.outbox] == [["kadi@example.org"]]
    assert late.reference in mail.outbox[0].body and late.case.person.first_name not in mail.outbox[0].body


def test_no_email_unless_configured(late, kadi, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SIRA_REFERRAL_EMAIL = False
    kadi.email = "kadi@example.org"
    kadi.save()
    call_command("referral_deadlines")
    assert mail.outbox == []


def test_notifications_page_and_badge(kadi, late):
    call_command("referral_deadlines")
    client = web(kadi)
    body = client.get(reverse("accounts:dashboard")).content.decode()
    assert 'data-testid="unread">2<' in body  # sent + overdue
    page = client.get(reverse("referrals:notifications")).content.decode()
    assert late.reference in page
    client.post(reverse("referrals:notifications"))
    assert not Notification.objects.filter(user=kadi, read_at__isnull=True).exists()


def test_pathway_has_its_own_deadline(awa, kadi):
    from sira.referrals import services
    from sira.referrals.models import ServiceOffering
    from sira.testing.factories import CaseFactory

    child_protection = ServiceOffering.objects.create(
        organisation=kadi.organisation,
        service="ChildProtection",
        name="Protection",
        age_max=17,
        region_id="ML07",
    )
    child = CaseFactory(
        by=awa, share_with=[kadi.organisation], forms=("ArmedForcesRecruitment",), region="ML07"
    )
    now = timezone.now()
    referral = services.send_referral(
        child,
        by=awa,
        offering=child_protection,
        service="ChildProtection",
        shared_fields=["age"],
        pathway="CAAFAG",
        now=now,
    )
    assert referral.urgent is True and referral.due_at == now + dt.timedelta(hours=72)
