"""Settings for Testbed Ledger: one module, driven by the environment.

DJANGO_DEBUG=1 (default for development) or 0 for production; DATABASE_URL selects
the engine (default: SQLite file beside manage.py); DJANGO_SECRET_KEY is required
when DEBUG is off.
"""
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-for-testbed-ledger-never-use-in-production"

ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_fsm",
    "django_tasks",
    "django_tasks_db",
    "applications",
    "ledger",
    "reports",
    "web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.LoginRequiredMiddleware",
    "web.middleware.RefusalMiddleware",
]

ROOT_URLCONF = "config.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context_processors.notifications",
            ]
        },
    }
]
WSGI_APPLICATION = "config.wsgi.application"

DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE: a writer takes the lock at BEGIN, so two appends to a book serialise
    # instead of failing half-way with "database is locked" on upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME", "")} if os.environ.get("SQLITE_TEST_NAME") else {}
# A read replica for reports and verification (core/replica.py): unset, there is one database as before.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=0)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # tests read the test database through it
    DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("sv", _("Swedish"))]
LOCALE_PATHS = [BASE_DIR / "config" / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]  # English dates as 2026-12-04 20:31 (Swedish: Django's sv formats)
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# In development the app serves static files straight from the apps; production runs collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
RECEIPT_MAX_BYTES = int(os.environ.get("RECEIPT_MAX_BYTES", 10 * 1024 * 1024))
FILE_UPLOAD_PERMISSIONS = 0o640

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "testbed-ledger@localhost")
# Links in e-mail are absolute: the address the site is reached at.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Background jobs (mail, long documents, reminders): django-tasks, the backport of Django 6's
# django.tasks, with its database backend, so both engines work and no other server is needed.
# `manage.py worker` runs them (make run starts it); TASKS_BACKEND=immediate runs them in-line.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if os.environ.get("TASKS_BACKEND") == "immediate" else "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# Generated documents are kept this long for their download (rule T7 keeps the figures; this is the file).
GENERATED_DOCUMENT_RETENTION_DAYS = int(os.environ.get("GENERATED_DOCUMENT_RETENTION_DAYS", 90))
# A statement with more items (time reports and cash) than this is offered as a background job.
STATEMENT_PDF_ITEMS_WHILE_WAITING = int(os.environ.get("STATEMENT_PDF_ITEMS_WHILE_WAITING", 1000))
# Reminders before a claim is due (days before; 0 is the day it passes) and the payment clock (rule T5).
REMINDER_DAYS_BEFORE = (14, 3)
PAYMENT_DAYS = 80
PAYMENT_WARNING_DAY = 60

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
    "DEFAULT_THROTTLE_RATES": {"token": os.environ.get("TOKEN_THROTTLE_RATE", "20/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Testbed Ledger API",
    "DESCRIPTION": "Applications, contributions, claims and the hash-chained ledger of testbed co-financing.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Hours one person may report in one month (rule S1 practice); a call may lower it.
MAX_HOURS_PER_PERSON_MONTH = int(os.environ.get("MAX_HOURS_PER_PERSON_MONTH", 200))

# Tamper evidence (DESIGN §7): what an insider with the database cannot reach. The Ed25519 key that
# signs checkpoints: LEDGER_SIGNING_KEY (64 hex digits, the private seed) or the file named by
# LEDGER_SIGNING_KEY_FILE (generated there on first use in development only). The witness log:
# LEDGER_WITNESS_DIR, one append-only file per book and instance; in production a separate volume.
LEDGER_SIGNING_KEY = os.environ.get("LEDGER_SIGNING_KEY", "")
LEDGER_SIGNING_KEY_FILE = os.environ.get("LEDGER_SIGNING_KEY_FILE", str(BASE_DIR / "var" / "ledger-signing.key")
                                         if DEBUG else "")
# Keys retired by `manage.py rotate_ledger_key` (their public halves only), so that the checkpoints
# they signed still verify: a file beside the key (default: the key file + ".retired"), and/or
# LEDGER_RETIRED_PUBLIC_KEYS, comma-separated 64-hex-digit public keys, where the key comes from the
# environment. Outside the database, like the key: an insider cannot add a key of their own.
LEDGER_RETIRED_KEYS_FILE = os.environ.get("LEDGER_RETIRED_KEYS_FILE", "")
LEDGER_RETIRED_PUBLIC_KEYS = [k.strip() for k in os.environ.get("LEDGER_RETIRED_PUBLIC_KEYS", "").split(",")
                              if k.strip()]
LEDGER_WITNESS_DIR = os.environ.get("LEDGER_WITNESS_DIR", str(BASE_DIR / "var" / "witness") if DEBUG else "")
# Audit events younger than this are left to the next checkpoint of the audit log: a transaction
# still open may hold a lower id than one already committed (PostgreSQL), and the tree is by id.
LEDGER_AUDIT_SETTLE_SECONDS = int(os.environ.get("LEDGER_AUDIT_SETTLE_SECONDS", 60))
# Verification of a book of LEDGER_VERIFY_PARALLEL_MIN_ENTRIES entries or more checks chunks of it in
# LEDGER_VERIFY_WORKERS forked processes (default: every core); ledger/parallel.py.
LEDGER_VERIFY_WORKERS = int(os.environ.get("LEDGER_VERIFY_WORKERS", 0)) or os.cpu_count() or 1
LEDGER_VERIFY_PARALLEL_MIN_ENTRIES = int(os.environ.get("LEDGER_VERIFY_PARALLEL_MIN_ENTRIES", 5000))

# Production hardening: `manage.py check --deploy` is clean when DEBUG is off.
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# SIE 4 export (reports.sie): the regional body's chart of accounts for each ledger account kind,
# BAS kontoplan defaults; a call overrides them (and its verification series) in FundingCall.sie_accounts.
SIE_ACCOUNTS = {
    "fund_source": ("2990", "Strukturfondsmedel, tilldelade"),
    "fund_budget": ("1790", "Strukturfondsmedel, ej beviljade"),
    "fund_committed": ("1780", "Beviljade stöd, ej utbetalda"),
    "fund_paid": ("6993", "Lämnade bidrag, strukturfondsmedel"),
    "fund_recovered": ("3990", "Återkrävda stöd"),
    "public_cash": ("3987", "Offentlig medfinansiering, kontant"),
    "inkind": ("3988", "Medfinansiering i annat än pengar"),
    "testbed_cost": ("6990", "Testbäddskostnader, redovisade"),
}
# The chart the defaults come from (#KPTYP).
SIE_CHART_TYPE = "BAS2024"

# The auditor's dossier (reports/dossier.py): above this estimated size it is made by the worker and
# kept as a document instead of being streamed while the user waits.
DOSSIER_STREAM_MAX_BYTES = int(os.environ.get("DOSSIER_STREAM_MAX_BYTES", 200 * 1024 * 1024))
# ---------------------------------------------------------------------------------------------------
# Sign-in hardening (issue 15, DESIGN §7a): lockout, MFA, expiring per-device tokens, sessions,
# passwords. Everything about signing in is in this block.
# ---------------------------------------------------------------------------------------------------
from datetime import timedelta  # noqa: E402

# Client address: REMOTE_ADDR unless the app sits behind this many proxies of our own, in which case
# it is that entry of X-Forwarded-For counted from the right (core.clientip). DRF's throttles agree.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", 0))

INSTALLED_APPS.remove("rest_framework.authtoken")  # never-expiring tokens: replaced by knox
INSTALLED_APPS += ["axes", "django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static", "knox"]
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
                  "django_otp.middleware.OTPMiddleware")
# After the OTP middleware: sessions idle too long end; a user owing a second factor reaches only the
# verification pages (and is anonymous to the API) until it is given.
MIDDLEWARE.insert(MIDDLEWARE.index("config.middleware.LoginRequiredMiddleware"), "config.middleware.SessionIdleMiddleware")
MIDDLEWARE.insert(MIDDLEWARE.index("config.middleware.LoginRequiredMiddleware"), "config.middleware.SecondFactorMiddleware")
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # last: turns a flagged lockout into our answer
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]

