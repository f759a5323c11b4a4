from collections.abc import Callable
from functools import wraps

from allauth.account import views as allauth_views
from allauth.account.adapter import get_adapter
from allauth.account.decorators import reauthentication_required
from allauth.account.views import EmailView as AllauthEmailView
from allauth.account.views import LoginView as AllauthLoginView
from allauth.account.views import SignupView as AllauthSignupView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import get_language_from_request, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts import deletion, language
from accounts.adapter import ADDRESS_UNAVAILABLE
from accounts.decorators import learner_required
from accounts.forms import SettingsForm
from goals.forms import GoalForm

ADDRESS_IN_USE = _("That address is already in use, so nothing was changed.")

SSO_ONLY_REFUSAL = _(
    "This site signs people in only through its identity provider: use the button on the "
    "sign-in page."
)
SSO_ONLY_NO_PASSWORDS = _(
    "This site signs people in only through its identity provider, so it keeps no passwords "
    "to reset, change or set here: use the button on the sign-in page."
)


def _sso_only_context(context: dict) -> dict:
    # allauth's sign-in and sign-up templates leave out their password forms for this flag.
    if settings.SSO_ONLY:
        context["SOCIALACCOUNT_ONLY"] = True
    return context


def _refuse_passwords_when_sso_only(request: HttpRequest) -> None:
    # The forms are not shown with SSO_ONLY; a post made anyway is refused, never processed.
    if settings.SSO_ONLY and request.method != "GET":
        raise PermissionDenied(SSO_ONLY_REFUSAL)


