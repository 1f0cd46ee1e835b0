"""The course of a case after registration: transfers between treatment places (beds only
through facilities.services.facility_occupy), release, deaths and their dossiers,
medicine bags and mobile station visits.
"""

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.facilities.models import BedType, Facility, Stay
from phongdich.facilities.services import facility_occupy
from phongdich.labtests.rules import RAT
from phongdich.lib import idempotency
from phongdich.lib.certificates import new_code

from .. import rules
from ..models import (
    Alert,
    Case,
    CaseLink,
    CaseStatus,
    Death,
    MedicineBag,
    MobileStationVisit,
    SeverityLevel,
    Transfer,
    TreatmentPlace,
)
from ..signals import alert_handled
from ._common import (
    HOSPITAL_PLACES,
    PLACE_FACILITY_KINDS,
    _close_open_alerts,
    _refresh_alert_counters,
    _today,
    thresholds,
)
from ._samples import negative_rat_times, result_sample_create
from .transfer_need import transfer_need_done


def _lock_case(case: Case) -> None:
    """Take the case's row lock and re-read it. Two submissions of one action on one case
    (a double click, two staff on the same F0) then run one after the other, and the second
    sees what the first did instead of the state both pages showed: a patient is moved or
    released once and their bed is freed once."""
    Case.objects.select_for_update().filter(pk=case.pk).values_list("pk", flat=True).first()
    case.refresh_from_db()


def _bed_type_held(case: Case) -> str:
    """The bed type the case's open stay holds: the one freed when the patient leaves. Stays
    written before bed types were asked for fall back to ICU for an ICU place, else regular."""
    held = (
        Stay.objects.filter(
            case_id=case.pk, facility_id=case.facility_id, discharged_at__isnull=True
        )
        .values_list("bed_type", flat=True)
        .first()
    )
    if held:
        return held
    return BedType.ICU if case.treatment_place == TreatmentPlace.ICU else BedType.REGULAR


def _free_bed(*, by, case: Case) -> None:
    if case.facility_id:
        facility_occupy(
            by=by, facility=case.facility, delta=-1, bed_type=_bed_type_held(case), case=case
        )


# An ICU place means an intensive-care or ventilator bed; the other places take any type the
# patient needs (a tier-3 ward with oxygen, a tier-2 hospital's ventilator).
ICU_BED_TYPES = (BedType.ICU, BedType.VENTILATOR)


def default_bed_type(to_place: str | None) -> str:
    return BedType.ICU if to_place == TreatmentPlace.ICU else BedType.REGULAR


@transaction.atomic
def case_transfer(
    *,
    by,
    case: Case,
    to_place: str,
    facility: Facility | None,
    reason: str,
    alert: Alert | None = None,
    bed_type: str | None = None,
) -> Transfer:
    """Move the F0 to another treatment place; the facility's beds follow the patient: the
    bed of `bed_type` (by default ICU for an ICU place, else regular) is taken at the new
    facility and the bed type the patient held is freed at the old one.

    The new bed is taken by `facility_occupy`, whose guarded UPDATE refuses it when the
    facility is full, so racing transfers never fill a bed twice."""
    _lock_case(case)
    if not case.is_open or case.status == CaseStatus.PENDING:
        raise ValidationError(_("Chỉ chuyển được ca bệnh đang điều trị."))
    if not reason.strip():
        raise ValidationError({"reason": _("Cần ghi lý do chuyển.")})
    if to_place == TreatmentPlace.HOME:
        facility = None
    else:
        if facility is None or facility.kind not in PLACE_FACILITY_KINDS[to_place]:
            raise ValidationError({"facility": _("Cơ sở không phù hợp với nơi điều trị.")})
    bed_type = bed_type or default_bed_type(to_place)
    if bed_type not in BedType.values or (
        to_place == TreatmentPlace.ICU and bed_type not in ICU_BED_TYPES
    ):
        raise ValidationError({"bed_type": _("Loại giường không phù hợp với nơi điều trị.")})
    if to_place == case.treatment_place and getattr(facility, "pk", None) == case.facility_id:
        raise ValidationError(_("Người bệnh đang điều trị tại nơi này rồi."))
    transfer = Transfer.objects.create(
        case=case,
        from_place=case.treatment_place,
        to_place=to_place,
        facility=facility,
        reason=reason.strip(),
        alert=alert,
        by=by,
    )
    _free_bed(by=by, case=case)
    if facility is not None:
        facility_occupy(by=by, facility=facility, delta=1, bed_type=bed_type, case=case)
    case.treatment_place, case.facility = to_place, facility
    case.status = CaseStatus.TRANSFERRED if to_place in HOSPITAL_PLACES else CaseStatus.ACTIVE
    if to_place == TreatmentPlace.ICU:
        case.severity = SeverityLevel.CRITICAL
    case.save()
    linked = _close_alerts_by_transfer(by=by, case=case, alert=alert, reason=reason)
    transfer_need_done(case)
    audit_record(
        actor=by,
        action="cases.transfer",
        target=case,
        changes={
            "from": transfer.from_place,
            "to": to_place,
            "facility": facility.pk if facility else None,
            "bed_type": bed_type if facility else None,
            "alerts": linked,
        },
    )
    return transfer


