"""What the two-factor pages need to know about the learner, beyond what allauth's views pass.

allauth's second-factor page offers a security key to everyone and never mentions recovery
codes; its two-factor page offers "Activate" to a learner it will then refuse for an unverified
address. Its views stay as they are; their templates (templates/mfa/) ask these tags instead.
"""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator
from django import template

register = template.Library()


@dataclass(frozen=True)
class SecondFactors:
    app: bool  # an authenticator app (TOTP)
    security_keys: bool  # WebAuthn: security keys and passkeys
    recovery_codes: int  # unused ones


@register.simple_tag
def second_factors(user) -> SecondFactors:
    """What ``user`` can sign in with at the second step: one query."""
    app = security_keys = False
    recovery_codes = 0
    for authenticator in Authenticator.objects.filter(user_id=user.pk):
        if authenticator.type == Authenticator.Type.TOTP:
            app = True
        elif authenticator.type == Authenticator.Type.WEBAUTHN:
            security_keys = True
        elif authenticator.type == Authenticator.Type.RECOVERY_CODES:
            recovery_codes = len(authenticator.wrap().get_unused_codes())
    return SecondFactors(app=app, security_keys=security_keys, recovery_codes=recovery_codes)


@register.simple_tag
def addresses_to_verify(user) -> list[EmailAddress]:
    """The addresses that keep ``user`` from adding a second factor, until they are verified.

    allauth refuses two-factor while any address on the account is unverified (someone who
    signed up with another person's address could otherwise lock its owner out), unless
    MFA_ALLOW_UNVERIFIED_EMAIL is set: the same rule as allauth.mfa's own check.
    """
    if app_settings.ALLOW_UNVERIFIED_EMAIL:
        return []
    return list(EmailAddress.objects.filter(user_id=user.pk, verified=False).order_by("email"))
