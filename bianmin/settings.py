"""One settings module; production differences come from environment variables."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("BIANMIN_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("BIANMIN_DEBUG", False)
# Secrets come from the environment; without one, a random key is made once and kept under var/.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    _key_file = VAR_DIR / "secret_key"
    if not _key_file.exists():
        import secrets

        _key_file.write_text(secrets.token_urlsafe(50))
        _key_file.chmod(0o600)
    SECRET_KEY = _key_file.read_text().strip()
ALLOWED_HOSTS = [
    h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "bianmin.common.third_party.AxesConfig",
    "django_htmx",
    "captcha",
    "bianmin.common.third_party.TasksConfig",
    "bianmin.common",
    "bianmin.sms",
    "bianmin.orgs",
    "bianmin.workdays",
    "bianmin.catalog",
    "bianmin.cases",
    "bianmin.supervision",
    "bianmin.ratings",
    "bianmin.reports",
    "bianmin.staffing",
    "bianmin.affairs",
    "bianmin.api",
    "bianmin.portal",
    # Demo county and bulk case history (`bianmin seed-demo`): top layer, nothing imports it.
    "bianmin.demo",
]

MIDDLEWARE = [
    # Input gate and error logging (issue 15): first, so every answer and log line has its id.
    "bianmin.common.request_id.RequestIdMiddleware",
    # Behind nginx the client address comes from X-Forwarded-For, trusted only from known proxies,
    # so the login lockout and the public lookup throttle count real clients.
    "bianmin.ops.proxy.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Cache-Control: no-store on every response that may carry personal data, error pages
    # included; it reads request.user after the inner middleware has set it.
    "bianmin.common.security.NoStoreMiddleware",
    # A read-only or full database answers 503 with a message, also for errors in later middleware.
    "bianmin.ops.middleware.DatabaseFaultMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "bianmin.common.sessions.SessionIdleMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Last, so it sees a page view's exception first: a domain error becomes the 403/404 page.
    "bianmin.common.refusals.DomainErrorMiddleware",
]

ROOT_URLCONF = "bianmin.urls"
WSGI_APPLICATION = "bianmin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "bianmin" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bianmin.workdays.context_processors.calendar_warnings",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'bianmin.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer commits; IMMEDIATE takes the write lock at BEGIN,
    # so two concurrent transitions serialise instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

# PostgreSQL: statements prepared on the server (DB_PREPARED_STATEMENTS, default on).
# PostgreSQL plans every statement it is sent: for the case page's short reads planning took
# longer than running them (1.3 ms against 0.35 ms for the case's own join, EXPLAIN at 1.5
# million cases). Parameters bound on the server let psycopg prepare a statement a connection
# has sent five times and reuse its plan: the case page 31 -> 25 ms, the API case 23 -> 18 ms
# in-process (issue 17). Needs kept connections (DB_CONN_MAX_AGE) to pay off and a pooler in
# session mode (PgBouncer before 1.21 cannot carry prepared statements across transactions):
# DB_PREPARED_STATEMENTS=0 turns it off.
PG_PREPARED = (
    {
        "server_side_binding": True,
        "prepare_threshold": int(os.environ.get("DB_PREPARE_THRESHOLD", "5")),
    }
    if os.environ.get("DB_PREPARED_STATEMENTS", "1") != "0"
    else {}
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(PG_PREPARED)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Public pages and item API shared by anonymous readers, ended by any publication
    # (bianmin/common/public_cache.py). In files the workers of this host share, so a guide is
    # built once for all of them, not once per worker (four times the misses after a publication).
    "public": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache" / "public"),
        "TIMEOUT": 600,
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
    # A staff member's queues (case ids) for a few seconds (bianmin/cases/queue_cache.py), in
    # files the workers of this host share, so one worker's change to a case ends every worker's
    # copy.
    "queues": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache" / "queues"),
        "TIMEOUT": 30,
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
    "boards": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache" / "boards"),
        "TIMEOUT": 86400,
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}
# Seconds a computed supervision dashboard is served as it is (bianmin/supervision/board_store.py)
# and a staff member's queues are kept (bianmin/cases/queue_cache.py); 0 turns either off.
BIANMIN_DASHBOARD_FRESH_SECONDS = int(os.environ.get("BIANMIN_DASHBOARD_FRESH_SECONDS", "300"))
BIANMIN_QUEUE_CACHE_SECONDS = int(os.environ.get("BIANMIN_QUEUE_CACHE_SECONDS", "30"))
# A board sums the stored figures of closed months' settled cases and reads its live cases'
# figures kept between boards instead of counting the whole history and running every clock
# (bianmin/supervision/selectors/settled.py, live_cases.py); off: every case is counted each time.
BIANMIN_DASHBOARD_SETTLED_MONTHS = env_bool("BIANMIN_DASHBOARD_SETTLED_MONTHS", True)

# Background jobs (supervision sweep, reminders) on Django's task framework, stored in the database so
# any number of app hosts share one queue; `bianmin db_worker` runs them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# The daily jobs, run in this order by the scheduler task (`bianmin.supervision.daily`) every day at
# BIANMIN_DAILY_JOBS_AT (Asia/Shanghai) and by `bianmin daily_jobs`. Each is a task taking
# `day="YYYY-MM-DD"`; each is also its own `bianmin` command.
BIANMIN_DAILY_JOBS = [
    "bianmin.staffing.tasks.leaves_sweep_task",  # AB cover first: sweep notices go to who holds
    "bianmin.cases.tasks.flags_sweep_task",  # art. 32 deemed acceptance before the sweep reads it
    "bianmin.supervision.tasks.supervise_task",
    "bianmin.supervision.tasks.boards_warm_task",  # after the sweep: its alerts are on the boards
    "bianmin.ratings.tasks.rectifications_overdue_task",
    "bianmin.reports.tasks.report_reminders_task",
    "bianmin.portal.tasks.draft_uploads_purge_task",
]
BIANMIN_DAILY_JOBS_AT = os.environ.get("BIANMIN_DAILY_JOBS_AT", "01:00")

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend loading the staff profile, unit and region with the user in one query.
    "bianmin.orgs.backends.StaffBackend",
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:staff_home"
LOGOUT_REDIRECT_URL = "portal:login"

# Accounts (issue 15): 等保 2.0 level 3 identification and authentication (GB/T 22239-2019
# 8.1.4.1). Passwords: at least 10 characters of three kinds, not common, not all digits, not
# like the username or the person's name; the people's own page is /accounts/password/.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "bianmin.orgs.passwords.PersonSimilarityValidator"},
    {"NAME": "bianmin.orgs.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]
# Login lockout (django-axes), for 30 minutes: after AXES_FAILURE_LIMIT failures for one username
# from one address, and after BIANMIN_LOGIN_ADDRESS_FAILURE_LIMIT failures from one address
# whatever the usernames (one password tried across many accounts). The handler counts both
# (bianmin/common/login_limits.py); a success clears only that username's count.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
BIANMIN_LOGIN_ADDRESS_FAILURE_LIMIT = int(
    os.environ.get("BIANMIN_LOGIN_ADDRESS_FAILURE_LIMIT", "30")
)
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "bianmin.common.login_limits.AddressLimitHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "bianmin.portal.views.locked_out"
# A signed-in session ends after this many minutes without a request (等保 8.1.4.1 b, 登录连接
# 超时自动退出). SessionIdleMiddleware renews the session at most once a minute, instead of
# SESSION_SAVE_EVERY_REQUEST writing the session row on every request.
BIANMIN_SESSION_IDLE_MINUTES = int(os.environ.get("BIANMIN_SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_AGE = BIANMIN_SESSION_IDLE_MINUTES * 60

# The picture challenge the public lookups ask for after repeated wrong phone tails
# (bianmin/common/throttle.py). Drawn by this server with the font django-simple-captcha ships,
# so it works without internet; four letters, good for one try within five minutes.
CAPTCHA_LENGTH = 4
CAPTCHA_TIMEOUT = 5  # minutes

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "bianmin" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content Security Policy (Django's built-in middleware): same origin only; the policy and the few
# inline snippets it allows by hash live in bianmin/common/security.py, see docs/security.md.
from bianmin.common.security import content_security_policy  # noqa: E402

SECURE_CSP = content_security_policy()
if env_bool("BIANMIN_TLS", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("BIANMIN_HSTS_SUBDOMAINS", False)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Input gate and error logging (issue 15): Django's own errors (a 500's traceback on
# django.request, refused hosts and CSRF failures on django.security, runserver's access lines)
# go to stderr, which gunicorn and systemd keep, with the request id the error page shows, the
# method, path and user id; BIANMIN_ERROR_LOG adds a file with the same lines.
_ERROR_HANDLERS = ["request_console"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "bianmin.common.request_id.RequestContextFilter"}},
    "formatters": {
        "request": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(method)s %(path)s "
            "user=%(user_id)s %(message)s"
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "request_console": {
            "class": "logging.StreamHandler",
            "filters": ["request_context"],
            "formatter": "request",
        },
    },
    "loggers": {
        "bianmin": {"handlers": ["console"], "level": os.environ.get("BIANMIN_LOG_LEVEL", "INFO")},
        "django.request": {"handlers": _ERROR_HANDLERS, "level": "ERROR", "propagate": False},
        "django.security": {"handlers": _ERROR_HANDLERS, "level": "WARNING", "propagate": False},
        "django.server": {"handlers": _ERROR_HANDLERS, "level": "INFO", "propagate": False},
    },
}
if os.environ.get("BIANMIN_ERROR_LOG"):
    LOGGING["handlers"]["request_file"] = {  # type: ignore[index]
        "class": "logging.handlers.WatchedFileHandler",
        "filename": os.environ["BIANMIN_ERROR_LOG"],
        "filters": ["request_context"],
        "formatter": "request",
    }
    _ERROR_HANDLERS.append("request_file")

# Two-factor login (issue 15): TOTP authenticators and one-time recovery codes (django-otp);
# the gate after the password is bianmin/portal/twofactor_middleware.py. Where BIANMIN_REQUIRE_2FA
# is on, administrators and supervisors must enrol before they can use anything else. On unless
# debugging; `make demo` turns it off so the demo county's published passwords work (its accounts
# can enrol with `bianmin demo-accounts --enrol-2fa`).
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django_htmx.middleware.HtmxMiddleware") + 1,
    "bianmin.portal.twofactor_middleware.TwoFactorMiddleware",
)
BIANMIN_REQUIRE_2FA = env_bool("BIANMIN_REQUIRE_2FA", not DEBUG)
OTP_TOTP_ISSUER = "便民"
# The admin site may remove a lost phone's device but never shows its secret or QR code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# The county this installation serves (GB/T 2260 code); the demo uses 汉中市汉台区.
BIANMIN_COUNTY_CODE = os.environ.get("BIANMIN_COUNTY_CODE", "610702")
# The rule that colours a case green / yellow / red (the case list's colour filter): the
# supervision dashboard's, which cases may not import (layers point down).
BIANMIN_CASE_COLOURS = "bianmin.supervision.selectors.case_colours"
# Public base URL printed into QR codes on receipts.
BIANMIN_PUBLIC_URL = os.environ.get("BIANMIN_PUBLIC_URL", "http://127.0.0.1:8000")
# API tokens expire after this many days.
BIANMIN_TOKEN_DAYS = int(os.environ.get("BIANMIN_TOKEN_DAYS", "30"))
# RULES.md "The route of a proxied case": working days a relay hop (a unit that neither accepts,
# decides nor delivers the case) may hold it before passing it on.
BIANMIN_RELAY_HOLD_DAYS = int(os.environ.get("BIANMIN_RELAY_HOLD_DAYS", "1"))
# The hash of each new case timeline event (`bianmin.cases.chain`): "sha256", or "sm3"
# (GB/T 32905) where the deployment is assessed under 密评 GB/T 39786. Each event records its own,
# so chains written before a switch still verify.
BIANMIN_CHAIN_HASH = os.environ.get("BIANMIN_CHAIN_HASH", "sha256")

# Short messages to applicants (docs/sms.md). The sender, by dotted path: the default writes them to
# BIANMIN_SMS_LOG and the `bianmin.sms` logger; "bianmin.sms.senders.AliyunSender" sends through
# Aliyun SMS with the credentials below.
BIANMIN_SMS_SENDER = os.environ.get("BIANMIN_SMS_SENDER", "bianmin.sms.senders.FileSender")
BIANMIN_SMS_LOG = Path(os.environ.get("BIANMIN_SMS_LOG", VAR_DIR / "sms-outbox.log"))
BIANMIN_SMS_MAX_ATTEMPTS = int(os.environ.get("BIANMIN_SMS_MAX_ATTEMPTS", "5"))
BIANMIN_SMS_RETRY_SECONDS = int(os.environ.get("BIANMIN_SMS_RETRY_SECONDS", "60"))
BIANMIN_SMS_TIMEOUT = float(os.environ.get("BIANMIN_SMS_TIMEOUT", "10"))
BIANMIN_SMS_ALIYUN_ACCESS_KEY_ID = os.environ.get("BIANMIN_SMS_ALIYUN_ACCESS_KEY_ID", "")
BIANMIN_SMS_ALIYUN_ACCESS_KEY_SECRET = os.environ.get("BIANMIN_SMS_ALIYUN_ACCESS_KEY_SECRET", "")
BIANMIN_SMS_ALIYUN_SIGN_NAME = os.environ.get("BIANMIN_SMS_ALIYUN_SIGN_NAME", "")
BIANMIN_SMS_ALIYUN_ENDPOINT = os.environ.get(
    "BIANMIN_SMS_ALIYUN_ENDPOINT", "https://dysmsapi.aliyuncs.com/"
)
BIANMIN_SMS_ALIYUN_REGION = os.environ.get("BIANMIN_SMS_ALIYUN_REGION", "cn-hangzhou")

# RULES.md "Training (汉台 2023)": sessions a year each organiser must hold for township and village
# staff: the county's approval bureau (the unit running the county centre) at least 2, each county
# department that delegates items at least 4. Duties of the organisers, not quotas per person.
BIANMIN_TRAINING_DUTY = {"approval_bureau": 2, "delegating_department": 4}

# A city on replicated PostgreSQL (issue 17, docs/operations.md): with DATABASE_REPLICA_URL set,
# views marked @replica_reads (reports, dashboards, public boards, statistics, exports) read from
# the synchronous standby, everything else uses the primary, and a browser that wrote reads from
# the primary for BIANMIN_READ_YOUR_WRITES_SECONDS (bianmin/common/dbrouting.py). Without it
# nothing changes. Health checks on reuse: after a failover a kept connection is dead.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
    DATABASES["replica"].setdefault("OPTIONS", {}).update(PG_PREPARED)
    # Tests read the replica's copy of the test database, which the standby replays.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASE_ROUTERS = ["bianmin.common.dbrouting.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("bianmin.common.request_id.RequestIdMiddleware") + 1,
        "bianmin.common.dbrouting.ReadYourWritesMiddleware",
    )
    BIANMIN_READ_YOUR_WRITES_SECONDS = int(os.environ.get("BIANMIN_READ_YOUR_WRITES_SECONDS", "10"))
