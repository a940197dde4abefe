"""API tokens: hashed at rest and shown once, expiring, ended by a password change, refused while the
account is inactive, locked out or without its second factor; no admin page shows a secret; the schema
needs a login."""

import datetime as dt

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from sira.accounts import tokens, twofactor
from sira.accounts.models import ApiToken
from sira.audit.models import AuditEvent
from sira.testing import auth
from sira.testing.factories import UserFactory

PASSWORD = "test-password-123"


def api(key, **extra) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en", **extra)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def all_database_text() -> str:
    """Every text column of every table, as one string (to look for a secret anywhere at rest)."""
    chunks = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = model._meta.db_table
            cols = [f.column for f in model._meta.concrete_fields]
            cursor.execute(f"SELECT {', '.join(connection.ops.quote_name(c) for c in cols)} FROM {table}")  # noqa: S608
            chunks.extend(str(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_the_token_page_shows_the_key_once_and_stores_only_its_digest(awa):
    client = Client()
    client.force_login(awa)
    response = client.post(reverse("accounts:api_token"))
    body = response.content.decode()
    key = body.split('data-testid="token">')[1].split("<")[0]
    assert len(key) >= 40
    token = ApiToken.objects.get(user=awa)
    assert token.digest != key and token.prefix == key[:8]
    assert key not in all_database_text()
    assert key not in client.get(reverse("accounts:api_token")).content.decode()  # never shown again
    assert api(key).get("/api/v1/cases/").status_code == 200
    assert AuditEvent.objects.filter(action="create", object_type="accounts.apitoken", actor=awa).exists()
    ApiToken.objects.update(last_used_at=None)


def test_renewing_ends_the_old_token_and_revoking_ends_it(awa):
    auth.authenticator(awa)
    _old, old_key = tokens.issue(awa)
    _new, new_key = tokens.issue(awa)
    assert api(old_key).get("/api/v1/cases/").status_code == 401
    assert api(new_key).get("/api/v1/cases/").status_code == 200
    client = Client()
    client.force_login(awa)
    client.post(reverse("accounts:api_token"), {"action": "revoke"})
    assert not ApiToken.objects.exists()
    assert api(new_key).get("/api/v1/cases/").status_code == 401


def test_a_token_expires(awa):
    auth.authenticator(awa)
    token, key = tokens.issue(awa)
    assert token.expires_at - timezone.now() > dt.timedelta(days=settings.SIRA_API_TOKEN_DAYS - 1)
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = api(key).get("/api/v1/cases/")
    assert response.status_code == 401
    assert response.json()["detail"] == "Token expired. Create a new one on the API token page."
    assert not ApiToken.objects.exists()


def test_changing_the_password_on_the_page_ends_the_token(awa):
    auth.authenticator(awa)
    _token, key = tokens.issue(awa)
    client = Client()
    client.force_login(awa)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "kora-sable-mangue-17",
            "new_password2": "kora-sable-mangue-17",
        },
    )
    assert response["Location"] == reverse("accounts:password_change_done")
    response = api(key).get("/api/v1/cases/")
    assert response.status_code == 401
    assert "revoked by a password change" in response.json()["detail"]
    assert not ApiToken.objects.exists()


def test_a_password_set_elsewhere_ends_the_token_too(awa):
    auth.authenticator(awa)
    _token, key = tokens.issue(awa)
    awa.set_password("kora-sable-mangue-17")  # the admin's password form, changepassword…
    awa.save()
    assert api(key).get("/api/v1/cases/").status_code == 401


def test_an_inactive_account_token_is_refused(awa):
    auth.authenticator(awa)
    _token, key = tokens.issue(awa)
    awa.is_active = False
    awa.save()
    response = api(key).get("/api/v1/cases/")
    assert response.status_code == 401 and response.json()["detail"] == "User inactive or deleted."


def test_a_token_is_refused_while_the_account_is_locked_out(awa):
    auth.authenticator(awa)
    _token, key = tokens.issue(awa)
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.post(reverse("accounts:login"), {"username": "awa", "password": "wrong"})
    response = api(key, REMOTE_ADDR="192.0.2.10").get("/api/v1/cases/")
    assert response.status_code == 401
    assert response.json()["detail"] == "Account locked: too many failed login attempts."


def test_a_token_needs_the_second_factor_set_up(awa):
    auth.authenticator(awa)
    _token, key = tokens.issue(awa)
    TOTPDevice.objects.filter(user=awa).delete()
    response = api(key).get("/api/v1/cases/")
    assert response.status_code == 401
    assert response.json()["detail"] == "Two-factor authentication is not set up for this account."


def test_the_token_page_needs_the_second_factor(awa):
    client = Client()
    auth.password_only_login(client, awa)
    response = client.post(reverse("accounts:api_token"))
    assert response.status_code == 302 and not ApiToken.objects.exists()


def test_the_schema_needs_a_login(awa):
    assert Client().get("/api/v1/schema/").status_code == 401
    auth.authenticator(awa)
    _token, key = tokens.issue(awa)
    assert api(key).get("/api/v1/schema/").status_code == 200
    half = Client()
    auth.password_only_login(half, awa)
    assert half.get("/api/v1/schema/").status_code == 401


@pytest.mark.parametrize("language", ["fr", "en"])
def test_no_admin_page_shows_a_secret(org_a, awa, language):
    device = auth.authenticator(awa)
    codes = twofactor.issue_recovery_codes(awa)
    _token, key = tokens.issue(awa)
    root = UserFactory(
        username="root", organisation=org_a, role="administrator", is_staff=True, is_superuser=True
    )
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(root)
    secrets = [key, device.key, twofactor.manual_key(device).replace(" ", ""), *codes]
    secrets += [ApiToken.objects.get().digest]
    pages = [reverse("admin:index")]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        pages.append(reverse("admin:{}_{}_changelist".format(*info)))
        obj = model.objects.first()
        if obj is not None:
            pages.append(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))
    pages.append(reverse("admin:accounts_user_change", args=[awa.pk]))
    assert ApiToken not in admin.site._registry and TOTPDevice not in admin.site._registry
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        body = response.content.decode().replace(" ", "")
        for secret in secrets:
            assert secret.replace(" ", "") not in body, (page, secret)
