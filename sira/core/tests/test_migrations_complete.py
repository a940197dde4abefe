"""Every model change has its migration: a change without one would be applied nowhere (a model
edited after its migration was written passed every test that builds tables from migrations)."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration(capsys):
    try:
        call_command("makemigrations", "--check", "--dry-run", verbosity=1)
    except SystemExit as missing:
        pytest.fail(f"a model change has no migration: {capsys.readouterr().out}\n{missing}")
