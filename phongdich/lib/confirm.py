"""The "ask first" step of irreversible or outward actions (release, no-show report...).

The page states what will happen (web/_confirm.html); with JavaScript a dialog asks, without
it a required "I confirm" tick box does. The server checks the tick either way, so a stray
POST (an old page, a script, a double tap before the page loaded) cannot skip the step.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

FIELD = "confirmed"


def is_confirmed(request) -> bool:
    return request.POST.get(FIELD) == "1"


def require_confirmed(request) -> None:
    if not is_confirmed(request):
        raise ValidationError(
            _("Chưa xác nhận thao tác: hãy đọc nội dung, đánh dấu «Tôi xác nhận» rồi bấm lại.")
        )
