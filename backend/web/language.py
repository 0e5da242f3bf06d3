"""Vietnamese first: the pages ignore the browser's Accept-Language (phones and office
PCs here often say English) and switch only on the user's explicit choice, the language
cookie set by Django's `set_language` view."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


def vietnamese_first(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = view(request, *args, **kwargs)
        response.headers.setdefault("Content-Language", language)
        return response

    return wrapped


# Pages outside backend/web that answer in the language LocaleMiddleware picked from the
# browser: the admin and the sign-in page. Vietnamese first there too.
VIETNAMESE_FIRST_PREFIXES = ("/admin/", "/accounts/")


class VietnameseFirstMiddleware:
    """After LocaleMiddleware: on the admin and sign-in pages, ignore Accept-Language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(VIETNAMESE_FIRST_PREFIXES):
            return vietnamese_first(self.get_response)(request)
        return self.get_response(request)
