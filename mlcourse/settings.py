"""Django settings. Everything that varies between machines comes from the environment,
read here and only here, through helpers that refuse values they cannot understand.
`.env.example` lists every variable."""

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the environment variable {name}.")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true or false).")


def env_number(name: str, default: float, *, minimum: float, maximum: float, kind=int):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a {kind.__name__}.") from None
    if not minimum <= value <= maximum:
        raise ImproperlyConfigured(f"{name}={raw!r} must lie between {minimum} and {maximum}.")
    return value


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_rate(name: str, default: str) -> str:
    """A request rate such as 20/m: that many requests per second, minute, hour or day."""
    value = env_str(name, default).strip()
    if not re.fullmatch(r"[1-9][0-9]*/[1-9]?[0-9]*[smhd]", value):
        raise ImproperlyConfigured(f"{name}={value!r} is not a rate such as 20/m (per s, m, h or d).")
    return value


DEBUG = env_bool("DEBUG", False)
# Tests and `make run` get a throwaway key; a real deployment must provide its own.
SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key" if DEBUG else None)
if not DEBUG and (SECRET_KEY.startswith("insecure") or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured("SECRET_KEY must be a random string of 32+ characters when DEBUG is off.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_ace",
    "csp",
    "axes",
    "django_ratelimit",
    "exercises",
    "grader",
    "teaching",
    "ninja",
    "lti_tool",
    "api",
    "lti",
    "mlcourse",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "mlcourse.middleware.RefuseNulCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "mlcourse.middleware.ViewerTimezoneMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mlcourse.urls"
WSGI_APPLICATION = "mlcourse.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
        conn_max_age=env_number("DATABASE_CONN_MAX_AGE", 60, minimum=0, maximum=3600),
        # A persistent connection the server reset is reopened, not turned into a 500.
        conn_health_checks=True,
    )
}
# A pool per process for PostgreSQL (psycopg_pool): the ASGI web workers run sync code in
# several threads, and a persistent connection per thread ran PostgreSQL out of connections
# under a class's load. Django requires CONN_MAX_AGE = 0 with a pool. 0 turns it off.
DATABASE_POOL_SIZE = env_number("DATABASE_POOL_SIZE", 0, minimum=0, maximum=100)
if DATABASE_POOL_SIZE and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": DATABASE_POOL_SIZE,
        "timeout": 10,
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    (BASE_DIR / "var").mkdir(exist_ok=True)
    # The web process and the worker write at the same time; WAL and a busy timeout keep
    # SQLite from answering "database is locked" under that light concurrency.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    # A file, not memory, so that a Celery worker started by the end-to-end test shares it;
    # one per test run, so that runs side by side do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-db-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Lesson figures drawn at load time, by content digest (exercises/content.py): a course whose
# figures did not change loads without drawing them again. Only a cache: safe to delete.
FIGURE_CACHE_DIR = BASE_DIR / "var" / "figures"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes checks every login against its lockout records before the model backend runs.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Email (password reset links): printed on the console unless EMAIL_HOST names an SMTP server.
EMAIL_HOST = env_str("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_number("EMAIL_PORT", 587, minimum=1, maximum=65535)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    if EMAIL_USE_TLS and EMAIL_USE_SSL:
        raise ImproperlyConfigured("Set at most one of EMAIL_USE_TLS and EMAIL_USE_SSL.")
    EMAIL_TIMEOUT = env_number("EMAIL_TIMEOUT_SECONDS", 10, minimum=1, maximum=120)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "") or "Mathematics for Machine Learning <noreply@localhost>"
PASSWORD_RESET_TIMEOUT = env_number("PASSWORD_RESET_TIMEOUT_HOURS", 72, minimum=1, maximum=24 * 30) * 3600

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Development serves static files from the apps' folders, production only collected ones.
WHITENOISE_USE_FINDERS = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security ------------------------------------------------------------------------------

SILENCED_SYSTEM_CHECKS = []

