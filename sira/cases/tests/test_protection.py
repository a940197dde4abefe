"""Identities are encrypted at rest, searchable only through keyed tokens, and every read is audited."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from sira.audit.models import AuditEvent
from sira.cases.models import Person
from sira.testing.factories import CaseFactory

ROOT = Path(__file__).resolve().parents[3]


def _raw_person_row(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT first_name, last_name, phone FROM cases_person WHERE id = %s", [pk])
        return cursor.fetchone()


def test_identity_columns_hold_ciphertext_not_names(awa):
    case = CaseFactory(by=awa, first_name="Kadidiatou", last_name="Sanogo")
    first, last, _phone = _raw_person_row(case.person_id)
    assert "Kadidiatou" not in first and "Sanogo" not in last
    fernet = MultiFernet([Fernet(k) for k in settings.SIRA_FIELD_ENCRYPTION_KEYS])
    assert fernet.decrypt(first.encode()).decode() == "Kadidiatou"
    assert Person.objects.get(pk=case.person_id).last_name == "Sanogo"


def test_name_search_ignores_case_and_accents(awa, client):
    case = CaseFactory(by=awa, first_name="Fatoumata", last_name="Traoré")
    CaseFactory(by=awa, first_name="Mariam", last_name="Diarra")
    client.force_login(awa)
    for query in ["traore", "FATOUMATA TRAORÉ", "Fatoumata", case.case_number.lower()]:
        body = client.post(reverse("cases:list"), {"q": query}, follow=True).content.decode()
        assert case.case_number in body, query
    body = client.post(reverse("cases:list"), {"q": "Diarra"}, follow=True).content.decode()
    assert case.case_number not in body  # more in test_name_search.py


def test_viewing_a_case_records_an_identity_read(awa, client):
    case = CaseFactory(by=awa)
    client.force_login(awa)
    before = AuditEvent.objects.filter(action="view_identity").count()
    assert client.get(reverse("cases:detail", args=[case.pk]), REMOTE_ADDR="10.1.2.3").status_code == 200
    event = AuditEvent.objects.filter(action="view_identity").latest("id")
    assert AuditEvent.objects.filter(action="view_identity").count() == before + 1
    assert (event.actor, event.object_id, event.ip_address) == (awa, str(case.pk), "10.1.2.3")
    assert "first_name" in event.detail["fields"]


def test_api_identity_read_and_export_are_audited(awa):
    case = CaseFactory(by=awa)
    api = APIClient()
    api.force_authenticate(awa)
    api.get(f"/api/v1/cases/{case.pk}/")
    assert AuditEvent.objects.filter(action="view_identity", object_id=str(case.pk), actor=awa).exists()
    api.get("/api/v1/cases/export/")
    export = AuditEvent.objects.get(action="export", actor=awa)
    assert export.detail["count"] == 1


def test_registration_and_changes_are_audited_with_field_names_only(awa, client):
    case = CaseFactory(by=awa, first_name="Oumou")
    assert AuditEvent.objects.filter(action="create", object_id=str(case.pk)).exists()
    from sira.cases.services import update_case

    update_case(case, by=awa, person={"first_name": "Oumou Kalsoum"}, case_fields={"case_status": "FollowUp"})
    change = AuditEvent.objects.get(action="change", object_id=str(case.pk))
    assert change.detail["fields"] == ["person.first_name", "case_status"]
    assert "Kalsoum" not in str(change.detail)


def test_audit_events_cannot_be_edited_or_deleted_through_the_application(awa):
    CaseFactory(by=awa)
    event = AuditEvent.objects.first()
    event.action = "export"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


@pytest.mark.django_db
def test_database_triggers_make_the_audit_table_append_only():
    from django.db import DatabaseError, transaction

    from sira.audit.models import AuditEvent as Event

    migration = __import__("sira.audit.migrations.0002_append_only", fromlist=["SQLITE"])
    statements = {"sqlite": migration.SQLITE, "postgresql": migration.POSTGRES}[connection.vendor]
    Event.objects.create(action="login", actor_username="x")
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
    for attempt in (lambda: Event.objects.update(action="logout"), lambda: Event.objects.all().delete()):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    assert Event.objects.get().action == "login"


@pytest.mark.slow
def test_demo_database_file_contains_no_demo_name(tmp_path):
    """Seed the demo into a real SQLite file and read it byte by byte."""
    db_file = tmp_path / "demo.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sira.settings",
        "DATABASE_URL": f"sqlite:///{db_file}",
        "SIRA_DEV_SECRETS": "1",
        "SIRA_AUDIT_TRIGGERS": "1",
    }
    for command in (["migrate", "-v0"], ["seed_demo", "--cases", "60"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    fernet = MultiFernet([Fernet(k) for k in settings.SIRA_FIELD_ENCRYPTION_KEYS])
    with sqlite3.connect(db_file) as db:
        rows = db.execute("SELECT first_name, last_name, is_synthetic FROM cases_person").fetchall()
        with pytest.raises(sqlite3.DatabaseError):
            db.execute("DELETE FROM audit_auditevent")
    from sira.demo.seed import INTEROP_CASES  # the partner's file the demo imports (sira/interop)

    assert len(rows) == 60 + INTEROP_CASES and all(synthetic for *_names, synthetic in rows)
    names = {
        (fernet.decrypt(f.encode()).decode(), fernet.decrypt(la.encode()).decode()) for f, la, _s in rows
    }
    raw = db_file.read_bytes()
    for first, last in names:
        assert f"{first} {last}".encode() not in raw
        assert last.encode() not in raw
