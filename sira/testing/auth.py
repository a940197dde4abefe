"""Logged-in test clients that have passed both factors, as a real login leaves them.

The root conftest makes `Client.force_login` (and so `APIClient.force_login`) a full login: password and
second factor. The rule itself stays on: `password_only_login` gives the half-logged-in session a
user has after typing only their password, and the 2FA tests use it."""

import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

TEST_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test secret, "12345678901234567890"

password_only_login = Client.force_login


def authenticator(user) -> TOTPDevice:
    """The user's confirmed authenticator (created with the test key if they have none)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test", key=TEST_KEY, confirmed=True)


def code(device: TOTPDevice, *, ahead: int = 0) -> str:
    """The code the authenticator app would show now (or `ahead` time steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def fresh_code(device: TOTPDevice) -> str:
    """A code the server has not accepted yet (a code works once: the next step's if need be)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return code(device, ahead=1 if totp.t() <= device.last_t else 0)


def mark_verified(client: Client, user) -> None:
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = authenticator(user).persistent_id
    session.save()


def force_login(self: Client, user, backend=None) -> None:
    password_only_login(self, user, backend)
    mark_verified(self, user)
