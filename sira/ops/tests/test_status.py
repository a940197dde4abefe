"""manage.py status: what an administrator needs, and exit status 1 when something needs attention."""

import datetime as dt
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

import sira
from sira.audit import services as audit
from sira.core import health

ROOT = Path(__file__).resolve().parents[3]


def status(*args) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("status", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def backup_dir(tmp_path, settings, monkeypatch):
    """Backups are written by the real writer; the dump itself is a stand-in (a live dump of the
    suite's open transaction is sira/core/tests/test_backup.py's business)."""
    from sira.core import backup

    monkeypatch.setattr(backup, "_dump_stream", lambda: iter([b"dump"]))
    settings.SIRA_BACKUP_DIR = tmp_path
    return tmp_path


def test_version_matches_the_project():
    text = (ROOT / "pyproject.toml").read_text()
    assert f'version = "{sira.__version__}"' in text


@pytest.mark.django_db
def test_all_well_after_a_verified_backup(backup_dir, awa):
    audit.record("login", actor=awa)
    anchor = audit.anchor()
    call_command("backup", output=str(backup_dir / "sira-1.sirabackup"), stdout=StringIO())
    (backup_dir / "sira-1.sirabackup.verified").touch()
    out = status("--verify-audit")
    assert f"Version: {sira.__version__}" in out
    assert "Migrations: all applied" in out
    assert "sira-1.sirabackup" in out and ", verified" in out
    assert f"last sequence {anchor.seq}" in out and "intact" in out
    assert "Statistics: never refreshed (manage.py refresh_statistics)" in out
    from sira.statistics import layer

    done = layer.refresh()
    out = status("--verify-audit")
    assert f"Statistics: last refresh {done.finished_at.isoformat(timespec='seconds')}" in out
    assert out.strip().endswith("All well.")


@pytest.mark.django_db
def test_no_backup_or_unverified_or_old_needs_attention(backup_dir, monkeypatch):
    with pytest.raises(CommandError, match="backup") as raised:
        status()
    assert raised.value.returncode == 1
    call_command("backup", output=str(backup_dir / "sira-2.sirabackup"), stdout=StringIO())
    with pytest.raises(CommandError, match="backup"):
        status()  # not verified by the timer
    (backup_dir / "sira-2.sirabackup.verified").touch()
    status()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=27)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    with pytest.raises(CommandError, match="backup"):
        status()  # a day without a backup


@pytest.mark.django_db
def test_pending_migrations_are_named(backup_dir, monkeypatch):
    call_command("backup", output=str(backup_dir / "b.sirabackup"), stdout=StringIO())
    (backup_dir / "b.sirabackup.verified").touch()
    monkeypatch.setattr(health, "_code_migrations", health.code_migrations() | {("cases", "9999_next")})
    out = StringIO()
    with pytest.raises(CommandError, match="migrations"):
        call_command("status", stdout=out)  # French first, as on the server
    assert "Migrations : 1 en attente : cases.9999_next" in out.getvalue()


@pytest.mark.django_db
def test_broken_audit_chain_is_reported(backup_dir, awa):
    from sira.audit.models import AuditEvent

    call_command("backup", output=str(backup_dir / "b.sirabackup"), stdout=StringIO())
    (backup_dir / "b.sirabackup.verified").touch()
    audit.record("login", actor=awa)
    audit.record("logout", actor=awa)
    AuditEvent.objects.filter(seq=1).update(action="export")  # triggers are off in the suite
    out = StringIO()
    with pytest.raises(CommandError, match="audit"), translation.override("en"):
        call_command("status", "--verify-audit", stdout=out)
    assert "BROKEN: Audit chain broken at entry id" in out.getvalue()


@pytest.mark.slow
def test_periodic_job_of_a_missing_command_is_skipped(tmp_path):
    """The referral_deadlines timer on a release without it: a line in the journal, exit 0."""
    env = {
        **os.environ,
        "SIRA_PYTHON": sys.executable,
        "DJANGO_SETTINGS_MODULE": "sira.settings_test",
        "SIRA_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [str(ROOT / "deploy/bin/sira-job"), "no_such_job"], env=env, capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    assert "no manage.py no_such_job: nothing to do" in result.stdout
