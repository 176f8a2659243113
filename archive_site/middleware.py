"""Middleware of the site."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class DefaultLanguageMiddleware(LocaleMiddleware):
    """Simplified Chinese unless the user chose another language with the switch.

    Django's ``LocaleMiddleware`` would follow the browser's ``Accept-Language``; an intranet product in a
    Chinese sales department speaks Chinese by default, whatever the browser was installed with.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
