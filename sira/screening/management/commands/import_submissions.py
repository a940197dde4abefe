import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sira.accounts.models import User
from sira.screening import importer
from sira.screening.messages import import_error


class Command(BaseCommand):
    help = "Import a CSV or XLSX export of offline screening submissions. Idempotent on the submission id."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="Username the screenings are recorded under.")

    def handle(self, *args, file, user, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            importer_user = User.objects.get(username=user, organisation__isnull=False)
        except User.DoesNotExist as exc:
            raise CommandError(f"Unknown user, or user without an organisation: {user}") from exc
        try:
            batch = importer.start_import(by=importer_user, file_name=path.name, content=path.read_bytes())
        except importer.ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        batch = importer.run(batch, progress=self._progress)
        counts = batch.counts()
        self.stdout.write(
            f"{batch.total_rows} rows: {counts['accepted']} accepted, {counts['needs_fix']} need fixing, "
            f"{counts['duplicate']} duplicates."
        )
        for entry in batch.report:
            for error in entry["errors"]:
                self.stdout.write("  " + import_error(error))

    def _progress(self, batch):
        done = batch.processed_rows / batch.total_rows if batch.total_rows else 1
        bar = "#" * int(done * 30)
        sys.stderr.write(f"\r[{bar:<30}] {batch.processed_rows}/{batch.total_rows}")
        if batch.finished_at:
            sys.stderr.write("\n")
