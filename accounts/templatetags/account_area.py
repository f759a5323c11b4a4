"""The account area's navigation: every page about the learner's account, in one list.

Our pages (profile and public page, settings, export and import, deletion) and allauth's (email,
password, two-factor, sessions, connected accounts) live under /accounts/ and show this one
navigation: allauth's through ``templates/allauth/layouts/manage.html``, ours by extending it.
A page below an item (setting up an authenticator app, an import's preview) marks that item as
the current one too.
"""

from dataclasses import dataclass

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

register = template.Library()


@dataclass(frozen=True)
class Item:
    label: str
    url: str
    # Pages below the item's own, by their path; the item's own page is always one.
    below: tuple[str, ...] = ()


def items() -> list[Item]:
    found = [
        Item(_("Profile and public page"), reverse("history:public_settings")),
        Item(_("Settings"), reverse("accounts:settings")),
        Item(_("Email addresses"), reverse("account_email")),
    ]
    if not settings.SSO_ONLY:
        password = reverse("account_change_password")
        found.append(Item(_("Password"), password, below=(reverse("account_set_password"),)))
    mfa = reverse("mfa_index")
    found.append(Item(_("Two-factor"), mfa, below=(mfa,)))
    found.append(Item(_("Sessions"), reverse("usersessions_list")))
    if settings.SOCIALACCOUNT_PROVIDERS:
        found.append(Item(_("Connected accounts"), reverse("socialaccount_connections")))
    data = reverse("history:import")
    found.append(Item(_("Export and import"), data, below=(data,)))
    found.append(Item(_("Delete account"), reverse("accounts:delete")))
    return found


def current(item: Item, path: str) -> str:
    """``aria-current``'s value for ``item`` on the page at ``path``, or "" if it is not it."""
    if path == item.url:
        return "page"
    if any(path.startswith(prefix) for prefix in item.below):
        return "true"  # within the item's part of the area, not its page itself
    return ""


@register.inclusion_tag("accounts/_nav.html", takes_context=True)
def account_nav(context) -> dict:
    path = context["request"].path
    return {"links": [(item, current(item, path)) for item in items()]}
