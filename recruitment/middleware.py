"""Language selection: Chinese unless the visitor picked English with the switcher.

Django's LocaleMiddleware follows the browser's Accept-Language header, which would show English
to an applicant whose browser happens to be set to English. The campaign's UI is Chinese by
default, so only an explicit choice (the language cookie set by ``set_language``) changes it.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request):
        supported = {code for code, _name in settings.LANGUAGES}
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
