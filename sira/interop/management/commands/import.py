"""manage.py import --format htcds|ctdc FILE --organisation ACRONYM [--quarantine] [--lang fr|en]"""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from sira.interop import importer, services


def progress_bar(stream):
    """A progress bar on a terminal; nothing when the output is a file or a pipe."""
    if not stream.isatty():
        return None

    def show(done, total):
        share = min(done / total, 1.0)
        filled = int(share * 40)
        stream.write(f"\r[{'#' * filled}{'.' * (40 - filled)}] {share:6.1%}")
        if done >= total:
            stream.write("\n")
        stream.flush()

    return show


class Command(BaseCommand):
    help = "Import an HTCDS or CTDC file of records (all or nothing, or --quarantine for bad rows)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", required=True, choices=importer.FORMATS)
        parser.add_argument("--organisation", required=True, help="acronym of the organisation")
        parser.add_argument(
            "--user",
            help="username recorded as identifying the cases (default: the organisation's first active user)",
        )
        parser.add_argument(
            "--region", help="region code for records without one (default: the organisation's)"
        )
        parser.add_argument("--quarantine", action="store_true", help="set bad rows aside, import the others")
        parser.add_argument("--lang", default="fr", choices=("fr", "en"))

    def handle(self, *args, **options):
        from sira.accounts.models import Organisation, User

        language = options["lang"]
        with translation.override(language):
            organisation = Organisation.objects.filter(acronym__iexact=options["organisation"]).first()
            if organisation is None:
                raise CommandError(
                    _("No organisation with the acronym %(acronym)s.") % {"acronym": options["organisation"]}
                )
            users = User.objects.filter(organisation=organisation, is_active=True)
            user = (
                users.filter(username=options["user"]) if options["user"] else users.order_by("pk")
            ).first()
            if user is None:
                raise CommandError(_("No active user of this organisation to record the import under."))
            try:
                result = services.import_file(
                    options["file"],
                    fmt=options["format"],
                    organisation=organisation,
                    by=user,
                    quarantine=options["quarantine"],
                    region=options["region"],
                    language=language,
                    progress=progress_bar(sys.stderr),
                )
            except services.ImportRefused as refused:
                for problem in refused.problems:
                    self.stderr.write(problem)
                raise CommandError(
                    _("%(n)d problems: nothing was imported.") % {"n": len(refused.problems)}
                ) from None
            except FileNotFoundError:
                raise CommandError(_("File not found: %(path)s") % {"path": options["file"]}) from None
            for problem in result.problems:
                self.stderr.write(str(problem))
            self.stdout.write(
                _(
                    "%(rows)d rows read: %(imported)d imported, %(already)d already imported, "
                    "%(quarantined)d set aside for correction."
                )
                % {
                    "rows": result.rows,
                    "imported": result.imported,
                    "already": result.already,
                    "quarantined": result.quarantined,
                }
            )
