from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class PrivateForLearnersMiddleware:
    """``Cache-Control: private`` on every response to a signed-in request.

    Pages for a signed-in learner hold their progress, notes and email address. ``Vary: Cookie``
    alone lets a shared cache keep them for anyone who sends the same cookie header; ``private``
    keeps them out of shared caches (proxies, CDNs) altogether. Anonymous pages stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True)
        return response
