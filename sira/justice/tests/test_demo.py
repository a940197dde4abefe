import pytest
from django.core.management import call_command

from sira.audit.models import AuditEvent
from sira.justice.models import Charge, Investigation, Prosecution, Sentence, Suspect


@pytest.mark.slow
@pytest.mark.django_db
def test_demo_justice_seed_goes_through_the_services_and_is_idempotent():
    call_command("seed_demo", cases=40)
    counts = (Investigation.objects.count(), Suspect.objects.count(), Charge.objects.count())
    assert counts[0] == 6 and Prosecution.objects.count() == 4
    assert not Investigation.objects.filter(is_synthetic=False).exists()
    assert not Suspect.objects.filter(is_synthetic=False).exists()
    assert Sentence.objects.exists() and Charge.objects.filter(outcome="convicted").exists()
    assert (
        AuditEvent.objects.filter(detail__event="record_outcome").count()
        == Charge.objects.exclude(outcome="pending").count()
    )
    # Cases linked are the brigade's own.
    for inv in Investigation.objects.prefetch_related("cases"):
        assert all(c.organisation_id == inv.organisation_id for c in inv.cases.all())
    call_command("seed_demo", cases=40)
    assert (Investigation.objects.count(), Suspect.objects.count(), Charge.objects.count()) == counts
