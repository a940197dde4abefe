from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from sira.core.backup import BackupError, write_backup


class Command(BaseCommand):
    help = (
        "Write an encrypted, verifiable backup of the database (pg_dump on PostgreSQL, the database file "
        "on SQLite) encrypted with SIRA_BACKUP_KEY, with a manifest and a .sha256 beside it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", help="file to write (default: sira-YYYYmmdd-HHMMSS.sirabackup)")

    def handle(self, *args, output=None, **options):
        path = Path(output or f"sira-{timezone.now():%Y%m%d-%H%M%S}.sirabackup")
        try:
            manifest = write_backup(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"Backup written to {path}: {manifest['engine']}, {manifest['bytes']} bytes of dump, "
            f"{rows} rows in {len(manifest['tables'])} tables, key {manifest['key_id']}."
        )
