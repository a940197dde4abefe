"""Sira settings. Every value comes from the environment with a safe default; production is
documented in deploy/production.env.example. DEBUG defaults to off: `make run` turns it on."""

import secrets
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from sira.env import env_bool, env_int, env_list, env_optional_secret, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SIRA_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("SIRA_DEBUG", False)
# Outside DEBUG, secrets must come from the environment or files: no key is ever generated silently.
_dev_secrets = VAR_DIR / "secrets" if DEBUG or env_bool("SIRA_DEV_SECRETS", False) else None

SECRET_KEY = env_secret(
    "SIRA_SECRET_KEY",
    dev_file=_dev_secrets and _dev_secrets / "secret_key",
    generate=lambda: secrets.token_urlsafe(50),
)
# Identity fields are encrypted with these Fernet keys (first encrypts, all decrypt: rotation).
SIRA_FIELD_ENCRYPTION_KEYS = env_secret(
    "SIRA_FIELD_ENCRYPTION_KEYS",
    dev_file=_dev_secrets and _dev_secrets / "field_encryption_keys",
    generate=lambda: Fernet.generate_key().decode(),
).split(",")
# Keyed hash for exact-match search on encrypted names; distinct from the encryption keys.
SIRA_BLIND_INDEX_KEY = env_secret(
    "SIRA_BLIND_INDEX_KEY",
    dev_file=_dev_secrets and _dev_secrets / "blind_index_key",
    generate=lambda: secrets.token_hex(32),
)
# Backups (manage.py backup) are encrypted with this key (a Fernet-format key: 32 bytes, URL-safe
# base64), kept apart from the database and from the field keys' copies.
# Only `backup` and `restore` need it: a server without it runs, and those commands say it is missing.
try:
    SIRA_BACKUP_KEY = env_secret(
        "SIRA_BACKUP_KEY",
        dev_file=_dev_secrets and _dev_secrets / "backup_key",
        generate=lambda: Fernet.generate_key().decode(),
    )
except ImproperlyConfigured:
    SIRA_BACKUP_KEY = ""
SALT_KEY = "unused"  # required by encrypted_fields; Sira's fields use SIRA_FIELD_ENCRYPTION_KEYS

ALLOWED_HOSTS = env_list("SIRA_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("SIRA_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "django_countries",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "sira.core",
    "sira.audit",
    "sira.accounts",
    "sira.geo",
    "sira.cases",
    "sira.screening",
    "sira.justice",
    "sira.referrals",
    "sira.duplicates",
    "sira.coordination",
    "sira.statistics",
    "sira.interop",
    "sira.demo",
    "sira.ops",
]

MIDDLEWARE = [
    # /healthz answers before anything else: no host check, no session, no redirect (sira/core/health.py).
    "sira.core.health.HealthMiddleware",
    # One JSON line per request: method, path without query, status, time; never a name (sira/core/logs.py).
    "sira.core.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses pages on slow lines. Above everything that reads or changes the body, so it runs last
    # on the way out; below WhiteNoise, which serves static files itself. BREACH: docs/security.md.
    "django.middleware.gzip.GZipMiddleware",
    "sira.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sira.core.middleware.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # No text may hold a NUL character: such a request is refused in the user's language (400).
    "sira.core.middleware.NulCharacterMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(); then pages ask for the second factor (sira/accounts/twofactor.py).
    "django_otp.middleware.OTPMiddleware",
    "sira.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sira.urls"
WSGI_APPLICATION = "sira.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sira.referrals.views.unread_count",
            ],
        },
    },
]

# Form widgets are rendered with Django's Jinja2 widget templates where they exist (sira/core/renderers.py).
FORM_RENDERER = "sira.core.renderers.FastWidgets"

# DATABASE_URL (or DATABASE_URL_FILE: the URL holds the password) is the application role's connection.
# Migrations run as the owner role: the same variable, set to the owner's URL for those commands only
# (deploy/bin/sira-manage-owner, docs/deploy.md).
DATABASES = {
    "default": dj_database_url.parse(
        env_optional_secret("DATABASE_URL", f"sqlite:///{VAR_DIR / 'sira.sqlite3'}"), conn_max_age=60
    )
}
# A read-only streaming replica for the national statistics (sira/core/db.py routes them there).
_replica_url = env_optional_secret("SIRA_REPLICA_DATABASE_URL")
if _replica_url:
    DATABASES["replica"] = dj_database_url.parse(_replica_url, conn_max_age=60)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["sira.core.db.ReplicaRouter"]
