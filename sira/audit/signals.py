from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from sira.audit.models import AuditEvent
from sira.audit.services import record
from sira.core.crypto import keyed_hash


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    record(AuditEvent.Action.LOGIN, actor=user, request=request)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(AuditEvent.Action.LOGOUT, actor=user, request=request)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    """The account name when one was typed; anything else (a password or a person's name typed in the
    wrong box) only as a keyed hash, so the log can show repeated attempts without holding what was
    typed."""
    typed = str(credentials.get("username", ""))[:150]
    known = bool(typed) and get_user_model().objects.filter(username=typed).exists()
    record(
        AuditEvent.Action.LOGIN_FAILED,
        request=request,
        username=typed if known else "",
        username_hash=keyed_hash("login-username", typed),
    )
