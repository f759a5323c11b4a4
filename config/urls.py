"""The site's routes: each app's own URLs, allauth's account pages and the admin."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog

from accounts import language
from accounts import views as account_views
from goals.urls import unsubscribe_patterns

admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", include("roadmap.urls")),
    path("", include("history.urls")),
    path("", include("accounts.urls")),
    path("", include("linkhealth.urls")),
    path("", include("maps.urls")),
    path("", include("groups.urls")),
    path("", include("goals.urls")),
    path("", include(unsubscribe_patterns)),
    path("accounts/login/", account_views.login, name="account_login"),
    path("accounts/signup/", account_views.signup, name="account_signup"),
    path("accounts/email/", account_views.email, name="account_email"),
    # allauth's password pages, refused with SSO_ONLY (accounts/views.py); same paths and names.
    path(
        "accounts/password/change/", account_views.password_change, name="account_change_password"
    ),
    path("accounts/password/set/", account_views.password_set, name="account_set_password"),
    path("accounts/password/reset/", account_views.password_reset, name="account_reset_password"),
    path(
        "accounts/password/reset/done/",
        account_views.password_reset_done,
        name="account_reset_password_done",
    ),
    re_path(
        r"^accounts/password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        account_views.password_reset_from_key,
        name="account_reset_password_from_key",
    ),
    path(
        "accounts/password/reset/key/done/",
        account_views.password_reset_from_key_done,
        name="account_reset_password_from_key_done",
    ),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    # The footer's language picker, and the translations of the few strings the scripts show
    # (a static file's request, so the strict Content-Security-Policy allows it).
    path("i18n/setlang/", language.set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
]
