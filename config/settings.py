"""Settings for LLM Roadmap, configured only through environment variables.

With nothing set, a fresh checkout runs in development mode on SQLite. Production
(``DEBUG=0``) refuses to start without a secret key and turns every secure default on.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from accounts import providers as identity_providers
from config import proxies

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}.")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def envchoice(name: str, default: str, choices: set[str]) -> str:
    value = os.environ.get(name, default).strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {sorted(choices)}, not {value!r}.")
    return value


def _secret_key() -> str | None:
    if path := os.environ.get("SECRET_KEY_FILE"):
        try:
            return Path(path).read_text().strip() or None
        except OSError as exc:
            raise ImproperlyConfigured(f"SECRET_KEY_FILE {path!r} cannot be read: {exc}") from exc
    return os.environ.get("SECRET_KEY") or None


DEBUG = envbool("DEBUG", True)

SECRET_KEY = _secret_key()
if SECRET_KEY is None:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG=0. "
            'Generate one with: python -c "import secrets; print(secrets.token_urlsafe(50))"'
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

SITE_NAME = os.environ.get("SITE_NAME", "LLM Roadmap")
# The site's public address: emails the worker sends (reminders, goals/) have no request to
# take it from, so their links and unsubscribe addresses are built on it.
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")
SITE_ID = 1

INSTALLED_APPS = [
    "accounts",
    "roadmap",
    "history",
    "insights",
    "maps",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks_db",
    "worker",
    "linkhealth",
    "groups",
    "goals",
    "health",
    "allauth",
    "allauth.account",
    # Sign-in options (settings below): two-factor, sessions, single sign-on.
    "allauth.mfa",
    "allauth.usersessions",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.github",
    "allauth.socialaccount.providers.gitlab",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.openid_connect",
]

MIDDLEWARE = [
    "health.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language from the cookie the footer's picker sets, else the browser's Accept-Language;
    # no /fr/ prefixes. A signed-in learner's saved language wins, once they are known (below).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.language.SavedLanguageMiddleware",
    "accounts.middleware.LearnerTimeZoneMiddleware",
    "config.middleware.PrivateForLearnersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffSecondFactorMiddleware",
    "accounts.middleware.SessionActivityMiddleware",
    "accounts.middleware.UnconfiguredProviderMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "roadmap.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", 0 if DEBUG else 600),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Caches shared by every gunicorn worker (never per-process memory), so that allauth's rate
# limits hold across processes. The database needs no extra service; REDIS_URL switches both
# to Redis for larger instances.
DATABASE_CACHE = {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "roadmap_cache",
}


def redis_caches(url: str) -> dict[str, dict]:
    """Both caches in Redis, each with a stand-in while Redis does not answer
    (config/redis_cache.py): the rate limits move to the database cache every process shares,
    so they hold exactly as on an instance without Redis; sessions are read from their table."""
    backend = "config.redis_cache.RedisCacheWithFallback"
    return {
        "default": {"BACKEND": backend, "LOCATION": url, "OPTIONS": {"FALLBACK": "database"}},
        "sessions": {"BACKEND": backend, "LOCATION": url, "OPTIONS": {"FALLBACK": None}},
        "database": DATABASE_CACHE,
    }


if redis_url := os.environ.get("REDIS_URL"):
    CACHES = redis_caches(redis_url)
else:
    CACHES = {
        "default": DATABASE_CACHE,
        # A table of its own, so that rate-limit keys never push sessions out (nor the reverse),
        # large enough to hold every live session of an instance.
        "sessions": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "roadmap_session_cache",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        },
    }

# Every signed-in request reads its session. cached_db keeps sessions in the database (a cache
# restart or eviction loses nothing) and reads them through the cache first: one plain SQL
# statement (or a Redis GET) instead of an ORM query, which the signed-in roadmap page pays on
# every request (docs/performance.md).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "sessions"

AUTH_USER_MODEL = "accounts.User"
# Django's and allauth's backends, loading the signed-in user with one precompiled query.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.ModelBackend",
    "accounts.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "roadmap:home"

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "add_email": "accounts.forms.AddEmailForm",
    "signup": "accounts.forms.SignupForm",
}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# Only "mandatory" keeps sign-up from telling whether an address is registered ("none" and
# "optional" must say so, to keep addresses unique). It needs working email, so it is the
# production default once EMAIL_HOST is set (README, "Security").
ACCOUNT_EMAIL_VERIFICATION = envchoice(
    "ACCOUNT_EMAIL_VERIFICATION",
    "mandatory" if not DEBUG and os.environ.get("EMAIL_HOST") else "optional",
    {"none", "optional", "mandatory"},
)
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_RATE_LIMITS_ENABLED = True
# allauth's rate limits (kept in the shared cache) also guard our own costly writes: saving a
# note renders its Markdown, so a learner may save 30 a minute, far more than anyone types;
# checking an uploaded export reads up to 5 MB, so a learner may upload 10 an hour.
ACCOUNT_RATE_LIMITS = {"note_save": "30/m/user", "data_import": "10/h/user"}
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
REGISTRATION_OPEN = envbool("REGISTRATION_OPEN", True)
# Who may create a study group (docs/groups.md): any signed-in learner, or staff only.
GROUPS_CREATE = envchoice("GROUPS_CREATE", "anyone", {"anyone", "staff"})

# --- Sign-in options: two-factor, passkeys, single sign-on, sessions -----------------------------
# Everything comes from allauth; each identity provider is off until its variables are set.
# README, "Sign-in options", lists the variables and the callback URL to register at each one.

# Two-factor: authenticator apps (TOTP) with recovery codes, and WebAuthn security keys and
# passkeys, which also sign in without a password.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = SITE_NAME
MFA_ADAPTER = "accounts.adapter.MFAAdapter"
# allauth's security-key forms, with a malformed credential a form error instead of a 500.
MFA_FORMS = {
    "add_webauthn": "accounts.mfa_forms.AddWebAuthnForm",
    "authenticate_webauthn": "accounts.mfa_forms.AuthenticateWebAuthnForm",
    "login_webauthn": "accounts.mfa_forms.LoginWebAuthnForm",
    "reauthenticate_webauthn": "accounts.mfa_forms.ReauthenticateWebAuthnForm",
}
# Staff (curators included) reach the admin only once they have a second factor.
MFA_REQUIRED_FOR_STAFF = envbool("MFA_REQUIRED_FOR_STAFF", not DEBUG)
# Lets a development server on a plain-HTTP host name other than localhost try security keys
# (in a browser told to treat that origin as secure).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG

# "Your sessions": every signed-in browser, its device and when it was last seen. allauth's own
# activity tracking writes on every request; accounts.middleware does it at most once every
# few minutes per session instead, so a page view costs no query for it.
USERSESSIONS_TRACK_ACTIVITY = True

# Single sign-on: GitHub, Google, GitLab and any OpenID Connect provider (accounts/providers.py).
SOCIALACCOUNT_ADAPTER = "accounts.adapter.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS, SIGN_IN_ORIGINS = identity_providers.from_environment(os.environ)
# A provider's address proves the person owns it only when the provider says it checked it
# (GitHub's "verified", Google's and OpenID Connect's "email_verified"; GitLab says nothing, so
# its addresses count as unverified). Such a verified address signs in to the account that has
# it and links the provider to it; an unverified one never does.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_QUERY_EMAIL = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10

# Instances that want only their identity provider: no password sign-up or sign-in (nor passkey
# sign-in, so that leaving the organisation's directory ends access). allauth's own
# SOCIALACCOUNT_ONLY would also switch two-factor off, which staff keep here.
SSO_ONLY = envbool("SSO_ONLY", False)
if SSO_ONLY and not SOCIALACCOUNT_PROVIDERS:
    raise ImproperlyConfigured("SSO_ONLY=1 needs an identity provider: set GITHUB_*, OIDC_*…")
MFA_PASSKEY_LOGIN_ENABLED = not SSO_ONLY
MFA_PASSKEY_SIGNUP_ENABLED = False

if email_host := os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": email_host,
                "port": envint("EMAIL_PORT", 587),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": envbool("EMAIL_USE_TLS", True),
                "use_ssl": envbool("EMAIL_USE_SSL", False),
                "timeout": envint("EMAIL_TIMEOUT", 10),
            },
        }
    }
else:
    # Without SMTP every email (sign-up confirmation, password reset) is written to stdout: fine
    # for development and for a private instance whose operator reads the logs. Django's deploy
    # check calls that an error; it is the operator's documented choice, so it is silenced here.
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
    SILENCED_SYSTEM_CHECKS = ["mail.E001"]
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "LLM Roadmap <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("ar", "العربية"),
]
# English is the source; each app's translations are in its locale/ folder, and those of the
# site-wide templates (templates/) and config/ in locale/ (docs/translating.md).
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language the curriculum (titles, descriptions, section intros) is written in: it is shown
# as written, whatever the interface's language, marked up with this lang for screen readers.
CURRICULUM_LANGUAGE = os.environ.get("CURRICULUM_LANGUAGE", "en").strip() or "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# The image collects into /app/staticfiles at build time; tests collect into a temporary folder.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Security. Production assumes TLS ends at the operator's proxy, which sets X-Forwarded-Proto.
# Gunicorn, not Django, reads that header, and only from the proxy's addresses
# (FORWARDED_ALLOW_IPS, config/gunicorn_conf.py); Django trusts the scheme gunicorn gives it.
# Reading it here too would believe it from anyone who reaches the port.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_PROXY_SSL_HEADER = None
# The same addresses are the only ones whose X-Forwarded-For names the visitor, for allauth's
# per-IP limits (config/proxies.py). Read now, so that a typo stops the server at start-up.
try:
    proxies.trusted_networks()
except ValueError as error:
    raise ImproperlyConfigured(str(error)) from None
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
if SESSION_COOKIE_SECURE:
    # Browsers accept a __Host- cookie only over HTTPS, with Secure, Path=/ and no Domain, so no
    # subdomain (or plain-HTTP page on the host) can plant or overwrite these two.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF, *SIGN_IN_ORIGINS],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# Link health (linkhealth/): background work and the link checker.
# Work that outlives a request goes through Django's tasks API. "database" (the production
# default) queues it in PostgreSQL for the worker service (`manage.py run_worker`); "immediate"
# (development and tests) runs it inside the request that asks for it.
TASKS_BACKEND = envchoice(
    "TASKS_BACKEND", "immediate" if DEBUG else "database", {"immediate", "database"}
)
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django.tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
        }[TASKS_BACKEND],
    }
}
# Seconds between a worker's heartbeats; six missed and it counts as gone, and its running
# task is run again by another worker.
WORKER_HEARTBEAT_SECONDS = envint("WORKER_HEARTBEAT_SECONDS", 10)
if WORKER_HEARTBEAT_SECONDS < 1:
    raise ImproperlyConfigured("WORKER_HEARTBEAT_SECONDS must be 1 or more.")
# Seconds to wait for a connection, and for each read of an answer, per request; and for the
# whole request (connection, TLS, headers), however the server paces its bytes.
LINKCHECK_CONNECT_TIMEOUT = envint("LINKCHECK_CONNECT_TIMEOUT", 5)
LINKCHECK_READ_TIMEOUT = envint("LINKCHECK_READ_TIMEOUT", 10)
LINKCHECK_TOTAL_TIMEOUT = envint("LINKCHECK_TOTAL_TIMEOUT", 15)
# Fetching loopback, private, link-local and metadata addresses is refused unless this is on:
# for the test suite's local server only, never on a server.
LINKCHECK_ALLOW_PRIVATE = envbool("LINKCHECK_ALLOW_PRIVATE", False)
if LINKCHECK_ALLOW_PRIVATE and not DEBUG:
    raise ImproperlyConfigured(
        "LINKCHECK_ALLOW_PRIVATE=1 is for the test suite only: on a server it would let anyone "
        "who can add a link make the server fetch addresses on its own network. Remove it."
    )
# Problem reports one learner may send per hour, across all links.
LINKHEALTH_REPORTS_PER_HOUR = envint("LINKHEALTH_REPORTS_PER_HOUR", 10)

# Notes are private Markdown; this bounds what one note may hold.
NOTE_MAX_LENGTH = 20_000
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "line",
        },
    },
    "root": {"handlers": ["stdout"], "level": os.environ.get("LOG_LEVEL", "INFO").upper()},
    # Django's own handlers (console in development, mail_admins in production) would print
    # events twice or mail nobody: its loggers hand everything to the root handler instead,
    # so a 500 is one line with its traceback under it, on stdout.
    "loggers": {
        "django": {"handlers": [], "level": "NOTSET", "propagate": True},
    },
}
