"""What the lockout (django-axes) stores as the username of a failed login: the account name when one
was typed, otherwise a keyed hash, so a password or a person's name typed into the username box is never
kept in the lockout table or its log lines. Attempts on one typed value still count together."""

from sira.accounts.models import User
from sira.core.crypto import keyed_hash


def lockout_username(request, credentials=None) -> str | None:
    if credentials:
        typed = credentials.get("username")
    else:
        typed = getattr(request, "data", request.POST).get("username")
    if typed is None:
        return None
    typed = str(typed)
    if User.objects.filter(username=typed).exists():
        return typed
    return f"#{keyed_hash('login-username', typed)}"
