"""Handing the F0 their personal link: sent by SMS or Zalo through the hotline's gateways.

The raw link exists only at issue time (CaseLink stores its hash), so the view passes the URL
it kept for the officer's session; the service only sends to the case's own phone number.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.lib import idempotency

from ..models import Case, CaseLinkSend


@idempotency.submitted_once(CaseLinkSend)
@transaction.atomic
def case_link_send(*, by, case: Case, url: str, channel: str, submission=None) -> CaseLinkSend:
    """Send `url` to the F0's phone; a replay of the same submission sends nothing more."""
    CaseLinkSend.check_channel(channel)
    if not case.is_open:
        raise ValidationError(_("Ca bệnh đã kết thúc, không gửi đường link."))
    phone = case.person.phone
    if not phone:
        raise ValidationError(_("F0 chưa có số điện thoại: hãy đọc hoặc cho quét mã QR."))
    text = _(
        "Trạm y tế: đường link tự theo dõi sức khỏe của bạn (gửi phiếu mỗi ngày, không cần "
        "tài khoản): %(url)s"
    ) % {"url": url}
    send = CaseLinkSend.deliver(
        by=by,
        channel=channel,
        to=phone,
        text=text,
        reference=f"F0-{case.pk}",
        submission=submission,
        case=case,
    )
    audit_record(
        actor=by,
        action="cases.link_send",
        target=case,
        changes={"channel": channel, "status": send.status},
    )
    return send
