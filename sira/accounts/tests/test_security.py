import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from sira.audit.models import AuditEvent
from sira.testing.factories import CaseFactory

ROOT = Path(__file__).resolve().parents[3]


def test_login_locks_out_after_repeated_failures(awa):
    client = Client()
    url = reverse("accounts:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "awa", "password": "wrong"})
    response = client.post(url, {"username": "awa", "password": "test-password-123"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="login_failed").count() >= settings.AXES_FAILURE_LIMIT


def test_successful_login_is_audited(awa):
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "awa", "password": "test-password-123"})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="login", actor=awa).exists()


def test_sessions_expire_when_idle_and_with_the_browser(awa, monkeypatch):
    """Activity pushes the session's expiry back (at most once a minute, not a write a request); an
    idle session ends SESSION_COOKIE_AGE after its last refresh; the cookie dies with the browser."""
    from django.contrib.sessions.models import Session

    from sira.core import middleware

    assert settings.SESSION_COOKIE_AGE <= 60 * 60 and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    client = Client()
    client.force_login(awa)
    clock = [1_000_000.0]
    monkeypatch.setattr(middleware.time, "time", lambda: clock[0])
    client.get(reverse("accounts:dashboard"))
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    first = Session.objects.get(session_key=key).expire_date
    clock[0] += 30  # within the minute: no write
    client.get(reverse("accounts:dashboard"))
    assert Session.objects.get(session_key=key).expire_date == first
    clock[0] += 31  # a minute after the last refresh: the expiry moves
    client.get(reverse("accounts:dashboard"))
    assert Session.objects.get(session_key=key).expire_date > first
    assert client.cookies[settings.SESSION_COOKIE_NAME]["expires"] == ""  # a browser-session cookie


def test_security_headers_are_sent(awa):
    client = Client()
    client.force_login(awa)
    response = client.get(reverse("accounts:dashboard"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"


def test_forms_require_a_csrf_token(awa):
    client = Client(enforce_csrf_checks=True)
    client.force_login(awa)
    assert client.post(reverse("cases:create"), {}).status_code == 403


def test_statistician_sees_counts_but_never_a_name(secretariat, awa, bakary):
    # Distinctive names: a common word as a surname (Faker can give "Pages") would match page text.
    cases = [CaseFactory(by=awa, first_name=f"Zelinda{n}", last_name=f"Quorvath{n}") for n in range(6)]
    cases.append(CaseFactory(by=bakary, region="ML05", first_name="Zelinda9", last_name="Quorvath9"))
    from sira.statistics import layer

    layer.refresh()  # the dashboard reads the pre-aggregated statistics
    client = Client()
    client.force_login(secretariat)
    pages = [
        client.get(reverse("accounts:dashboard")),
        client.get(reverse("cases:list")),
        client.get("/api/v1/cases/"),
    ]
    for response in pages:
        body = response.content.decode()
        for case in cases:
            assert case.person.first_name not in body and case.person.last_name not in body
            assert case.case_number not in body
    dashboard = pages[0].content.decode()
    assert "<strong>7</strong>" in dashboard  # 7 cases in all
    assert "<td>&lt;5</td>" in dashboard  # Mopti region: 1 case, suppressed
    # Kayes (6) is hidden too: beside the total of 7 it would give Mopti's 1 away.
    assert "<td>6</td>" not in dashboard
    assert client.get(reverse("cases:detail", args=[cases[0].pk])).status_code == 404


@pytest.mark.slow
def test_deploy_check_is_clean_under_production_settings(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sira.settings",
        "SIRA_DEBUG": "0",
        "SIRA_DEV_SECRETS": "0",
        "SIRA_SECRET_KEY": "x" * 60 + "production-like-secret-key",
        "SIRA_FIELD_ENCRYPTION_KEYS": "bXdH0c8Vv2kFZ2QhJ7qfS8mC1ZyH5O3m9tqjv3Yd3cQ=",
        "SIRA_BLIND_INDEX_KEY": "a" * 64,
        "SIRA_ALLOWED_HOSTS": "sira.example.ml",
        "SIRA_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.slow
def test_production_refuses_to_start_without_keys(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIRA_")}
    env |= {"DJANGO_SETTINGS_MODULE": "sira.settings", "SIRA_VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0 and "SIRA_SECRET_KEY" in result.stderr
    assert not (tmp_path / "secrets").exists()
