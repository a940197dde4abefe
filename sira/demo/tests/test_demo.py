import pytest
from django.core.management import call_command

from sira.accounts.models import Organisation, User
from sira.cases.models import Case, Person
from sira.demo.seed import INTEROP_CASES
from sira.screening.models import Screening


@pytest.mark.slow
@pytest.mark.django_db
def test_demo_seed_is_synthetic_and_idempotent(capsys):
    call_command("seed_demo", cases=30)
    counts = (
        Organisation.objects.count(),
        User.objects.count(),
        Case.objects.count(),
        Screening.objects.count(),
    )
    call_command("seed_demo", cases=30)
    assert (
        Organisation.objects.count(),
        User.objects.count(),
        Case.objects.count(),
        Screening.objects.count(),
    ) == counts
    assert counts[2] == 30 + INTEROP_CASES and counts[3] == 10
    assert not Case.objects.filter(is_synthetic=False).exists()
    assert not Person.objects.filter(is_synthetic=False).exists()
    assert not Organisation.objects.filter(is_synthetic=False).exists()
    assert not Screening.objects.filter(is_synthetic=False).exists()
    assert {u.role for u in User.objects.all()} == {
        "frontline_worker",
        "case_manager",
        "service_provider",
        "investigator",
        "prosecutor",
        "national_statistician",
        "administrator",
    }
    assert "sira-demo-2026" in capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.django_db
def test_demo_data_keeps_the_registry_rules():
    """Demo seeding is an entry path like any other: what it writes obeys the same rules."""
    from sira.cases import rules, services
    from sira.cases.models import CaseGrant

    call_command("seed_demo", cases=60)
    grants = CaseGrant.objects.filter(revoked_at__isnull=True).select_related("case", "user")
    assert grants.exists()
    for grant in grants:  # sharing only with the person's consent to that organisation
        grantee = grant.organisation_id or grant.user.organisation_id
        assert grantee in services.sharing_organisation_ids(grant.case), grant.pk
    for case in Case.objects.select_related("identification_cercle", "person"):
        assert not (case.case_status in rules.CLOSED_STATUSES and not case.closure_reason)
        if case.identification_cercle:
            assert case.identification_cercle.region_id == case.identification_region_id
        assert case.age_at_identification is None or case.age_at_identification <= rules.MAX_AGE
