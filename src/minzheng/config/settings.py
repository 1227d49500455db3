"""Minzheng settings: everything that differs between machines comes from the environment.

Variables (all optional for the demo, most required in production):

- ``MINZHENG_ENV``: ``production`` (default), ``demo`` or ``test``. Only demo and test get
  generated secrets; production refuses to start without them.
- ``SECRET_KEY``: Django's signing key.
- ``MINZHENG_DATA_KEY`` / ``MINZHENG_DATA_KEY_FILE``: 64 hex characters (32 bytes), the
  master key for personal-data encryption (SM4) and blind indexes (HMAC-SM3).
- ``DATABASE_URL``: ``sqlite:///path`` (default ``var/minzheng.sqlite3``) or
  ``postgres://user@host:port/name``.
- ``MINZHENG_DB_POOL_MAX``: upper bound of the PostgreSQL connection pool (default 8).
- ``MINZHENG_VAR_DIR``: where the embedded database, uploads and keys live (default ``./var``).
- ``ALLOWED_HOSTS``: comma-separated host names.
- ``MINZHENG_SESSION_IDLE_MINUTES`` (default 30), ``MINZHENG_ADMIN_IDLE_MINUTES`` (default 15).
- ``MINZHENG_LOCKOUT_FAILURES`` (default 5), ``MINZHENG_LOCKOUT_MINUTES`` (default 30).
- ``MINZHENG_PASSWORD_MAX_AGE_DAYS`` (default 90), ``MINZHENG_AUDIT_RETENTION_MONTHS`` (≥ 6).
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent.parent

ENV = os.environ.get("MINZHENG_ENV", "production").strip().lower()
if ENV not in {"production", "demo", "test"}:
    raise ImproperlyConfigured(f"MINZHENG_ENV must be production, demo or test, not {ENV!r}")
NON_PRODUCTION = ENV in {"demo", "test"}

VAR_DIR = Path(os.environ.get("MINZHENG_VAR_DIR", Path.cwd() / "var")).resolve()


def _env_int(name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc
    if value < minimum or (maximum is not None and value > maximum):
        raise ImproperlyConfigured(
            f"{name} must be between {minimum} and {maximum if maximum is not None else '∞'}, "
            f"not {value}"
        )
    return value


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def _demo_secret(name: str, nbytes: int) -> str:
    """A secret generated once into var/ — only for demo and test runs."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / name
    if not path.exists():
        path.write_text(secrets.token_hex(nbytes))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not NON_PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random string (production), "
            "or run with MINZHENG_ENV=demo."
        )
    SECRET_KEY = _demo_secret("secret_key", 48)
elif len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long")

# Personal-data key: read through the key provider (minzheng.core.crypto), configured here.
MINZHENG_KEY_PROVIDER = os.environ.get(
    "MINZHENG_KEY_PROVIDER", "minzheng.core.crypto.EnvironmentKeyProvider"
)
if (
    NON_PRODUCTION
    and not os.environ.get("MINZHENG_DATA_KEY")
    and not os.environ.get("MINZHENG_DATA_KEY_FILE")
):
    os.environ["MINZHENG_DATA_KEY"] = _demo_secret("data_key", 32)

DEBUG = _env_bool("DEBUG", False)
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost" if NON_PRODUCTION else "").split(
        ","
    )
    if h.strip()
]
if not ALLOWED_HOSTS and not NON_PRODUCTION:
    raise ImproperlyConfigured("ALLOWED_HOSTS is not set (comma-separated host names)")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # only for its local Swagger UI files: the API docs never load from a CDN
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "minzheng.core",
    "minzheng.geo",
    "minzheng.accounts",
    "minzheng.registry",
    "minzheng.assistance",
    "minzheng.rescue",
    "minzheng.web",
    "minzheng.administration",
    "minzheng.workdays",
    "minzheng.reports",
    "minzheng.payments",
    "minzheng.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "minzheng.web.middleware.ChosenLanguageMiddleware",  # Chinese unless the user chose
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "minzheng.accounts.middleware.SecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "minzheng.core.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "minzheng.config.urls"
WSGI_APPLICATION = "minzheng.config.wsgi.application"

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
                "minzheng.web.context_processors.shell",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'minzheng.sqlite3'}"
_db_url = os.environ.get("DATABASE_URL", DEFAULT_SQLITE)
try:
    _db = dj_database_url.parse(_db_url)
except Exception as exc:  # dj-database-url raises several types for a malformed URL
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from exc

if _db["ENGINE"] == "django.db.backends.sqlite3":
    if _db["NAME"] and _db["NAME"] != ":memory:":
        Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    _db["OPTIONS"] = {
        # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at
        # BEGIN so two writers queue on busy_timeout instead of failing mid-transaction.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=20000; PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
        ),
    }
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db["CONN_MAX_AGE"] = 0  # the pool below keeps connections
    _db["OPTIONS"] = {
        "pool": {
            "min_size": 1,
            "max_size": _env_int("MINZHENG_DB_POOL_MAX", 8, minimum=1, maximum=200),
            "timeout": 20,
        },
    }
