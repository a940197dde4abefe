"""The demo directory and referrals: synthetic, seeded through the services (so the same rules hold:
consent to the receiver, eligibility, the transition table), idempotent."""

import pytest
from django.core.management import call_command

from sira.cases import services as case_services
from sira.referrals import rules
from sira.referrals.models import Referral, ServiceOffering

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_demo_directory_and_referrals():
    call_command("seed_demo", cases=60)
    counts = (ServiceOffering.objects.count(), Referral.objects.count())
    call_command("seed_demo", cases=60)
    assert (ServiceOffering.objects.count(), Referral.objects.count()) == counts
    assert counts[0] >= 15 and counts[1] >= 5
    assert not ServiceOffering.objects.filter(is_synthetic=False).exists()
    assert not Referral.objects.filter(is_synthetic=False).exists()
    # Shelter only in Bamako and Mopti's transit centre; none for adult men (as the reports say).
    shelters = ServiceOffering.objects.filter(service="Shelter")
    assert not [s for s in shelters if ("Masculine" in s.sexes or not s.sexes) and (s.age_max or 99) >= 18]
    states = set(Referral.objects.values_list("state", flat=True))
    assert {"sent", "accepted", "declined", "completed"} <= states
    for referral in Referral.objects.select_related("case", "grant"):
        assert case_services.sharing_basis(referral.case, referral.receiver_id) == "consent"
        live = referral.grant is not None and referral.grant.revoked_at is None
        assert live is (referral.state in rules.OPEN_STATES)
    assert Referral.objects.filter(decline_reason="no_capacity").exists()  # an unmet need to show
