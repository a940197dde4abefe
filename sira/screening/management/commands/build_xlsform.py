from django.core.management.base import BaseCommand

from sira.screening.services import current_catalogue
from sira.screening.xlsform import build_workbook


class Command(BaseCommand):
    help = (
        "Write the screening questionnaire as an XLSForm (French and English) for ODK Collect / KoboCollect."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", default="sira-screening.xlsx", help="Path of the XLSForm to write.")

    def handle(self, *args, output, **options):
        catalogue = current_catalogue()
        build_workbook(catalogue).save(output)
        self.stdout.write(f"XLSForm for catalogue {catalogue.version} written to {output}")
