"""Personal API tokens: each rule that makes one usable, once. A token is stored as the SHA-256 digest of
its key (the key is 256 random bits, so an unkeyed digest cannot be reversed), shown once at creation,
and works only while:

- it has not expired (SIRA_API_TOKEN_DAYS after creation);
- the password has not changed since it was created (any path: page, admin, command);
- the account is active, is not locked out (sira/accounts/lockout.py), and, for the roles that need two
  factors, has an authenticator set up (a token is created from a session that passed the code step;
  an administrator's reset of the second factor ends the tokens).
"""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sira.accounts import lockout, twofactor
from sira.accounts.models import ApiToken
from sira.audit.models import AuditEvent
from sira.audit.services import record

# Refresh "last used" at most this often: an API client must not cost a write per request.
LAST_USED_PRECISION = dt.timedelta(minutes=10)


class TokenRefused(Exception):
    """The token cannot be used; the message says why, in the user's language."""


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def password_fingerprint(user) -> str:
    return hashlib.sha256(user.password.encode()).hexdigest()


@transaction.atomic
def issue(user, *, request=None) -> tuple[ApiToken, str]:
    """A new token for the user (their previous one ends). Returns it with its key, to show once."""
    key = secrets.token_urlsafe(32)
    ApiToken.objects.filter(user=user).delete()
    token = ApiToken.objects.create(
        user=user,
        digest=_digest(key),
        prefix=key[:8],
        password_fingerprint=password_fingerprint(user),
        expires_at=timezone.now() + dt.timedelta(days=settings.SIRA_API_TOKEN_DAYS),
    )
    record(
        AuditEvent.Action.CREATE, actor=user, request=request, obj=token, expires=token.expires_at.isoformat()
    )
    return token, key


def revoke(user, *, request=None) -> int:
    count = ApiToken.objects.filter(user=user).delete()[0]
    if count:
        record(AuditEvent.Action.CHANGE, actor=user, request=request, obj=user, fields=["api_token"])
    return count


def _ended(token: ApiToken):
    """Why the token itself is over (expired, or its password changed), or None."""
    if token.expires_at <= timezone.now():
        return _("Token expired. Create a new one on the API token page.")
    if token.password_fingerprint != password_fingerprint(token.user):
        return _("Token revoked by a password change. Create a new one on the API token page.")
    return None


def refusal(token: ApiToken, request=None):
    """Why this token cannot be used now, or None. The one list of the rules above."""
    user = token.user
    if ended := _ended(token):
        return ended
    if not user.is_active:
        return _("User inactive or deleted.")
    if twofactor.requires_second_factor(user) and not twofactor.has_authenticator(user):
        return _("Two-factor authentication is not set up for this account.")
    if request is not None and lockout.is_locked_out(user, request):
        return _("Account locked: too many failed login attempts.")
    return None


def authenticate(key: str, request=None):
    """The user a token key stands for; TokenRefused otherwise."""
    token = ApiToken.objects.select_related("user").filter(digest=_digest(key)).first()
    if token is None:
        raise TokenRefused(_("Invalid token."))
    if reason := refusal(token, request):
        if _ended(token):
            token.delete()  # an ended token is not kept
        raise TokenRefused(reason)
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def current(user) -> ApiToken | None:
    """The user's token while it has not ended (for the token page)."""
    token = ApiToken.objects.filter(user=user).select_related("user").first()
    return token if token is not None and not _ended(token) else None