for _database in DATABASES.values():
    if _database["ENGINE"] != "django.db.backends.postgresql":
        continue
    # Short OLTP queries (docs/performance.md): PostgreSQL's JIT compiles the larger plans for longer
    # than they run, and parallel workers make a page that stops after 26 rows read hundreds in each
    # worker while other users wait for the cores. Appended to any options given in DATABASE_URL.
    _options = _database.setdefault("OPTIONS", {})
    _options["options"] = (
        f"{_options.get('options', '')} -c jit=off -c max_parallel_workers_per_gather=0".strip()
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    # Django's English list and a French one, also with digits or punctuation added (motdepasse1).
    {"NAME": "sira.accounts.passwords.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout (sira/accounts/lockout.py): 5 failures (password or second-factor code) for one username from
# one address lock it for 30 minutes; and 10 failures from one address, whatever the usernames, lock
# that address (password spraying). Failed codes count like failed passwords.
AXES_FAILURE_LIMIT = env_int("SIRA_LOGIN_FAILURE_LIMIT", 5)
SIRA_LOGIN_SOURCE_FAILURE_LIMIT = env_int("SIRA_LOGIN_SOURCE_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = env_int("SIRA_LOGIN_COOLOFF_MINUTES", 30) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "sira.accounts.lockout.SiraAxesHandler"
# The lockout table keeps a keyed hash, not the text, of a username that matches no account (it may be
# a password typed in the wrong field).
AXES_USERNAME_CALLABLE = "sira.accounts.lockout.lockout_username"
# One rule for the client's address everywhere (audit, lockout): sira/audit/services.py.
AXES_CLIENT_IP_CALLABLE = "sira.audit.services.client_address"

# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated). Empty: the
# header is ignored and the connecting address is the client.
SIRA_TRUSTED_PROXIES = env_list("SIRA_TRUSTED_PROXIES", [])

# Two-factor authentication (TOTP, django-otp): issuer shown in authenticator apps.
OTP_TOTP_ISSUER = "Sira"
# API tokens expire after this many days (sira/accounts/tokens.py).
SIRA_API_TOKEN_DAYS = env_int("SIRA_API_TOKEN_DAYS", 30)

# Sessions end after 30 idle minutes and with the browser: shared phones are common in the field.
SESSION_COOKIE_AGE = env_int("SIRA_SESSION_MINUTES", 30) * 60
# The idle timeout: the session's expiry is pushed back on activity, at most once a minute
# (sira.core.middleware.SessionRefreshMiddleware), so a session ends 30 to 31 minutes after the last page.
SESSION_SAVE_EVERY_REQUEST = False
SIRA_SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
_secure = not DEBUG and env_bool("SIRA_HTTPS", True)
SESSION_COOKIE_SECURE = _secure
CSRF_COOKIE_SECURE = _secure
SECURE_SSL_REDIRECT = _secure and env_bool("SIRA_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SIRA_HSTS_SECONDS", 31536000) if _secure else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _secure
SECURE_HSTS_PRELOAD = _secure
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("SIRA_BEHIND_PROXY", False) else None
)

LANGUAGE_CODE = "fr"
# Nationality lists start with Mali, its seven neighbours, then the other countries whose nationals
# are most often identified in Mali (Nigeria, Ghana…): a worker rarely scrolls past them.
COUNTRIES_FIRST = ["ML", "BF", "CI", "GN", "SN", "NE", "MR", "DZ", "NG", "GH", "TG", "BJ", "GM", "SL", "LR"]
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Africa/Bamako"

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("SIRA_STATIC_ROOT", str(VAR_DIR / "staticfiles")))
# Files written by the application that every application server must see: with more than one machine,
# put these on shared storage (NFS or similar, docs/deploy.md). Exports are streamed and never stored.
MEDIA_ROOT = Path(env_str("SIRA_MEDIA_DIR", str(VAR_DIR / "media")))
MEDIA_URL = "media/"
# Where the backup timer writes (deploy/bin/sira-backup) and where `manage.py status` looks.
SIRA_BACKUP_DIR = Path(env_str("SIRA_BACKUP_DIR", str(VAR_DIR / "backups")))
WHITENOISE_USE_FINDERS = DEBUG

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "sira.accounts.authentication.ApiTokenAuthentication",
        "sira.accounts.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "sira.core.parsers.SafeJSONParser",
        "sira.core.parsers.SafeFormParser",
        "sira.core.parsers.SafeMultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "sira.core.schema.SiraAutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sira API",
    "DESCRIPTION": "Mali's counter-trafficking information system. "
    "Fields follow HTCDS v2.0 (IOM, CC BY 4.0).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema describes every field of the registry: only for logged-in users.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "ENUM_NAME_OVERRIDES": {
        "LanguageEnum": "sira.cases.choices.language",
        "IdentificationContextEnum": "sira.cases.choices.identification_context",
        "TraffickingStatusEnum": "sira.cases.choices.trafficking_status",
        "CountryEnum": "django_countries.countries",
        "HearingKindEnum": "sira.justice.choices.HearingKind",
        "SuspectGenderEnum": "sira.cases.choices.gender",
        "RouteStopKindEnum": "sira.cases.choices.route_stop",
        "ScreeningOutcomeEnum": "sira.screening.models.Screening.Outcome",
        "ScreeningStatusEnum": "sira.screening.models.Screening.Status",
        "JusticeOutcomeEnum": "sira.justice.choices.Outcome",
        "InvestigationStatusEnum": "sira.justice.choices.InvestigationStatus",
        "AppealResultEnum": "sira.justice.choices.AppealResult",
        "FollowUpKindEnum": "sira.referrals.models.FOLLOW_UP_KINDS",
    },
}

