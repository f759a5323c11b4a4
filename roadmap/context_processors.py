from django.conf import settings
from django.http import HttpRequest

from roadmap.models import Roadmap


def _several_roadmaps_published() -> bool:
    return Roadmap.objects.published()[:2].count() > 1


def site(request: HttpRequest) -> dict:
    return {
        "site_name": settings.SITE_NAME,
        "registration_open": settings.REGISTRATION_OPEN,
        "sso_only": settings.SSO_ONLY,
        "sign_in_providers": bool(settings.SOCIALACCOUNT_PROVIDERS),
        # The curriculum is shown as written: its titles and descriptions carry this lang.
        "curriculum_lang": settings.CURRICULUM_LANGUAGE,
        # Called only by a page that shows the header's "All roadmaps" link and does not know
        # already: the roadmap page passes its own (read with the roadmap, no extra query).
        "roadmaps_listed": _several_roadmaps_published,
    }
