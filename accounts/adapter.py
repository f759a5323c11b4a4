from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sites.requests import RequestSite
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from config.proxies import client_ip

ADDRESS_UNAVAILABLE = _(
    "This address cannot be added to your account: it already belongs to another one. "
    "If it is yours, sign in to that account instead."
)


def recipient_language(email: str, user=None) -> str:
    """The language an email to ``email`` is written in: its account's saved language, else
    the one the site is shown in now (the visitor's, for a sign-up), else the site's."""
    if user is None or not getattr(user, "pk", None):
        users = get_user_model().objects.filter(email__iexact=email)
        saved = users.values_list("language", flat=True).first() or ""
    else:
        saved = user.language
    if saved and saved in dict(settings.LANGUAGES):
        return saved
    return translation.get_language() or settings.LANGUAGE_CODE


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return settings.REGISTRATION_OPEN

    def address_owned_elsewhere(self, email: str, user) -> bool:
        """Whether another account signs in with ``email`` or has verified it.

        An unverified address someone merely typed proves nothing, so it blocks nobody;
        ``User.email`` is unique, so an address that is another account's login does.
        """
        User = get_user_model()
        return (
            User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists()
            or EmailAddress.objects.filter(email__iexact=email, verified=True)
            .exclude(user_id=user.pk)
            .exists()
        )

    def send_mail(self, template_prefix: str, email: str, context_: dict) -> None:
        # Without django.contrib.sites, allauth names the site after the request's host
        # ("Hello from 127.0.0.1:8000!"). The site's name is SITE_NAME; its address is the one
        # the learner used (ALLOWED_HOSTS vouches for the host, gunicorn for the scheme), the
        # same that allauth builds the email's links from.
        request = context.request
        if request is not None:
            site = RequestSite(request)
            site.name = settings.SITE_NAME
            context_ = {
                "current_site": site,
                "site_url": request.build_absolute_uri("/"),
                **context_,
            }
        with translation.override(recipient_language(email, context_.get("user"))):
            super().send_mail(template_prefix, email, context_)

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's per-IP limits and the sessions page: the visitor behind our proxy, never
        # the proxy itself nor an address the visitor wrote (config/proxies.py).
        ip = client_ip(request)
        if ip is None:
            raise PermissionDenied(_("Unable to determine the client's address."))
        return ip


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin) -> bool:
        # Signing in through the identity provider creates the account, even with SSO_ONLY
        # (which closes only password sign-up); REGISTRATION_OPEN=0 closes both.
        return settings.REGISTRATION_OPEN


class MFAAdapter(DefaultMFAAdapter):
    def get_public_key_credential_rp_entity(self) -> dict[str, str]:
        # The name a passkey prompt shows: the site's, rather than its host name.
        return {**super().get_public_key_credential_rp_entity(), "name": settings.SITE_NAME}
