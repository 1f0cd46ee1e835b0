from django.core.exceptions import BadRequest

from phongdich.lib import apierrors


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


def _has_nul(query_dict) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in query_dict.lists()
    )


class RejectNulMiddleware:
    """Answer 400 to a path, query string or posted form holding a NUL character.

    PostgreSQL refuses NUL in any text, so `?q=%00` reaching a filter, or a posted note a
    view reads from request.POST, is a 500. Forms already refuse NUL (Django's CharField)
    and API bodies do (lib.bounds.ApiText); this covers what views read directly. Form
    posts are parsed here as CsrfViewMiddleware would parse them next; JSON bodies under
    /api/ are left to the API's schemas.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or _has_nul(request.GET):
            raise BadRequest("NUL character in the URL")
        if (
            request.method == "POST"
            and not request.path.startswith(apierrors.API_PREFIX)
            and _has_nul(request.POST)
        ):
            raise BadRequest("NUL character in the posted form")
        return self.get_response(request)


class ApiErrorsAsJsonMiddleware:
    """Give errors under /api/ that ninja never saw (an unknown route's 404, ninja's 405,
    a 400 from the middleware) the API's one JSON shape instead of the HTML error page.

    First in MIDDLEWARE, so it sees the response every other layer produced.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith(apierrors.API_PREFIX)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            replaced = apierrors.json_error(response.status_code)
            if response.has_header("Allow"):
                replaced["Allow"] = response["Allow"]
            return replaced
        return response
