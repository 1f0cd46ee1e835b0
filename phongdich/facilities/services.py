"""Writes on facilities: bed occupancy follows the patients moved in and out."""

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest

from phongdich.audit.services import audit_record

from .models import Facility


@transaction.atomic
def facility_occupy(*, by, facility: Facility, delta: int, icu: bool = False) -> None:
    """Add (delta > 0) or free (delta < 0) a bed; never below zero. One UPDATE, so two
    transfers at once cannot lose a count."""
    field = "icu_beds_occupied" if icu else "beds_occupied"
    Facility.objects.filter(pk=facility.pk).update(**{field: Greatest(F(field) + delta, 0)})
    audit_record(actor=by, action="facility.occupy", target=facility, changes={field: delta})
