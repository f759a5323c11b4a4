from allauth.account.adapter import get_adapter
from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest

from accounts.adapter import ADDRESS_UNAVAILABLE


class AddEmailForm(AllauthAddEmailForm):
    """allauth's form, refusing an address that belongs to another account.

    allauth accepts it (to hide which addresses are registered), but the address could then be
    made primary on two accounts. The message does not say which account has it.
    """

    def clean_email(self) -> str:
        adapter = get_adapter()
        email = adapter.clean_email(self.cleaned_data["email"].lower())
        if adapter.address_owned_elsewhere(email, self.user):
            raise forms.ValidationError(ADDRESS_UNAVAILABLE, code="email_unavailable")
        return super().clean_email()


class SignupForm(AllauthSignupForm):
    """allauth's sign-up, doing the same work whether or not the address is taken.

    With mandatory verification allauth answers both cases with the same page and sends one
    email either way ("confirm your address", or "you already have an account"), but only a new
    account hashes its password, a deliberately slow step (~0.4 s in production): the answer's
    timing told which addresses are registered. A taken address now hashes the password too.
    """

    def try_save(self, request: HttpRequest):
        if self.account_already_exists and (password := self.cleaned_data.get("password1")):
            make_password(password)  # the hash a new account would store, thrown away
        return super().try_save(request)
