"""A browser's user agent as a person would name it: "Firefox on Linux"."""

import re

from django import template
from django.utils.translation import gettext

register = template.Library()

# Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
BROWSERS = [
    ("Edge", r"Edg(e|A|iOS)?/"),
    ("Opera", r"OPR/|Opera"),
    ("Firefox", r"Firefox/|FxiOS/"),
    ("Chrome", r"Chrome/|CriOS/|Chromium/"),
    ("Safari", r"Safari/"),
]
SYSTEMS = [
    ("Android", r"Android"),
    ("iPhone", r"iPhone"),
    ("iPad", r"iPad"),
    ("Windows", r"Windows"),
    ("macOS", r"Mac OS X|Macintosh"),
    ("ChromeOS", r"CrOS"),
    ("Linux", r"Linux"),
]


def _first(patterns: list[tuple[str, str]], user_agent: str) -> str | None:
    return next((name for name, pattern in patterns if re.search(pattern, user_agent)), None)


@register.filter
def device(user_agent: str) -> str:
    browser = _first(BROWSERS, user_agent or "")
    system = _first(SYSTEMS, user_agent or "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or gettext("Unknown browser")
