"""The one settings module of fangxian.

Everything that differs between a laptop demo and a city deployment comes from environment
variables, so that the same code runs both. The defaults are the safe production ones; the
embedded demo (`make run`) turns DEBUG on explicitly. Secrets never live in the repository: when
they are not in the environment and DEBUG is on, a development set is generated into `var/` on
first run (see `config.secrets`).
"""

from __future__ import annotations

import sys
from pathlib import Path

import environ

from config.secrets import load_or_create_dev_secrets

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

VAR_DIR = Path(env.str("FANGXIAN_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)
TESTING = env.bool("FANGXIAN_TESTING", default="pytest" in sys.modules)

_dev_secrets = load_or_create_dev_secrets(VAR_DIR) if (DEBUG or TESTING) else {}


def _secret(name: str, dev_key: str) -> str:
    value = env.str(name, default="") or _dev_secrets.get(dev_key, "")
    if not value:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{name} must be set in the environment when DEBUG is off.")
    return value


SECRET_KEY = _secret("SECRET_KEY", "secret_key")
# Comma-separated Fernet keys, newest first: the first encrypts, all of them decrypt.
FANGXIAN_DATA_KEYS = [k.strip() for k in _secret("FANGXIAN_DATA_KEYS", "data_keys").split(",") if k.strip()]
# A separate key for the lookup hashes, so that rotating encryption keys never changes a hash.
FANGXIAN_HASH_KEY = _secret("FANGXIAN_HASH_KEY", "hash_key")
# Signs the QR tokens of gate passes; a separate key, so that rotating the others never voids a pass.
FANGXIAN_PASS_KEY = _secret("FANGXIAN_PASS_KEY", "pass_key")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG or TESTING else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "ninja",
    "rules.apps.AutodiscoverRulesConfig",
    "django_otp",
    "fangxian.accounts.otp_apps.TOTPConfig",
    "huey.contrib.djhuey",
    "fangxian.core",
    "fangxian.areas",
    "fangxian.accounts",
    "fangxian.registry",
    "fangxian.command",
    "fangxian.checkpoints",
    "fangxian.health",
    "fangxian.supplies",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "fangxian.accounts.middleware.SessionExpiryMiddleware",
    "fangxian.core.middleware.ActorMiddleware",
    "fangxian.core.middleware.NulCharacterMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "fangxian.core.context_processors.actor",
            ],
        },
    }
]

# --- database ---------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'fangxian.sqlite3'}")}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the job consumer write while pages read; IMMEDIATE avoids "database is locked" on
    # upgrade from a read to a write transaction.
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
elif _db["ENGINE"] in {"django.db.backends.postgresql", "django.db.backends.postgresql_psycopg2"}:
    _db["ENGINE"] = "django.db.backends.postgresql"
    if env.bool("FANGXIAN_DB_POOL", default=not TESTING):
        _db.setdefault("OPTIONS", {})["pool"] = {"min_size": 2, "max_size": env.int("FANGXIAN_DB_POOL_SIZE", 10)}
    else:
        _db["CONN_MAX_AGE"] = 0
    if TESTING and env.str("FANGXIAN_TEST_DB_NAME", default=""):
        _db["TEST"] = {"NAME": env.str("FANGXIAN_TEST_DB_NAME")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- cache and jobs ---------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": "fangxian",
        "url": REDIS_URL,
        "immediate": TESTING,
        "utc": False,  # periodic jobs' crontabs read in TIME_ZONE ("6 in the morning" is Beijing's)
        "consumer": {"workers": env.int("FANGXIAN_JOB_WORKERS", 4), "worker_type": "thread"},
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "fangxian",
        "filename": str(VAR_DIR / "jobs.sqlite3"),
        "immediate": TESTING,
        "utc": False,
        "consumer": {"workers": env.int("FANGXIAN_JOB_WORKERS", 2), "worker_type": "thread"},
    }

# --- authentication and sessions --------------------------------------------------------------
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "fangxian.accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "fangxian.accounts.passwords.CharacterClassValidator",
        "OPTIONS": {"min_classes": env.int("FANGXIAN_PASSWORD_MIN_CLASSES", 3)},
    },
]
if TESTING:
    # Hashing is deliberately slow; tests create dozens of personas and check no password strength.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Absolute session life; the idle limit is enforced by SessionExpiryMiddleware.
