from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from sira.audit import services


class Command(BaseCommand):
    help = (
        "Print (or, with --apply, run as the owner role) the GRANT/REVOKE statements that let the "
        "application role use Sira's tables but only INSERT and SELECT the audit log. PostgreSQL only; "
        "run after every migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument("--app-role", required=True, help="the role the application connects as")
        parser.add_argument("--apply", action="store_true", help="run the statements on this database")

    def handle(self, *args, **options):
        try:
            statements = services.grant_statements(options["app_role"])
        except ValueError:
            raise CommandError(
                _("%(role)s is not a PostgreSQL role name (letters, digits and _).")
                % {"role": options["app_role"]}
            ) from None
        if not options["apply"]:
            self.stdout.write(";\n".join(statements) + ";")
            return
        if connection.vendor != "postgresql":
            raise CommandError(_("Database roles exist on PostgreSQL only; nothing was changed."))
        with transaction.atomic(), connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
        self.stdout.write(
            _("Role %(role)s may now only read and append to the audit log.") % {"role": options["app_role"]}
        )
