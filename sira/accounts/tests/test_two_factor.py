"""Two-factor authentication: required for every role after the password, enrolment at the first login,
the code step, recovery codes, lockout on wrong codes, and an administrator's audited reset."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from sira.accounts import tokens, twofactor
from sira.accounts.models import ApiToken, RecoveryCodeDevice, Role
from sira.audit.models import AuditEvent
from sira.testing import auth
from sira.testing.factories import UserFactory

PASSWORD = "test-password-123"


def password_step(user, language="fr") -> Client:
    """A browser that has typed the right password, and nothing else yet."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.mark.parametrize("role", list(Role))
def test_every_role_is_asked_for_a_second_factor_after_the_password(role, org_a):
    user = UserFactory(username=f"r-{role}", organisation=org_a, role=role)
    client = password_step(user)
    response = client.get(reverse("cases:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_setup"))  # no authenticator yet
    auth.authenticator(user)
    response = client.get(reverse("cases:list"))
    assert response["Location"] == reverse("accounts:two_factor") + "?next=%2Fcases%2F"
    # The API refuses the half-logged-in session too, with the reason.
    response = client.get("/api/v1/cases/")
    assert response.status_code == 401
    assert response.json()["detail"] == "Terminez d’abord la connexion en deux étapes."
    assert twofactor.requires_second_factor(user)


def test_staff_and_superusers_need_it_whatever_their_role(org_a, monkeypatch):
    user = UserFactory(username="staffer", organisation=org_a, role="national_statistician", is_staff=True)
    monkeypatch.setattr(twofactor, "SECOND_FACTOR_ROLES", frozenset())
    assert twofactor.requires_second_factor(user)
    user.is_staff = False
    assert not twofactor.requires_second_factor(user)


def test_the_helper_session_is_verified_and_the_password_only_one_is_not(awa):
    full, half = Client(), Client()
    full.force_login(awa)
    auth.password_only_login(half, awa)
    assert full.get(reverse("accounts:dashboard")).status_code == 200
    assert half.get(reverse("accounts:dashboard")).status_code == 302


def _key_from_page(body: str) -> bytes:
    import base64

    key = re.search(r'data-testid="manual-key">([A-Z2-7 ]+)<', body).group(1).replace(" ", "")
    return base64.b32decode(key + "=" * (-len(key) % 8))


def _code(key: bytes) -> str:
    import time

    totp = TOTP(key)
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_enrolment_at_first_login(awa, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a right code just after a wrong one (throttling: below)
    client = password_step(awa)
    response = client.get(reverse("accounts:dashboard"), follow=True)
    body = response.content.decode()
    assert "<h1>Configurer l’authentification à deux facteurs</h1>" in body
    assert "<svg" in body and 'data-testid="qr"' in body  # the QR code, inline
    key = _key_from_page(body)
    device = TOTPDevice.objects.get(user=awa)
    assert not device.confirmed and device.bin_key == key
    # Visiting again keeps the same key (the QR code already scanned still works).
    assert _key_from_page(client.get(reverse("accounts:two_factor_setup")).content.decode()) == key

    wrong = client.post(reverse("accounts:two_factor_setup"), {"code": "000000", "next": "/cases/"})
    assert "Ce code n’est pas valide" in wrong.content.decode()
    assert not TOTPDevice.objects.get(user=awa).confirmed

    response = client.post(reverse("accounts:two_factor_setup"), {"code": _code(key), "next": "/cases/"})
    body = response.content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{5}-[a-z2-7]{5})</code></li>", body)
    assert len(codes) == 10 and 'href="/cases/"' in body
    assert TOTPDevice.objects.get(user=awa).confirmed
    stored = RecoveryCodeDevice.objects.get(user=awa)
    assert len(stored.digests) == 10
    assert not any(c in str(stored.digests) or c.replace("-", "") in str(stored.digests) for c in codes)
    assert client.get(reverse("accounts:dashboard")).status_code == 200  # verified now
    event = AuditEvent.objects.get(action="change", object_type="accounts.user", object_id=str(awa.pk))
    assert event.detail == {"fields": ["second_factor"], "event": "enrolled"} and event.actor == awa
    # Once set up, the page does not offer a new key to whoever holds the password.
    assert client.get(reverse("accounts:two_factor_setup"))["Location"].startswith(
        reverse("accounts:two_factor")
    )


