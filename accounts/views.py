from allauth.account.views import LoginView as AllauthLoginView
from django.http import HttpResponse


class LoginView(AllauthLoginView):
    """allauth's login, answering 429 Too Many Requests once failed logins hit its rate limit.

    allauth refuses further attempts for that email (even with the right password) with a form
    error; the status code lets proxies, monitoring and scripts see the throttling too.
    """

    def form_invalid(self, form) -> HttpResponse:
        response = super().form_invalid(form)
        codes = {error.code for error in form.non_field_errors().as_data()}
        if "too_many_login_attempts" in codes:
            response.status_code = 429
        return response


login = LoginView.as_view()
