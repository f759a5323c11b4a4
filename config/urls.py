"""The site's routes: each app's own URLs, allauth's account pages and the admin."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path, re_path

from accounts import views as account_views

admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", include("roadmap.urls")),
    path("", include("history.urls")),
    path("", include("accounts.urls")),
    path("", include("linkhealth.urls")),
    path("", include("maps.urls")),
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
]
