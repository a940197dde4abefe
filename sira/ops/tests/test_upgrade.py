"""Upgrade from the previous release's data: a scratch database (SQLite file, or a PostgreSQL database
beside the test database) migrated to release 1's migrations, seeded with release 1's historical
models, migrated forward to this code; then the data is read back with today's models."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from sira.ops import upgrade

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.slow


def git(*args) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)  # noqa: S607


def test_previous_release_is_what_that_commit_shipped():
    """The targets are the newest migrations of each app at the release commit (when git can tell)."""
    if git("cat-file", "-e", upgrade.PREVIOUS_RELEASE_COMMIT).returncode != 0:
        pytest.skip("not a git checkout with the release commit")
    for app, name in upgrade.PREVIOUS_RELEASE:
        listed = git("ls-tree", "--name-only", f"{upgrade.PREVIOUS_RELEASE_COMMIT}:sira/{app}/migrations/")
        newest = max(f.removesuffix(".py") for f in listed.stdout.split() if f[:4].isdigit())
        assert newest == name, (app, newest)
    # And every later migration still exists in this code, so the path forward is complete.
    nodes = MigrationLoader(None, ignore_no_migrations=True).graph.nodes
    assert all(target in nodes for target in upgrade.PREVIOUS_RELEASE)


def scratch_database(tmp_path):
    """A DATABASE_URL for an empty scratch database of the suite's engine, and how to remove it."""
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'upgrade.sqlite3'}", lambda: None
    import psycopg

    s = connection.settings_dict
    name = f"{s['NAME']}_upgrade_{uuid.uuid4().hex[:6]}"
    params = {**connection.get_connection_params(), "dbname": "postgres", "autocommit": True}
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    with psycopg.connect(**params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    url = f"postgres://{auth}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{name}"

    def drop():
        with psycopg.connect(**params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url, drop


@pytest.mark.django_db
def test_upgrade_from_the_previous_release_keeps_the_data(tmp_path):
    url, drop = scratch_database(tmp_path)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "sira.settings_test",
        "SIRA_VAR_DIR": str(tmp_path),
    }
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup(); from sira.ops import upgrade; upgrade.rehearse()",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        drop()
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    # The identity, still encrypted under the same keys, reads back whole.
    assert report["name"] == list(upgrade.NAME) and report["phone"] == upgrade.PHONE
    assert report["narrative"] == "Rencontrée au marché de Kayes."
    assert report["forms"] == ["DomesticServitude"] and report["consents"] == [["Registration", True]]
    # Later migrations did their work on the old rows: capitals (cases/0002), name tokens (0002) so
    # the person is found without the accent, a number counter started from the old numbers (0004),
    # a version on each record (0006), the old audit entries chained in order (audit/0003).
    assert report["case_number"] == upgrade.OLD_NUMBER.upper()
    assert report["name_tokens"] > 0 and len(report["search"]) == 1
    assert report["counter"] == [[2026, 7]]
    assert report["next_number"] == "TSTA-2026-0008"
    assert report["version"] >= 1
    assert report["chain"] == "intact" and report["audit_seqs"] == [1, 2, 3]
    assert report["password_ok"]