# Database triggers make the audit table append-only (see audit/migrations/0002).
SIRA_AUDIT_TRIGGERS = env_bool("SIRA_AUDIT_TRIGGERS", True)

# Uploads of offline submissions: the file size the page accepts, and what an XLSX may unpack to (a
# small compressed file that expands hugely is refused before it is parsed). docs/security.md.
SIRA_UPLOAD_MAX_BYTES = env_int("SIRA_UPLOAD_MAX_MB", 10) * 1_000_000
SIRA_IMPORT_MAX_UNPACKED_BYTES = env_int("SIRA_IMPORT_MAX_UNPACKED_MB", 100) * 1_000_000
SIRA_IMPORT_MAX_RATIO = env_int("SIRA_IMPORT_MAX_RATIO", 100)
SIRA_IMPORT_MAX_ROWS = env_int("SIRA_IMPORT_MAX_ROWS", 200_000)
SIRA_IMPORT_MAX_COLUMNS = env_int("SIRA_IMPORT_MAX_COLUMNS", 2_000)
# Uploads above this are written to a temporary file rather than held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_500_000

# A name search is carried from page to page by an encrypted token, never by the name (URLs end up in
# server logs and browser history); the token stops working after this many minutes.
SIRA_SEARCH_TOKEN_MINUTES = env_int("SIRA_SEARCH_TOKEN_MINUTES", 480)

# Statistics never show a count below this threshold (victim safety: small cells identify people).
SIRA_SMALL_CELL_THRESHOLD = env_int("SIRA_SMALL_CELL_THRESHOLD", 5)
# Break-glass: how long an emergency access to a case lasts (docs/security.md).
SIRA_BREAK_GLASS_HOURS = env_int("SIRA_BREAK_GLASS_HOURS", 4)
# Referrals (issue 11): notices are also e-mailed when an SMTP server is configured (EMAIL_HOST), with
# only a reference and a service, never a name. Response deadlines: sira/referrals/data/service_types.yaml.
EMAIL_HOST = env_str("SIRA_EMAIL_HOST", "localhost")
DEFAULT_FROM_EMAIL = env_str("SIRA_EMAIL_FROM", "sira@localhost")
SIRA_REFERRAL_EMAIL = bool(env_str("SIRA_EMAIL_HOST", ""))
SIRA_SITE_URL = env_str("SIRA_SITE_URL", "")

# Logs: one JSON object a line on standard error (journald keeps them), with no identity: the request
# line holds method, path without query string, status, duration and the user's numeric id
# (sira/core/logs.py). SIRA_LOG_FORMAT=text for a terminal.
SIRA_LOG_FORMAT = env_str("SIRA_LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "sira.core.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": SIRA_LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("SIRA_LOG_LEVEL", "WARNING")},
    "loggers": {
        # The request line (RequestLogMiddleware); SIRA_REQUEST_LOG=0 turns it off.
        "sira.request": {"level": "INFO" if env_bool("SIRA_REQUEST_LOG", not DEBUG) else "WARNING"},
        # Django's own request logger repeats every 4xx/5xx with the path: the request line says it.
        "django.request": {"level": "ERROR"},
    },
}
