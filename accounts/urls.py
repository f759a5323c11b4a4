from django.urls import path

from accounts import views
from accounts.decorators import moved_to

app_name = "accounts"

# The account area: these pages, history's public page and data pages (history/urls.py) and
# allauth's under accounts/ (config/urls.py) share one navigation, templates/accounts/_nav.html.
urlpatterns = [
    path("accounts/", views.account_home, name="home"),
    path("accounts/settings/", views.settings_view, name="settings"),
    path("accounts/delete/", views.delete_account, name="delete"),
    # Where they were before, under My progress.
    path("me/settings/", moved_to("accounts:settings")(views.settings_view), name="settings_moved"),
    path("me/delete/", moved_to("accounts:delete")(views.delete_account), name="delete_moved"),
    # The progress settings moved into the learner's settings; old bookmarks still arrive.
    path("settings/", views.progress_settings_moved, name="progress_settings"),
]