# With DEBUG off everything is HTTPS-only unless the operator says otherwise (a trial on
# http://localhost sets the first three to false/0 in .env). The TLS proxy in front tells
# Django a request came over HTTPS with X-Forwarded-Proto.
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # The container's health check asks over plain HTTP from inside.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_number("SECURE_HSTS_SECONDS", 31_536_000, minimum=0, maximum=63_072_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Asking browsers' built-in HSTS lists to include the domain is the operator's call,
        # hard to undo; off unless SECURE_HSTS_PRELOAD=true, and not a warning.
        SILENCED_SYSTEM_CHECKS += ["security.W021"]
    SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Scripts only from our own static files: no inline script, no eval. Styles may be inline
# because Ace and htmx insert <style> elements and the reports size their bars inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "camera", "display-capture", "geolocation", "gyroscope", "hid", "magnetometer",
        "microphone", "midi", "payment", "serial", "usb", "xr-spatial-tracking",
    )
}  # fmt: skip

LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(f"LOG_LEVEL={LOG_LEVEL!r} is not a logging level.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"key_value": {"()": "mlcourse.logs.KeyValueFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "key_value"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # One line per platform failure is enough: Celery's own chatter stays at warnings.
    "loggers": {
        "celery": {"level": "WARNING" if LOG_LEVEL in {"DEBUG", "INFO"} else LOG_LEVEL},
        # django-axes logs every login at INFO; its lockouts are warnings.
        "axes": {"level": "WARNING"},
    },
}

# --- Grading ---------------------------------------------------------------------------

# With no Redis, `make run` grades inside the web process (and says so); tests set this too.
REDIS_URL = os.environ.get("REDIS_URL", "")
# redis-py's spelling of REDIS_URL (kombu's redis+socket:// is unix:// there).
REDIS_CLIENT_URL = REDIS_URL.replace("redis+socket://", "unix://", 1)
GRADE_IN_PROCESS = env_bool("GRADE_IN_PROCESS", not REDIS_URL)

# --- Cache, request rate limits, login lockout ----------------------------------------------

# Rate-limit counters must be shared by every web process: Redis when there is one. Without
# it each process counts on its own: fine for `make run`, and `check --deploy` warns
# (mlcourse.W001) in place of django-ratelimit's error about a cache that is not shared.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_CLIENT_URL,
            "KEY_PREFIX": "mlcourse",
            # A Redis outage must not turn pages into 500s: a failed cache call is a miss.
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SILENCED_SYSTEM_CHECKS += ["django_ratelimit.E003", "django_ratelimit.W001"]
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
# With the counters unreachable, requests go through rather than everyone being refused.
RATELIMIT_FAIL_OPEN = True
RATELIMIT_VIEW = "mlcourse.views.rate_limited"
RATELIMIT_IP_META_KEY = "mlcourse.security.client_ip"
# How many proxies (each appending to X-Forwarded-For) stand between clients and gunicorn;
# 0 trusts only the connection's own address.
TRUSTED_PROXY_COUNT = env_number("TRUSTED_PROXY_COUNT", 0, minimum=0, maximum=5)
# "N/m" (or /s, /h, /d) for each limited action: per learner (or per address when anonymous),
# and per client address, which a classroom behind one NAT address shares.
RATE_LIMITS = {
    "submit": {"user": env_rate("RATE_LIMIT_SUBMIT", "20/m"), "ip": env_rate("RATE_LIMIT_SUBMIT_IP", "600/m")},
    "preview": {"user": env_rate("RATE_LIMIT_PREVIEW", "120/m"), "ip": env_rate("RATE_LIMIT_PREVIEW_IP", "2400/m")},
    "login": {"user": env_rate("RATE_LIMIT_LOGIN", "10/m"), "ip": env_rate("RATE_LIMIT_LOGIN_IP", "100/m")},
    "signup": {"ip": env_rate("RATE_LIMIT_SIGNUP_IP", "100/h")},
}

