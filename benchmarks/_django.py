"""Shared start-up for the benchmark scripts: a throw-away SQLite database (or BENCH_DATABASE_URL)."""

import os
import sys
import tempfile
from pathlib import Path


def setup() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    tmp = tempfile.mkdtemp(prefix="sira-bench-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="sira.settings_test",
        DATABASE_URL=os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3"),
    )
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
