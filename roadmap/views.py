from django.http import HttpRequest, HttpResponse


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def roadmap_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return HttpResponse("ok")
