from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from sira.ops import status as ops


def chain_text(chain: str) -> str:
    if chain == "intact":
        return _("intact")
    return _("BROKEN: %(where)s") % {"where": chain.removeprefix("broken: ")}


class Command(BaseCommand):
    help = (
        "The state of this server for its administrator: version, database, pending migrations, last "
        "backup, statistics, audit chain (--verify-audit recomputes it; slow on a large log). Exits with "
        "status 1 when something needs attention (for monitoring)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--verify-audit", action="store_true", help="recompute the whole audit chain")

    def handle(self, *args, verify_audit, **options):
        now = timezone.now()
        state = ops.gather(verify_chain=verify_audit)
        say = self.stdout.write
        say(_("Version: %(version)s") % {"version": state.version})
        if not state.reachable:
            say(_("Database: %(database)s, NOT reachable") % {"database": state.database})
        else:
            say(_("Database: %(database)s, reachable") % {"database": state.database})
            if state.pending:
                names = ", ".join(f"{app}.{name}" for app, name in state.pending)
                say(
                    _("Migrations: %(count)s pending: %(names)s")
                    % {"count": len(state.pending), "names": names}
                )
            else:
                say(_("Migrations: all applied"))
        say(_("Keys: present and usable") if state.keys else _("Keys: MISSING or unusable"))
        backup = state.backup
        if backup is None:
            say(_("Last backup: none found"))
        else:
            hours = (now - backup.created_at).total_seconds() / 3600 if backup.created_at else None
            say(
                _("Last backup: %(path)s, made %(at)s (%(hours)s hours ago), %(verified)s")
                % {
                    "path": backup.path,
                    "at": backup.created_at.isoformat() if backup.created_at else "?",
                    "hours": f"{hours:.1f}" if hours is not None else "?",
                    "verified": _("verified") if backup.verified else _("NOT verified"),
                }
            )
        where = _("the replica") if state.replica else _("the primary database")
        refresh = state.statistics_refresh
        if refresh is None:
            say(
                _("Statistics: never refreshed (manage.py refresh_statistics); read from %(where)s")
                % {"where": where}
            )
        else:
            say(
                _(
                    "Statistics: last refresh %(at)s (%(seconds)s s, %(cells)s cells, %(hours)s hours ago); "
                    "read from %(where)s"
                )
                % {
                    "at": refresh.finished_at.isoformat(timespec="seconds"),
                    "seconds": f"{refresh.seconds:.1f}",
                    "cells": refresh.cells,
                    "hours": f"{(now - refresh.finished_at).total_seconds() / 3600:.1f}",
                    "where": where,
                }
            )
        if state.audit_head is not None:
            say(
                _("Audit chain: %(count)s entries, last sequence %(seq)s, last anchor %(anchor)s, %(chain)s")
                % {
                    "count": state.audit_entries,
                    "seq": state.audit_head,
                    "anchor": state.last_anchor.isoformat(timespec="seconds")
                    if state.last_anchor
                    else _("none"),
                    "chain": chain_text(state.chain) if verify_audit else _("not checked (--verify-audit)"),
                }
            )
        problems = state.problems(now)
        if problems:
            labels = {
                "database": _("database"),
                "migrations": _("migrations"),
                "keys": _("keys"),
                "backup": _("backup"),
                "audit": _("audit chain"),
            }
            what = ", ".join(str(labels[p]) for p in problems)
            raise CommandError(_("Needs attention: %(what)s") % {"what": what}, returncode=1)
        say(_("All well."))
