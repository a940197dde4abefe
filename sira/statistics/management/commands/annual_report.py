import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from sira.statistics import annual_report, layer


class Command(BaseCommand):
    help = "Write the annual national report on trafficking in persons (PDF, suppressed figures)."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="Calendar year reported on, e.g. 2025.")
        parser.add_argument("--lang", required=True, help="fr or en.")
        parser.add_argument("--out", required=True, help="The PDF file to write.")
        parser.add_argument(
            "--refresh", action="store_true", help="Rebuild the statistics tables first (refresh_statistics)."
        )

    def handle(self, *args, year, lang, out, refresh=False, **options):
        # Messages in the report's language when it is one we have, else in the default (French).
        with translation.override(lang if lang in annual_report.LANGUAGES else settings.LANGUAGE_CODE):
            errors = annual_report.check(year, lang)
            target = Path(out)
            if not errors and not target.parent.is_dir():
                errors.append(_("The folder of “%(path)s” does not exist.") % {"path": out})
            if errors:
                raise CommandError(" ".join(errors))
            if refresh:
                layer.refresh()
            pdf = annual_report.produce(int(year), lang)
            # Written beside the target and renamed: a failure never leaves a partial file.
            fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(pdf)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            self.stdout.write(
                _("Annual report %(year)s written to %(path)s (%(size)s bytes).")
                % {"year": year, "path": out, "size": len(pdf)}
            )
