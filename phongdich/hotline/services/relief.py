"""The relief centre: food and essentials requests per household, their fulfilment, and the
NQ 68 support payments.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.lib import idempotency
from phongdich.lib.identity import normalize_phone
from phongdich.lib.text import fold, nfc

from .. import rules
from ..models import (
    Fulfilment,
    ReliefRequest,
    SupportPayment,
    SupportPolicy,
)


def household_key(name: str, address: str) -> str:
    return " ".join(fold(f"{name} | {address}").split())[:255]


def relief_repeat_days() -> int:
    return int(getattr(settings, "HOTLINE_RELIEF_REPEAT_DAYS", 7))


@idempotency.submitted_once(ReliefRequest)
@transaction.atomic
def relief_request_create(
    *,
    by,
    household_name: str,
    commune,
    people_count: int = 1,
    address: str = "",
    phone: str = "",
    need_rice: bool = False,
    need_food: bool = False,
    need_medicine: bool = False,
    need_cash: bool = False,
    need_other: str = "",
    urgency: str = ReliefRequest.Urgency.NORMAL,
    person=None,
    ticket=None,
    submission: idempotency.Submission | None = None,
) -> ReliefRequest:
    """Record a relief request. A repeat (same household or phone within the window) is
    flagged through `repeat_of`, never refused: families do run out twice in a week. The
    same submission sent twice (a double click) is one request, not a repeat."""
    household_name = nfc(household_name)
    if not household_name:
        raise ValidationError({"household_name": _("Cần tên chủ hộ.")})
    if not (need_rice or need_food or need_medicine or need_cash or need_other.strip()):
        raise ValidationError(_("Chọn ít nhất một nhu cầu."))
    phone = normalize_phone(phone) if phone else ""
    key = household_key(household_name, address)
    since = timezone.now() - timedelta(days=relief_repeat_days())
    earlier = ReliefRequest.objects.filter(created_at__gte=since, commune=commune).exclude(
        status=ReliefRequest.Status.CANCELLED
    )
    match = earlier.filter(household_key=key).order_by("-created_at").first()
    if match is None and phone:
        match = (
            ReliefRequest.objects.filter(created_at__gte=since, phone=phone)
            .order_by("-created_at")
            .first()
        )
    request = ReliefRequest.objects.create(
        household_name=household_name,
        household_key=key,
        address=nfc(address),
        people_count=people_count,
        need_rice=need_rice,
        need_food=need_food,
        need_medicine=need_medicine,
        need_cash=need_cash,
        need_other=nfc(need_other),
        urgency=urgency,
        phone=phone,
        commune=commune,
        person=person,
        ticket=ticket,
        repeat_of=match,
        created_by=by,
        **idempotency.fields(submission),
    )
    audit_record(
        actor=by,
        action="hotline.relief_create",
        target=request,
        changes={"repeat_of": match.pk if match else None, "commune": commune.code},
    )
    return request


@idempotency.submitted_once(Fulfilment)
@transaction.atomic
def relief_fulfil(
    *,
    by,
    request: ReliefRequest,
    what: str,
    delivered_at=None,
    delivered_by: str = "",
    complete: bool = True,
    submission: idempotency.Submission | None = None,
) -> Fulfilment:
    what = nfc(what)
    if not what:
        raise ValidationError({"what": _("Cần ghi đã trao gì.")})
    if request.status == ReliefRequest.Status.CANCELLED:
        raise ValidationError(_("Yêu cầu đã hủy."))
    fulfilment = Fulfilment.objects.create(
        request=request,
        what=what,
        delivered_at=delivered_at or timezone.now(),
        delivered_by=nfc(delivered_by) or by.get_full_name() or by.username,
        recorded_by=by,
        **idempotency.fields(submission),
    )
    request.status = ReliefRequest.Status.DONE if complete else ReliefRequest.Status.PARTLY
    request.save(update_fields=["status"])
    audit_record(
        actor=by,
        action="hotline.relief_fulfil",
        target=request,
        changes={"fulfilment": fulfilment.pk, "status": request.status},
    )
    return fulfilment


@idempotency.submitted_once(SupportPayment)
@transaction.atomic
def support_payment_record(
    *,
    by,
    person,
    policy: SupportPolicy,
    days: int | None = None,
    note: str = "",
    submission: idempotency.Submission | None = None,
) -> SupportPayment:
    """Record NQ 68 support with the amount computed from the policy row."""
    # The person's row lock makes "once per person" and "at most N days" hold when two
    # officers record support for the same person at the same moment: the second waits,
    # then counts the first's payment.
    type(person).objects.select_for_update().filter(pk=person.pk).values_list(
        "pk", flat=True
    ).first()
    if not policy.active:
        raise ValidationError(_("Chính sách này không còn áp dụng."))
    if (
        policy.once_per_person
        and SupportPayment.objects.filter(person=person, policy=policy).exists()
    ):
        raise ValidationError(_("Người này đã nhận khoản hỗ trợ một lần này."))
    if policy.max_age_exclusive is not None:
        age = rules.age_from_birth_year(person.birth_year, timezone.localdate().year)
        if age is None or age >= policy.max_age_exclusive:
            raise ValidationError(
                _("Khoản này chỉ dành cho trẻ dưới %(n)s tuổi (cần năm sinh).")
                % {"n": policy.max_age_exclusive}
            )
    if policy.per_day:
        already = sum(
            SupportPayment.objects.filter(person=person, policy=policy).values_list(
                "days", flat=True
            )
            or [0],
            0,
        )
        remaining = (policy.max_days - (already or 0)) if policy.max_days else None
        if remaining is not None and remaining <= 0:
            raise ValidationError(_("Người này đã nhận đủ số ngày tối đa của chính sách."))
        if days is None:
            raise ValidationError({"days": _("Cần số ngày.")})
        if remaining is not None:
            days = min(days, remaining)
    try:
        amount = rules.support_amount(
            amount=policy.amount_vnd, per_day=policy.per_day, max_days=policy.max_days, days=days
        )
    except ValueError as exc:
        raise ValidationError({"days": _("Số ngày phải từ 1 trở lên.")}) from exc
    payment = SupportPayment.objects.create(
        person=person,
        policy=policy,
        days=amount.days,
        amount_vnd=amount.amount,
        note=nfc(note),
        recorded_by=by,
        **idempotency.fields(submission),
    )
    audit_record(
        actor=by,
        action="hotline.support_record",
        target=person,
        changes={"policy": policy.code, "days": amount.days, "amount": amount.amount},
    )
    return payment
