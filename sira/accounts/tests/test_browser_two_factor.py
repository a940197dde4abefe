"""Two-factor authentication in a real browser at phone size (390x844): a new frontline worker logs in,
enrols an authenticator from the key shown, keeps the recovery codes, logs out, and logs in again with a
code, in French and then in English."""

import base64
import time
from pathlib import Path

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from sira.audit.models import AuditEvent
from sira.testing import auth
from sira.testing.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"


def _code_from_key(manual_key: str) -> str:
    key = manual_key.replace(" ", "")
    totp = TOTP(base64.b32decode(key + "=" * (-len(key) % 8)))
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_enrol_log_out_and_log_in_with_a_code(page, org_a):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 390, "height": 844})
    user = UserFactory(username="fatou", organisation=org_a, role="frontline_worker")

    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", "fatou")
    page.fill("#id_password", "test-password-123")
    page.click("button.primary")
    # First login: enrolment, in French.
    page.wait_for_selector("text=Configurer l’authentification à deux facteurs")
    assert page.is_visible('[data-testid="qr"] svg')
    page.screenshot(path=str(SHOTS / "two-factor-setup-phone.png"), full_page=True)
    page.fill("#id_code", _code_from_key(page.inner_text('[data-testid="manual-key"]')))
    page.click("text=Confirmer")
    page.wait_for_selector("text=Vos codes de secours")
    assert page.locator('[data-testid="recovery-codes"] li').count() == 10
    page.screenshot(path=str(SHOTS / "two-factor-recovery-codes-phone.png"), full_page=True)
    page.click("text=Je les ai notés : continuer")
    page.wait_for_selector("h1:has-text('Tableau de bord')")
    assert TOTPDevice.objects.get(user=user).confirmed

    page.click("form.logout button")
    page.wait_for_selector("#id_username")
    # Second login, in English: the password, then a code.
    page.click('[data-testid="lang-en"]')
    page.wait_for_selector("h1:has-text('Log in')")
    page.fill("#id_username", "fatou")
    page.fill("#id_password", "test-password-123")
    page.click("button.primary")
    page.wait_for_selector("h1:has-text('Login code')")
    page.screenshot(path=str(SHOTS / "two-factor-code-phone-en.png"), full_page=True)
    page.fill("#id_code", auth.fresh_code(TOTPDevice.objects.get(user=user)))
    page.click("button.primary")
    page.wait_for_selector("h1:has-text('Dashboard')")
    assert page.url.endswith("/accounts/dashboard/")
    assert AuditEvent.objects.filter(action="login", actor=user, detail__second_factor="totp").exists()
