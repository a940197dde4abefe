from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sira.core.backup import BackupError, verify_backup


class Command(BaseCommand):
    help = "Check a backup whole (every record, its order and the dump's checksum) without restoring it."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            manifest = verify_backup(Path(path))
        except (BackupError, OSError) as exc:
            raise CommandError(f"Backup NOT valid: {exc}") from exc
        self.stdout.write(f"Backup valid: {manifest['engine']}, made {manifest['created_at']}.")
