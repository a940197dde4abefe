from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sira.core.backup import BackupError, restore_backup, table_counts


class Command(BaseCommand):
    help = (
        "Replace the database's content with an encrypted backup made by `backup`, after checking all of "
        "it. Stop the application first. Needs SIRA_BACKUP_KEY, and the field and blind-index keys the "
        "database had. On PostgreSQL, run it as the role that owns the tables."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--yes", action="store_true", help="confirm: the current data is replaced")

    def handle(self, *args, path, yes, **options):
        if not yes:
            raise CommandError("This replaces every row of the database: run again with --yes.")
        try:
            manifest = restore_backup(Path(path))
        except (BackupError, OSError) as exc:
            raise CommandError(f"Nothing restored: {exc}") from exc
        counts = table_counts()
        differ = {t: (n, counts.get(t)) for t, n in manifest["tables"].items() if counts.get(t) != n}
        if differ:
            raise CommandError(f"Restored, but row counts differ from the manifest: {differ}")
        self.stdout.write(
            f"Restored {path} ({manifest['created_at']}): {sum(counts.values())} rows, counts match."
        )