def test_login_asks_for_the_code_after_the_password(awa, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a right code just after a wrong one (throttling: below)
    device = auth.authenticator(awa)
    client = password_step(awa)
    response = client.get(reverse("accounts:dashboard"), follow=True)
    assert "<h1>Code de connexion</h1>" in response.content.decode()

    response = client.post(reverse("accounts:two_factor"), {"code": "123456", "next": "/cases/"})
    assert response.status_code == 200
    assert "Ce code n’est pas valide" in response.content.decode()
    failed = AuditEvent.objects.filter(action="login_failed", actor=awa)
    assert failed.count() == 1

    response = client.post(
        reverse("accounts:two_factor"), {"code": auth.fresh_code(device), "next": "/cases/"}
    )
    assert response.status_code == 302 and response["Location"] == "/cases/"
    assert client.get(reverse("cases:list")).status_code == 200
    login = AuditEvent.objects.filter(action="login", actor=awa).order_by("-id").first()
    assert login.detail == {"second_factor": "totp"}


def test_after_a_wrong_code_even_the_right_one_waits(awa):
    """django-otp's throttling: 1 s after one wrong code, 2 s after two…, so guessing is slow even
    from many addresses (the lockout counts per address)."""
    device = auth.authenticator(awa)
    client = password_step(awa)
    client.post(reverse("accounts:two_factor"), {"code": "000000"})
    assert client.post(reverse("accounts:two_factor"), {"code": auth.fresh_code(device)}).status_code == 200
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_a_code_works_only_once(awa):
    device = auth.authenticator(awa)
    code = auth.fresh_code(device)
    first, second = password_step(awa), password_step(awa)
    assert first.post(reverse("accounts:two_factor"), {"code": code}).status_code == 302
    assert second.post(reverse("accounts:two_factor"), {"code": code}).status_code == 200
    assert second.get(reverse("accounts:dashboard")).status_code == 302


def test_the_next_address_stays_on_the_site(awa):
    device = auth.authenticator(awa)
    client = password_step(awa)
    response = client.post(
        reverse("accounts:two_factor"), {"code": auth.fresh_code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("accounts:dashboard")


def test_a_recovery_code_works_once(awa):
    auth.authenticator(awa)
    codes = twofactor.issue_recovery_codes(awa)
    client = password_step(awa)
    assert client.post(reverse("accounts:two_factor"), {"code": codes[3].upper()}).status_code == 302
    assert client.get(reverse("accounts:dashboard")).status_code == 200
    assert len(RecoveryCodeDevice.objects.get(user=awa).digests) == 9
    event = AuditEvent.objects.filter(action="login", actor=awa).order_by("-id").first()
    assert event.detail == {"second_factor": "recovery_code", "recovery_codes_left": 9}
    again = password_step(awa)
    assert again.post(reverse("accounts:two_factor"), {"code": codes[3]}).status_code == 200
    assert again.get(reverse("accounts:dashboard")).status_code == 302


def test_wrong_codes_lock_the_account_like_wrong_passwords(awa):
    auth.authenticator(awa)
    client = password_step(awa)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(reverse("accounts:two_factor"), {"code": "000000"}).status_code == 200
    response = client.post(reverse("accounts:two_factor"), {"code": "000000"})
    assert response.status_code == 429
    assert "Compte bloqué" in response.content.decode()
    assert "_auth_user_id" not in client.session  # logged out
    # The password alone does not get back in while locked.
    retry = Client().post(reverse("accounts:login"), {"username": "awa", "password": PASSWORD})
    assert retry.status_code == 429


def _admin(org):
    admin = UserFactory(
        username="chef", organisation=org, role="administrator", is_staff=True, is_superuser=True
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin)
    return admin, client


def test_an_administrator_resets_a_lost_second_factor_and_it_is_audited(awa, org_a):
    auth.authenticator(awa)
    twofactor.issue_recovery_codes(awa)
    tokens.issue(awa)
    admin, client = _admin(org_a)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [awa.pk]},
        follow=True,
    )
    assert "Two-factor authentication reset for 1 user" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=awa).exists()
    assert not RecoveryCodeDevice.objects.filter(user=awa).exists()
    assert not ApiToken.objects.filter(user=awa).exists()
    event = AuditEvent.objects.get(action="change", object_id=str(awa.pk), detail__event="reset")
    assert event.actor == admin and event.detail["api_tokens_revoked"] == 1
    # At the next login the user sets up a new authenticator.
    assert (
        password_step(awa)
        .get(reverse("accounts:dashboard"))["Location"]
        .startswith(reverse("accounts:two_factor_setup"))
    )


def test_an_administrator_cannot_reset_their_own(org_a):
    admin, client = _admin(org_a)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [admin.pk]},
        follow=True,
    )
    assert "You cannot reset your own second factor" in response.content.decode()
    assert TOTPDevice.objects.filter(user=admin).exists()
    assert not AuditEvent.objects.filter(detail__event="reset").exists()


def test_the_admin_asks_for_the_second_factor_too(org_a):
    admin = UserFactory(username="chef", organisation=org_a, role="administrator", is_staff=True)
    client = Client()
    auth.password_only_login(client, admin)
    assert client.get("/admin/")["Location"].startswith(reverse("accounts:two_factor_setup"))
