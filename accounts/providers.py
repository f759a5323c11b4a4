"""Identity providers for "Sign in with…", built from environment variables alone.

``config/settings.py`` turns the environment into allauth's ``SOCIALACCOUNT_PROVIDERS`` with
:func:`from_environment`; a provider whose variables are unset is left out, so it has no button
and its URLs answer 404. Tests build their provider stubs' settings with the same function.
This module imports nothing from Django's app registry: settings import it.
"""

from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

GITHUB_AUTHORIZE_ORIGIN = "https://github.com"
GOOGLE_AUTHORIZE_ORIGIN = "https://accounts.google.com"
GITLAB_DEFAULT_URL = "https://gitlab.com"
# Part of the callback URL (/accounts/oidc/sso/login/callback/) and stored with every linked
# account: it never changes, whatever the button's name (OIDC_NAME) says.
OIDC_PROVIDER_ID = "sso"


def origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0]
    if scheme not in ("https", "http") or not host:
        raise ImproperlyConfigured(f"{url!r} must be an http(s):// URL.")
    return f"{scheme}://{host}"


def _credentials(env: Mapping[str, str], prefix: str, *also: str) -> dict[str, str] | None:
    """PREFIX_CLIENT_ID and PREFIX_CLIENT_SECRET, or None when neither is set."""
    names = [f"{prefix}_CLIENT_ID", f"{prefix}_CLIENT_SECRET", *also]
    values = {name: env.get(name, "").strip() for name in names}
    if not (values[names[0]] or values[names[1]]):
        return None
    if missing := [name for name, value in values.items() if not value]:
        raise ImproperlyConfigured(f"{prefix} sign-in also needs {', '.join(missing)}.")
    return {"client_id": values[names[0]], "secret": values[names[1]]}


def from_environment(env: Mapping[str, str]) -> tuple[dict[str, dict], list[str]]:
    """allauth's SOCIALACCOUNT_PROVIDERS, and the origins each sign-in form redirects to.

    Those origins join CSP's form-action: browsers apply it to the redirect that follows the
    "Continue with…" form, which goes to the provider.
    """
    providers: dict[str, dict] = {}
    origins: list[str] = []
    if github := _credentials(env, "GITHUB"):
        providers["github"] = {"APPS": [github]}
        origins.append(GITHUB_AUTHORIZE_ORIGIN)
    if google := _credentials(env, "GOOGLE"):
        providers["google"] = {
            "APPS": [google],
            "SCOPE": ["openid", "profile", "email"],
            "OAUTH_PKCE_ENABLED": True,
        }
        origins.append(GOOGLE_AUTHORIZE_ORIGIN)
    if gitlab := _credentials(env, "GITLAB"):
        gitlab_url = env.get("GITLAB_URL", "").strip().rstrip("/") or GITLAB_DEFAULT_URL
        origins.append(origin(gitlab_url))
        providers["gitlab"] = {
            "APPS": [{**gitlab, "settings": {"gitlab_url": gitlab_url}}],
            "OAUTH_PKCE_ENABLED": True,
        }
    if oidc := _credentials(env, "OIDC", "OIDC_SERVER_URL"):
        server_url = env["OIDC_SERVER_URL"].strip()
        origins.append(origin(server_url))
        providers["openid_connect"] = {
            "APPS": [
                {
                    **oidc,
                    "provider_id": OIDC_PROVIDER_ID,
                    "name": env.get("OIDC_NAME", "").strip() or "Single sign-on",
                    "settings": {"server_url": server_url},
                }
            ],
            "OAUTH_PKCE_ENABLED": True,
        }
    return providers, origins
