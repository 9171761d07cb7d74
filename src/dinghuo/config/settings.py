"""Settings, all from the environment with safe development defaults.

DATABASE_URL   sqlite:///var/dinghuo.sqlite3 (default) or postgres://user@host:5432/db
SECRET_KEY     signs sessions and CSRF tokens; else the key kept in SECRET_KEY_FILE
               (var/secret_key: `dinghuo secret_key` writes it, `make run` does). Without
               either, `dinghuo serve` and the WSGI application refuse to start (DEBUG off)
DEBUG          "1" for development pages and tracebacks; off unless set, for every command
DINGHUO_PRODUCTION  "1" for production: refuses to load without a kept secret key or with
               DEBUG on, redirects HTTP to HTTPS, cookies Secure (`dinghuo check --deploy`)
DINGHUO_TRUSTED_PROXY  "1" when a reverse proxy terminates HTTPS and sets X-Forwarded-Proto
               and X-Forwarded-For (and strips them from clients): both are then believed
REDIS_URL      e.g. redis://127.0.0.1:6379/0: failed sign-ins are counted there (else in the
               database; core/failures.py), and it is Django's cache (the API's rate limits)
CACHE_URL      Django's cache when it is not REDIS_URL's Redis: redis://… or locmem:// (default)
DINGHUO_API_READS_PER_MINUTE (600), DINGHUO_API_WRITES_PER_MINUTE (120),
DINGHUO_API_ANONYMOUS_PER_MINUTE (60)  the API's rate limits: docs/security.md
ALLOWED_HOSTS  comma separated; defaults to local addresses
DB_POOL        "1" to use psycopg's connection pool on PostgreSQL (the production server sets it)
EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, DEFAULT_FROM_EMAIL
               SMTP for reminders and order mails; without EMAIL_HOST mail goes to the console
DINGHUO_PORTAL_URL  the portal's address, for links in e-mails
DINGHUO_SELF_SIGNUP  "1" lets sellers sign up on their own (e-mail verified; docs/tenants.md);
               DINGHUO_SIGNUPS_PER_HOUR (5) per client address
DINGHUO_MAIL_LEASE_SECONDS (120), DINGHUO_MAIL_CATCH_UP_HOURS (24), DINGHUO_MAIL_LOG_DAYS (90):
               order mails, docs/notifications.md
DINGHUO_WEBHOOK_PRIVATE_ADDRESSES  "1" lets webhooks go to private and loopback addresses
               and plain http (closed networks, tests); DINGHUO_WEBHOOK_LEASE_SECONDS (120),
               DINGHUO_WEBHOOK_TIMEOUT_SECONDS (10), DINGHUO_WEBHOOK_LOG_DAYS (30): docs/webhooks.md
DINGHUO_TOTP_ISSUER  the name authenticator apps show for two-step sign-in ("Dinghuo")
DINGHUO_WEBAUTHN_RP_ID  the domain passkeys belong to (e.g. "shop.example.com"); default: the
               host of each request. DINGHUO_WEBAUTHN_ORIGINS: comma separated origins passkeys
               are used from (e.g. "https://shop.example.com"); default: https:// and each
               name of ALLOWED_HOSTS in production, else each request's own (docs/two-factor.md)
DINGHUO_OPERATORS_2FA  "1": operators (superusers) set up two-step sign-in before the console
               or the admin opens (default: on with DINGHUO_PRODUCTION, else off)
DINGHUO_CARD_PROVIDER  "manual" (default) or "stripe"; STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET,
               STRIPE_PUBLISHABLE_KEY, STRIPE_API_BASE: docs/payments.md
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_EVAL, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

BASE_DIR = Path(__file__).resolve().parents[3]
VAR_DIR = Path(os.environ.get("DINGHUO_VAR_DIR", BASE_DIR / "var"))


def _env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _kept_secret_key(path: Path) -> str:
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        return ""


DEBUG = _env_flag("DEBUG", False)
DINGHUO_PRODUCTION = _env_flag("DINGHUO_PRODUCTION")
SECRET_KEY_FILE = Path(os.environ.get("SECRET_KEY_FILE", VAR_DIR / "secret_key"))
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip() or _kept_secret_key(SECRET_KEY_FILE)
# Without a kept key, commands that do not serve (tests, migrations, checks) sign with a random
# key of this process, never a known one; serving refuses it (core/serving.py).
DINGHUO_SECRET_KEY_KEPT = bool(SECRET_KEY)
if not DINGHUO_SECRET_KEY_KEPT:
    SECRET_KEY = "this-process-only-" + secrets.token_urlsafe(50)
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "modeltranslation",
    # A modern theme for the Django admin; it must come before django.contrib.admin, whose
    # templates it overrides, and it makes the default admin site an Unfold site.
    "unfold",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Django Ninja's API docs then load Swagger UI from our static files, not from a CDN that
    # the Content-Security-Policy would refuse.
    "ninja",
    # The worker's queue; before core, whose admin takes the queue's admin away again.
    "django_tasks",
    "django_tasks_db",
    # Two-step sign-in: django-otp's authenticator (TOTP) and recovery-code (static) devices.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Passkeys (WebAuthn) as a second step: django-otp-webauthn's device and its verification.
    "django_otp_webauthn",
    "dinghuo.core",
    "dinghuo.audit",
    "dinghuo.accounts",
    "dinghuo.catalog",
    "dinghuo.pricing",
    "dinghuo.customers",
    "dinghuo.inventory",
    "dinghuo.orders",
    "dinghuo.fulfilment",
    "dinghuo.billing",
    "dinghuo.buying",
    "dinghuo.returns",
    "dinghuo.stocktaking",
    "dinghuo.purchasing",
    "dinghuo.bulk",
    "dinghuo.edi",
    "dinghuo.punchout",
    "dinghuo.notifications",
    "dinghuo.portal",
    "dinghuo.backoffice",
    "dinghuo.two_factor",
    "dinghuo.integrations",
    "dinghuo.api",
    "dinghuo.operators",
    "dinghuo.demo",
    "dinghuo.privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "dinghuo.core.security.SecureCookiesOnHttps",
    "dinghuo.core.security.ContentSecurityPolicy",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Before anything else looks at an API request; outside the answers the next two
    # rewrite (errors into problem+json, 304s), so that those carry its headers too.
    "dinghuo.api.middleware.RateLimits",
    "dinghuo.api.middleware.ApiProblemMiddleware",
    "dinghuo.api.middleware.NotModifiedMiddleware",
    "dinghuo.core.input_guard.InputGuard",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Lists each person's sessions (accounts: "your sessions", sign out everywhere else).
    "dinghuo.accounts.middleware.SessionRegister",
    "django_otp.middleware.OTPMiddleware",
    "dinghuo.two_factor.middleware.SecondStepRequired",
    "django.contrib.messages.middleware.MessageMiddleware",
    "dinghuo.audit.middleware.ActorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees what the views raise: a suspended tenant's pages say so.
    "dinghuo.core.suspension.SuspendedTenantPages",
]

ROOT_URLCONF = "dinghuo.config.urls"
WSGI_APPLICATION = "dinghuo.config.wsgi.application"

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
                "dinghuo.core.context_processors.brand",
            ],
        },
    },
]

# How long an order waits for a stock row lock before answering "busy" (503 + Retry-After).
DINGHUO_LOCK_TIMEOUT_MS = int(os.environ.get("DINGHUO_LOCK_TIMEOUT_MS", "3000"))

# How long a request waits for the database (a pooled connection, or a new one) before it
# answers 503 `database_unavailable` with Retry-After (core/outage.py, docs/operations.md).
DINGHUO_DB_WAIT_SECONDS = float(os.environ.get("DINGHUO_DB_WAIT_SECONDS", "5"))

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'dinghuo.sqlite3'}"),
        conn_max_age=0 if _env_flag("DB_POOL") else 60,
        # A kept connection is tried before a request uses it (the pool tries its own).
        conn_health_checks=not _env_flag("DB_POOL"),
    )
}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # Writers take the lock when the transaction starts (no lock-upgrade deadlocks) and
    # WAL lets readers go on while one writer works: the same code, writes serialised.
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    _db["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME", "")}
elif _db["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with a pool that checks connections and reconnects quickly after the
    # database restarts or comes back (core/postgresql/base.py).
    _db["ENGINE"] = "dinghuo.core.postgresql"
    # Every statement waits at most this long for a row lock, then the request answers 503
    # busy; set per connection so that no transaction pays a round trip for it. JIT off: our
    # queries are short, and once a plan's estimated cost passes jit_above_cost PostgreSQL
    # spends 100+ ms compiling it on every run (docs/performance.md, "The dashboard").
    options: dict[str, object] = {
        "options": f"-c lock_timeout={DINGHUO_LOCK_TIMEOUT_MS} -c jit=off",
        # libpq counts whole seconds, at least 2.
        "connect_timeout": max(2, round(DINGHUO_DB_WAIT_SECONDS)),
    }
    if _env_flag("DB_POOL"):
        options["pool"] = {
            "min_size": int(os.environ.get("DB_POOL_MIN", "2")),
            "max_size": int(os.environ.get("DB_POOL_MAX", "8")),
            "timeout": DINGHUO_DB_WAIT_SECONDS,
        }
    _db["OPTIONS"] = options

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("zh-hant", "繁體中文"),
    ("zh-hans", "简体中文"),
]
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = {
    "default": ("en",),
    "zh-hant": ("zh-hans", "en"),
    "zh-hans": ("zh-hant", "en"),
}
# The pages' message catalogs (.po in the repo; the .mo are built by `dinghuo
# compile_translations`, which `make run` and scripts/test.sh run first).
LOCALE_PATHS = [BASE_DIR / "src" / "dinghuo" / "locale"]
# The language a person picks is remembered in this cookie for a year, signed in or not.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Uploaded files (return photos) live under var/; they are never served as static files:
# the pages that show them check who asks (`portal`/`backoffice` views_returns).
MEDIA_ROOT = VAR_DIR / "media"

# Pages: buyers sign in at the portal; a session lasts a working week and dies with sign-out.
LOGIN_URL = "portal:sign-in"
LOGIN_REDIRECT_URL = "/"
SESSION_COOKIE_AGE = 7 * 24 * 3600
# A password reset link works for an hour (and once: its token changes with the password).
PASSWORD_RESET_TIMEOUT = 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A form sent with a stale or missing CSRF token gets the styled page (config/errors.py).
CSRF_FAILURE_VIEW = "dinghuo.config.errors.csrf_failure"
# Production is served over HTTPS only: cookies are Secure there; elsewhere they are Secure on
# every request that came over HTTPS (core.security.SecureCookiesOnHttps).
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = DINGHUO_PRODUCTION
# Failed sign-ins allowed per email and per client address in SIGN_IN_WINDOW seconds before
# the sign-in form refuses to check passwords for them (portal/signin.py).
SIGN_IN_FAILURES_PER_EMAIL = 10
SIGN_IN_FAILURES_PER_ADDRESS = 50
SIGN_IN_WINDOW = 15 * 60
# Two-step sign-in (docs/two-factor.md): wrong codes are counted by the counters above, like
# wrong passwords, so django-otp's own per-device back-off is off (it would refuse a right code
# for seconds after a wrong one). Authenticator apps show the account under this name.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
OTP_TOTP_ISSUER = os.environ.get("DINGHUO_TOTP_ISSUER", "Dinghuo")
# Passkeys (WebAuthn, django-otp-webauthn) as a second step only, never instead of the password.
# The relying party (the domain a passkey belongs to) and the origins it is used from: the
# settings below, else the request's own host and origin (two_factor/passkeys.py).
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_HELPER_CLASS = "dinghuo.two_factor.passkeys.Helper"
OTP_WEBAUTHN_RP_ID_CALLABLE = "dinghuo.two_factor.passkeys.relying_party_id"
OTP_WEBAUTHN_RP_NAME = OTP_TOTP_ISSUER
DINGHUO_WEBAUTHN_RP_ID = os.environ.get("DINGHUO_WEBAUTHN_RP_ID", "").strip()
# In production (HTTPS) the origins default to those of ALLOWED_HOSTS' plain names.
OTP_WEBAUTHN_ALLOWED_ORIGINS = [
    o.strip() for o in os.environ.get("DINGHUO_WEBAUTHN_ORIGINS", "").split(",") if o.strip()
] or [
    f"https://{h}"
    for h in (ALLOWED_HOSTS if DINGHUO_PRODUCTION else [])
    if h and not h.startswith((".", "*"))
]

# Failed sign-ins are counted in Redis when this is set, else in the database (core/failures.py).
REDIS_URL = os.environ.get("REDIS_URL", "")
REDIS_TIMEOUT = float(os.environ.get("REDIS_TIMEOUT", "0.5"))


def _caches(url: str) -> dict[str, dict[str, object]]:
    """Django's cache from CACHE_URL (else REDIS_URL): Redis shares the API's rate-limit
    counters between every worker and server; without it each process counts on its own
    (local memory: enough for the one-process SQLite demo)."""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "KEY_PREFIX": "dinghuo",
                # A slow or absent Redis must not hold requests up: the limits then let
                # requests through (core/rate_limits.py) instead of failing them.
                "OPTIONS": {
                    "socket_connect_timeout": REDIS_TIMEOUT,
                    "socket_timeout": REDIS_TIMEOUT,
                },
            }
        }
    if url and not url.startswith("locmem://"):
        raise ImproperlyConfigured("CACHE_URL must be redis://, rediss://, unix:// or locmem://")
    return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


CACHES = _caches(os.environ.get("CACHE_URL", "").strip() or REDIS_URL.strip())

# API rate limits (docs/security.md, "Rate limits"): requests per minute per API key, reads
# (GET, HEAD, OPTIONS) and writes counted apart; a tenant may have its own
# (core.TenantApiLimits). Requests without a valid key are counted per client address.
DINGHUO_API_READS_PER_MINUTE = int(os.environ.get("DINGHUO_API_READS_PER_MINUTE", "600"))
DINGHUO_API_WRITES_PER_MINUTE = int(os.environ.get("DINGHUO_API_WRITES_PER_MINUTE", "120"))
DINGHUO_API_ANONYMOUS_PER_MINUTE = int(os.environ.get("DINGHUO_API_ANONYMOUS_PER_MINUTE", "60"))

# --- HTTPS and security headers (docs/security.md) --------------------------------------------
# Only a proxy we are told to trust may say that a request came over HTTPS; otherwise any
# client could claim it (gunicorn's own trust of X-Forwarded-Proto is off: config/gunicorn.py).
DINGHUO_TRUSTED_PROXY = _env_flag("DINGHUO_TRUSTED_PROXY")
if DINGHUO_TRUSTED_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Strict-Transport-Security on every HTTPS answer (SecurityMiddleware never sends it on HTTP).
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = _env_flag("SECURE_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = _env_flag("SECURE_SSL_REDIRECT", DINGHUO_PRODUCTION)
# Stated, though they are Django's defaults, so that no one loosens them unseen: no site may
# frame ours (also CSP frame-ancestors), other sites are not told our addresses, browsers do
# not guess content types, and our windows share nothing with the ones they open.
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SILENCED_SYSTEM_CHECKS = [
    # "SECURE_HSTS_PRELOAD is not True": asking browsers to preload the domain commits it and
    # every subdomain to HTTPS for months, beyond this application; the operator opts in with
    # SECURE_HSTS_PRELOAD=1 once they mean it.
    "security.W021",
    # "No allowed origins configured" (django-otp-webauthn), outside production only: without
    # DINGHUO_WEBAUTHN_ORIGINS each request's own origin is expected (two_factor/passkeys.py).
    *([] if OTP_WEBAUTHN_ALLOWED_ORIGINS or DINGHUO_PRODUCTION else ["otp_webauthn.E030"]),
]
# The pages load only their own scripts, styles and images: no inline script or style, no eval
# (htmx's eval and indicator styles are off in the layout). The Django admin's theme (unfold,
# Alpine.js) needs inline scripts, styles and eval: it gets its own policy, on /admin/ only.
_CSP_COMMON: dict[str, list[str]] = {
    "default-src": [SELF],
    "img-src": [SELF, "data:"],
    "font-src": [SELF],
    "connect-src": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [NONE],
    "base-uri": [NONE],
    "object-src": [NONE],
}
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {**_CSP_COMMON, "script-src": [SELF], "style-src": [SELF]},
}
DINGHUO_ADMIN_CSP = {
    **_CSP_COMMON,
    "script-src": [SELF, UNSAFE_INLINE, UNSAFE_EVAL],
    "style-src": [SELF, UNSAFE_INLINE],
}
# Powerful browser features no page of ours uses are refused to every frame.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
    )
}

# Orders of 1,000 lines are allowed; a body past 4 MB is refused before parsing.
DATA_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024


# The Django admin's theme (django-unfold), kept for master data: named for the product, the
# models grouped in the sidebar (each link shown to those who may view its model), and the way
# back to the back office.
def _admin_list(title: object, icon: str, model: str) -> dict[str, object]:
    app_label, model_name = model.split(".")
    return {
        "title": title,
        "icon": icon,
        "link": reverse_lazy(f"admin:{app_label}_{model_name}_changelist"),
        "permission": lambda request: (
            request.user.has_perm(f"{app_label}.view_{model_name}")
            or request.user.has_perm(f"{app_label}.change_{model_name}")
        ),
    }


UNFOLD = {
    "SITE_TITLE": _("Dinghuo"),
    "SITE_HEADER": _("Dinghuo"),
    "SITE_SUBHEADER": _("Master data"),
    "SITE_URL": "/staff/",
    "SITE_SYMBOL": "inventory_2",
    "SHOW_LANGUAGES": False,
    "SHOW_HISTORY": True,
    "BORDER_RADIUS": "6px",
    "SIDEBAR": {
        "show_search": True,
        "navigation": [
            {
                "title": _("Catalogue"),
                "items": [
                    _admin_list(_("Categories"), "category", "catalog.category"),
                    _admin_list(_("Products"), "inventory_2", "catalog.product"),
                    # "SKUs" alone is a column of counts in the pages' catalog.
                    _admin_list(pgettext_lazy("admin", "SKUs"), "barcode", "catalog.sku"),
                    _admin_list(_("Tax categories"), "label", "catalog.taxcategory"),
                ],
            },
            {
                "title": _("Prices"),
                "items": [
                    _admin_list(_("Price lists"), "sell", "pricing.pricelist"),
                    _admin_list(_("Price tiers"), "stacked_line_chart", "pricing.pricetier"),
                    _admin_list(
                        _("Price list assignments"), "assignment", "pricing.pricelistassignment"
                    ),
                    _admin_list(_("Contract prices"), "handshake", "pricing.contractprice"),
                    _admin_list(_("Promotions"), "percent", "pricing.promotion"),
                    _admin_list(_("Assortments"), "checklist", "pricing.assortment"),
                    _admin_list(_("Tax rates"), "account_balance", "pricing.taxrate"),
                    _admin_list(_("Tax policies"), "calculate", "pricing.taxpolicy"),
                ],
            },
            {
                "title": _("Customers"),
                "items": [
                    _admin_list(_("Companies"), "apartment", "customers.company"),
                    _admin_list(_("Locations"), "location_on", "customers.location"),
                    _admin_list(_("Company users"), "badge", "customers.companyuser"),
                    _admin_list(_("Customer groups"), "groups", "customers.customergroup"),
                    _admin_list(_("Credit lines"), "credit_card", "customers.creditline"),
                    _admin_list(_("Credit policies"), "schedule", "customers.creditpolicy"),
                ],
            },
            {
                "title": _("Stock"),
                "items": [
                    _admin_list(_("Warehouses"), "warehouse", "inventory.warehouse"),
                    _admin_list(_("Stock levels"), "inventory", "inventory.stocklevel"),
                    _admin_list(_("Reservations"), "lock_clock", "inventory.reservation"),
                    _admin_list(_("Stock movements"), "swap_vert", "inventory.stockmovement"),
                ],
            },
            {
                "title": _("Orders"),
                "items": [
                    _admin_list(_("Orders"), "receipt_long", "orders.order"),
                    _admin_list(_("Quotes"), "request_quote", "buying.quote"),
                    _admin_list(_("Approval rules"), "rule", "orders.approvalrule"),
                    _admin_list(_("Ordering policies"), "policy", "orders.orderpolicy"),
                ],
            },
            {
                "title": _("Returns"),
                "items": [
                    _admin_list(_("Return requests"), "assignment_return", "returns.returnrequest"),
                    _admin_list(_("Return policies"), "rule_settings", "returns.returnpolicy"),
                ],
            },
            {
                "title": _("System"),
                "items": [
                    _admin_list(_("Users"), "person", "auth.user"),
                    _admin_list(_("Groups"), "group", "auth.group"),
                    _admin_list(_("Audit log"), "history", "audit.auditentry"),
                    {
                        "title": _("Back office"),
                        "icon": "storefront",
                        "link": reverse_lazy("backoffice:dashboard"),
                    },
                ],
            },
        ],
    },
}


# Long work (imports) is queued in the database and run by `dinghuo worker`, which also runs
# the jobs below: each does one bounded batch, safe with several workers at once.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DINGHUO_WORKER_JOBS = [
    "dinghuo.integrations.delivery.make_deliveries",
    "dinghuo.integrations.delivery.send_due_deliveries",
    "dinghuo.edi.jobs.read_inboxes",
    "dinghuo.edi.jobs.write_outboxes",
    "dinghuo.bulk.jobs.recover_stalled_imports",
    "dinghuo.notifications.jobs.make_mails",
    "dinghuo.notifications.jobs.make_sign_in_mails",
    "dinghuo.notifications.jobs.send_due_mails",
]
# What `dinghuo worker` adds to its CPU niceness (0–19): background work gives way to pages
# and the API on a machine they share.
DINGHUO_WORKER_NICE = int(os.environ.get("DINGHUO_WORKER_NICE", "10"))
# Webhooks (docs/webhooks.md). Private, loopback and link-local receivers (and plain http) are
# refused unless DINGHUO_WEBHOOK_PRIVATE_ADDRESSES=1: on a closed network, or in tests.
DINGHUO_WEBHOOK_PRIVATE_ADDRESSES = _env_flag("DINGHUO_WEBHOOK_PRIVATE_ADDRESSES")
# How long a worker holds the deliveries it claimed before another may send them again.
DINGHUO_WEBHOOK_LEASE_SECONDS = int(os.environ.get("DINGHUO_WEBHOOK_LEASE_SECONDS", "120"))
DINGHUO_WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("DINGHUO_WEBHOOK_TIMEOUT_SECONDS", "10"))
# How long the delivery log keeps delivered and given-up deliveries (housekeeping forgets them).
DINGHUO_WEBHOOK_LOG_DAYS = int(os.environ.get("DINGHUO_WEBHOOK_LOG_DAYS", "30"))
# EDI files: <root>/<tenant slug>/inbox/ is watched (read files move to processed/ or
# failed/); outgoing messages are written to <root>/<tenant slug>/outbox/<partner GLN>/.
DINGHUO_EDI_ROOT = Path(os.environ.get("DINGHUO_EDI_ROOT", VAR_DIR / "edi"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # Refused requests (4xx) are answers, not incidents; server errors still log.
    # mt940 logs every malformed tag with its regexes at ERROR although the statement is
    # answered with 422 `malformed_statement`: a refusal, not an incident.
    "loggers": {"django.request": {"level": "ERROR"}, "mt940": {"level": "CRITICAL"}},
}

if DINGHUO_PRODUCTION and not DINGHUO_SECRET_KEY_KEPT:
    raise ImproperlyConfigured(
        "DINGHUO_PRODUCTION is set but there is no secret key: set SECRET_KEY in the "
        "environment to a long random value, or keep one in SECRET_KEY_FILE (`dinghuo secret_key`)."
    )
if DINGHUO_PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production (DINGHUO_PRODUCTION is set).")

# Time-driven jobs `dinghuo housekeeping` runs (each returns how many things it handled).
DINGHUO_HOUSEKEEPING = [
    "dinghuo.orders.services.expire_approvals",
    "dinghuo.orders.services.fill_waiting_backorders",
    "dinghuo.buying.services.expire_quotes",
    "dinghuo.core.services.purge_idempotency_records",
    "dinghuo.core.failures.purge_expired",
    "dinghuo.billing.jobs.send_payment_reminders",
    "dinghuo.billing.jobs.confirm_prepaid_orders_covered",
    "dinghuo.integrations.delivery.forget_old_deliveries",
    "dinghuo.notifications.jobs.forget_old_mails",
]

# E-mail (reminders, order mails). Without EMAIL_HOST, mail is written to the console (nothing
# leaves the machine in development); set it to send through an SMTP server.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip()
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_flag("EMAIL_USE_TLS", default=bool(EMAIL_HOST))
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "billing@localhost")
# Where buyers open the portal, for links in e-mails (e.g. https://shop.example.com).
DINGHUO_PORTAL_URL = os.environ.get("DINGHUO_PORTAL_URL", "").strip().rstrip("/")

# Mails about orders and quotes (docs/notifications.md): how long a worker holds the mails it
# claimed, how far back a tenant's first mailing round reaches, how long sent mails are kept.
DINGHUO_MAIL_LEASE_SECONDS = int(os.environ.get("DINGHUO_MAIL_LEASE_SECONDS", "120"))
DINGHUO_MAIL_CATCH_UP_HOURS = int(os.environ.get("DINGHUO_MAIL_CATCH_UP_HOURS", "24"))
DINGHUO_MAIL_LOG_DAYS = int(os.environ.get("DINGHUO_MAIL_LOG_DAYS", "90"))

# Card payments (docs/payments.md): the provider new card payments go to, and Stripe's keys.
DINGHUO_CARD_PROVIDER = os.environ.get("DINGHUO_CARD_PROVIDER", "manual").strip() or "manual"
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "").strip()
STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "").strip()
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "").strip()
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "https://api.stripe.com").strip()
STRIPE_WEBHOOK_TOLERANCE = int(os.environ.get("STRIPE_WEBHOOK_TOLERANCE", "300"))
STRIPE_MAX_NETWORK_RETRIES = int(os.environ.get("STRIPE_MAX_NETWORK_RETRIES", "2"))
STRIPE_TIMEOUT_SECONDS = float(os.environ.get("STRIPE_TIMEOUT_SECONDS", "20"))

# Sellers may sign up on their own at /operator/signup/ (verified by e-mail) when this is
# "1"; off, only operators create tenants (`dinghuo tenant create`, /operator/). Sign-ups
# from one client address are limited to DINGHUO_SIGNUPS_PER_HOUR.
DINGHUO_SELF_SIGNUP = _env_flag("DINGHUO_SELF_SIGNUP")
# The people who run the deployment see every tenant: in production they sign in to the
# console and the admin in two steps (two_factor/middleware.py), unless this is "0".
DINGHUO_OPERATORS_2FA = _env_flag("DINGHUO_OPERATORS_2FA", DINGHUO_PRODUCTION)
DINGHUO_SIGNUPS_PER_HOUR = int(os.environ.get("DINGHUO_SIGNUPS_PER_HOUR", "5"))
