import pytest
from django.core.management import call_command

from sira.accounts.models import Organisation, User
from sira.cases.models import Case, Person
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
    assert counts[2] == 30 and counts[3] == 10
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
