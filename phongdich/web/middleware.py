class VietnameseFirstMiddleware:
    """Ignore the browser's Accept-Language so the interface is Vietnamese unless the user
    chose English with the language switch (a cookie LocaleMiddleware reads).

    Many officers' phones are set to English; they still expect the Vietnamese UI their
    colleagues and the regulations use.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
