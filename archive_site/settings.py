"""Settings, read from the environment so one code base serves a laptop and a company server.

Environment variables:
    DATABASE_URL      any URL dj-database-url understands; default a SQLite file in ARCHIVE_DATA_DIR
    SECRET_KEY        default: one generated on first start and kept in ARCHIVE_DATA_DIR
    DEBUG             "1"/"true" to turn debugging on (default off)
    ALLOWED_HOSTS     comma-separated host names (default the local host names)
    ARCHIVE_DATA_DIR  where the SQLite file, the generated key and uploaded attachments live (default ./var)
    ARCHIVE_STATIC_MANIFEST  "1" after `collectstatic` in production: hashed, compressed static files
"""

import os
from decimal import Decimal
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("ARCHIVE_DATA_DIR", BASE_DIR / "var"))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept beside the data."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        from django.core.management.utils import get_random_secret_key

        key_file.write_text(get_random_secret_key())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


DEBUG = env_bool("DEBUG")
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "guardian",
    "simple_history",
    "archive",
    "customers",
    "contracts",
    "credit",
    "complaints",
    "access",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "archive_site.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Login everywhere: a view opts out explicitly with @login_not_required (login page, health check).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # 查阅登记: writes the readings a view registered once its response is ready (customers.access_log).
    "customers.access_log.AccessLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "archive_site.urls"
WSGI_APPLICATION = "archive_site.wsgi.application"

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
                "archive.context_processors.navigation",
                "access.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        # An empty DATABASE_URL (as `DATABASE_URL= make run` leaves it) means the embedded default too.
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'archive.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer commits; IMMEDIATE takes the write lock at BEGIN so two
    # writers queue instead of failing with "database is locked" halfway through a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL JIT-compiles any query whose estimated cost passes jit_above_cost: the register export of
    # 100,000 customers spent over a second compiling before its first row. The archive's queries are short.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The root every archive hangs off; the archive core names it only through this setting.
ARCHIVE_ROOT_MODEL = "customers.Customer"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "customers:list"
LOGOUT_REDIRECT_URL = "login"

# django-guardian: no anonymous user object; every reader is a logged-in account.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

# django-simple-history
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_DATE_INDEX = "Composite"
# Reverting is a director's service that goes through the trail, not the admin's generic button.
SIMPLE_HISTORY_REVERT_DISABLED = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every start while it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Attachments never sit under a public URL: they are read back only through a permission-checked view.
    "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "attachments"), "base_url": None},
    },
    # Imported customer lists, kept so the confirmed import reads exactly the file that was previewed.
    "imports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "imports"), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("ARCHIVE_STATIC_MANIFEST")
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not env_bool("ARCHIVE_STATIC_MANIFEST")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES")
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# ---- The archive's own rules -------------------------------------------------------------------------
# Attachments: the largest upload accepted (the kinds are checked by content, not only by name).
ARCHIVE_ATTACHMENT_MAX_BYTES = int(os.environ.get("ARCHIVE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))
# Imports of customer lists: the largest file and the most customer rows one file may bring.
ARCHIVE_IMPORT_MAX_BYTES = int(os.environ.get("ARCHIVE_IMPORT_MAX_BYTES", 10 * 1024 * 1024))
ARCHIVE_IMPORT_MAX_ROWS = int(os.environ.get("ARCHIVE_IMPORT_MAX_ROWS", 50_000))
# A card not reviewed for this many days counts as stale (动态管理).
ARCHIVE_STALE_AFTER_DAYS = int(os.environ.get("ARCHIVE_STALE_AFTER_DAYS", 180))
# Key customers (tier key or grade A) need at least this many contacts on their side.
ARCHIVE_KEY_CUSTOMER_MIN_CONTACTS = 2
ARCHIVE_PAGE_SIZE = 50
# ABC grading (客户分级) from filed orders of the trailing window: a customer is A while the customers ranked
# above it hold less than the first share of all sales, B below the second, C for the rest; no sales is D.
ARCHIVE_ABC_SHARES = (Decimal("0.80"), Decimal("0.95"))
ARCHIVE_ABC_WINDOW_MONTHS = 12
# Credit (credit.scoring): the weight of each C in an application's score (they add up to 1), and per credit grade
# the lowest weighted score that earns it and the share of the asked-for limit it grants.
ARCHIVE_CREDIT_WEIGHTS = {
    "character": Decimal("0.25"),
    "capacity": Decimal("0.25"),
    "capital": Decimal("0.20"),
    "collateral": Decimal("0.15"),
    "conditions": Decimal("0.15"),
}
ARCHIVE_CREDIT_GRADES = (
    ("AAA", Decimal("4.50"), Decimal("1.00")),
    ("AA", Decimal("4.00"), Decimal("0.80")),
    ("A", Decimal("3.00"), Decimal("0.60")),
    ("B", Decimal("2.00"), Decimal("0.30")),
    ("C", Decimal("0"), Decimal("0")),
)
# Payment terms of a customer without a credit profile, and the upper ends of the aging buckets (days).
ARCHIVE_CREDIT_DEFAULT_TERMS_DAYS = 30
ARCHIVE_AGING_BUCKETS = (30, 60, 90, 180)
# Complaints (投诉): how many hours after it is received a complaint of each severity must be closed; an open one
# past that is overdue. A satisfaction of this score or lower (1–5) marks the customer as dissatisfied.
ARCHIVE_COMPLAINT_DUE_HOURS = {"critical": 24, "major": 72, "minor": 168}
ARCHIVE_COMPLAINT_DISSATISFIED = 2

# Access requests (调阅): the period the director grants by default, and the longest a lent right may run.
ARCHIVE_ACCESS_GRANT_DAYS = int(os.environ.get("ARCHIVE_ACCESS_GRANT_DAYS", 7))
ARCHIVE_ACCESS_GRANT_MAX_DAYS = int(os.environ.get("ARCHIVE_ACCESS_GRANT_MAX_DAYS", 90))
