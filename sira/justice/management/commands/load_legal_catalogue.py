from django.core.management.base import BaseCommand, CommandError

from sira.justice import loaders
from sira.justice.models import LegalArticle


class Command(BaseCommand):
    help = "Load or update the legal catalogue (sira/justice/data/legal-articles.yaml, or a file given)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="A catalogue file (default: the shipped one).")

    def handle(self, *args, path=None, **options):
        text = open(path, encoding="utf-8").read() if path else None  # noqa: SIM115
        try:
            created, updated = loaders.load(LegalArticle, text)
        except loaders.CatalogueError as error:
            raise CommandError("; ".join(error.args[0])) from error
        self.stdout.write(f"Legal articles: {created} created, {updated} updated.")
