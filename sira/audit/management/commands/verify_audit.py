from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sira.audit import rules, services


class Command(BaseCommand):
    help = (
        "Recompute the audit hash chain and report the first broken link (exit status 1), or that it holds. "
        "--anchor SEQ:HASH (repeatable) also checks digests recorded outside Sira by audit_anchor."
    )

    def add_arguments(self, parser):
        parser.add_argument("--anchor", action="append", default=[], metavar="SEQ:HASH")

    def handle(self, *args, **options):
        anchors = []
        for text in options["anchor"]:
            seq, _sep, digest = text.partition(":")
            if not seq.strip().isdigit() or len(digest.strip()) != 64:
                raise CommandError(
                    _("An anchor is written SEQ:HASH, as audit_anchor prints it: %(text)s") % {"text": text}
                )
            anchors.append((int(seq), digest.strip()))
        found = services.verify_chain()
        if isinstance(found, rules.Break):
            raise CommandError(services.describe(found), returncode=1)
        for seq, digest in anchors:
            if not services.check_anchor(seq, digest):
                raise CommandError(
                    _("Anchor %(seq)s:%(hash)s does not match the log: it was rewritten up to that entry.")
                    % {"seq": seq, "hash": digest},
                    returncode=1,
                )
        for weakness in services.role_weaknesses():
            if weakness == "owner":
                warning = _(
                    "Warning: this connection's database role owns the audit table, so it can disable "
                    "the triggers; the application must not connect with it (see audit_grants)."
                )
            else:
                warning = _(
                    "Warning: this connection's database role may %(privilege)s the audit table; "
                    "the application must not connect with it (see audit_grants)."
                ) % {"privilege": weakness}
            self.stderr.write(warning)
        self.stdout.write(
            _("Audit chain intact: %(count)s entries, last sequence %(seq)s, hash %(hash)s.")
            % {"count": found.count, "seq": found.seq, "hash": found.hash}
        )
        if anchors:
            self.stdout.write(_("%(count)s anchors match.") % {"count": len(anchors)})
