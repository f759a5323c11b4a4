from allauth.account.decorators import reauthentication_required
from allauth.account.views import LoginView as AllauthLoginView
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts import deletion
from accounts.forms import SettingsForm
from roadmap.views import learner_required


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


@require_http_methods(["GET", "POST"])
@learner_required
def settings_view(request: HttpRequest) -> HttpResponse:
    form = SettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, "Your settings were saved.")
            return redirect("accounts:settings")
        return render(request, "accounts/settings.html", {"form": form}, status=422)
    return render(request, "accounts/settings.html", {"form": form})


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
        elsewhere = f" and signed out on {sessions} other device{'s' * (sessions != 1)}"
        messages.success(
            request,
            f"Your account and everything in it were deleted{elsewhere if sessions else ''}. "
            "Thank you for learning with us.",
        )
        return redirect("roadmap:home")
    return render(request, "accounts/delete.html", {"counts": deletion.counts_for(user)})
