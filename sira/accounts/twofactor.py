"""Two-factor authentication: who needs it, enrolment, the code step of the login, recovery codes and
an administrator's reset. Built on django-otp (TOTP devices, the verified-session marker).

Who needs it: every role that can see a person's identity or a justice record — which, in Sira, is every
role. Frontline workers, case managers and investigators see the identities in their scope; service
providers and prosecutors those of the cases granted to them, and investigators and prosecutors the
justice records; the national statistician sees names only of a case granted to them, but grants to
them exist (studies, audits); the administrator manages users and their access. Staff and superusers
too, whatever their role. The set is SECOND_FACTOR_ROLES below: the one place to change it."""

import base64
import secrets

import segno
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.crypto import salted_hmac
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from sira.accounts import lockout
from sira.accounts.models import ApiToken, RecoveryCodeDevice, Role
from sira.audit.models import AuditEvent
from sira.audit.services import record

SECOND_FACTOR_ROLES = frozenset(Role)
RECOVERY_CODE_COUNT = 10
DEVICE_NAME = "authenticator"


def requires_second_factor(user) -> bool:
    return user.is_authenticated and (user.role in SECOND_FACTOR_ROLES or user.is_staff or user.is_superuser)


def is_verified(user) -> bool:
    """The session passed the code step (django-otp's OTPMiddleware sets is_verified on request.user)."""
    return bool(getattr(user, "is_verified", lambda: False)())


def lacks_second_factor(user) -> bool:
    """The gate every page and API session asks: logged in with the password but not with the code."""
    return requires_second_factor(user) and not is_verified(user)


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


# Enrolment -----------------------------------------------------------------------------------------


def pending_authenticator(user) -> TOTPDevice:
    """The authenticator being set up: created at the first visit of the enrolment page, kept (same key,
    same QR code) until confirmed with a code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def manual_key(device: TOTPDevice) -> str:
    """The secret as people type it into an authenticator app: base32, in groups of four."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code (no image request, no third party)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2, omitsize=True)


def recovery_code_digest(code: str) -> str:
    normalised = "".join(ch for ch in code.lower() if ch.isalnum())
    return salted_hmac("sira.accounts.recovery-code", normalised, algorithm="sha256").hexdigest()


def _new_recovery_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(7)).decode().lower()[:10]
    return f"{raw[:5]}-{raw[5:]}"


def issue_recovery_codes(user) -> list[str]:
    """New one-time recovery codes (the old ones stop working). Returned once, stored only as hashes."""
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCodeDevice.objects.filter(user=user).delete()
    RecoveryCodeDevice.objects.create(
        user=user, name="recovery", confirmed=True, digests=[recovery_code_digest(c) for c in codes]
    )
    return codes


@transaction.atomic
def confirm_enrolment(request, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the pending authenticator with a code from it: the session is then verified and the user
    gets their recovery codes (returned, to show once). None if the code is wrong."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=request.user, confirmed=False)
    if not device.verify_token(code.strip()):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
    codes = issue_recovery_codes(request.user)
    _mark_verified(request, device)
    record(
        AuditEvent.Action.CHANGE,
        request=request,
        obj=request.user,
        fields=["second_factor"],
        event="enrolled",
    )
    return codes


# The code step of the login --------------------------------------------------------------------------


def _mark_verified(request, device) -> None:
    otp_login(request, device)
    request.session.cycle_key()  # a new session id for the session that now holds the second factor


def verify(request, code: str) -> bool:
    """Check a code (six digits from the authenticator, or a recovery code) for the logged-in user. A
    success verifies the session; a failure counts towards the lockout like a wrong password."""
    user = request.user
    code = code.strip()
    with transaction.atomic():
        if code.isdigit():
            devices = TOTPDevice.objects.filter(user=user, confirmed=True)
            kind = "totp"
        else:
            devices = RecoveryCodeDevice.objects.filter(user=user, confirmed=True)
            kind = "recovery_code"
        device = next((d for d in devices.select_for_update() if d.verify_token(code)), None)
        if device is not None:
            _mark_verified(request, device)
            detail = {"second_factor": kind}
            if kind == "recovery_code":
                detail["recovery_codes_left"] = len(device.digests)
            record(AuditEvent.Action.LOGIN, request=request, **detail)
            return True
    # Outside the transaction: the failure is counted (axes) and audited even though nothing changed.
    user_login_failed.send(
        sender=__name__, credentials={settings.AXES_USERNAME_FORM_FIELD: user.get_username()}, request=request
    )
    return False


def is_locked(request) -> bool:
    return lockout.is_locked(request, request.user.get_username())


# Recovery by an administrator ----------------------------------------------------------------------


@transaction.atomic
def reset(user, *, by, request=None) -> None:
    """An administrator removes a user's authenticator and recovery codes (lost phone): the user sets up
    a new one at their next login. Their API tokens end too. Nobody resets their own: a second
    administrator must (otherwise a stolen administrator password alone would replace the factor)."""
    if user.pk == by.pk:
        raise PermissionDenied("An administrator cannot reset their own second factor.")
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCodeDevice.objects.filter(user=user).delete()
    tokens = ApiToken.objects.filter(user=user).delete()[0]
    record(
        AuditEvent.Action.CHANGE,
        actor=by,
        request=request,
        obj=user,
        fields=["second_factor"],
        event="reset",
        api_tokens_revoked=tokens,
    )


def seed_demo_authenticator(user, key_hex: str) -> TOTPDevice:
    """Synthetic demo users only: a confirmed authenticator with the documented demo key."""
    if not user.is_synthetic:
        raise PermissionDenied("Only synthetic demo users get the demo authenticator.")
    device, _created = TOTPDevice.objects.update_or_create(
        user=user, name="demo", defaults={"key": key_hex, "confirmed": True}
    )
    return device
