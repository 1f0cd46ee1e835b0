"""One shape for every error the JSON API returns, whatever raised it:

    {"detail": "<a Vietnamese sentence>", "errors": [{"field": "lab", "message": "…"}]}

`errors` lists the fields at fault (validation errors only; empty otherwise). Integrations
read `detail`; the site's own pages may show `errors` beside their fields.
"""

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.signals import got_request_exception
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

logger = logging.getLogger("django.request")

API_PREFIX = "/api/"


class FieldError(Schema):
    field: str
    message: str


class Error(Schema):
    detail: str
    errors: list[FieldError] = []


STATUS_MESSAGES = {
    400: gettext_lazy("Yêu cầu không hợp lệ."),
    401: gettext_lazy("Cần đăng nhập hoặc khóa API hợp lệ."),
    403: gettext_lazy("Không có quyền."),
    404: gettext_lazy("Không tìm thấy."),
    405: gettext_lazy("Phương thức không được hỗ trợ."),
    413: gettext_lazy("Yêu cầu quá lớn."),
    422: gettext_lazy("Dữ liệu không hợp lệ."),
    429: gettext_lazy("Gửi quá nhiều lần, thử lại sau ít phút."),
    500: gettext_lazy("Lỗi máy chủ, vui lòng thử lại sau."),
}
# ninja's own English messages, said in the interface's language.
_NINJA_MESSAGES = {
    "Unauthorized": STATUS_MESSAGES[401],
    "Forbidden": STATUS_MESSAGES[403],
    "CSRF check Failed": gettext_lazy("Thiếu mã CSRF: tải lại trang rồi thử lại."),
    "Too many requests.": STATUS_MESSAGES[429],
    "Cannot parse request body": gettext_lazy("Nội dung gửi lên không phải JSON hợp lệ."),
}


def status_message(status: int) -> str:
    return str(STATUS_MESSAGES.get(status) or STATUS_MESSAGES[500 if status >= 500 else 400])


def error_body(status: int, detail: str | None = None, errors=()) -> dict:
    return {"detail": detail or status_message(status), "errors": list(errors)}


def json_error(status: int, detail: str | None = None, errors=()) -> JsonResponse:
    return JsonResponse(
        error_body(status, detail, errors),
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def responses(ok: dict, *codes: int, public: bool = False) -> dict:
    """`response=` for an operation: its success schemas, then Error for 400 (a body that
    is not JSON, a URL with a NUL) and 422 (every operation validates its input), 401 and
    403 unless it is public, and `codes` (413 for a body past DATA_UPLOAD_MAX_MEMORY_SIZE,
    404, 429)."""
    errors = {400, 422, *codes} | (set() if public else {401, 403})
    return {**ok, **{code: Error for code in sorted(errors)}}


# --- validation messages ------------------------------------------------------------------


def _field_message(error: dict) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("Bắt buộc.")
    if kind == "string_too_long":
        return _("Tối đa %(n)s ký tự.") % {"n": ctx.get("max_length")}
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return _("Không được để trống.")
        return _("Tối thiểu %(n)s ký tự.") % {"n": ctx.get("min_length")}
    if kind == "too_long":
        return _("Tối đa %(n)s mục.") % {"n": ctx.get("max_length")}
    if kind == "string_pattern_mismatch":
        return _("Có ký tự không hợp lệ.")
    if kind in ("literal_error", "enum"):
        return _("Chọn một trong: %(choices)s.") % {"choices": ctx.get("expected", "")}
    if kind.startswith("int_"):
        return _("Phải là số nguyên.")
    if kind.startswith("float_") or kind.startswith("decimal_") or kind == "finite_number":
        return _("Phải là số.")
    if kind in ("greater_than_equal", "greater_than"):
        return _("Tối thiểu %(n)s.") % {"n": ctx.get("ge", ctx.get("gt"))}
    if kind in ("less_than_equal", "less_than"):
        return _("Tối đa %(n)s.") % {"n": ctx.get("le", ctx.get("lt"))}
    if kind.startswith("bool_"):
        return _("Phải là true hoặc false.")
    if kind == "year_out_of_range":
        return _("Năm phải từ %(min)s đến %(max)s.") % {
            "min": ctx.get("year_min"),
            "max": ctx.get("year_max"),
        }
    if kind.startswith("date") or kind.startswith("time"):
        return _("Ngày giờ không hợp lệ.")
    if kind == "json_invalid":
        return _("Nội dung JSON không hợp lệ.")
    if kind == "string_type":
        return _("Phải là chuỗi ký tự.")
    if kind == "list_type":
        return _("Phải là danh sách.")
    return _("Giá trị không hợp lệ.")


def _field_name(loc) -> str:
    # ninja reports ("body", "payload", "lab") or ("query", "q"): keep what the caller sent.
    parts = [str(p) for p in loc]
    if parts[:1] == ["body"]:
        parts = parts[2:] if len(parts) > 2 else []
    elif parts[:1] in (["query"], ["path"], ["header"], ["cookie"], ["form"]):
        parts = parts[1:]
    return ".".join(parts) or "body"


def validation_errors(errors: list[dict]) -> list[dict]:
    return [
        {"field": _field_name(error.get("loc", ())), "message": _field_message(error)}
        for error in errors
    ]


def _detail_for(field_errors: list[dict]) -> str:
    shown = "; ".join(f"{e['field']}: {e['message']}" for e in field_errors[:3])
    return f"{status_message(422)} {shown}".strip()


# --- handlers on the NinjaAPI -------------------------------------------------------------


def install(api) -> None:
    """Register the handlers that give every error raised inside an operation the one shape
    (the web middleware gives it to errors raised before ninja runs: 404, 405, 400)."""

    def respond(request, status, detail=None, errors=()):
        return api.create_response(request, error_body(status, detail, errors), status=status)

    def on_validation(request, exc: NinjaValidationError):
        field_errors = validation_errors(exc.errors)
        return respond(request, 422, _detail_for(field_errors), field_errors)

    def on_http_error(request, exc: HttpError):
        message = str(exc)
        if message in _NINJA_MESSAGES:
            message = str(_NINJA_MESSAGES[message])
        return respond(request, exc.status_code, message)

    def on_not_found(request, exc):
        return respond(request, 404)

    def on_permission_denied(request, exc):
        return respond(request, 403)

    def on_too_big(request, exc):
        return respond(request, 413)

    def on_suspicious(request, exc):
        logging.getLogger("django.security").warning("%s: %s", type(exc).__name__, exc)
        return respond(request, 400)

    def on_service_validation(request, exc: DjangoValidationError):
        return respond(request, 422, f"{status_message(422)} {' '.join(exc.messages)}".strip())

    def on_unexpected(request, exc):
        # The error still reaches logging and error reporting (and a test client re-raises
        # it); the caller gets the one JSON shape, never the HTML error page.
        logger.error("Internal Server Error: %s", request.path, exc_info=exc)
        got_request_exception.send(sender=None, request=request)
        return respond(request, 500)

    api.add_exception_handler(NinjaValidationError, on_validation)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(PermissionDenied, on_permission_denied)
    api.add_exception_handler(DjangoValidationError, on_service_validation)
    api.add_exception_handler(RequestDataTooBig, on_too_big)
    api.add_exception_handler(SuspiciousOperation, on_suspicious)
    api.add_exception_handler(Exception, on_unexpected)
