"""allauth's security-key forms, refusing a malformed credential with a form error.

The browser posts the WebAuthn ceremony's result as JSON. allauth parses it with fido2, which
raises KeyError (and, for some shapes, ValueError or AttributeError) on a payload that lacks a
field; allauth catches only some of those, so a hand-made post got a 500. Here every credential
is parsed first, and anything fido2 cannot read is the "Incorrect code" error allauth shows for
a wrong key. Wired in through MFA_FORMS (settings, "Sign-in options").
"""

from typing import Any

from allauth.mfa.adapter import get_adapter
from allauth.mfa.webauthn import forms as allauth_forms
from fido2.webauthn import AuthenticationResponse, RegistrationResponse

UNREADABLE = (KeyError, TypeError, ValueError, AttributeError)


def _readable(credential: Any, response_class) -> Any:
    try:
        response_class.from_dict(credential)
    except UNREADABLE:
        raise get_adapter().validation_error("incorrect_code") from None
    return credential


class AddWebAuthnForm(allauth_forms.AddWebAuthnForm):
    def clean_credential(self) -> Any:
        return _readable(self.cleaned_data["credential"], RegistrationResponse)

    def clean(self) -> dict:
        try:
            return super().clean()
        except UNREADABLE:
            # Readable, yet not a registration fido2 can verify.
            raise get_adapter().validation_error("incorrect_code") from None


class _ReadableAuthentication:
    def clean_credential(self):
        credential = self.cleaned_data["credential"]
        _readable(credential, AuthenticationResponse)
        try:
            return super().clean_credential()
        except UNREADABLE:
            # A readable payload can still name no known key or user in a way fido2 trips on.
            raise get_adapter().validation_error("incorrect_code") from None


class AuthenticateWebAuthnForm(_ReadableAuthentication, allauth_forms.AuthenticateWebAuthnForm):
    pass


class LoginWebAuthnForm(_ReadableAuthentication, allauth_forms.LoginWebAuthnForm):
    pass


class ReauthenticateWebAuthnForm(_ReadableAuthentication, allauth_forms.ReauthenticateWebAuthnForm):
    pass
