from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils import translation

from core.http import BodyTooLarge, content_length, too_large_response


class LanguageMiddleware:
    """Vietnamese first: the language is the one the person chose (cookie, then
    their profile), else Vietnamese. The browser's Accept-Language is not
    consulted, because participants' phones are often set to English while
    the campaign speaks Vietnamese."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.supported:
            user = getattr(request, "user", None)
            preferred = getattr(user, "preferred_language", "") if user else ""
            language = preferred if preferred in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        response.headers.setdefault("Vary", "Cookie")
        return response


class RequestSizeMiddleware:
    """Refuses a request whose body is announced larger than MAX_REQUEST_BYTES with a
    413 before anything reads it, and answers 413 (not a 400 or 500) when a view's
    ``request.body`` meets DATA_UPLOAD_MAX_MEMORY_SIZE. Views that take large bodies
    read them with ``core.http.read_body`` under their own limit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = content_length(request)
        if length is not None and length > settings.MAX_REQUEST_BYTES:
            return too_large_response(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RequestDataTooBig):
            return too_large_response(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        if isinstance(exception, BodyTooLarge):
            return too_large_response(request, exception.limit)
        return None
