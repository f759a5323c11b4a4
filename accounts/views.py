from allauth.account.views import LoginView as AllauthLoginView
from allauth.account.views import SignupView as AllauthSignupView
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

SSO_ONLY_REFUSAL = (
    "This site signs people in only through its identity provider: use the button on the "
    "sign-in page."
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


class SignupView(AllauthSignupView):
    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        _refuse_passwords_when_sso_only(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs) -> dict:
        return _sso_only_context(super().get_context_data(**kwargs))


login = LoginView.as_view()
signup = SignupView.as_view()