def _close_alerts_by_transfer(*, by, case: Case, alert: Alert | None, reason: str) -> list[int]:
    """The transfer is the outcome of the alert it answers (still open, or escalated earlier
    and waiting in "Cần chuyển tuyến"), and of any other escalation still waiting for one.
    Each moved alert's hotline ticket follows (signals.alert_handled)."""
    waiting = Q(status=Alert.Status.ESCALATED, outcome="")
    if alert is not None:
        waiting |= Q(pk=alert.pk, status__in=Alert.OPEN_STATES)
    alerts = list(Alert.objects.select_for_update().filter(waiting, case=case))
    now = timezone.now()
    for each in alerts:
        each.status, each.outcome, each.handled_by = (
            Alert.Status.ESCALATED,
            Alert.Outcome.TRANSFERRED,
            by,
        )
        each.closed_at = each.closed_at or now
        each.note = each.note or reason[:500]
        each.save(update_fields=["status", "outcome", "handled_by", "closed_at", "note"])
        alert_handled.send(sender=Alert, alert=each, by=by, action="transfer")
    if alerts:
        _refresh_alert_counters(case)
    return [each.pk for each in alerts]


def release_for(case: Case, *, extra_negative: date | None = None) -> rules.Release:
    dates = [timezone.localtime(at).date() for at in negative_rat_times(case)]
    if extra_negative:
        dates.append(extra_negative)
    return rules.release_date(
        isolation_start=case.isolation_start,
        fully_vaccinated=case.fully_vaccinated,
        negative_rat_dates=dates,
        thresholds=thresholds(),
    )


@transaction.atomic
def case_release(*, by, case: Case, negative_rat_on: date | None = None) -> Case:
    """End isolation (250/QĐ-BYT) and issue the recovery certificate's public code."""
    _lock_case(case)
    if case.status not in (CaseStatus.ACTIVE, CaseStatus.TRANSFERRED):
        raise ValidationError(_("Chỉ cấp giấy khỏi bệnh cho ca đang điều trị."))
    today = _today()
    if negative_rat_on is not None:
        if negative_rat_on > today:
            raise ValidationError({"negative_rat_on": _("Ngày xét nghiệm không thể ở tương lai.")})
        result_sample_create(
            by=by,
            person=case.person,
            commune=case.commune,
            kind=RAT,
            positive=False,
            taken_at=timezone.make_aware(datetime.combine(negative_rat_on, datetime.min.time())),
            lab=_("Trạm y tế"),
            case=case,
        )
    release = release_for(case)
    if release.on > today:
        raise ValidationError(
            _("Chưa đủ điều kiện kết thúc cách ly: dự kiến ngày %(day)s (%(basis)s).")
            % {"day": release.on.strftime("%d/%m/%Y"), "basis": release.basis}
        )
    _free_bed(by=by, case=case)
    case.status = CaseStatus.RECOVERED
    case.released_on = today
    case.isolation_end = release.on
    # 128 bits: the public verification URL cannot be guessed or enumerated.
    case.certificate_code = new_code()
    case.save()
    CaseLink.objects.filter(case=case, revoked_at__isnull=True).update(revoked_at=timezone.now())
    _close_open_alerts(by=by, case=case, note=_("Đã khỏi bệnh"))
    transfer_need_done(case)
    audit_record(
        actor=by,
        action="cases.release",
        target=case,
        changes={"isolation_end": release.on.isoformat(), "basis": release.basis},
    )
    return case