else:
    raise ImproperlyConfigured(
        f"DATABASE_URL must point to SQLite or PostgreSQL, not {_db['ENGINE']}"
    )
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth and security ------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "minzheng.accounts.passwords.CharacterClassValidator"},
    {"NAME": "minzheng.accounts.passwords.UsernameValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "minzheng.accounts.passwords.WeakPasswordListValidator"},
    {"NAME": "minzheng.accounts.passwords.HistoryValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

SESSION_IDLE_MINUTES = _env_int("MINZHENG_SESSION_IDLE_MINUTES", 30, minimum=1, maximum=30)
ADMIN_IDLE_MINUTES = _env_int("MINZHENG_ADMIN_IDLE_MINUTES", 15, minimum=1, maximum=30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True  # the idle clock restarts on every request, server-side
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
_https = _env_bool("MINZHENG_HTTPS", not NON_PRODUCTION)
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SECURE_SSL_REDIRECT = _env_bool("MINZHENG_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = 31536000 if _https else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _https
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _https else None
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

AXES_FAILURE_LIMIT = _env_int("MINZHENG_LOCKOUT_FAILURES", 5, minimum=3, maximum=10)
AXES_COOLOFF_TIME = timedelta(minutes=_env_int("MINZHENG_LOCKOUT_MINUTES", 30, minimum=10))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "minzheng.accounts.views.lockout_response"
AXES_USERNAME_CALLABLE = "minzheng.accounts.services.axes_username"
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False

PASSWORD_MAX_AGE_DAYS = _env_int("MINZHENG_PASSWORD_MAX_AGE_DAYS", 90, minimum=1, maximum=90)
PASSWORD_HISTORY_COUNT = 5
DORMANT_ACCOUNT_DAYS = _env_int("MINZHENG_DORMANT_DAYS", 90, minimum=1)
AUDIT_RETENTION_MONTHS = _env_int("MINZHENG_AUDIT_RETENTION_MONTHS", 6, minimum=6)
# Administrator and 三员 log-ins only from these networks (comma-separated CIDRs).
ADMIN_ALLOWED_NETWORKS = [
    n.strip()
    for n in os.environ.get(
        "MINZHENG_ADMIN_NETWORKS", "127.0.0.0/8,::1/128,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16"
    ).split(",")
    if n.strip()
]
OTP_TOTP_ISSUER = "Minzheng 民政"

# --- Tasks ----------------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- i18n (docs/i18n.md): the source language is Chinese, msgids are the Chinese text --------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# The switch in the top bar saves the choice in this cookie (minzheng.web.middleware).
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = _https
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files (front-end packages come from npm, copied into var/static by collectstatic) --
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
NODE_MODULES_DIR = Path(os.environ.get("MINZHENG_NODE_MODULES", Path.cwd() / "node_modules"))
# Only the built files of each package, under static/vendor/<name>/.
_VENDOR = {"htmx": "htmx.org/dist", "echarts": "echarts/dist", "bootstrap": "bootstrap/dist"}
STATICFILES_DIRS = [
    (f"vendor/{name}", NODE_MODULES_DIR / sub)
    for name, sub in _VENDOR.items()
    if (NODE_MODULES_DIR / sub).is_dir()
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "uploads"
WHITENOISE_USE_FINDERS = NON_PRODUCTION

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        **(
            {
                "audit_syslog": {
                    "class": "logging.handlers.SysLogHandler",
                    "address": (
                        os.environ["MINZHENG_AUDIT_SYSLOG"].rsplit(":", 1)[0],
                        int(os.environ["MINZHENG_AUDIT_SYSLOG"].rsplit(":", 1)[1]),
                    ),
                }
            }
            if os.environ.get("MINZHENG_AUDIT_SYSLOG")
            else {}
        ),
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # MINZHENG_AUDIT_SYSLOG=host:port forwards every audit event as JSON over UDP syslog.
        "minzheng.audit": {
            "handlers": ["audit_syslog"] if os.environ.get("MINZHENG_AUDIT_SYSLOG") else [],
            "level": "INFO",
            "propagate": False,
        },
    },
}
MAX_SESSIONS_PER_USER = _env_int("MINZHENG_MAX_SESSIONS", 1, minimum=0)  # 0 = no limit
LOGIN_URL_PATH = "/accounts/login/"

# Lockout is per account (IA-4). Locking by address too would lock a whole town office that
# shares one NAT address on the intranet after one colleague's typos.
# An intranet host name can never be on the browsers' public HSTS preload list.
SILENCED_SYSTEM_CHECKS = ["axes.W006", "security.W021"]
