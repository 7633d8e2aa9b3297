"""Boju settings. Everything that differs between machines comes from the environment.

DJANGO_ENV=development (default) is the embedded mode: SQLite, in-memory channel layer,
tasks run inline, e-mail printed to the console. DJANGO_ENV=production turns on the
security settings and refuses to start without a secret key and allowed hosts.
DATABASE_URL and REDIS_URL switch to PostgreSQL and Redis in either mode.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
ENV = os.environ.get("DJANGO_ENV", "development")
PRODUCTION = ENV == "production"


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


if PRODUCTION:
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY (50+ characters) is required in production.")
    DEBUG = False
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is required in production.")
else:
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-boju-0000000000000000000000000")
    DEBUG = env_bool("DJANGO_DEBUG", True)
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")

CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # daphne first: its runserver serves HTTP and WebSockets on the embedded default.
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.weixin",
    "allauth.socialaccount.providers.dingtalk",
    "django_filters",
    "accounts",
    "events",
    "notifications",
    "fairs",
    "matchmaking",
    "checkin",
    "projects",
    "challenges",
    "competitions",
    "programme",
    "operations",
    "api",
    "django_prometheus",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",  # first: counts every request (/metrics)
    "operations.logs.RequestIdMiddleware",  # X-Request-ID into every log line and the tasks started
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.PersonalNoStoreMiddleware",  # no-store on whatever was built for a signed-in person
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "config.middleware.RejectNulMiddleware",  # no NUL reaches PostgreSQL from a query or a form
    "config.middleware.IdRangeMiddleware",  # /events/<30 digits>/ is a 404, also on SQLite
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",  # CONTENT_SECURITY_POLICY below
    "allauth.account.middleware.AccountMiddleware",
    "accounts.social.SocialAppMissingMiddleware",  # an unconfigured WeChat/DingTalk login: 404, not 500
    "config.dbfaults.DatabaseRetryMiddleware",  # a lost PostgreSQL connection: retry once or 503
    "django_prometheus.middleware.PrometheusAfterMiddleware",  # the view's name, status and latency
    "config.middleware.SyncMiddlewareChain",  # innermost on purpose: see its docstring
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "accounts.context_processors.roles",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
        # A kept connection is checked before it is reused: after a PostgreSQL restart the
        # request opens a new one instead of failing (config/dbfaults.py does the rest).
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and os.environ.get("DATABASE_POOL_MAX"):
    # Under ASGI every request would otherwise open a new connection (CONN_MAX_AGE does not
    # help there); a psycopg pool per worker process keeps them. Needs CONN_MAX_AGE=0.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 2,
        "max_size": int(os.environ["DATABASE_POOL_MAX"]),
        "timeout": 10,
        # No `check` (psycopg_pool's check_connection): with it, sessions read through the pool
        # came back empty (everyone anonymous) in this stack. A connection killed by a
        # PostgreSQL restart fails once; config/dbfaults.py retries a read on a fresh one, and
        # the pool drops the broken one when it is given back.
    }
# At most this many HTTP requests run at once in one ASGI worker process; the rest wait on
# its event loop (see config/concurrency.py for why). 0 = no limit. Size the connection pool
# to it: a request holds at most one connection.
HTTP_CONCURRENCY_PER_PROCESS = int(os.environ.get("HTTP_CONCURRENCY_PER_PROCESS", "0"))
# Door scans with a device token skip Django on PostgreSQL (checkin/fastlane.py); 0 turns it off.
CHECKIN_FAST_LANE = os.environ.get("CHECKIN_FAST_LANE", "1") == "1"
CHECKIN_FAST_LANE_POOL = int(os.environ.get("CHECKIN_FAST_LANE_POOL", "4"))  # connections per process
# The registration form's POST answered on the event loop (events/fastlane.py), on PostgreSQL.
REGISTRATION_FAST_LANE = os.environ.get("REGISTRATION_FAST_LANE", "1") == "1"
REGISTRATION_FAST_LANE_POOL = int(os.environ.get("REGISTRATION_FAST_LANE_POOL", "4"))  # connections per process

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, for the test database: the live-server tests start a real ASGI
    # server in another process that must see the same rows.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / os.environ.get("BOJU_SQLITE_TEST_NAME", ".test.sqlite3"))}
    DATABASES["default"]["OPTIONS"] = {
        # WAL + a busy timeout so the dev server and tests do not trip over "database is locked";
        # IMMEDIATE makes every transaction take the write lock first, which is how SQLite
        # serialises the seat count (it has no SELECT ... FOR UPDATE).
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": os.environ.get("BOJU_SQLITE_TRANSACTION_MODE", "IMMEDIATE"),  # tests' negative control
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, channel layer, Celery broker ---------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")

# Health checks, retries and timeouts for every Redis client: config/redis_options.py.
if REDIS_URL:
    from config import redis_options

    CACHES = {"default": redis_options.cache_config(REDIS_URL)}
    CHANNEL_LAYERS = {
        "default": {
            # A bounded pool that waits (config/channel_layer.py): WebSocket churn cannot leave
            # hundreds of idle Redis connections behind.
            "BACKEND": "config.channel_layer.BoundedRedisChannelLayer",
            "CONFIG": {
                "hosts": [redis_options.channel_host(REDIS_URL)],
                "prefix": os.environ.get("CHANNELS_PREFIX", "boju"),
            },
        }
    }
else:
    # One process on the embedded default, so a local-memory cache is a real cache for
    # allauth's rate limits there.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# Busy public groups (a fair's map) fanned out once per server process rather than per socket
# (notifications/broadcast.py); off: every group goes through the channel layer, as before.
LIVE_PROCESS_FANOUT = env_bool("LIVE_PROCESS_FANOUT", True)

# The in-memory transport is named with a host, or kombu warns "No hostname was supplied".
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "memory://localhost/")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
# With Redis down a publish gives up after about a second (the outbox re-drives the message,
# notifications/outbox.py); after a restart kombu reconnects (config/redis_options.py).
if REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = redis_options.celery_transport_options()
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The worker's database connections outlive a task: Celery's Django fixup closes them (and the
# pool) only every this many tasks, config/celery.py recycles them in between as Django does.
CELERY_DB_REUSE_MAX = int(os.environ.get("CELERY_DB_REUSE_MAX", "100"))
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
# Periodic tasks for `celery -A config beat`: reminders every 5 minutes (each is sent once, see
# notifications/reminders.py), and e-mails left `pending` re-queued every minute.
CELERY_BEAT_SCHEDULE = {
    "notifications-reminders": {"task": "notifications.tasks.reminders_send", "schedule": 300.0},
    "notifications-resend-pending": {"task": "notifications.tasks.emails_resend_pending", "schedule": 60.0},
    # The outbox: notices and mails written with their cause and not yet confirmed are handed
    # to the worker again (a lost task, a restarted Redis, a killed worker delay, never lose).
    "notifications-outbox-redrive": {"task": "notifications.tasks.outbox_redrive", "schedule": 30.0},
    # Meeting requests nobody answered by their deadline lapse, and the slot is free again.
    "matchmaking-lapse": {"task": "matchmaking.tasks.meetings_lapse_task", "schedule": 300.0},
    # The programme's counters: a safety-net catch-up (nudges normally count within a second)
    # and a nightly rebuild compared with a recount (docs/targets.md).
    "programme-catch-up": {"task": "programme.tasks.tallies_catch_up", "schedule": 5.0},
    "programme-reconcile": {"task": "programme.tasks.tallies_reconcile", "schedule": 86400.0},
}

# --- Auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "events:home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_UNIQUE_EMAIL = True
# Following the verification link in the browser that signed up finishes the sign-up (signs in).
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = _("【博聚】")
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupExtraForm"
# Sign-in with WeChat and DingTalk (accounts/social.py, docs/social-login.md). Apps from the admin
# (SocialApp) or from these environment variables; a first login without an e-mail asks for one
# and verifies it like a sign-up (ACCOUNT_EMAIL_VERIFICATION).
SOCIALACCOUNT_ADAPTER = "accounts.social.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_REQUIRED = True
SOCIALACCOUNT_EMAIL_VERIFICATION = ACCOUNT_EMAIL_VERIFICATION
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_STORE_TOKENS = False  # we read the profile once; no tokens kept
SOCIALACCOUNT_PROVIDERS = {
    "weixin": {"SCOPE": ["snsapi_login"]},
    "dingtalk": {"SCOPE": ["openid"]},
}
for _provider, _id_var, _secret_var in [
    ("weixin", "WEIXIN_APP_ID", "WEIXIN_APP_SECRET"),
    ("dingtalk", "DINGTALK_CLIENT_ID", "DINGTALK_CLIENT_SECRET"),
]:
    if os.environ.get(_id_var) and os.environ.get(_secret_var):
        SOCIALACCOUNT_PROVIDERS[_provider]["APPS"] = [
            {"client_id": os.environ[_id_var], "secret": os.environ[_secret_var], "key": ""}
        ]
# Only for tests and staging: {"weixin": {"authorize": ..., "token": ..., "profile": ...}, "dingtalk": {...}}.
SOCIAL_PROVIDER_URLS: dict = {}
if os.environ.get("WEIXIN_AUTHORIZE_URL"):
    SOCIALACCOUNT_PROVIDERS["weixin"]["AUTHORIZE_URL"] = os.environ["WEIXIN_AUTHORIZE_URL"]
ACCOUNT_RATE_LIMITS = {
    # allauth's defaults, stated so they are visibly on; they live in the cache.
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
# Sessions live in the database only, with or without Redis. cached_db would save one indexed
# query per request, but with Redis down its unguarded write-back made every logged-in request
# fail, and a logout during an outage (deleted in the database, not in the cache) would come back
# to life with Redis. See docs/robustness.md. accounts.sessions is Django's db engine with the
# read as plain SQL (a quarter of the CPU of the ORM's; the same table and rules).
SESSION_ENGINE = "accounts.sessions"

# --- I18N -----------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# Uploads never served as files (CVs, answers' PDFs, challenge attachments): outside MEDIA_ROOT
# and outside anything a web server serves (accounts/storage.py, challenges/storage.py).
PRIVATE_MEDIA_ROOT = Path(os.environ.get("DJANGO_PRIVATE_MEDIA_ROOT", BASE_DIR / "private"))
STORAGES = {
    # Temporary name, fsync, rename: a failed upload never leaves a truncated file.
    "default": {"BACKEND": "accounts.storage.AtomicFileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production, WhiteNoise serves straight from static/ (no collectstatic needed), also
# with DEBUG off as in the live-server tests.
WHITENOISE_USE_FINDERS = not PRODUCTION
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- E-mail ---------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Boju 博聚 <noreply@boju.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security (production) ------------------------------------------------------------
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts only from this site, never inline (no onclick="",
# no <script> with code; data for scripts travels in <script type="application/json">, which is
# not executed). Styles allow inline style="" attributes, which a few templates use for sizes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "media-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- Operations: logs, metrics (operations/logs.py, operations/metrics.py, docs/deploy.md) ---
# One JSON object per line in production (DJANGO_LOG_FORMAT=text for plain lines), each with the
# request id nginx set; Celery keeps its hands off the root logger so its workers log the same way.
from operations.logs import logging_config  # noqa: E402  (no models: safe before set-up)

LOGGING = logging_config(
    json_lines=os.environ.get("DJANGO_LOG_FORMAT", "json" if PRODUCTION else "text") == "json",
    level=os.environ.get("DJANGO_LOG_LEVEL", "WARNING"),
)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# /metrics answers only these networks (the monitoring host's) or a bearer token.
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", "127.0.0.1/32,::1/128")
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
PROMETHEUS_LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, float("inf"))

# Boju's own knobs.
BOJU_CV_MAX_BYTES = 10 * 1024 * 1024
# Where the site is reached from outside: links in e-mails and calendar entries.
BOJU_SITE_URL = os.environ.get("BOJU_SITE_URL", "http://127.0.0.1:8000")
# First retry of an e-mail after a temporary SMTP failure, in seconds (doubles each time).
BOJU_EMAIL_RETRY_SECONDS = int(os.environ.get("BOJU_EMAIL_RETRY_SECONDS", "15"))

# The open API's rate limits (requests, seconds) per token and per anonymous address (api/auth.py).
# The address is REMOTE_ADDR: uvicorn already sets it from the proxy's X-Forwarded-For, and a
# client-sent X-Forwarded-For must not pick its own rate-limit bucket.
NINJA_NUM_PROXIES = 0
API_RATE_LIMITS = {
    "token": (int(os.environ.get("API_RATE_TOKEN", "600")), 60),
    "anonymous": (int(os.environ.get("API_RATE_ANONYMOUS", "300")), 60),
}
