from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sira.screening.catalogue import CatalogueError
from sira.screening.loaders import store
from sira.screening.models import CatalogueVersion


class Command(BaseCommand):
    help = "Load a new version of the indicator catalogue (YAML). Screenings keep the version they used."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--not-current", action="store_true", help="Load without making it the current version."
        )

    def handle(self, *args, file, not_current, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            version = store(CatalogueVersion, path.read_text(encoding="utf-8"), make_current=not not_current)
        except CatalogueError as exc:
            raise CommandError("The catalogue was not loaded:\n- " + "\n- ".join(exc.problems)) from exc
        state = "current" if version.is_current else "loaded, not current"
        self.stdout.write(
            f"Catalogue {version.version} {state}: {len(version.data['indicators'])} indicators."
        )
