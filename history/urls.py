from django.urls import path

from accounts.decorators import moved_to
from history import views

app_name = "history"

urlpatterns = [
    path("me/", views.dashboard, name="dashboard"),
    path("me/history/", views.history_list, name="history"),
    path("me/notes/<id:pk>/public/", views.note_visibility, name="note_visibility"),
    path("u/<slug:handle>/", views.public_page, name="public_page"),
    path("u/<slug:handle>/card.svg", views.public_card, name="public_card"),
    # The learner's public page and data belong to the account area (templates/accounts/_nav.html).
    path("accounts/profile/", views.public_settings, name="public_settings"),
    path("accounts/data/", views.data, name="import"),
    path("accounts/data/export.json", views.export_json, name="export_json"),
    path("accounts/data/export.md", views.export_markdown, name="export_markdown"),
    path("accounts/data/import/<id:pk>/", views.import_preview, name="import_preview"),
    # Their addresses under My progress, before the account area.
    path(
        "me/public/",
        moved_to("history:public_settings")(views.public_settings),
        name="public_settings_moved",
    ),
    path("me/import/", moved_to("history:import")(views.data), name="import_moved"),
    path(
        "me/export.json",
        moved_to("history:export_json")(views.export_json),
        name="export_json_moved",
    ),
    path(
        "me/export.md",
        moved_to("history:export_markdown")(views.export_markdown),
        name="export_markdown_moved",
    ),
    path(
        "me/import/<id:pk>/",
        moved_to("history:import_preview")(views.import_preview),
        name="import_preview_moved",
    ),
]
