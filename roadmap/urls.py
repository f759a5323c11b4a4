from django.contrib import admin
from django.urls import include, path

from roadmap import views

roadmap_patterns = [
    path("", views.home, name="home"),
    path("roadmaps/<slug:slug>/", views.roadmap_detail, name="roadmap"),
]

urlpatterns = [
    path("", include((roadmap_patterns, "roadmap"))),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
