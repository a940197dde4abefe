"""Statistics read from the replica when one is configured; nothing else does; nothing migrates it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from sira.core import db as routing
from sira.statistics import national

ROOT = Path(__file__).resolve().parents[3]


def test_router_sends_only_statistics_reads_to_the_replica(monkeypatch):
    router = routing.ReplicaRouter()
    assert not routing.has_replica()  # the suite has none
    with routing.statistics_reads():
        assert router.db_for_read(None) is None  # no replica configured: the primary
    monkeypatch.setattr(routing, "has_replica", lambda: True)
    assert router.db_for_read(None) is None  # the primary
    with routing.statistics_reads():
        assert router.db_for_read(None) == "replica"
        assert router.db_for_write(None) == "default"
    assert router.db_for_read(None) is None
    assert router.allow_migrate("replica", "cases") is False
    assert router.allow_migrate("default", "cases") is None


@pytest.mark.django_db
def test_dashboard_reads_the_national_figures_as_statistics(secretariat, monkeypatch):
    seen = []
    real = national.national_summary

    def summary():
        seen.append(routing._statistics.get())
        return real()

    monkeypatch.setattr(national, "national_summary", summary)
    client = Client()
    client.force_login(secretariat)
    assert client.get("/accounts/dashboard/").status_code == 200
    assert seen == [True]


@pytest.mark.slow
def test_database_urls_from_files_and_the_replica_setting(tmp_path):
    (tmp_path / "app_url").write_text("postgres://sira_app:pw@db1:5432/sira\n")
    (tmp_path / "replica_url").write_text("postgres://sira_ro:pw@db2:5432/sira\n")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= {
        "DATABASE_URL_FILE": str(tmp_path / "app_url"),
        "SIRA_REPLICA_DATABASE_URL_FILE": str(tmp_path / "replica_url"),
        "DJANGO_SETTINGS_MODULE": "sira.settings_test",
        "SIRA_VAR_DIR": str(tmp_path),
    }
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: [v['HOST'], v['USER'], v['OPTIONS'].get('options')] "
        "for k, v in s.DATABASES.items()}))"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    databases = json.loads(result.stdout)
    assert databases["default"][:2] == ["db1", "sira_app"]
    assert databases["replica"][:2] == ["db2", "sira_ro"]
    assert "jit=off" in databases["replica"][2]  # the same connection options on both
