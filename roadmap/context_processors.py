from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    return {
        "site_name": settings.SITE_NAME,
        "registration_open": settings.REGISTRATION_OPEN,
        "sso_only": settings.SSO_ONLY,
        "sign_in_providers": bool(settings.SOCIALACCOUNT_PROVIDERS),
    }
