"""manage.py export --format htcds|ctdc|dhis2-json|dhis2-csv --out FILE [--k 11]"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from sira.interop import services

FORMATS = ("htcds", "ctdc", "dhis2-json", "dhis2-csv")


class Command(BaseCommand):
    help = "Export open data: k-anonymised HTCDS or CTDC records, or DHIS2 aggregate data values."

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument("--out", required=True)
        parser.add_argument(
            "--k",
            type=int,
            default=11,
            help="each released combination of quasi-identifiers "
            "is shared by at least k records (default 11, as CTDC)",
        )
        parser.add_argument(
            "--max-suppressed",
            type=float,
            default=None,
            help="share of records that may be suppressed before generalising further (0.05)",
        )
        parser.add_argument("--user", help="username recorded in the audit entry")
        parser.add_argument("--lang", default="fr", choices=("fr", "en"))

    def handle(self, *args, **options):
        from sira.accounts.models import User

        with translation.override(options["lang"]):
            by = None
            if options["user"]:
                by = User.objects.filter(username=options["user"]).first()
                if by is None:
                    raise CommandError(_("No user %(username)s.") % {"username": options["user"]})
            if options["k"] < 2:
                raise CommandError(_("k must be at least 2."))
            result = services.export_open_data(
                options["out"],
                fmt=options["format"],
                by=by,
                k=options["k"],
                max_suppressed=options["max_suppressed"],
            )
            if isinstance(result, int):
                self.stdout.write(_("%(n)d data values written.") % {"n": result})
                return None
            self.stdout.write(
                _(
                    "%(total)d records: %(written)d written (%(generalised)d generalised), %(suppressed)d "
                    "suppressed; k = %(k)d, generalisation level %(level)d."
                )
                % {
                    "total": result.total,
                    "written": result.written,
                    "generalised": result.generalised,
                    "suppressed": result.suppressed,
                    "k": result.k,
                    "level": result.level,
                }
            )
            return None
