from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from roadmap import views

admin.site.login = secure_admin_login(admin.site.login)

roadmap_patterns = [
    path("", views.home, name="home"),
    path("roadmaps/<slug:slug>/", views.roadmap_detail, name="roadmap"),
    path("resources/<int:pk>/progress/", views.set_progress, name="set_progress"),
    path("resources/<int:pk>/note/", views.note, name="note"),
    path("notes/", views.my_notes, name="my_notes"),
]

urlpatterns = [
    path("", include((roadmap_patterns, "roadmap"))),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