def _refused_when_sso_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """An allauth password page that, with SSO_ONLY, is refused on every method.

    A password could not sign anyone in there, so the pages only explain: no reset email goes
    out, and a reset link mailed before the switch sets nothing.
    """

    @wraps(view)
    def refusing(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if settings.SSO_ONLY:
            raise PermissionDenied(SSO_ONLY_NO_PASSWORDS)
        return view(request, *args, **kwargs)

    return refusing


class LoginView(AllauthLoginView):
    """allauth's login, answering 429 Too Many Requests once failed logins hit its rate limit.

    allauth refuses further attempts for that email (even with the right password) with a form
    error; the status code lets proxies, monitoring and scripts see the throttling too.
    """

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        _refuse_passwords_when_sso_only(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs) -> dict:
        return _sso_only_context(super().get_context_data(**kwargs))

    def form_invalid(self, form) -> HttpResponse:
        response = super().form_invalid(form)
        codes = {error.code for error in form.non_field_errors().as_data()}
        if "too_many_login_attempts" in codes:
            response.status_code = 429
        return response


class EmailView(AllauthEmailView):
    """allauth's email management, with three guarantees it does not give by itself.

    - Only a verified address can become primary (allauth allows an unverified one while the
      account has no verified address, which changes the address the learner signs in with).
    - An address that belongs to another account is refused (see accounts.forms.AddEmailForm),
      and if one slips through at once from two requests, the unique ``User.email`` refuses it
      here with a message instead of a 500.
    - Every POST is one transaction: a refused change leaves nothing half done.
    Refusals answer 422 with the page and the message. A ``next`` on this site is where the
    learner goes after the change.
    """

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self._refused = False
        try:
            with transaction.atomic():
                response = super().post(request, *args, **kwargs)
        except IntegrityError:
            # Two requests at once (or another account) took the address between our check and
            # the write; the transaction rolled back, so nothing changed.
            messages.error(request, ADDRESS_IN_USE)
            self._refused = True
        if self._refused:
            return self._refusal(request)
        return response

    def form_invalid(self, form) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 422
        return response

    def _action_primary(self, request: HttpRequest, *args, **kwargs) -> HttpResponse | None:
        address = self._get_email_address(request)
        if address is None:
            return None
        adapter = get_adapter()
        if not address.verified:
            adapter.add_message(
                request, messages.ERROR, "account/messages/unverified_primary_email.txt"
            )
            self._refused = True
            return None
        if adapter.address_owned_elsewhere(address.email, request.user):
            messages.error(request, ADDRESS_UNAVAILABLE)
            self._refused = True
            return None
        return super()._action_primary(request, *args, **kwargs)

    def get_success_url(self) -> str:
        # The two-factor page sends its verification email through this page, then wants the
        # learner back (templates/mfa/index.html): a ``next`` on this site, like the settings'.
        url = super().get_success_url()
        if url == str(self.success_url) and (back := _back_to(self.request)):
            return back
        return url

    def _refusal(self, request: HttpRequest) -> HttpResponse:
        form = self.get_form_class()(user=request.user)  # the add form, empty
        return self.render_to_response(self.get_context_data(form=form), status=422)


class SignupView(AllauthSignupView):
    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        _refuse_passwords_when_sso_only(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs) -> dict:
        return _sso_only_context(super().get_context_data(**kwargs))


login = LoginView.as_view()
signup = SignupView.as_view()
email = EmailView.as_view()
password_reset = _refused_when_sso_only(allauth_views.password_reset)
password_reset_done = _refused_when_sso_only(allauth_views.password_reset_done)
password_reset_from_key = _refused_when_sso_only(allauth_views.password_reset_from_key)
password_reset_from_key_done = _refused_when_sso_only(allauth_views.password_reset_from_key_done)
password_change = _refused_when_sso_only(allauth_views.password_change)
password_set = _refused_when_sso_only(allauth_views.password_set)


def _back_to(request: HttpRequest) -> str:
    """Where the learner came from (``?next=``, kept through the form), if it is on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed and target.startswith("/") else ""


@require_http_methods(["GET", "POST"])
@learner_required
def settings_view(request: HttpRequest) -> HttpResponse:
    form = SettingsForm(request.POST or None, instance=request.user)
    # The weekly goal and emails (goals/), saved with the rest in one POST and one transaction.
    goal_form = GoalForm(request.POST or None, user=request.user)
    back = _back_to(request)
    context = {"form": form, "goal_form": goal_form, "back": back}
    if request.method == "POST":
        if form.is_valid() and goal_form.is_valid():
            with transaction.atomic():
                user = form.save()
                goal_form.save()
            # The next page, and the message on it, in the language just chosen.
            if not user.language:  # the browser's language, not the one last picked in the footer
                request.COOKIES.pop(settings.LANGUAGE_COOKIE_NAME, None)
            translation.activate(user.language or get_language_from_request(request))
            messages.success(request, _("Your settings were saved."))
            query = f"?{urlencode({'next': back})}" if back else ""
            response = redirect(reverse("accounts:settings") + query)
            if user.language:
                language.set_language_cookie(response, user.language)
            else:
                response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
            return response
        return render(request, "accounts/settings.html", context, status=422)
    return render(request, "accounts/settings.html", context)


@require_safe
def account_home(request: HttpRequest) -> HttpResponse:
    """``/accounts/``: the account area opens on its first page, the profile."""
    return redirect("history:public_settings")


@require_safe
def progress_settings_moved(request: HttpRequest) -> HttpResponse:
    """``/settings/``, where the progress settings were: they are a part of the settings now.

    Permanent, keeping the query (a ``next``), and only for reading: a form posted to the old
    address is refused (405) rather than redirected, since a redirected POST loses its body.
    """
    query = request.META.get("QUERY_STRING", "")
    target = reverse("accounts:settings") + (f"?{query}" if query else "") + "#progress"
    return HttpResponsePermanentRedirect(target)


@require_http_methods(["GET", "POST"])
@learner_required
@reauthentication_required(allow_get=True)
def delete_account(request: HttpRequest) -> HttpResponse:
    """Explain, then (after the password again, or another way allauth knows) delete everything.

    allauth asks for the password when the POST comes without a recent reauthentication, and
    replays the POST once it is given.
    """
    user = request.user
    if request.method == "POST":
        sessions = deletion.delete_account(user, keep_session=request.session.session_key)
        logout(request)  # ends this browser's session too
        if sessions:
            deleted = ngettext(
                "Your account and everything in it were deleted and signed out on %(count)d "
                "other device. Thank you for learning with us.",
                "Your account and everything in it were deleted and signed out on %(count)d "
                "other devices. Thank you for learning with us.",
                sessions,
            ) % {"count": sessions}
        else:
            deleted = _(
                "Your account and everything in it were deleted. Thank you for learning with us."
            )
        messages.success(request, deleted)
        return redirect("roadmap:home")
    return render(request, "accounts/delete.html", {"counts": deletion.counts_for(user)})
