"""Writes on facilities: bed occupancy follows the patients moved in and out."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record

from .models import Facility


@transaction.atomic
def facility_occupy(*, by, facility: Facility, delta: int, icu: bool = False) -> None:
    """Take (delta > 0) or free (delta < 0) beds. Every transfer, admission and quarantine
    placement goes through here, so this is the one place capacity is enforced.

    Taking a bed is one guarded UPDATE (... WHERE occupied + delta <= total): the check and
    the increment are a single statement, so of two transfers racing for the last bed the
    database lets exactly one through (the other's row count is 0) whatever stale count
    either page showed. Freeing never goes below zero.
    """
    field, total = (
        ("icu_beds_occupied", "icu_beds_total") if icu else ("beds_occupied", "beds_total")
    )
    beds = Facility.objects.filter(pk=facility.pk)
    if delta > 0:
        taken = beds.filter(**{f"{field}__lte": F(total) - delta}).update(
            **{field: F(field) + delta}
        )
        if not taken:
            message = (
                _("%(name)s đã hết giường hồi sức trống, hãy chọn nơi khác.")
                if icu
                else _("%(name)s đã hết chỗ trống, hãy chọn nơi khác.")
            )
            raise ValidationError(message % {"name": facility.name}, code="full")
    else:
        beds.update(**{field: Greatest(F(field) + delta, 0)})
    audit_record(actor=by, action="facility.occupy", target=facility, changes={field: delta})
