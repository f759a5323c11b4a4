from django.urls import path

from linkhealth import views

app_name = "linkhealth"

urlpatterns = [
    path("resources/<id:pk>/report/", views.report, name="report"),
]
