"""The password page and policy (common French and English passwords refused), and the lockout: per
username and address, per address whatever the usernames (spraying), without storing typed text."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from sira.accounts import passwords
from sira.audit.models import AuditEvent
from sira.testing.factories import UserFactory

PASSWORD = "test-password-123"


@pytest.mark.parametrize(
    "password",
    [
        "motdepasse1",
        "Motdepasse2026!",
        "soleil2026",
        "azerty123456",
        "password123",
        "bamako2026!",
        "jetaime1234",
    ],
)
def test_common_french_and_english_passwords_are_refused(password):
    with pytest.raises(ValidationError) as refused:
        password_validation.validate_password(password)
    assert "password_too_common" in [e.code for e in refused.value.error_list]


@pytest.mark.parametrize("password", ["kora-sable-mangue-17", "Djoliba fleuve 1960 nuit"])
def test_uncommon_passwords_pass(password):
    password_validation.validate_password(password)


def test_the_french_list_names_its_source_and_holds_what_it_should():
    header = passwords.FRENCH_LIST.read_text(encoding="utf-8")[:1200]
    assert "tarraschk/richelieu" in header and "CC BY 4.0" in header
    words = passwords.french_passwords()
    assert {"motdepasse", "azerty", "soleil", "bamako"} <= words and len(words) > 1000


def _change(client, new, old=PASSWORD):
    return client.post(
        reverse("accounts:password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def test_the_password_page_refuses_a_common_password_in_french(awa):
    client = Client()
    client.force_login(awa)
    page = client.get(reverse("accounts:password_change")).content.decode()
    assert "<h1>Changer mon mot de passe</h1>" in page and ">Tableau de bord</a>" in page
    response = _change(client, "motdepasse1")
    assert response.status_code == 200
    assert "Ce mot de passe est trop courant." in response.content.decode()
    awa.refresh_from_db()
    assert awa.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="change", detail__fields=["password"]).exists()


def test_the_password_page_changes_it_keeps_the_session_and_audits(awa):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(awa)
    response = _change(client, "kora-sable-mangue-17")
    assert response["Location"] == reverse("accounts:password_change_done")
    awa.refresh_from_db()
    assert awa.check_password("kora-sable-mangue-17")
    done = client.get(reverse("accounts:password_change_done")).content.decode()
    assert "<h1>Password changed</h1>" in done
    event = AuditEvent.objects.get(action="change", object_type="accounts.user", detail__fields=["password"])
    assert event.actor == awa and "kora" not in str(event.detail)
    assert client.get(reverse("accounts:dashboard")).status_code == 200  # still logged in, still verified


def test_the_password_page_needs_both_factors(awa):
    assert Client().get(reverse("accounts:password_change")).status_code == 302
    from sira.testing import auth

    half = Client()
    auth.password_only_login(half, awa)
    response = _change(half, "kora-sable-mangue-17")
    assert response.status_code == 302 and "two-factor" in response["Location"]
    awa.refresh_from_db()
    assert awa.check_password(PASSWORD)


def test_spraying_from_one_address_is_locked(org_a):
    """16 guesses over 4 accounts (4 each, under the per-account limit) lock the address."""
    users = [UserFactory(username=f"cible{n}", organisation=org_a) for n in range(5)]
    sprayer = Client(REMOTE_ADDR="203.0.113.9")
    statuses = []
    for guess in range(4):
        for user in users[:4]:
            response = sprayer.post(
                reverse("accounts:login"), {"username": user.username, "password": f"x{guess}"}
            )
            statuses.append(response.status_code)
    assert statuses.count(429) == 16 - settings.SIRA_LOGIN_SOURCE_FAILURE_LIMIT + 1
    # The address is locked even for an account it never tried, with the right password.
    response = sprayer.post(reverse("accounts:login"), {"username": "cible4", "password": PASSWORD})
    assert response.status_code == 429 and "_auth_user_id" not in sprayer.session
    # Everyone else logs in.
    assert (
        Client(REMOTE_ADDR="192.0.2.20")
        .post(reverse("accounts:login"), {"username": "cible4", "password": PASSWORD})
        .status_code
        == 302
    )


def test_one_user_typing_wrong_is_locked_only_from_that_address(awa):
    client = Client(REMOTE_ADDR="203.0.113.10")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "awa", "password": "wrong"})
    assert (
        client.post(reverse("accounts:login"), {"username": "awa", "password": PASSWORD}).status_code == 429
    )
    other = Client(REMOTE_ADDR="192.0.2.30")
    assert other.post(reverse("accounts:login"), {"username": "awa", "password": PASSWORD}).status_code == 302


def test_text_typed_as_an_unknown_username_is_not_stored(awa):
    typed = "Kora-Secret-Passw0rd!"  # a password typed in the username field
    Client().post(reverse("accounts:login"), {"username": typed, "password": "x"})
    attempt = AccessAttempt.objects.get()
    assert attempt.username.startswith("unknown:") and typed not in attempt.username
    assert typed not in attempt.post_data and typed not in attempt.get_data
    # A real account's failures are kept under its name (the administrator can unlock it).
    Client().post(reverse("accounts:login"), {"username": "awa", "password": "x"})
    assert AccessAttempt.objects.filter(username="awa").exists()
