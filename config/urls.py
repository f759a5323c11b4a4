"""The site's routes: each app's own URLs, allauth's account pages and the admin."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views

admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", include("roadmap.urls")),
    path("", include("history.urls")),
    path("", include("accounts.urls")),
    path("", include("linkhealth.urls")),
    path("accounts/login/", account_views.login, name="account_login"),
    path("accounts/signup/", account_views.signup, name="account_signup"),
    path("accounts/email/", account_views.email, name="account_email"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
