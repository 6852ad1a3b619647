"""Settings of dief: one module, every deployment value from an environment variable.

With nothing set the product runs on a laptop: SQLite, an on-disk Celery broker, DEBUG off
(``DEBUG=1`` for Django's debug pages; the product's own error pages otherwise).
Production sets ``DIEF_ENV=production`` plus ``SECRET_KEY``, ``DATABASE_URL``,
``CELERY_BROKER_URL``, ``ALLOWED_HOSTS`` and the mail settings (see README).
"""

from pathlib import Path

import environ
from csp.constants import NONCE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("DIEF_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DIEF_ENV = env.str("DIEF_ENV", default="development")
PRODUCTION = DIEF_ENV == "production"

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str(
    "SECRET_KEY",
    default="" if PRODUCTION else "dev-only-insecure-key-never-use-in-production-0123456789",
)
if PRODUCTION and len(SECRET_KEY) < 50:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECRET_KEY must be set (50 characters or more) in production.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "guardian",
    "axes",
    "csp",
    "auditlog",
    "health_check",
    # dief
    "accounts",
    "states",
    "twofactor",
    "notifications",
    "enforcement",
    "meetings",
    "due",
    "presentations",
    "documents",
    "agendas",
    "exchange",
    "experts",
    "briefings",
    "participation",
    "sponsorship",
    "backups",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "dief.security.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "accounts.security.SecurityLogMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",
    "twofactor.middleware.RequireVerifiedSessionMiddleware",
    "accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Static files through WhiteNoise everywhere; on a laptop straight from the apps' folders.
MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION

ROOT_URLCONF = "dief.urls"
WSGI_APPLICATION = "dief.wsgi.application"
ASGI_APPLICATION = "dief.asgi.application"

# Widget templates come from templates/ too (templates/states/widgets/), then from django.forms;
# the plainest of those are written in Python (dief/form_renderer.py: the same HTML).
FORM_RENDERER = "dief.form_renderer.FormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "meetings.context_processors.roles",
            ],
            "builtins": ["dief.typography", "dief.date_filter"],
            "libraries": {"links": "dief.links"},
        },
    },
]

# Database: SQLite on a laptop, PostgreSQL when DATABASE_URL is set.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
# Persistent connections (a new PostgreSQL connection costs more than a whole page), checked
# before reuse so that a restarted database server costs one failed check, not an error page.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=300)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool("DB_PREPARED_STATEMENTS", True):
    # A request's reads are planned once per connection, not on every request (dief/prepared.py).
    import dief.prepared

    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"]["connection_factory"] = dief.prepared.PreparingConnection
    DATABASES["default"]["OPTIONS"]["cursor_factory"] = dief.prepared.PreparingCursor
    MIDDLEWARE.insert(0, "dief.prepared.PreparedReadsMiddleware")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    # A web process, a worker and beat share the file: wait for locks instead of failing.
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, loading with the user their State and today's Chair appointment.
    "meetings.backends.UserBackend",
    "guardian.backends.ObjectPermissionBackend",
]
#: The backend a session opened by dief itself (not by a password check) is bound to.
DIEF_LOGIN_BACKEND = "meetings.backends.UserBackend"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-guardian: no anonymous user object; permissions only through direct FK tables.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

# django-otp
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="DIEF")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# django-auditlog: the audit trail the Secretariat reads (accounts.views.audit_trail): every
# role grant and its confirmation, account change, password set (masked), enrolment link and
# second-factor device change, with who did it. Device secrets and code hashes are not logged.
AUDITLOG_INCLUDE_TRACKING_MODELS = (
    {
        "model": "accounts.user",
        "include_fields": [
            "username",
            "email",
            "password",
            "role",
            "state",
            "participant_role",
            "is_active",
            "is_staff",
            "is_superuser",
        ],
        "mask_fields": ["password"],
    },
    {"model": "accounts.rolegrant"},
    {"model": "accounts.enrolmentlink", "exclude_fields": ["nonce"]},
    {"model": "meetings.chairappointment"},
    {"model": "otp_totp.totpdevice", "include_fields": ["user", "name", "confirmed"]},
    {"model": "otp_static.staticdevice", "include_fields": ["user", "name", "confirmed"]},
)
AUDITLOG_DISABLE_REMOTE_ADDR = False
AUDITLOG_MASK_CALLABLE = "accounts.security.mask_secret"

