"""A 1022 food-branch ticket and the zone's food request it belongs to (issue 14).

When the caller's commune holds a zone in force, the call is the household's request for
food: `ticket_food_link` finds the household in the zone's plan (zones.services decides
which, never across communes) and links the ticket to its open request, or opens one. The
ticket then shows what has been delivered against that request. Linking twice (the same
ticket saved again, or two agents taking two calls of one family at once) gives one request.
"""

from django.apps import apps
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phongdich.audit.services import audit_record

from ..models import Ticket, TicketEvent

FOOD_CATEGORY = "food"

REASONS = {
    "no_zone": "",  # nothing to say: the commune holds no zone in force
    "none": gettext_lazy(
        "Xã có vùng đang áp dụng nhưng chưa tìm thấy hộ này trong kế hoạch cung ứng "
        "(theo số điện thoại, địa chỉ hộ): tổ công tác xã cần thêm hộ."
    ),
    "several": gettext_lazy(
        "Số điện thoại hoặc địa chỉ trùng với nhiều hộ trong vùng: tổ công tác xã cần ghi "
        "yêu cầu cho đúng hộ."
    ),
}


def ticket_food_link(
    *, by, ticket: Ticket, household_address: str = "", portions: int | None = None
) -> Ticket:
    """Link a food-branch ticket to its zone's food request (idempotent). The ticket's row
    lock makes a second save of the same ticket find the first one's link; the zone's row
    lock (zones.services) makes two tickets of one household share one request. Returns
    `ticket` itself (its replay flag kept) with `food_request` set when linked."""
    if not apps.is_installed("phongdich.zones"):
        return ticket
    if ticket.category.code != FOOD_CATEGORY or ticket.commune_id is None:
        return ticket
    from phongdich.zones.services import food_request_from_hotline

    with transaction.atomic():
        locked = Ticket.objects.select_for_update(of=("self",)).get(pk=ticket.pk)
        if locked.food_request_id is not None:
            ticket.food_request_id = locked.food_request_id
            return ticket
        match = food_request_from_hotline(
            by=by,
            commune=ticket.commune,
            phone=ticket.caller_phone,
            address=household_address,
            caller_name=ticket.caller_name,
            items=ticket.text,
            portions=portions,
        )
        if match.request is None:
            if REASONS.get(match.reason):
                TicketEvent.objects.create(
                    ticket=ticket,
                    kind=TicketEvent.Kind.NOTE,
                    actor=by if getattr(by, "is_authenticated", False) else None,
                    note=str(REASONS[match.reason])[:500],
                )
            return ticket
        Ticket.objects.filter(pk=ticket.pk).update(food_request=match.request)
        ticket.food_request = match.request
        zone = match.request.zone
        note = (
            _("Đã mở yêu cầu lương thực của vùng %(zone)s (%(n)s suất).")
            if match.created
            else _(
                "Đã nối với yêu cầu lương thực đang chờ của hộ trong vùng %(zone)s (%(n)s suất)."
            )
        ) % {"zone": zone.name, "n": match.request.portions}
        TicketEvent.objects.create(
            ticket=ticket,
            kind=TicketEvent.Kind.NOTE,
            actor=by if getattr(by, "is_authenticated", False) else None,
            note=note[:500],
        )
        audit_record(
            actor=by,
            action="hotline.ticket_food_link",
            target=ticket,
            changes={"request": match.request.pk, "zone": zone.pk, "created": match.created},
        )
    return ticket
