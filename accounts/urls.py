from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("me/settings/", views.settings_view, name="settings"),
    path("me/delete/", views.delete_account, name="delete"),
]
