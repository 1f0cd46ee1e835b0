"""Free rapid tests for people with symptoms (issue 14, seed 001): an order for the commune
station where the person lives, asked for by a pharmacy follow-up or a citizen's report, and
the sample that fulfils it. One open order per person and kind (a partial unique index), so
asking twice, or two officers at once, gives one order."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from phongdich.accounts.permissions import check_act_on_unit
from phongdich.audit.services import audit_record
from phongdich.people.models import Person

from . import services
from .models import Kind, Sample, TestOrder


def _user(by):
    return by if getattr(by, "is_authenticated", False) else None


@transaction.atomic
def test_order_create(
    *, by, person: Person, source: str, source_id: int | None = None, kind: str = Kind.RAT
) -> tuple[TestOrder, bool]:
    """The person's open order of this kind, or a new one routed to the commune where they
    live. Returns (order, created now)."""
    commune = person.commune
    if commune is None:
        raise ValidationError(_("Chưa biết xã/phường nơi người này sống."))
    check_act_on_unit(by, commune)
    existing = TestOrder.objects.filter(
        person=person, kind=kind, status=TestOrder.Status.OPEN
    ).first()
    if existing is not None:
        return existing, False
    order = TestOrder(
        person=person,
        commune=commune,
        kind=kind,
        source=source,
        source_id=source_id,
        created_by=_user(by),
    )
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError:
        # Another officer ordered it a moment ago: theirs is the one.
        return TestOrder.objects.get(person=person, kind=kind, status=TestOrder.Status.OPEN), False
    audit_record(
        actor=by,
        action="labtests.test_order_create",
        target=order,
        changes={"person": person.pk, "commune": commune.code, "source": source, "kind": kind},
    )
    return order, True


@transaction.atomic
def test_order_sample(*, by, order: TestOrder, barcode: str) -> Sample:
    """Take the ordered sample (reason: symptoms) and close the order, once: of two team
    members typing a code at once one closes it, the other is told and writes nothing."""
    check_act_on_unit(by, order.commune)
    sample = services.sample_take(
        by=by,
        person=order.person,
        barcode=barcode,
        kind=order.kind,
        reason=Sample.Reason.SYMPTOMS,
        commune=order.commune,
    )
    done = TestOrder.objects.filter(pk=order.pk, status=TestOrder.Status.OPEN).update(
        status=TestOrder.Status.DONE, new_sample=sample
    )
    if not done:
        raise ValidationError(_("Lệnh xét nghiệm này đã được thực hiện."))
    audit_record(
        actor=by,
        action="labtests.test_order_sample",
        target=order,
        changes={"barcode": sample.barcode},
    )
    return sample