# Five wrong passwords for one username from one address lock that pair out for a while; the
# per-address rate limit above covers guessing many usernames.
AXES_FAILURE_LIMIT = env_number("LOGIN_FAILURE_LIMIT", 5, minimum=1, maximum=100)
AXES_COOLOFF_TIME = timedelta(minutes=env_number("LOGIN_LOCKOUT_MINUTES", 15, minimum=1, maximum=24 * 60))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_CLIENT_IP_CALLABLE = "mlcourse.security.client_ip"
AXES_USERNAME_CALLABLE = "mlcourse.security.axes_username"
AXES_VERBOSE = False

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = GRADE_IN_PROCESS
CELERY_TASK_EAGER_PROPAGATES = True
# A worker killed mid-grade must not lose the submission: the message is acknowledged only
# after the task has finished, and Redis gives it back if it is not acknowledged in time.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
GRADING_WALL_SECONDS_MAX = env_number("GRADING_WALL_SECONDS_MAX", 30, minimum=1, maximum=600)
# A claim's lease is 2 * GRADING_WALL_SECONDS_MAX + 10 s (Submission.lease); Redis hands an
# unacknowledged message back a little after that, so a dead worker's submission is regraded.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 2 * GRADING_WALL_SECONDS_MAX + 20,
    # Sending a grading message fails fast when Redis is down: the answer is saved either way,
    # the learner is told, and beat sends it once Redis is back (Submission.dispatch).
    "socket_connect_timeout": 2,
    "max_retries": 1,
    "interval_start": 0,
    "connect_retries_timeout": 2,
    # Look for messages of dead workers every 5 s, not every 100 s: redelivery then follows
    # the visibility timeout closely.
    "unacked_restore_interval": 5,
    "unacked_restore_throttle": 1,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Three lanes (Celery queues): a learner's first pending code submission, their backlog (more
# than one pending, or code that ran out of time last time), and every other kind of answer.
# A worker consuming both code lanes takes from each in turn, so one learner's backlog delays
# another learner's submission by about one run; answers never wait behind code.
GRADING_QUEUE = env_str("GRADING_QUEUE", "grading")
GRADING_QUEUES = {
    "code": GRADING_QUEUE,
    "backlog": f"{GRADING_QUEUE}-backlog",
    "answers": f"{GRADING_QUEUE}-answers",
}
CELERY_TASK_DEFAULT_QUEUE = GRADING_QUEUE
CELERY_BEAT_SCHEDULE = {
    "requeue-lost-submissions": {"task": "grader.tasks.requeue_stuck", "schedule": 10.0},
    "requeue-lost-validations": {"task": "teaching.tasks.requeue_validations", "schedule": 60.0},
}
CELERY_TASK_ROUTES = {
    "grader.tasks.requeue_stuck": {"queue": GRADING_QUEUES["answers"]},
    "teaching.tasks.requeue_validations": {"queue": GRADING_QUEUES["answers"]},
    "teaching.tasks.validate_version": {"queue": GRADING_QUEUES["backlog"]},
    "exercises.tasks.regrade": {"queue": GRADING_QUEUES["backlog"]},
}
# Threads, not processes: a thread waiting on its sandboxed run holds no CPU, so a worker keeps
# GRADING_RUNS_IN_FLIGHT runs going while the runner admits at most one per core to compute.
CELERY_WORKER_POOL = "threads"
GRADING_REQUEUE_GRACE_SECONDS = 10  # a message just sent may still be on its way to a worker

