from django.urls import path, register_converter

from roadmap import shortcuts, views
from roadmap.converters import IdConverter

register_converter(IdConverter, "id")

app_name = "roadmap"

urlpatterns = [
    path("", views.home, name="home"),
    path("roadmaps/", views.roadmap_list, name="roadmaps"),
    path("roadmaps/<slug:slug>/", views.roadmap_detail, name="roadmap"),
    path("resources/progress/", views.save_progress, name="save_progress"),
    path("resources/<id:pk>/progress/", views.set_progress, name="set_progress"),
    path("resources/<id:pk>/status/", views.set_status, name="set_status"),
    path("resources/<id:pk>/bookmark/", views.set_bookmark, name="set_bookmark"),
    path("resources/<id:pk>/note/", views.note, name="note"),
    path("roadmaps/<slug:slug>/whats-new/dismiss/", views.dismiss_new, name="dismiss_new"),
    path("notes/", views.my_notes, name="my_notes"),
    path("shortcuts/", shortcuts.shortcuts, name="shortcuts"),
]
