from django.urls import path

from history import views

app_name = "history"

urlpatterns = [
    path("me/", views.dashboard, name="dashboard"),
    path("me/history/", views.history_list, name="history"),
    path("me/export.json", views.export_json, name="export_json"),
    path("me/export.md", views.export_markdown, name="export_markdown"),
    path("me/import/", views.data, name="import"),
    path("me/import/<id:pk>/", views.import_preview, name="import_preview"),
    path("me/public/", views.public_settings, name="public_settings"),
    path("me/notes/<id:pk>/public/", views.note_visibility, name="note_visibility"),
    path("u/<slug:handle>/", views.public_page, name="public_page"),
]