GRADING_LIMITS = {
    # Defaults for one sandboxed run; an exercise may lower or raise them up to the caps.
    "cpu_seconds": env_number("GRADING_CPU_SECONDS", 5, minimum=1, maximum=120),
    "wall_seconds": env_number("GRADING_WALL_SECONDS", 10, minimum=1, maximum=600),
    "memory_mb": env_number("GRADING_MEMORY_MB", 512, minimum=64, maximum=8192),
    "output_bytes": env_number("GRADING_OUTPUT_BYTES", 64_000, minimum=1_000, maximum=10_000_000),
}
# A case's CPU budget is this factor times the reference's CPU time on it, at least the floor,
# at most the exercise's CPU limit: an infinite loop then costs about a second, not the limit.
GRADING_CPU_FACTOR = env_number("GRADING_CPU_FACTOR", 20, minimum=1, maximum=1000, kind=float)
GRADING_CPU_FLOOR = env_number("GRADING_CPU_FLOOR", 0.5, minimum=0.05, maximum=60, kind=float)
# Per grading process: runs computing at once (one per core), runs in flight (computing or
# waiting; also the worker's thread count), and the memory budget their limits share.
GRADING_CPU_SLOTS = env_number("GRADING_CPU_SLOTS", os.cpu_count() or 1, minimum=1, maximum=256)
GRADING_RUNS_IN_FLIGHT = env_number("GRADING_RUNS_IN_FLIGHT", 8, minimum=1, maximum=256)
GRADING_MEMORY_BUDGET_MB = env_number("GRADING_MEMORY_BUDGET_MB", 4096, minimum=64, maximum=1_048_576)
CELERY_WORKER_CONCURRENCY = GRADING_RUNS_IN_FLIGHT
GRADING_LIMIT_CAPS = {
    "cpu_seconds": env_number("GRADING_CPU_SECONDS_MAX", 20, minimum=1, maximum=600),
    "wall_seconds": GRADING_WALL_SECONDS_MAX,
    "memory_mb": env_number("GRADING_MEMORY_MB_MAX", 2048, minimum=64, maximum=16384),
    "output_bytes": 1_000_000,
}
SYMBOLIC_LIMITS = {
    # The warm checker processes for typed math (grader/symbolic): per-check limits.
    "workers": env_number("SYMBOLIC_WORKERS", 2, minimum=1, maximum=16),
    "cpu_seconds": env_number("SYMBOLIC_CPU_SECONDS", 4, minimum=1, maximum=60, kind=float),
    "wall_seconds": env_number("SYMBOLIC_WALL_SECONDS", 6, minimum=1, maximum=120, kind=float),
    "memory_mb": env_number("SYMBOLIC_MEMORY_MB", 1024, minimum=256, maximum=8192),
}
MAX_ANSWER_BYTES = env_number("MAX_ANSWER_BYTES", 64_000, minimum=1_000, maximum=10_000_000)

# Verdicts are pushed to waiting pages over Redis pub/sub (exercises/push.py); without Redis,
# or with VERDICT_PUSH=false, pages poll every VERDICT_POLL_SECONDS instead.
VERDICT_PUSH_URL = REDIS_CLIENT_URL if REDIS_URL and env_bool("VERDICT_PUSH", True) else ""
VERDICT_POLL_SECONDS = env_number("VERDICT_POLL_SECONDS", 0.5, minimum=0.05, maximum=10, kind=float)
VERDICT_WAIT_SECONDS = 20  # one long poll; a proxy in front must allow a little more

# --- REST API, LMS (LTI 1.3) -------------------------------------------------------------

# The API's rate limits and LTI launch state live in the cache above (Redis when there is one).
API_RATE_LIMIT = env_rate("API_RATE_LIMIT", "240/m")  # per personal access token, every endpoint
API_SUBMIT_RATE_LIMIT = env_rate("API_SUBMIT_RATE_LIMIT", "30/m")  # per token, submissions
API_MAX_WAIT_SECONDS = env_number("API_MAX_WAIT_SECONDS", 25, minimum=0, maximum=120)
LTI_PRIVATE_KEY_FILE = env_str("LTI_PRIVATE_KEY_FILE", "")
LTI_PLATFORMS_FILE = env_str("LTI_PLATFORMS_FILE", "")
LTI_HTTP_TIMEOUT_SECONDS = env_number("LTI_HTTP_TIMEOUT_SECONDS", 10, minimum=1, maximum=120, kind=float)
LTI_PASSBACK_SECONDS = env_number("LTI_PASSBACK_SECONDS", 15, minimum=1, maximum=3600)
LTI_PASSBACK_MAX_BACKOFF_SECONDS = env_number("LTI_PASSBACK_MAX_BACKOFF_SECONDS", 3600, minimum=10, maximum=86400)
CELERY_BEAT_SCHEDULE["lti-grade-passback"] = {"task": "lti.tasks.passback", "schedule": float(LTI_PASSBACK_SECONDS)}