SESSION_COOKIE_AGE = env.int("FANGXIAN_SESSION_ABSOLUTE_SECONDS", 12 * 3600)
FANGXIAN_SESSION_IDLE_SECONDS = env.int("FANGXIAN_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

FANGXIAN_LOCKOUT_USER_FAILURES = env.int("FANGXIAN_LOCKOUT_USER_FAILURES", 5)
FANGXIAN_LOCKOUT_ADDRESS_FAILURES = env.int("FANGXIAN_LOCKOUT_ADDRESS_FAILURES", 100)
FANGXIAN_LOCKOUT_SECONDS = env.int("FANGXIAN_LOCKOUT_SECONDS", 15 * 60)
# Behind a reverse proxy, the number of proxies whose X-Forwarded-For entries are trusted.
FANGXIAN_TRUSTED_PROXIES = env.int("FANGXIAN_TRUSTED_PROXIES", 0)

# --- security headers: safe unless the operator says otherwise -------------------------------
_secure = not (DEBUG or TESTING)
SECURE_SSL_REDIRECT = env.bool("FANGXIAN_SSL_REDIRECT", default=_secure)
SESSION_COOKIE_SECURE = env.bool("FANGXIAN_SECURE_COOKIES", default=_secure)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("FANGXIAN_HSTS_SECONDS", default=31536000 if _secure else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env.bool("FANGXIAN_HSTS_PRELOAD", default=SECURE_HSTS_SECONDS > 0)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.bool("FANGXIAN_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- limits ---------------------------------------------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("FANGXIAN_MAX_BODY_BYTES", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
FANGXIAN_MAX_UPLOAD_BYTES = env.int("FANGXIAN_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
# Resident imports: rows per file, unpacked size of a workbook (zip bombs), and the size from which
# an import runs as a background job with a progress bar.
FANGXIAN_IMPORT_MAX_ROWS = env.int("FANGXIAN_IMPORT_MAX_ROWS", 200_000)
FANGXIAN_IMPORT_MAX_UNCOMPRESSED_BYTES = env.int("FANGXIAN_IMPORT_MAX_UNCOMPRESSED_BYTES", 400 * 1024 * 1024)
FANGXIAN_IMPORT_BACKGROUND_ROWS = env.int("FANGXIAN_IMPORT_BACKGROUND_ROWS", 5000)
# Uploads and error reports of imports are deleted after this many days (the import's record stays).
FANGXIAN_IMPORT_KEEP_DAYS = env.int("FANGXIAN_IMPORT_KEEP_DAYS", 7)
# Imports of at least this many rows prepare rows (validation, encryption) in forked worker
# processes; FANGXIAN_IMPORT_WORKERS of them (unset: one if the machine has two processors or
# more; 0: none, everything in the importing process).
FANGXIAN_IMPORT_PARALLEL_ROWS = env.int("FANGXIAN_IMPORT_PARALLEL_ROWS", 4000)
FANGXIAN_IMPORT_WORKERS = env.int("FANGXIAN_IMPORT_WORKERS", None)

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [Path(env.str("FANGXIAN_LOCALE_DIR", default=str(BASE_DIR / "fangxian" / "locale")))]
USE_I18N = True
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_TZ = True

# --- static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": VAR_DIR / "media"}},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
if TESTING:
    import tempfile

    # Uploaded files of test runs go to a scratch folder, never into var/media.
    STORAGES["default"]["OPTIONS"]["location"] = tempfile.mkdtemp(prefix="fangxian-test-media-")

# --- logging: personal values never reach the log ----------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "fangxian.core.logging.PersonalDataFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["personal_data"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The consumer installs its own handler; propagating as well would print every line twice.
        "huey": {"level": "INFO", "propagate": False},
    },
}

# --- fangxian --------------------------------------------------------------------------------
FANGXIAN_RETENTION_DAYS = env.int("FANGXIAN_RETENTION_DAYS", 30)
# A temperature at or above this (°C) at a gate denies entry and puts a task in the duty inbox.
FANGXIAN_FEVER_CELSIUS = env.str("FANGXIAN_FEVER_CELSIUS", default="37.3")
FANGXIAN_OTP_ISSUER = env.str("FANGXIAN_OTP_ISSUER", default="fangxian")
OTP_TOTP_ISSUER = FANGXIAN_OTP_ISSUER
NINJA_PAGINATION_PER_PAGE = 50
# A tile server inside the deployment's network, e.g. "https://tiles.example.gov.cn/{z}/{x}/{y}.png".
# Without one, maps show the grid outlines alone (government networks are often closed).
FANGXIAN_TILE_URL = env.str("FANGXIAN_TILE_URL", default="")
