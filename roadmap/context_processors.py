from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.html import format_html

from roadmap.models import Roadmap


def curriculum_lang_attr() -> str:
    """`` lang="en"`` for an element of curriculum text when the page is in another language, else
    nothing: the text then inherits the page's own ``<html lang>``, which is the same, and pages
    in the curriculum's language stay as light as before. The roadmap page's templates, where
    every byte is repeated for each resource, write ``<h1{{ curriculum_lang_attr }}>``."""
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    if language == settings.CURRICULUM_LANGUAGE.split("-")[0]:
        return ""
    return format_html(' lang="{}"', settings.CURRICULUM_LANGUAGE)


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
        "curriculum_lang_attr": curriculum_lang_attr,
        # Called only by a page that shows the header's "All roadmaps" link and does not know
        # already: the roadmap page passes its own (read with the roadmap, no extra query).
        "roadmaps_listed": _several_roadmaps_published,
    }
