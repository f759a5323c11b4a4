from django.urls import path

from maps import views

app_name = "maps"

urlpatterns = [
    path("roadmaps/<slug:slug>/map/", views.roadmap_map, name="map"),
]
