from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return settings.REGISTRATION_OPEN


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin) -> bool:
        # Signing in through the identity provider creates the account, even with SSO_ONLY
        # (which closes only password sign-up); REGISTRATION_OPEN=0 closes both.
        return settings.REGISTRATION_OPEN


class MFAAdapter(DefaultMFAAdapter):
    def get_public_key_credential_rp_entity(self) -> dict[str, str]:
        # The name a passkey prompt shows: the site's, rather than its host name.
        return {**super().get_public_key_credential_rp_entity(), "name": settings.SITE_NAME}
