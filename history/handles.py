"""Which handles a learner may choose for their public page at ``/u/<handle>/``.

A handle is refused when a visitor could take the page for the site, its staff or one of its
roadmaps speaking: a word that names a page of the site; a staff word (``admin``, ``team``…)
alone, in the plural, or as one hyphen-joined part of the handle (``root-admin``); any of these
spelled with look-alike digits (``adm1n``, ``m0ds``); anything holding the site's name; and the
slug of any roadmap, published or not (``/u/llm-roadmap/`` would pass for that roadmap's page).

Every comparison is on a *skeleton*: lower case, hyphens and underscores dropped, and the
characters a reader confuses mapped to one (0→o; 1, l→i; 3→e; 4→a; 5→s; 7→t), so that ``adm1n``,
``admln`` and ``ad-min`` all read as ``admin``.
"""

import re
import string

from django.conf import settings
from django.utils.text import slugify

from roadmap.models import Roadmap

SHAPE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,28})[a-z0-9]$")

# Words that pass for the site's staff or for the site itself: refused as the whole handle or as
# any hyphen-joined part of it, also in the plural and followed by digits (admin2, mods).
STAFF_WORDS = frozenset(
    {
        "abuse",
        "admin",
        "administrator",
        "curator",
        "help",
        "helpdesk",
        "hostmaster",
        "mod",
        "moderator",
        "noreply",
        "official",
        "operator",
        "owner",
        "postmaster",
        "root",
        "security",
        "staff",
        "superuser",
        "support",
        "sysadmin",
        "system",
        "team",
        "webmaster",
    }
)
# Staff words that stay staff words run together with another (superadmin, adminteam); the
# others are left out because ordinary words hold them (ecosystem, helpful, steam).
COMPOUND_STAFF_WORDS = ("admin", "moderator", "official")
# Words that name the site's pages or mean nothing: refused as the whole handle only.
PAGE_WORDS = frozenset(
    {
        "about",
        "accounts",
        "api",
        "app",
        "assets",
        "auth",
        "blog",
        "contact",
        "dashboard",
        "delete",
        "docs",
        "export",
        "home",
        "import",
        "login",
        "logout",
        "me",
        "new",
        "notes",
        "null",
        "password",
        "privacy",
        "profile",
        "public",
        "register",
        "roadmap",
        "roadmaps",
        "settings",
        "signin",
        "signup",
        "site",
        "static",
        "terms",
        "u",
        "undefined",
        "user",
        "users",
        "www",
    }
)

_LOOK_ALIKES = str.maketrans({"0": "o", "1": "i", "l": "i", "3": "e", "4": "a", "5": "s", "7": "t"})


def skeleton(text: str) -> str:
    """``text`` as a reader might take it: see the module's docstring."""
    return re.sub(r"[-_]", "", text.lower()).translate(_LOOK_ALIKES)


def _plurals(word: str) -> set[str]:
    forms = {word, word + "s"}
    if word.endswith("y"):
        forms.add(word[:-1] + "ies")
    return forms


_STAFF = frozenset(skeleton(form) for word in STAFF_WORDS for form in _plurals(word))
_COMPOUND = tuple(skeleton(form) for word in COMPOUND_STAFF_WORDS for form in _plurals(word))
_PAGES = frozenset(skeleton(word) for word in PAGE_WORDS)


def is_reserved(handle: str) -> bool:
    """Whether ``handle`` could pass for the site, its staff or a roadmap (one query)."""
    parts = [part for part in re.split(r"[-_]+", handle.lower()) if part]
    whole = skeleton("".join(parts))
    for shape in {whole, skeleton("".join(parts).rstrip(string.digits))}:
        if shape in _PAGES or shape in _STAFF:
            return True
        if shape.startswith(_COMPOUND) or shape.endswith(_COMPOUND):
            return True
    if any(skeleton(part.rstrip(string.digits) or part) in _STAFF for part in parts):
        return True
    site = skeleton(slugify(settings.SITE_NAME))
    if site and site in whole:
        return True
    slugs = Roadmap.objects.values_list("slug", flat=True)
    return whole in {skeleton(slug) for slug in slugs}
