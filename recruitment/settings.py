"""Settings for the recruitment campaign site.

Everything that differs between a laptop and production comes from the environment
(django-environ). The defaults serve a laptop: SQLite in the project folder, Celery tasks run in
process, e-mail printed to the console. Production sets ``DJANGO_DEBUG=false`` and the variables
listed in the README; ``manage.py check --deploy`` then passes.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core -------------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env(
    "DJANGO_SECRET_KEY",
    default="insecure-laptop-only-key-9c2f7e1b6a4d4f0e8b3a5c7d9e1f2a4b6c8d0e2f4a6b8c0d",
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# The branded 403 page for a form without a valid token, rendered with the request (recruitment/errors.py).
CSRF_FAILURE_VIEW = "recruitment.errors.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "import_export",
    "recruitment",
    "accounts",
    "applications",
    "reviews",
    "probation",
    "notifications",
    "accounts.apps.AxesConfig",  # django-axes, named for the admin's menu
    "audit",
]

MIDDLEWARE = [
    # First: the instant the request arrived (request.received_at), which deadlines are judged at.
    "recruitment.middleware.ArrivalTimeMiddleware",
    "recruitment.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "recruitment.middleware.ChosenLanguageMiddleware",
    # Before anything queries the database with the request's input: a NUL byte answers 400.
    "recruitment.middleware.NulByteMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "recruitment.urls"
WSGI_APPLICATION = "recruitment.wsgi.application"

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
                "recruitment.context_processors.current_campaign",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections (gunicorn sync workers: one per process) save a connection set-up per request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
# A persistent connection the database dropped (restart, failover) is replaced before the next request
# uses it, instead of failing that request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # `make run` has two processes writing to the one SQLite file: the web server and the Celery worker
    # with beat. WAL lets readers and a writer work at once; every transaction takes the write lock when it
    # begins (IMMEDIATE), so a transaction that read first cannot fail with "database is locked" when it
    # goes on to write; a writer waits up to 20 s for the lock instead of failing
    # (tests/recruitment/test_sqlite.py).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE",
        timeout=20,
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------------
# "default": Redis (shared by every worker) when REDIS_URL is set, else a per-process memory cache; no page
# depends on it, so a Redis outage does not break the site (tests/faults/test_redis_down.py).
# "template_fragments" ({% cache %} in templates): always per-process memory. Every fragment is keyed by
# everything it shows (see recruitment.views.home), so a per-process copy is never stale and needs no
# invalidation, and pages keep rendering while Redis is down.
_CACHE_URL = env("REDIS_URL", default="")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _CACHE_URL,
         "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2}}
        if _CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "recruitment-default"}
    ),
    "template_fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "recruitment-fragments",
        "TIMEOUT": 60 * 60,
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}
AUTH_USER_MODEL = "accounts.User"

# --- Accounts ---------------------------------------------------------------------------------
# The throttle (django-axes) comes first: it refuses a locked-out login before the password is checked.
AUTHENTICATION_BACKENDS = ["accounts.backends.LoginThrottleBackend", "accounts.backends.IdentifierBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions stay rows in the database (a logout in one worker ends the session in all of them); the
# engine only makes the per-request read cheaper (accounts/sessions.py).
SESSION_ENGINE = "accounts.sessions"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "applications:status"
LOGOUT_REDIRECT_URL = "home"
# Login throttling (django-axes): 5 failed passwords for one login name from one IP address lock that
# pair out for 15 minutes, on the site's login and the admin's. The IP is REMOTE_ADDR; behind
# DJANGO_TRUSTED_PROXY_COUNT reverse proxies it is read from X-Forwarded-For (accounts.throttling).
AXES_FAILURE_LIMIT = env.int("DJANGO_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("DJANGO_LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Besides: 20 failures from one IP address across all login names lock that address out for every name
# (axes has one failure limit for all its parameters, so this second one is accounts.throttling's handler).
AXES_HANDLER = "accounts.throttling.LoginThrottleHandler"
LOGIN_FAILURE_LIMIT_PER_IP = env.int("DJANGO_LOGIN_FAILURE_LIMIT_PER_IP", default=20)
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "accounts.throttling.login_name"
AXES_CLIENT_IP_CALLABLE = "accounts.throttling.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.throttling.lockout_response"
AXES_VERBOSE = False
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
# SMS verification codes (accounts.codes): six digits, valid VERIFICATION_CODE_TTL_MINUTES (the SMS templates
# say "5分钟内有效": register new wording before changing it), single use, locked after
# VERIFICATION_CODE_MAX_ATTEMPTS wrong tries. Requests are limited per mobile number and per client IP: one per
# VERIFICATION_CODE_INTERVAL_SECONDS, and a number of codes in any rolling 24 hours.
VERIFICATION_CODE_TTL = timedelta(minutes=env.int("VERIFICATION_CODE_TTL_MINUTES", default=5))
VERIFICATION_CODE_MAX_ATTEMPTS = env.int("VERIFICATION_CODE_MAX_ATTEMPTS", default=5)
VERIFICATION_CODE_INTERVAL = timedelta(seconds=env.int("VERIFICATION_CODE_INTERVAL_SECONDS", default=60))
VERIFICATION_CODE_DAILY_LIMIT_PER_NUMBER = env.int("VERIFICATION_CODE_DAILY_LIMIT_PER_NUMBER", default=10)
VERIFICATION_CODE_DAILY_LIMIT_PER_IP = env.int("VERIFICATION_CODE_DAILY_LIMIT_PER_IP", default=10)
# Behind a trusted proxy, a request's arrival time is its X-Request-Start header ("t=<epoch seconds>",
# recruitment.middleware.ArrivalTimeMiddleware) when that lies at most this many seconds before now
# (time spent queueing for a worker) and at most this many after (clock drift between the hosts).
REQUEST_START_MAX_AGE = 60
REQUEST_START_MAX_AHEAD = 2

# --- Time and language --------------------------------------------------------------------------
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True
USE_I18N = True
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Files ------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads are private: there is no MEDIA_URL route; files are streamed by views that check who asks.
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
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
FILE_UPLOAD_PERMISSIONS = 0o640
# Uploads (recruitment/uploads.py) stream to a temporary file (FILE_UPLOAD_TEMP_DIR, default the system's;
# a whole request of at most FILE_UPLOAD_MAX_MEMORY_SIZE stays in memory) and stop once a file passes the
# limit of the page it is posted to, in MB: a URL name maps to a number or to a campaign field (the largest
# value of any campaign; the form then applies its own campaign's); other pages accept UPLOAD_DEFAULT_MAX_MB.
# The proxy caps whole bodies (docs/deployment.md, "Request body limits").
FILE_UPLOAD_HANDLERS = ["recruitment.uploads.LimitedUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# The form fields of one request besides its files (the longest questionnaire section is a few KB).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMPORT_MAX_MB = env.int("DJANGO_IMPORT_MAX_MB", default=1024)  # the admin's data import (导入考核数据)
UPLOAD_DEFAULT_MAX_MB = 10
UPLOAD_LIMITS = {
    "applications:section": "attachment_max_mb",  # the questionnaire's attachments (per campaign)
    "reviews:supplementary": "supplement_max_mb",  # supplementary material after round 1 (per campaign)
    "admin:probation_dataimport_changelist": IMPORT_MAX_MB,
}

# --- E-mail -----------------------------------------------------------------------------------
EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="淘宝联盟招商团长招募 <noreply@example.com>")

# --- Celery -----------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
# Results are kept (a day) so operators and tests can wait on a task; nothing depends on them.
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL) or None
CELERY_RESULT_EXPIRES = 60 * 60 * 24
# Without a broker (the laptop default) tasks run in process, synchronously.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A request queueing a task after commit must not hang while Redis is unreachable: give up connecting
# after 2 s (what could not be queued waits in the notification outbox for its sweep).
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2}
# `make run` (manage.py run_embedded) without Redis: its worker and beat use an embedded broker, kombu's
# filesystem transport, each message a file under BROKER_FOLDER/queue (beat's schedule file lives there too).
BROKER_FOLDER = Path(env("CELERY_BROKER_FOLDER", default=str(BASE_DIR / ".celery")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_FOLDER / "queue"),
        "data_folder_out": str(BROKER_FOLDER / "queue"),
        "control_folder": str(BROKER_FOLDER / "control"),
    }

# --- Notifications ----------------------------------------------------------------------------
# Channels every applicant notification goes out on; see notifications/channels.py.
NOTIFICATION_CHANNELS = env.list("NOTIFICATION_CHANNELS", default=["email", "sms", "inapp"])
SMS_BACKEND = env("SMS_BACKEND", default="notifications.channels.LoggingSmsBackend")
# Delivery retries (notifications.services.deliver): after a temporary failure (the SMS provider throttling,
# a timeout, an SMTP error) the row is tried again after 1, 2, 4 … minutes, at most NOTIFICATION_RETRY_MAX_SECONDS
# apart, and given up (failed) after NOTIFICATION_MAX_ATTEMPTS tries. A permanent failure is never retried.
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=8)
NOTIFICATION_RETRY_BASE_SECONDS = env.int("NOTIFICATION_RETRY_BASE_SECONDS", default=60)
NOTIFICATION_RETRY_MAX_SECONDS = env.int("NOTIFICATION_RETRY_MAX_SECONDS", default=60 * 60)
# Alibaba Cloud SMS (SMS_BACKEND=notifications.aliyun.AliyunSmsBackend; docs/deployment.md, "SMS through Alibaba
# Cloud"). The check notifications.E001 refuses to start with that backend while any of these is missing.
ALIYUN_SMS_ACCESS_KEY_ID = env("ALIYUN_SMS_ACCESS_KEY_ID", default="")
ALIYUN_SMS_ACCESS_KEY_SECRET = env("ALIYUN_SMS_ACCESS_KEY_SECRET", default="")
ALIYUN_SMS_SIGN_NAME = env("ALIYUN_SMS_SIGN_NAME", default="")  # 签名, as approved in the console
# One approved template code per message kind (notifications.sms.SMS_KINDS), e.g.
# ALIYUN_SMS_TEMPLATE_CODES=verification_code=SMS_100000001,password_reset_code=SMS_100000002,notice=SMS_100000003
ALIYUN_SMS_TEMPLATE_CODES = env.dict("ALIYUN_SMS_TEMPLATE_CODES", default={})
ALIYUN_SMS_ENDPOINT = env("ALIYUN_SMS_ENDPOINT", default="dysmsapi.aliyuncs.com")
ALIYUN_SMS_PROTOCOL = env("ALIYUN_SMS_PROTOCOL", default="https")  # http only for a local stub
ALIYUN_SMS_CONNECT_TIMEOUT = env.float("ALIYUN_SMS_CONNECT_TIMEOUT", default=5.0)  # seconds
ALIYUN_SMS_READ_TIMEOUT = env.float("ALIYUN_SMS_READ_TIMEOUT", default=10.0)  # seconds
# The secret path segment of the delivery receipt URL (/notifications/sms/receipts/<token>/); empty: no receipts.
ALIYUN_SMS_RECEIPT_TOKEN = env("ALIYUN_SMS_RECEIPT_TOKEN", default="")

# --- DingTalk alerts to staff (notifications.alerts; README "DingTalk alerts") ----------------------
# The group robot (自定义机器人, security setting 加签) for what belongs to no campaign (a job failing again and
# again), and for campaigns without a robot of their own (set in the admin). Empty: alerts go to the log.
DINGTALK_ROBOT_WEBHOOK = env("DINGTALK_ROBOT_WEBHOOK", default="")
DINGTALK_ROBOT_SECRET = env("DINGTALK_ROBOT_SECRET", default="")
DINGTALK_TIMEOUT = env.float("DINGTALK_TIMEOUT", default=5.0)
# A robot accepts about 20 messages a minute; stay below in any rolling minute (the rest is batched).
DINGTALK_MESSAGES_PER_MINUTE = env.int("DINGTALK_MESSAGES_PER_MINUTE", default=18)
# After errcode 130101 (send too fast) DingTalk refuses the robot for about ten minutes.
DINGTALK_TOO_FAST_BACKOFF_MINUTES = env.int("DINGTALK_TOO_FAST_BACKOFF_MINUTES", default=10)
# A Celery job failing this many times in a row raises one alert.
DINGTALK_TASK_FAILURE_STREAK = env.int("DINGTALK_TASK_FAILURE_STREAK", default=3)
# The application-deadline alert is raised for deadlines passed within these days (not for old campaigns).
DINGTALK_DEADLINE_ALERT_DAYS = env.int("DINGTALK_DEADLINE_ALERT_DAYS", default=3)

CELERY_BEAT_SCHEDULE = {
    # SMS code requests older than a week are deleted (the limits read the last 24 hours).
    "accounts-purge-old-codes": {"task": "accounts.purge_old_codes", "schedule": crontab(hour=4, minute=0)},
    # The outbox sweep sends notifications that could not be queued (e.g. Redis was down).
    "notifications-sweep-outbox": {"task": "notifications.sweep_outbox", "schedule": 60.0},
    # DingTalk alerts still pending (throttled, broker down, a temporary error) go out within the budget.
    "notifications-send-alerts": {"task": "notifications.send_alerts", "schedule": 60.0},
    # Each campaign's application deadline raises one DingTalk alert with the counts, once it has passed.
    "applications-alert-deadlines": {"task": "applications.alert_deadlines", "schedule": 60.0},
    # Filings whose risk assessment could not be queued (broker down) are assessed here.
    "reviews-sweep-risk-reviews": {"task": "reviews.sweep_risk_reviews", "schedule": 60.0},
    # Applicants still to file are reminded at the campaign's offsets before its filing deadline (hours,
    # campaign data): every five minutes the job sends the reminders whose moment has come, once each.
    "reviews-filing-reminders": {"task": "reviews.send_filing_reminders", "schedule": 300.0},
    # Probation checks fall due at instants read from each campaign (no dates here): every minute the
    # job decides what has fallen due up to the campaign's data mark (数据完整至), so moving a date in the
    # admin moves the decision with it, and nothing is decided on data staff have not marked complete.
    "probation-evaluate-due": {"task": "probation.evaluate_due", "schedule": 60.0},
    # Daily; the task itself checks each campaign's reminder day.
    "probation-at-risk-reminders": {"task": "probation.send_at_risk_reminders", "schedule": crontab(hour=9, minute=0)},
    # Daily: operations are told which due checks wait longer than the campaign allows for their data.
    "probation-remind-waiting-checks": {
        "task": "probation.remind_waiting_checks", "schedule": crontab(hour=9, minute=30),
    },
}

# --- Security ---------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="WARNING")},
    "loggers": {},
}
if DEBUG and "DJANGO_LOG_LEVEL" not in os.environ:
    # `make run`: the logging SMS backend writes each SMS at INFO (a sign-up's code too), which the laptop must show
    # for a mobile sign-up or an SMS password reset to be completed, and an alert without a DingTalk robot is
    # written at INFO too. Production sends both through their providers. A log level set on purpose wins.
    LOGGING["loggers"].update(
        {"notifications.channels": {"level": "INFO"}, "notifications.dingtalk": {"level": "INFO"}}
    )
if CELERY_TASK_ALWAYS_EAGER:
    # Without a broker Celery still opens a producer for each eager task, and kombu warns that the (unused) broker
    # has no host, into the output of every management command that queues a task (a refused import's alert).
    LOGGING["loggers"]["kombu.connection"] = {"level": "ERROR"}

# --- Campaign product settings ------------------------------------------------------------------
# Label used in page titles and e-mails.
SITE_TITLE = _("Taobao Alliance merchant-recruiting leader campaign")
# 《淘宝联盟招商服务商管理规范》, which every applicant accepts in the declaration: the alliance's standing rules
# for all service providers (the 2024 announcement links this page), not one campaign's, hence a setting. The
# announcement's link without its page-view tracking parameter (spm).
MANAGEMENT_RULES_URL = env(
    "MANAGEMENT_RULES_URL",
    default="https://rule.alimama.com/#!/product/index?type=detail&id=405&knowledgeId=11002966",
)
