"""Changes to one's own account that are not the second factor (twofactor.py) or tokens (tokens.py)."""

from sira.audit.models import AuditEvent
from sira.audit.services import record


def password_changed(request) -> None:
    """Record a password change made on the password page. The change itself ends the user's API tokens
    (tokens.py compares the password a token was created under) and Django ends their other sessions."""
    record(AuditEvent.Action.CHANGE, request=request, obj=request.user, fields=["password"])
