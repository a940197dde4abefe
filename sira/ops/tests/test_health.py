"""/healthz: ok or fail, nothing else, to anyone; each check breaks it."""

import json
import logging

import pytest
from django.db import DatabaseError
from django.test import Client

from sira.core import health


@pytest.fixture
def client():
    return Client()


def test_healthy_server_answers_ok_and_nothing_else(client, db, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):  # cheap: the applied migrations, one SELECT
        response = client.get("/healthz", HTTP_HOST="10.0.0.5")  # a monitor calling by address
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"
    # No session, no login, no redirect, no cookie.
    assert not response.cookies
    assert client.head("/healthz/").status_code == 200


def test_other_methods_are_refused(client, db):
    assert client.post("/healthz").status_code == 405


@pytest.mark.parametrize(
    "break_it, failed",
    [
        (lambda mp: mp.setattr(health, "_code_migrations", {("cases", "9999_future")}), "migrations"),
        (lambda mp: mp.setattr(health.settings, "SIRA_FIELD_ENCRYPTION_KEYS", ["not-a-fernet-key"]), "keys"),
        (lambda mp: mp.setattr(health.settings, "SIRA_BLIND_INDEX_KEY", ""), "keys"),
        (
            lambda mp: mp.setattr(
                health, "pending_migrations", lambda: (_ for _ in ()).throw(DatabaseError())
            ),
            "database",
        ),
    ],
)
def test_each_check_fails_the_answer_and_is_logged_without_detail_to_the_client(
    client, db, monkeypatch, caplog, break_it, failed
):
    health.code_migrations()  # read once, as a running server has
    break_it(monkeypatch)
    with caplog.at_level(logging.WARNING, logger="sira.health"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "fail"}  # which check: only in the log
    assert failed in caplog.text


def test_an_unapplied_migration_of_the_code_is_seen(db):
    """The real comparison: a migration file the database has not applied."""
    from django.db.migrations.recorder import MigrationRecorder

    MigrationRecorder.Migration.objects.filter(
        app="cases", name="0006_versions_consent_basis_break_glass"
    ).delete()
    assert health.pending_migrations() == [("cases", "0006_versions_consent_basis_break_glass")]
    assert health.failed_checks() == ["migrations"]
