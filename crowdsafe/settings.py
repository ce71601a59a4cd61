"""CrowdSafe settings: one module, driven by environment variables.

Defaults run locally with no servers (SQLite, a file-system Celery broker); production values come from the
environment (DATABASE_URL, REDIS_URL, SECRET_KEY, ALLOWED_HOSTS, ...). See README.md, "Production".
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF

from crowdsafe.env import envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("CROWDSAFE_VAR_DIR", str(BASE_DIR / "var")))

# As in healthchecks: the defaults run locally; production sets DEBUG=false (docker-compose.yml does).
DEBUG = envbool("DEBUG", True)
SECRET_KEY = envstr("SECRET_KEY") or ("insecure-local-development-key-" + "x" * 40 if DEBUG else "")
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=true for local development).")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_filters",
    "axes",
    "csp",
    # The shared kernel.
    "crowdsafe.accounts",
    "crowdsafe.org",
    "crowdsafe.audit",
    "crowdsafe.workdays",
    "crowdsafe.web",
    # Domain apps.
    "duties",
    "venues",
    "events",
    "permits",
    "risk",
    "drills",
    "notices",
    "notifications",
    "alerts",
    "monitoring",
    "response",
    "dashboard",
    "inspections",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response, static files included (settings below).
    "crowdsafe.common.middleware.CSPMiddleware",
    "crowdsafe.common.middleware.PermissionsPolicyMiddleware",
    # Refuses a body above UPLOAD_REQUEST_MAX_BYTES by its Content-Length before anything reads it (the CSRF check).
    "crowdsafe.common.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into the lockout page (crowdsafe/accounts/lockout.py).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crowdsafe.urls"
WSGI_APPLICATION = "crowdsafe.wsgi.application"

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
                "crowdsafe.web.context_processors.shell",
            ],
        },
    },
]

# Database: SQLite under var/ by default; DATABASE_URL=postgres://... in production and tests.
DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'crowdsafe.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# A read replica (issue 19 point 4): PostgreSQL streaming replica of ``default``, for the read-only selectors of
# leaders' pages and reports (crowdsafe/db/routers.py chooses which). Unset: there is no "replica" alias and every
# read runs on ``default``. e.g. CROWDSAFE_REPLICA_DATABASE_URL=postgres://reader@db-replica:5432/crowdsafe
if envstr("CROWDSAFE_REPLICA_DATABASE_URL", ""):
    DATABASES["replica"] = dj_database_url.parse(
        envstr("CROWDSAFE_REPLICA_DATABASE_URL", ""),
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
    # Tests read the replica alias from the default test database (no second test database to keep in step).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["crowdsafe.db.routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The local run's SQLite ignores covering indexes' INCLUDE columns (duties.Task): harmless there, not worth a
# warning on every start; PostgreSQL (tests, production) builds them.
SILENCED_SYSTEM_CHECKS = ["models.W040"] if DATABASES["default"]["ENGINE"].endswith("sqlite3") else []

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes, first: refuses a locked-out account or address before any password is checked.
    "crowdsafe.accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-guardian: object permissions are the exceptions to queryset scoping (DESIGN.md section 4). No
# anonymous user object: anonymous visitors never hold object permissions.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(VAR_DIR / "media")))
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

REDIS_URL = envstr("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Security: strict unless DEBUG; each can be relaxed from the environment behind a TLS-terminating proxy.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_TLS_PROXY", False) else None
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # health checks come over plain HTTP from inside the network
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "crowdsafe.web.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.NamespaceVersioning",
    "DEFAULT_VERSION": "v1",
    "ALLOWED_VERSIONS": ["v1"],
    "EXCEPTION_HANDLER": "crowdsafe.web.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "user": "1200/min"},
    # JSON bodies nested deeper than API_JSON_MAX_DEPTH are refused with 400 (Python's parser recurses).
    "DEFAULT_PARSER_CLASSES": [
        "crowdsafe.web.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
API_JSON_MAX_DEPTH = envint("API_JSON_MAX_DEPTH", 64)
SPECTACULAR_SETTINGS = {
    "TITLE": "CrowdSafe API",
    "DESCRIPTION": "Crowd safety management: venues, gatherings, permits, risk, drills and duties.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema is served to signed-in callers only (a session or a token): it maps every endpoint. The Swagger
    # and ReDoc pages also need a sign-in (crowdsafe/urls.py).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # The sidecar's ReDoc bundle, served without its CDN logo (crowdsafe.web.views.redoc_bundle).
    "REDOC_DIST": "/api/redoc-dist",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # Choice sets that share a field name with another app's ("kind", "level"): named here, not by a hash.
    "ENUM_NAME_OVERRIDES": {
        "MonitoredZoneKindEnum": "monitoring.choices.ZoneKind",
        "MonitoringSourceKindEnum": "monitoring.choices.SourceKind",
        "JurisdictionLevelEnum": "crowdsafe.org.choices.JurisdictionLevel",
    },
}

# Celery: one app (crowdsafe/celery.py). Without REDIS_URL the broker is a folder on disk, so the run command
# works with no server; with REDIS_URL it is Redis. The beat schedule is kept in code (crowdsafe/celery.py).
# The file-system broker keeps its messages and its exchange table ("control", kombu's default is a folder of
# that name in the current directory) under var/, which git ignores; the folders are made here, as kombu makes
# only the last level of the control folder and none of the others.
CELERY_BROKER_URL = envstr("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": 3600}
)
for _folder in ("data_folder_in", "processed_folder", "control_folder"):
    if _folder in CELERY_BROKER_TRANSPORT_OPTIONS:
        Path(CELERY_BROKER_TRANSPORT_OPTIONS[_folder]).mkdir(parents=True, exist_ok=True)
CELERY_TASK_DEFAULT_QUEUE = envstr("CELERY_QUEUE", "celery")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "crowdsafe@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # An ordinary 403 or 404 is one line, without a traceback (crowdsafe/common/log_filters.py).
    "filters": {"client_errors": {"()": "crowdsafe.common.log_filters.NoTracebackForClientErrors"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["client_errors"]},
    },
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # The file-system broker of the local run has no host name: kombu says so on every connection.
        "kombu.connection": {"level": "ERROR"},
        # fontTools reports each step of subsetting a PDF's fonts at INFO.
        "fontTools": {"level": "WARNING"},
    },
}

# --- CrowdSafe domain settings -------------------------------------------------------------------------
# Working-day calendar: when a period counted in calendar days ends on a rest day it runs to the next
# working day (民法典 Art. 203: 期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日;
# in judicial practice 法定休假日 covers weekends too). Set to "holidays" to extend only over statutory holidays.
CALENDAR_PERIOD_EXTENDS_OVER = envstr("CALENDAR_PERIOD_EXTENDS_OVER", "rest_days")

# Map tiles for every map (static/js/crowdsafe-map.js). Empty: no network at all; the jurisdictions' boundaries
# (uploaded per jurisdiction, crowdsafe/org/boundaries.py) are the base layer under the markers.
# e.g. MAP_TILE_URL=https://tiles.example.gov.cn/{z}/{x}/{y}.png for the city's own tile server; 天地图:
# MAP_TILE_URL=https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default
# &TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=<key>, MAP_TILE_SUBDOMAINS=01234567 and the
# labels (cva_w) as MAP_TILE_OVERLAY_URL; 高德 (AMap): MAP_TILE_URL=https://webrd0{s}.is.autonavi.com/appmaptile?
# lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}, MAP_TILE_SUBDOMAINS=1234 and MAP_TILE_CRS=gcj02.
# MAP_TILE_CRS: the coordinate system of the tiles, "wgs84" (天地图 is CGCS2000, the same to the metre) or "gcj02"
# (AMap, Tencent): with gcj02 the script shifts every WGS-84 position and boundary onto the tiles.
MAP_TILE_URL = envstr("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = envstr("MAP_TILE_ATTRIBUTION", "")
MAP_TILE_SUBDOMAINS = envstr("MAP_TILE_SUBDOMAINS", "")
MAP_TILE_OVERLAY_URL = envstr("MAP_TILE_OVERLAY_URL", "")
MAP_TILE_CRS = envstr("MAP_TILE_CRS", "wgs84")
if MAP_TILE_CRS not in {"wgs84", "gcj02"}:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("MAP_TILE_CRS must be wgs84 or gcj02")

# Content-Security-Policy (django-csp): pages load scripts, styles, images and fonts from this site only, and no
# inline script, style attribute or event handler runs (templates use static files; data for scripts goes in
# json_script blocks). The only inline code is the API docs pages' (drf-spectacular's templates, overridden under
# templates/drf_spectacular/ to carry the request's nonce; a nonce is sent only on a page that uses one). Images
# may also be data: URIs (Swagger UI's icons; the admin's preview of a department's seal, which is kept out of
# public storage) and come from the map tile server's origin (added by crowdsafe/common/middleware.py). No page
# may be framed (X_FRAME_OPTIONS says the same to old browsers). CSP_REPORT_URI: where browsers report violations.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        **({"report-uri": [envstr("CSP_REPORT_URI", "")]} if envstr("CSP_REPORT_URI", "") else {}),
    },
}
# Permissions-Policy (crowdsafe/common/middleware.py): the browser features no page may use, and geolocation for
# the platform's own pages only (field staff take their position from the phone).
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "camera": [],
    "display-capture": [],
    "encrypted-media": [],
    "fullscreen": [],
    "geolocation": ["self"],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "publickey-credentials-get": [],
    "screen-wake-lock": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
}

# --- Notifications: reminders, escalation, channels (notifications/conf.py reads and checks these) --------------
# Reminders before a task's due date, in working days before it (0 = on the day itself), at a local time of day;
# then every working day while the task is overdue. Escalation while overdue: the department head after N working
# days, the jurisdiction's leader after M (urgent: past quiet hours and digests).
NOTIFICATIONS_REMINDER_OFFSETS = [int(n) for n in envlist("NOTIFICATIONS_REMINDER_OFFSETS", ["3", "1", "0"])]
NOTIFICATIONS_REMINDER_TIME = envstr("NOTIFICATIONS_REMINDER_TIME", "09:00")
NOTIFICATIONS_OVERDUE_DAILY = envbool("NOTIFICATIONS_OVERDUE_DAILY", True)
NOTIFICATIONS_ESCALATE_HEAD_AFTER = envint("NOTIFICATIONS_ESCALATE_HEAD_AFTER", 2)
NOTIFICATIONS_ESCALATE_LEADER_AFTER = envint("NOTIFICATIONS_ESCALATE_LEADER_AFTER", 5)
# The scan (crowdsafe/celery.py runs it every NOTIFICATIONS_SCAN_INTERVAL_SECONDS) claims due rows for a lease;
# a claim whose worker died is taken again once the lease has expired.
NOTIFICATIONS_SCAN_INTERVAL_SECONDS = envint("NOTIFICATIONS_SCAN_INTERVAL_SECONDS", 60)
NOTIFICATIONS_CLAIM_LEASE_SECONDS = envint("NOTIFICATIONS_CLAIM_LEASE_SECONDS", 300)
NOTIFICATIONS_SEND_BATCH_SIZE = envint("NOTIFICATIONS_SEND_BATCH_SIZE", 500)
NOTIFICATIONS_SCAN_MAX_CLAIMS = envint("NOTIFICATIONS_SCAN_MAX_CLAIMS", 20000)
# Deliveries over email, SMS and group robots: transient failures are retried after base * 2^(n-1) seconds (at most
# the maximum), up to the number of attempts; permanent failures are not retried.
NOTIFICATIONS_DELIVERY_MAX_ATTEMPTS = envint("NOTIFICATIONS_DELIVERY_MAX_ATTEMPTS", 5)
NOTIFICATIONS_RETRY_BASE_SECONDS = envint("NOTIFICATIONS_RETRY_BASE_SECONDS", 60)
NOTIFICATIONS_RETRY_MAX_SECONDS = envint("NOTIFICATIONS_RETRY_MAX_SECONDS", 3600)
NOTIFICATIONS_WEBHOOK_TIMEOUT_SECONDS = envint("NOTIFICATIONS_WEBHOOK_TIMEOUT_SECONDS", 10)
# Hosts a group-robot webhook may point at (WeCom 企业微信 and DingTalk 钉钉); anything else is refused.
NOTIFICATIONS_WEBHOOK_ALLOWED_HOSTS = envlist(
    "NOTIFICATIONS_WEBHOOK_ALLOWED_HOSTS", ["qyapi.weixin.qq.com", "oapi.dingtalk.com"]
)
NOTIFICATIONS_BELL_POLL_SECONDS = envint("NOTIFICATIONS_BELL_POLL_SECONDS", 30)
# Urgent alerts (alerts/conf.py): minutes to acknowledge before an alert is sent again and passed one person up
# (head, then the territory's leader, at most ALERTS_MAX_HOPS steps); how long an acknowledgment link is valid.
ALERTS_ACK_MINUTES = envint("ALERTS_ACK_MINUTES", 5)
ALERTS_ACK_LINK_HOURS = envint("ALERTS_ACK_LINK_HOURS", 24)
ALERTS_MAX_HOPS = envint("ALERTS_MAX_HOPS", 3)

# SMS: a backend class. The console and file backends are for development and never count as delivered; the
# HTTP adapter posts to an SMS gateway (SMS_HTTP_URL, with SMS_HTTP_TOKEN as a bearer token).
SMS_BACKEND = envstr("SMS_BACKEND", "notifications.channels.sms.ConsoleSmsBackend")
SMS_FILE_PATH = envstr("SMS_FILE_PATH", str(VAR_DIR / "sms" / "outbox.log"))
SMS_HTTP_URL = envstr("SMS_HTTP_URL", "")
SMS_HTTP_TOKEN = envstr("SMS_HTTP_TOKEN", "")
SMS_SIGN_NAME = envstr("SMS_SIGN_NAME", "人员聚集安全管理平台")
SMS_HTTP_TIMEOUT_SECONDS = envint("SMS_HTTP_TIMEOUT_SECONDS", 10)

# Email over SMTP in production (EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend); the console backend
# by default, whose messages count as logged, not delivered.
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 10)
EMAIL_SUBJECT_PREFIX = envstr("EMAIL_SUBJECT_PREFIX", "[CrowdSafe] ")

# The visitor's IP address (crowdsafe/common/client_ip.py), one answer for every limit that counts by address:
# sign-in lockouts (django-axes), the API's throttles and django-ratelimit. Behind a reverse proxy, name the header
# in which the proxy puts the visitor's address (TRUSTED_PROXY_IP_HEADER=X-Real-IP, which the proxy must overwrite,
# never pass on from the client); with none set, the socket's address is used and every such header is ignored.
TRUSTED_PROXY_IP_HEADER = envstr("TRUSTED_PROXY_IP_HEADER", "")

# Sign-in lockouts (django-axes) on the web sign-in page and the API's token endpoint: after AXES_FAILURE_LIMIT
# failed attempts for one account (from any address), or from one address (for any account), further attempts
# are refused for AXES_COOLOFF_TIME, even with the right password. Attempts are kept in the database; an
# administrator unlocks early by deleting the attempt in the admin (Access attempts). Each lockout is written to
# the action log (crowdsafe/accounts/lockout.py). Offices behind one NAT address share the per-address count.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 30) / 60  # hours, as django-axes counts
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "crowdsafe.common.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "crowdsafe.accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = False  # a sign-in to one's own account must not clear an address's count of guesses
AXES_VERBOSE = False
LOGGING["loggers"]["axes"] = {"level": "WARNING"}  # each failure and lockout, not every check

# Official documents (notices). The public verification page (/v/<code>) answers at most this many requests per
# client IP (django-ratelimit, counted in the default cache: Redis in production and tests, the local memory
# cache when running locally); the address is the one above. django_ratelimit is not in INSTALLED_APPS on purpose:
# its system check refuses the local memory cache that the no-server local run uses.
NOTICES_VERIFY_RATE = envstr("NOTICES_VERIFY_RATE", "30/m")
RATELIMIT_IP_META_KEY = "crowdsafe.common.client_ip.client_ip"
# WeasyPrint logs every step of every document at INFO: keep its warnings (a missing font, an image) only.
LOGGING["loggers"]["weasyprint.progress"] = {"level": "WARNING"}

# Large-event permits (permits/conf.py). Order 505 Art. 12: from this many people expected in a session the
# city-level public security licenses ("5000人以上"; whether exactly 5,000 is in is ambiguous: set 5001 to send it
# to the county). The locally promised decision deadline where no jurisdiction has its own (PromisedDeadline,
# in the admin): days and unit ("working" or "calendar"). Days given to correct an application.
PERMITS_CITY_LEVEL_FROM = envint("PERMITS_CITY_LEVEL_FROM", 5000)
PERMITS_PROMISED_DAYS = envint("PERMITS_PROMISED_DAYS", 7)
PERMITS_PROMISED_UNIT = envstr("PERMITS_PROMISED_UNIT", "working")
PERMITS_CORRECTION_DAYS = envint("PERMITS_CORRECTION_DAYS", 10)

# Uploads (crowdsafe/common/files.py): the most a file of each kind may weigh, in bytes, set in MB through the
# environment (UPLOAD_PHOTO_MAX_MB …). The same limit for a kind in every app:
# - photo 5 MB: a phone photo is 2-4 MB, and pages of risk points, hazards and gatherings show several;
# - evidence 10 MB: a task's evidence is a photo or a scan of a few pages;
# - document 20 MB (permit materials) and plan 20 MB: a venue's plan with annexes and maps, or a scan of it;
# - spreadsheet 20 MB: an import workbook, well beyond the import's row limit;
# - seal 2 MB: the scan of a department's seal, about 1000 × 1000 pixels.
# UPLOAD_MAX_PIXELS: images with more pixels are refused before they are decoded (a 20000 × 20000 PNG of a few
# KB would unpack to 1.2 GB); 50 megapixels lets the photos of a 48-megapixel phone through.
UPLOAD_LIMITS = {
    "photo": envint("UPLOAD_PHOTO_MAX_MB", 5) * 1024 * 1024,
    "evidence": envint("UPLOAD_EVIDENCE_MAX_MB", 10) * 1024 * 1024,
    "document": envint("UPLOAD_DOCUMENT_MAX_MB", 20) * 1024 * 1024,
    "plan": envint("UPLOAD_PLAN_MAX_MB", 20) * 1024 * 1024,
    "spreadsheet": envint("UPLOAD_SPREADSHEET_MAX_MB", 20) * 1024 * 1024,
    "seal": envint("UPLOAD_SEAL_MAX_MB", 2) * 1024 * 1024,
    "boundary": envint("UPLOAD_BOUNDARY_MAX_MB", 5) * 1024 * 1024,
}
UPLOAD_MAX_PIXELS = envint("UPLOAD_MAX_PIXELS", 50_000_000)
# The most one request may send (all its files and fields), refused by its Content-Length before it is read
# (crowdsafe/common/middleware.py): 64 MB is a hazard's 6 photos and 6 photos of its fix at 5 MB each, with room.
# A view that takes more at once says so (``request_size_limit``).
UPLOAD_REQUEST_MAX_BYTES = envint("UPLOAD_REQUEST_MAX_MB", 64) * 1024 * 1024
# The most an uploaded Office file (a workbook to import, a .docx) may unpack to, read from its zip directory before
# anything is inflated: 256 MB is five times a 50,000-row workbook's sheet; a 1 MB zip bomb declaring 1 GB is refused.
UPLOAD_ZIP_MAX_UNPACKED = envint("UPLOAD_ZIP_MAX_UNPACKED_MB", 256) * 1024 * 1024

# Personal information (crowdsafe/common/pii.py, PIPL Art. 19): callers' numbers (110 / 12345 tickets, public reports)
# are blanked this many days after they were received, by a daily beat task, each blanking logged. The fields:
# (app_label.Model, phone field, received-at field); a model whose app is not installed is skipped.
CALLER_PHONE_RETENTION_DAYS = envint("CALLER_PHONE_RETENTION_DAYS", 180)
CALLER_PHONE_FIELDS = [("response.PublicReport", "caller_phone", "received_at")]

# Live crowd monitoring (monitoring/, issue 15; docs/contracts/monitoring.md). A level falls only after the count
# has stayed below its band (less the margin, a share) this long; an early warning when red is forecast within the
# horizon; raw readings kept this many days (older partitions dropped daily; the minute rollups are kept two years);
# a source silent for this many times its interval raises 监测中断; the most readings one batch may carry.
MONITORING_HYSTERESIS_MINUTES = envint("MONITORING_HYSTERESIS_MINUTES", 5)
MONITORING_FALL_MARGIN_PERCENT = envint("MONITORING_FALL_MARGIN_PERCENT", 10)
MONITORING_FORECAST_HORIZON_MINUTES = envint("MONITORING_FORECAST_HORIZON_MINUTES", 30)
MONITORING_RAW_RETENTION_DAYS = envint("MONITORING_RAW_RETENTION_DAYS", 30)
MONITORING_ROLLUP_RETENTION_DAYS = envint("MONITORING_ROLLUP_RETENTION_DAYS", 730)
MONITORING_SILENT_FACTOR = envint("MONITORING_SILENT_FACTOR", 3)
MONITORING_MAX_BATCH = envint("MONITORING_MAX_BATCH", 5000)
# A batch is stored and evaluated this many zones at a time, each part in a transaction of its own: the zone states
# of one part are locked only while that part is evaluated, so the batches of gateways that share zones go on side by
# side instead of one waiting for the other's whole batch.
MONITORING_INGEST_CHUNK_ZONES = envint("MONITORING_INGEST_CHUNK_ZONES", 200)
