"""What an administrator needs to know about a running server, gathered once (manage.py status)."""

import datetime as dt
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection

import sira
from sira.audit import rules as audit_rules
from sira.audit import services as audit
from sira.audit.models import AuditEvent
from sira.core import health
from sira.core.backup import BackupError, read_manifest

BACKUP_MAX_AGE = dt.timedelta(hours=26)  # the timer runs daily; a day and a margin


@dataclass
class Backup:
    path: Path
    created_at: dt.datetime | None
    verified: bool


@dataclass
class Status:
    version: str
    database: str
    reachable: bool
    pending: list[tuple[str, str]] = field(default_factory=list)
    backup: Backup | None = None
    replica: bool = False
    audit_entries: int = 0
    audit_head: int | None = None
    last_anchor: dt.datetime | None = None
    chain: str = "not checked"  # "intact", "broken: …", "not checked"
    keys: bool = False
    statistics_refresh: object = None  # sira.statistics.models.Refresh | None

    def problems(self, now: dt.datetime) -> list[str]:
        found = []
        if not self.reachable:
            found.append("database")
        if self.pending:
            found.append("migrations")
        if not self.keys:
            found.append("keys")
        backup = self.backup
        if not (
            backup and backup.created_at and backup.verified and now - backup.created_at <= BACKUP_MAX_AGE
        ):
            found.append("backup")
        if self.chain.startswith("broken"):
            found.append("audit")
        return found


def version() -> str:
    """The release, and the commit when the code is a git checkout."""
    root = Path(settings.BASE_DIR)
    try:
        commit = subprocess.run(  # noqa: S603 - fixed command
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"{sira.__version__} ({commit})" if commit else sira.__version__


def last_backup(directory: Path) -> Backup | None:
    """The newest backup in SIRA_BACKUP_DIR, its time from its manifest (in clear, no key needed), and
    whether the timer's verify_backup passed on it (a `.verified` file beside it)."""
    files = sorted(directory.glob("*.sirabackup"), key=lambda p: p.stat().st_mtime, reverse=True)
    if not files:
        return None
    newest = files[0]
    try:
        created = dt.datetime.fromisoformat(read_manifest(newest)[0]["created_at"])
    except (BackupError, OSError, KeyError, ValueError):
        created = None
    return Backup(newest, created, newest.with_name(newest.name + ".verified").exists())


def gather(*, verify_chain: bool = False) -> Status:
    db = connection.settings_dict
    status = Status(
        version=version(),
        database=f"{connection.vendor} {db.get('NAME')}",
        reachable=True,
        replica="replica" in settings.DATABASES,
        keys=health.keys_usable(),
    )
    try:
        status.pending = health.pending_migrations()
    except DatabaseError:
        status.reachable = False
        return status
    status.backup = last_backup(Path(settings.SIRA_BACKUP_DIR))
    if ("statistics", "0001_initial") not in status.pending:
        from sira.statistics import layer

        status.statistics_refresh = layer.last_refresh()
    if ("audit", "0003_hash_chain") not in status.pending:
        head = AuditEvent.objects.order_by("-seq").values("seq").first()
        status.audit_head = head["seq"] if head else 0
        status.audit_entries = AuditEvent.objects.count()
        anchor = AuditEvent.objects.filter(action=AuditEvent.Action.ANCHOR).order_by("-seq").first()
        status.last_anchor = anchor.at if anchor else None
        if verify_chain:
            found = audit.verify_chain()
            status.chain = (
                f"broken: {audit.describe(found)}" if isinstance(found, audit_rules.Break) else "intact"
            )
    return status
