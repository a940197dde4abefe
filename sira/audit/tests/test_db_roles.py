"""Production roles on PostgreSQL: after `audit_grants --app-role`, the application's role reads and
appends to the audit log and nothing else, and cannot lift its triggers; the rest of Sira works."""

import importlib
import os

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import translation

from sira.accounts.models import User
from sira.audit import services
from sira.audit.models import AuditEvent
from sira.audit.services import record

append_only = importlib.import_module("sira.audit.migrations.0002_append_only")

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="database roles: PostgreSQL only"
)


@pytest.fixture(autouse=True)
def french():
    """Operators read the commands' messages in French first."""
    with translation.override("fr"):
        yield


@pytest.fixture
def app_role(awa):
    """A role made for this test (in its transaction, so it vanishes with it), given the grants."""
    name = f"sira_test_app_{os.getpid()}"
    with connection.cursor() as cursor:
        for sql in append_only.POSTGRES:
            cursor.execute(sql)
        cursor.execute(f'CREATE ROLE "{name}" NOLOGIN')
    record(AuditEvent.Action.LOGIN, actor=awa)
    call_command("audit_grants", "--app-role", name, "--apply", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return name


def refused(role: str, sql: str) -> str:
    """Run `sql` as `role`; return the database's refusal (the savepoint's rollback resets the role)."""
    with pytest.raises(DatabaseError) as failure, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET ROLE "{role}"')
        cursor.execute(sql)
    return str(failure.value)


@postgres_only
def test_application_role_reads_and_appends_only(app_role, awa):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET ROLE "{app_role}"')
        record(AuditEvent.Action.LOGOUT, actor=awa)  # append, through the chain lock
        seen = AuditEvent.objects.count()
        User.objects.filter(pk=awa.pk).update(first_name="Awa")  # the rest of Sira is writable
        weaknesses = services.role_weaknesses()
        cursor.execute("RESET ROLE")
    assert seen == 2 and weaknesses == []
    assert list(AuditEvent.objects.order_by("seq").values_list("action", flat=True)) == ["login", "logout"]

    assert "permission denied" in refused(app_role, "UPDATE audit_auditevent SET action = 'export'")
    assert "permission denied" in refused(app_role, "DELETE FROM audit_auditevent")
    assert "permission denied" in refused(app_role, "TRUNCATE audit_auditevent")
    assert "must be owner" in refused(app_role, "ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
    assert "must be owner" in refused(app_role, "DROP TRIGGER audit_no_change ON audit_auditevent")
    assert AuditEvent.objects.count() == 2
    assert services.role_weaknesses() == ["owner", "UPDATE", "DELETE", "TRUNCATE"]  # the test's superuser


def test_grants_are_printed_for_the_owner_to_run():
    out = type("Out", (), {"text": "", "write": lambda self, t: setattr(self, "text", self.text + t)})()
    call_command("audit_grants", "--app-role", "sira_app", stdout=out)
    assert 'GRANT SELECT, INSERT ON "audit_auditevent" TO "sira_app";' in out.text
    assert 'REVOKE ALL ON "audit_auditevent" FROM "sira_app"' in out.text


def test_a_role_name_that_is_not_one_is_refused():
    with pytest.raises(CommandError, match="pas un nom de rôle PostgreSQL"):
        call_command("audit_grants", "--app-role", 'x"; DROP TABLE audit_auditevent; --', "--apply")
