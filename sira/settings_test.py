"""Settings for the test suite: development key files under var/, and no append-only triggers on the
test database, which Django must empty between live-server tests (the triggers have their own test
on a real database file, see audit/tests)."""

import os

os.environ.setdefault("SIRA_DEV_SECRETS", "1")
os.environ.setdefault("SIRA_AUDIT_TRIGGERS", "0")

from sira.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The suite talks plain HTTP to Django's test client and live server.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
# Persistent connections would keep the live-server thread attached to the test database at teardown.
# (benchmarks/scale.py's server sets SIRA_TEST_CONN_MAX_AGE=60, as sira/settings.py has in production.)
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("SIRA_TEST_CONN_MAX_AGE", "0"))  # noqa: F405
