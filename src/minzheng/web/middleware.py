"""The interface language: Chinese, unless the user chose another one with the switch."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers


def chosen_language(request: HttpRequest) -> str:
    """The language saved by the switch (Django's language cookie), else ``LANGUAGE_CODE``.

    The browser's Accept-Language is not consulted: the bureau works in Chinese, and an office
    computer set up in English must not turn the forms and notices into English unasked.
    """
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen:
        try:
            return translation.get_supported_language_variant(chosen)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


class ChosenLanguageMiddleware:
    """In place of Django's LocaleMiddleware (no language prefixes in URLs here)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        translation.activate(chosen_language(request))
        request.LANGUAGE_CODE = translation.get_language()  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)  # type: ignore[attr-defined]
        patch_vary_headers(response, ("Cookie",))
        return response
