"""A follow-up of the commune station (a pharmacy buyer with symptoms, a citizen's report)
asks the labtests app for a free rapid test (seed 001). The person goes through the people
registry, scoped to the officer's jurisdiction, as every registration path; the order is the
labtests app's, routed to the commune where they live and one per person while open."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from phongdich.people.services import person_register

from .models import FollowUp


@transaction.atomic
def follow_up_test_order(*, by, follow_up: FollowUp):
    """Returns (labtests.TestOrder, created now)."""
    from phongdich.labtests.models import TestOrder
    from phongdich.labtests.orders import test_order_create

    # The follow-up's row serialises two officers pressing at once; its own open order is
    # returned before the person is matched again (a buyer known by name and phone alone is
    # no strong match, so a second registration could give a second person).
    FollowUp.objects.select_for_update().filter(pk=follow_up.pk).first()
    existing = TestOrder.objects.filter(
        source_id=follow_up.pk,
        source__in=[TestOrder.Source.PHARMACY, TestOrder.Source.REPORT],
        status=TestOrder.Status.OPEN,
    ).first()
    if existing is not None:
        return existing, False
    if follow_up.pharmacy_report_id:
        report = follow_up.pharmacy_report
        name, phone, address = report.buyer_name, report.buyer_phone, report.buyer_address
        source = TestOrder.Source.PHARMACY
    elif follow_up.citizen_report_id:
        report = follow_up.citizen_report
        name, phone, address = report.subject_name, "", report.address
        source = TestOrder.Source.REPORT
    else:
        raise ValidationError(_("Việc này không gắn với người cụ thể."))
    if not name.strip():
        raise ValidationError(_("Cần biết họ tên người này trước khi tạo lệnh test nhanh."))
    person, _created = person_register(
        by=by, full_name=name, phone=phone, address=address, commune=report.commune
    )
    return test_order_create(by=by, person=person, source=source, source_id=follow_up.pk)
