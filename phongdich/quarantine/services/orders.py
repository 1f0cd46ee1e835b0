"""Test days as lab orders. The hourly scan raises a "test due" item on each test day of a
quarantine's schedule; the commune's or site's sampling team takes the sample against it
here, through labtests' own `sample_take` (the sample register, its result recorded once,
a positive result converting the person through the cases services). labtests has no
general order of its own (its ResampleOrder belongs to a positive pool), so the order is
this item, and the sample it produced is kept on it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record

from ..models import Basis, FollowUpItem, Place, Status

# labtests.Sample.Reason by the quarantine's basis
SAMPLE_REASONS = {Basis.F1: "f1", Basis.RETURNEE: "returnee", Basis.OTHER: "other"}


@transaction.atomic
def test_order_sample(*, by, item: FollowUpItem, barcode: str, kind: str):
    """Take the sample a test day orders; returns the labtests Sample. The item is locked,
    so two team members scanning at once take one sample and the other is told it is done."""
    from phongdich.labtests.services import sample_take

    # Lock the order row only ("of self"): the site is a nullable join PostgreSQL cannot lock.
    item = (
        FollowUpItem.objects.select_for_update(of=("self",))
        .select_related("quarantine__person", "quarantine__facility")
        .get(pk=item.pk)
    )
    if item.kind != FollowUpItem.Kind.TEST_DUE:
        raise ValidationError(_("Việc này không phải lệnh xét nghiệm."))
    if item.done_at is not None:
        raise ValidationError(_("Lệnh xét nghiệm này đã được lấy mẫu."))
    quarantine = item.quarantine
    if quarantine.status != Status.ACTIVE:
        raise ValidationError(_("Đợt cách ly đã kết thúc."))
    sample = sample_take(
        by=by,
        person=quarantine.person,
        barcode=barcode,
        kind=kind,
        reason=SAMPLE_REASONS.get(quarantine.basis, "other"),
        commune=quarantine.commune,
        place=quarantine.facility.name[:200]
        if quarantine.place == Place.SITE and quarantine.facility
        else "",
    )
    item.done_at, item.sample_id = timezone.now(), sample.pk
    item.save(update_fields=["done_at", "sample_id"])
    audit_record(
        actor=by,
        action="quarantine.test_sample",
        target=quarantine,
        changes={"day": item.day.isoformat(), "sample": sample.pk, "barcode": sample.barcode},
    )
    return sample
