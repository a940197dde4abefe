from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from sira.audit import services


class Command(BaseCommand):
    help = (
        "Append an anchor entry to the audit chain and print its digest (SEQ:HASH). Record it outside "
        "Sira (committee register, e-mail, paper): verify_audit --anchor SEQ:HASH proves later that "
        "nothing up to it was rewritten. Run it daily (cron)."
    )

    def handle(self, *args, **options):
        entry = services.anchor()
        self.stdout.write(
            _("Audit anchor %(at)s: %(seq)s:%(hash)s")
            % {"at": entry.at.isoformat(timespec="seconds"), "seq": entry.seq, "hash": entry.hash}
        )