# django-axes: password login throttling.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
# Locked per (user name, address) pair: wrong passwords for one name, real or not, never lock
# out another person behind the same address (a delegation's shared office or conference NAT).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = env.bool("AXES_VERBOSE", default=False)
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# Sessions: new id at login (Django), idle and absolute timeouts (accounts.middleware).
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=30 * 60)
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT_SECONDS", default=12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Internationalisation: the ATT working languages (ToR rule 23).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["dief.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
DIEF_DEFAULT_PROCEDURAL_TIME_ZONE = "Europe/Zurich"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Documents: encrypted by the application (AES-256-GCM, ``dief.crypto``) before they reach the
# local disk (default) or an S3-compatible bucket (``DIEF_DOCUMENT_STORAGE=s3``).
DIEF_DOCUMENT_STORAGE = env.str("DIEF_DOCUMENT_STORAGE", default="filesystem")
if DIEF_DOCUMENT_STORAGE == "s3":
    _document_backend = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("DIEF_S3_BUCKET"),
            "endpoint_url": env.str("DIEF_S3_ENDPOINT_URL", default=None),
            "region_name": env.str("DIEF_S3_REGION", default=None),
            "access_key": env.str("DIEF_S3_ACCESS_KEY_ID", default=None),
            "secret_key": env.str("DIEF_S3_SECRET_ACCESS_KEY", default=None),
            "location": env.str("DIEF_S3_PREFIX", default="documents"),
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
elif DIEF_DOCUMENT_STORAGE == "filesystem":
    _document_backend = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "documents")},
    }
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("DIEF_DOCUMENT_STORAGE must be 'filesystem' or 's3'.")

STORAGES = {
    "default": {"BACKEND": "documents.storage.EncryptedStorage", "OPTIONS": {"inner": _document_backend}},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Keys: "id:base64key,..." (32-byte keys; the first encrypts, all decrypt). Laptop default: a key
# derived from SECRET_KEY. Required in production. ``manage.py rotate_document_key`` re-encrypts.
from dief import crypto as _crypto  # noqa: E402  (settings helper with no Django import)

_document_keys = env.str("DIEF_DOCUMENT_KEYS", default="")
if not _document_keys and PRODUCTION:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("DIEF_DOCUMENT_KEYS must be set in production (id:base64key).")
DIEF_DOCUMENT_KEYS = (
    _crypto.parse_keys(_document_keys) if _document_keys else {"local": _crypto.derive_key(SECRET_KEY, "documents")}
)
# Backups: a separate key, so a backup can be kept away from the running system's keys.
_backup_keys = env.str("DIEF_BACKUP_KEYS", default="")
if not _backup_keys and PRODUCTION:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("DIEF_BACKUP_KEYS must be set in production (id:base64key).")
DIEF_BACKUP_KEYS = (
    _crypto.parse_keys(_backup_keys) if _backup_keys else {"local": _crypto.derive_key(SECRET_KEY, "backups")}
)

# Email
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# A mail server that accepts and never answers must not hold the outbox (and its row locks) forever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="DIEF Secretariat <dief@localhost>")

# Celery: an on-disk broker by default, Redis in production and CI.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem"):
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # Exchange tables (kombu's default is ./control/ in the working directory).
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# One short periodic sweep applies every transition that has come due (design.md).
DIEF_SWEEP_INTERVAL_SECONDS = env.float("DIEF_SWEEP_INTERVAL_SECONDS", default=60.0)
CELERY_BEAT_SCHEDULE = {
    "sweep": {
        "task": "enforcement.tasks.sweep",
        "schedule": DIEF_SWEEP_INTERVAL_SECONDS,
        "options": {"expires": max(DIEF_SWEEP_INTERVAL_SECONDS * 2, 30)},
    },
}

# Content Security Policy (django-csp): a script runs only with the request's nonce
# (dief.security.ContentSecurityPolicyMiddleware); no inline script, no third-party origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": [NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Production hardening (``manage.py check --deploy`` reports nothing with DIEF_ENV=production).
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # A load balancer probes /health/ over plain HTTP inside the private network.
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    # __Host- cookies: sent only over HTTPS, for this host and path /, never set by a subdomain.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
X_FRAME_OPTIONS = "DENY"

# Permissions-Policy (django-permissions-policy): no page uses any of these browser features.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "serial",
        "hid",
        "bluetooth",
        "screen-wake-lock",
        "xr-spatial-tracking",
        "clipboard-read",
        "browsing-topics",
    )
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}

# Reminders: days before each deadline, per deadline key, with a default. Set as JSON, e.g.
# DIEF_REMINDER_DAYS='{"default": [14, 7, 2], "invitation": [21, 14, 7, 2]}'
DIEF_REMINDER_DAYS = env.json("DIEF_REMINDER_DAYS", default={"default": [14, 7, 2]})
DIEF_MAX_UPLOAD_BYTES = env.int("DIEF_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
# What an uploaded OOXML/ODF package may inflate to, all parts together (zip bombs refused).
DIEF_MAX_UNPACKED_BYTES = env.int("DIEF_MAX_UNPACKED_BYTES", default=50 * 1024 * 1024)
# How long a new account's single-use enrolment link works (accounts.enrolment).
DIEF_ENROLMENT_LINK_HOURS = env.int("DIEF_ENROLMENT_LINK_HOURS", default=72)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
CSRF_FAILURE_VIEW = "dief.views.csrf_failure"
DATA_UPLOAD_MAX_NUMBER_FILES = 5
FILE_UPLOAD_HANDLERS = [
    "documents.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DIEF_ADMIN_URL = env.str("DIEF_ADMIN_URL", default="admin/")