# Lockout (django-axes, counted in the database so every worker and server sees the same count).
# Both a user name and an address are locked, separately: the name stops many addresses guessing one
# account, the address stops one client spraying many accounts. A lock ends after the cool-off or when
# an officer unlocks it (/accounts/lockouts/); a correct sign-in before the lock clears the count.
AXES_HANDLER = "services.signin.AuditedAxesHandler"  # axes' database handler + an audit event per lock
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", 10))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", 15)))
AXES_RESET_ON_SUCCESS = True
# Refused tries during a lock do not restart it: the lock ends on time even while someone keeps guessing.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "core.clientip.axes_client_ip"
AXES_LOCKOUT_CALLABLE = "web.views.account.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are not kept; failures and locks are

# MFA (django-otp: TOTP with recovery codes). The roles that must use it; "admin" is staff.
# Production defaults to officer, auditor, admin; development to none, so the demo logins work.
MFA_REQUIRED_ROLES = [
    r.strip() for r in os.environ.get("MFA_REQUIRED_ROLES", "" if DEBUG else "officer,auditor,admin").split(",")
    if r.strip()
]
MFA_RECOVERY_CODES = 10
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Testbed Ledger")

# API tokens (django-rest-knox): one per device, stored hashed, expiring; `Authorization: Token …`.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=int(os.environ.get("API_TOKEN_TTL_HOURS", 10))),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
    "knox.auth.TokenAuthentication",
    "rest_framework.authentication.SessionAuthentication",
]
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT
# The token endpoint's throttle counts in the database cache, shared by every worker.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "throttle_cache"},
}

# Sessions: an absolute limit of a working day, and an idle limit by role (minutes).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_MAX_HOURS", 12)) * 3600
SESSION_IDLE_MINUTES = {
    "officer": int(os.environ.get("SESSION_IDLE_MINUTES_PRIVILEGED", 30)),
    "auditor": int(os.environ.get("SESSION_IDLE_MINUTES_PRIVILEGED", 30)),
    "admin": int(os.environ.get("SESSION_IDLE_MINUTES_PRIVILEGED", 30)),
}
SESSION_IDLE_MINUTES_DEFAULT = int(os.environ.get("SESSION_IDLE_MINUTES", 60))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "core.passwords.SeasonYearPasswordValidator"},
]

# The schema and the API docs are for signed-in users.
SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"] = ["rest_framework.permissions.IsAuthenticated"]
SPECTACULAR_SETTINGS["SERVE_AUTHENTICATION"] = [
    "knox.auth.TokenAuthentication", "rest_framework.authentication.SessionAuthentication"]

# Browser features the app never uses are switched off for it and anything it might embed.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), midi=(), payment=(), usb=()"
)