@transaction.atomic
def case_death_record(
    *, by, case: Case, died_on: date, place: str, cause: str, pcr_confirmed: bool
) -> Death:
    _lock_case(case)
    if not case.is_open:
        raise ValidationError(_("Ca bệnh đã kết thúc."))
    if died_on > _today() or died_on < case.diagnosed_on - timedelta(days=30):
        raise ValidationError({"died_on": _("Ngày mất không hợp lệ.")})
    death = Death.objects.create(
        case=case,
        died_on=died_on,
        place=place,
        cause=cause,
        pcr_confirmed=pcr_confirmed,
        recorded_by=by,
    )
    _free_bed(by=by, case=case)
    case.status = CaseStatus.DIED
    case.isolation_end = died_on
    case.save()
    CaseLink.objects.filter(case=case, revoked_at__isnull=True).update(revoked_at=timezone.now())
    _close_open_alerts(by=by, case=case, note=_("Tử vong"))
    transfer_need_done(case)
    audit_record(
        actor=by,
        action="cases.death",
        target=case,
        changes={"died_on": died_on.isoformat(), "pcr_confirmed": pcr_confirmed},
    )
    return death


@transaction.atomic
def death_dossier_advance(*, by, death: Death, status: str) -> Death:
    """Move the support dossier forward one step at a time (collected → sent → paid)."""
    order = Death.DOSSIER_ORDER
    if status not in order or order.index(status) != order.index(death.dossier_status) + 1:
        raise ValidationError(_("Chỉ chuyển hồ sơ sang bước kế tiếp."))
    before = death.dossier_status
    death.dossier_status = status
    death.save(update_fields=["dossier_status", "dossier_updated_at"])
    audit_record(
        actor=by, action="cases.dossier", target=death.case, changes={"dossier": [before, status]}
    )
    return death


@idempotency.submitted_once(MedicineBag)
@transaction.atomic
def medicine_bag_record(
    *,
    by,
    case: Case,
    kind: str,
    handed_on: date,
    note: str = "",
    submission: idempotency.Submission | None = None,
):
    """Record a bag handed over; the same submission sent twice (a double click on the
    case page) is one bag."""
    bag = MedicineBag.objects.create(
        case=case,
        kind=kind,
        handed_on=handed_on,
        note=note,
        by=by,
        **idempotency.fields(submission),
    )
    audit_record(actor=by, action="cases.medicine_bag", target=case, changes={"kind": kind})
    return bag


@idempotency.submitted_once(MobileStationVisit)
@transaction.atomic
def mobile_visit_record(
    *,
    by,
    case: Case,
    visited_on: date,
    station=None,
    note: str = "",
    submission: idempotency.Submission | None = None,
):
    """Record a mobile station's visit; the same submission sent twice is one visit."""
    visit = MobileStationVisit.objects.create(
        case=case,
        visited_on=visited_on,
        station=station,
        note=note,
        by=by,
        **idempotency.fields(submission),
    )
    audit_record(actor=by, action="cases.mobile_visit", target=case)
    return visit
