"""Login lockout, on django-axes: the rules that decide when a username, an address or an account is
locked, each once. Axes counts the failures (password step and second-factor step alike) in its
AccessAttempt table, one row per username, address and browser.

- A username from one address: AXES_FAILURE_LIMIT failures lock that pair (axes' own rule; the
  owner of the account can still log in from elsewhere, so nobody can lock anyone out from afar).
- One address, whatever the usernames: SIRA_LOGIN_SOURCE_FAILURE_LIMIT failures within the cool-off
  lock the address (password spraying: a few guesses on each of many accounts).
- An account: locked while any address is locked out of it; its API tokens are refused then.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.utils import timezone
from django.utils.crypto import salted_hmac


def lockout_username(request, credentials=None) -> str | None:
    """The username axes records (AXES_USERNAME_CALLABLE): the username of an existing account as typed,
    or a keyed hash of text that matches no account, which is often a password typed in the wrong field;
    the hash still lets repeated failures with the same text be counted."""
    if credentials:
        typed = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        typed = getattr(request, "POST", {}).get(settings.AXES_USERNAME_FORM_FIELD)
    if typed is None:
        return None
    typed = str(typed)[:150]
    if get_user_model().objects.filter(username=typed).exists():
        return typed
    return "unknown:" + salted_hmac("sira.accounts.lockout", typed, algorithm="sha256").hexdigest()[:24]


def _since():
    return timezone.now() - get_cool_off()


def source_failures(address) -> int:
    """Failed logins from one address within the cool-off, over every username."""
    attempts = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=_since())
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


def source_locked(address) -> bool:
    return source_failures(address) >= settings.SIRA_LOGIN_SOURCE_FAILURE_LIMIT


def account_locked(user) -> bool:
    """Any address is locked out of this account."""
    return (
        AccessAttempt.objects.filter(username=user.get_username(), attempt_time__gte=_since())
        .values("ip_address")
        .annotate(n=Sum("failures_since_start"))
        .filter(n__gte=settings.AXES_FAILURE_LIMIT)
        .exists()
    )


def is_locked_out(user, request) -> bool:
    """For credentials other than the password (API tokens): refused while the account is locked from
    any address, or the request's address is locked."""
    AxesProxyHandler.update_request(request)
    return account_locked(user) or source_locked(request.axes_ip_address)


def is_locked(request, username: str) -> bool:
    """The login rule for this username from this request's address (the second-factor step asks it)."""
    return AxesProxyHandler.is_locked(request, {settings.AXES_USERNAME_FORM_FIELD: username})


class SiraAxesHandler(AxesDatabaseHandler):
    """Axes' database handler plus the per-address rule (AXES_HANDLER)."""

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or source_locked(request.axes_ip_address)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is not None and not request.axes_locked_out and source_locked(request.axes_ip_address):
            request.axes_locked_out = True
            request.axes_credentials = credentials
