from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("me/settings/", views.settings_view, name="settings"),
    path("me/delete/", views.delete_account, name="delete"),
    # The progress settings moved into the learner's settings; old bookmarks still arrive.
    path("settings/", views.progress_settings_moved, name="progress_settings"),
]
