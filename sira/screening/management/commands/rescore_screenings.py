from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sira.screening import rescore
from sira.screening.models import CatalogueVersion


class Command(BaseCommand):
    help = (
        "Compare completed screenings of older catalogue versions under VERSION: a report of old and "
        "new outcomes. Stored results are never changed."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # --version is this command's own option, in place of Django's "print the Django version".
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("--version", required=True, help="A loaded catalogue version.")
        parser.add_argument("--output", help="Write the report as CSV to this file (else print it).")

    def handle(self, *args, version, output=None, **options):
        try:
            target = CatalogueVersion.objects.get(version=version)
        except CatalogueVersion.DoesNotExist:
            known = ", ".join(CatalogueVersion.objects.values_list("version", flat=True))
            raise CommandError(f"No catalogue version {version} is loaded (loaded: {known}).") from None
        rows = rescore.compare(target)
        if output:
            with Path(output).open("w", encoding="utf-8", newline="") as fh:
                rescore.write_csv(rows, fh)
        else:
            rescore.write_csv(rows, self.stdout)
        changed = sum(r.changed == "yes" for r in rows)
        self.stdout.write(
            f"{len(rows)} screening(s) compared under {target.version}: {changed} changed; "
            "stored results unchanged."
        )
        for transition, count in sorted(rescore.transitions(rows).items()):
            self.stdout.write(f"  {transition}: {count}")
        if output:
            self.stdout.write(f"Report written to {output}.")
