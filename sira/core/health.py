"""/healthz: is this server able to serve? The database answers, every migration of the code is
applied, the keys are present and usable. For load balancers and monitoring: it answers
`{"status": "ok"}` (200) or `{"status": "fail"}` (503) and nothing else, to anyone, so it reveals no
version, no configuration and no identity; which check failed goes to the server's log.

Cheap: one `SELECT` of the applied migrations (the code's own migrations are read once per process),
one encryption round trip in memory. Answered before any other middleware: no host check (a
monitor may call it by address), no session, no redirect to HTTPS, no login."""

import json
import logging

from cryptography.fernet import Fernet
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponse

logger = logging.getLogger("sira.health")
PATH = "/healthz"
_code_migrations: set[tuple[str, str]] | None = None


def code_migrations() -> set[tuple[str, str]]:
    """(app, name) of every migration the running code ships, read from disk once per process."""
    global _code_migrations
    if _code_migrations is None:
        from django.db.migrations.loader import MigrationLoader

        _code_migrations = set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)
    return _code_migrations


def pending_migrations() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        applied = set(cursor.fetchall())
    return sorted(code_migrations() - applied)


def keys_usable() -> bool:
    if not (settings.SECRET_KEY and settings.SIRA_BLIND_INDEX_KEY and settings.SIRA_FIELD_ENCRYPTION_KEYS):
        return False
    try:
        fernet = Fernet(settings.SIRA_FIELD_ENCRYPTION_KEYS[0].strip())
        return fernet.decrypt(fernet.encrypt(b"healthz")) == b"healthz"
    except ValueError:
        return False


def failed_checks() -> list[str]:
    failed = []
    if not keys_usable():
        failed.append("keys")
    try:
        if pending_migrations():
            failed.append("migrations")
    except DatabaseError:
        failed.append("database")
    return failed


class HealthMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.rstrip("/") != PATH:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
        failed = failed_checks()
        if failed:
            logger.warning("health check failed: %s", ", ".join(failed))
        response = HttpResponse(
            json.dumps({"status": "fail" if failed else "ok"}),
            status=503 if failed else 200,
            content_type="application/json",
        )
        response["Cache-Control"] = "no-store"
        return response
