"""The project's URLs plus ``/bench/ok/``: the cheapest Django view behind the same middleware.

Its throughput is the framework's ceiling on this machine; every page is measured against it.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [path("bench/ok/", ok), *project_urlpatterns]
