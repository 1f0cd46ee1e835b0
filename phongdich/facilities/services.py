"""Writes on facilities: the facility register, capacity by bed type, and the stays that
take and free beds."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.accounts.models import Role
from phongdich.audit.services import audit_record
from phongdich.lib import idempotency
from phongdich.lib.text import nfc

from .models import (
    BED_COLUMNS,
    BedType,
    CapacityChange,
    Facility,
    FacilityStaff,
    OccupancyReport,
    ReadinessPlan,
    Stay,
)

# The editable descriptive fields of a facility (capacity changes go through
# `facility_capacity_set`, so every change of a bed figure lands in the history).
DESCRIPTION_FIELDS = (
    "name",
    "kind",
    "unit",
    "address",
    "phone",
    "operator",
    "person_in_charge",
    "status",
    "opens_on",
    "closes_on",
    "health_staff",
)
TEXT_FIELDS = ("name", "address", "operator", "person_in_charge")


def _check_dates(opens_on, closes_on) -> None:
    if opens_on and closes_on and closes_on < opens_on:
        raise ValidationError({"closes_on": _("Ngày đóng trước ngày hoạt động.")})


@idempotency.submitted_once(Facility)
@transaction.atomic
def facility_create(*, by, capacity: dict | None = None, submission=None, **fields) -> Facility:
    """A new facility; its starting capacity is the first entry of each bed type's history."""
    _check_dates(fields.get("opens_on"), fields.get("closes_on"))
    values = {k: (nfc(v) if k in TEXT_FIELDS else v) for k, v in fields.items()}
    facility = Facility.objects.create(
        **values,
        is_active=values.get("status", Facility.Status.OPEN) == Facility.Status.OPEN,
        **idempotency.fields(submission),
    )
    audit_record(
        actor=by, action="facilities.create", target=facility, changes=_described(facility)
    )
    for bed_type, total in (capacity or {}).items():
        if total:
            facility_capacity_set(by=by, facility=facility, bed_type=bed_type, total=total)
    return facility


def _described(facility: Facility) -> dict:
    return {
        k: (getattr(facility, k).pk if k == "unit" else str(getattr(facility, k) or ""))
        for k in DESCRIPTION_FIELDS
    }


@transaction.atomic
def facility_update(*, by, facility: Facility, **fields) -> Facility:
    _check_dates(fields.get("opens_on"), fields.get("closes_on"))
    before = _described(facility)
    for key, value in fields.items():
        if key not in DESCRIPTION_FIELDS:
            raise TypeError(key)
        setattr(facility, key, nfc(value) if key in TEXT_FIELDS else value)
    facility.is_active = facility.status == Facility.Status.OPEN
    facility.save(update_fields=[*fields, "is_active"])
    after = _described(facility)
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changes:
        audit_record(actor=by, action="facilities.update", target=facility, changes=changes)
    return facility


@transaction.atomic
def facility_capacity_set(
    *, by, facility: Facility, bed_type: str, total: int, note: str = ""
) -> CapacityChange | None:
    """Set the number of beds of one type. The row lock orders this against admissions, and
    a capacity below the beds in use is refused (lower it once patients have left)."""
    total_column, occupied_column = BED_COLUMNS[bed_type]
    row = (
        Facility.objects.select_for_update()
        .filter(pk=facility.pk)
        .values(total_column, occupied_column)
        .get()
    )
    before, occupied = row[total_column], row[occupied_column]
    if total < 0:
        raise ValidationError({"total": _("Số giường không thể âm.")})
    if total < occupied:
        raise ValidationError(
            {
                "total": _(
                    "Đang có %(occupied)d người nằm loại giường này; không thể giảm xuống "
                    "%(total)d giường."
                )
                % {"occupied": occupied, "total": total}
            }
        )
    if total == before:
        return None
    Facility.objects.filter(pk=facility.pk).update(**{total_column: total})
    setattr(facility, total_column, total)
    change = CapacityChange.objects.create(
        facility=facility, bed_type=bed_type, before=before, after=total, note=nfc(note), by=by
    )
    audit_record(
        actor=by,
        action="facilities.capacity",
        target=facility,
        changes={"bed_type": bed_type, "before": before, "after": total},
    )
    return change


@transaction.atomic
def facility_occupy(
    *,
    by,
    facility: Facility,
    delta: int,
    icu: bool = False,
    bed_type: str | None = None,
    case=None,
    patient_ref: str = "",
) -> list[Stay]:
    """Take (delta > 0) or free (delta < 0) beds of one type (`bed_type`; `icu=True` is the
    older spelling of BedType.ICU, and the default is a regular bed). Every transfer,
    admission and quarantine placement goes through here, so this is the one place capacity
    is enforced.

    Taking a bed is one guarded UPDATE (... WHERE occupied + delta <= total): the check and
    the increment are a single statement, so of two transfers racing for the last bed the
    database lets exactly one through (the other's row count is 0) whatever stale count
    either page showed. Each bed taken opens a Stay; each bed freed closes one (the case's
    own when `case` is given, else the oldest open stay of that type). Freeing never goes
    below zero. Returns the stays opened or closed.
    """
    bed_type = bed_type or (BedType.ICU if icu else BedType.REGULAR)
    total, field = BED_COLUMNS[bed_type]
    beds = Facility.objects.filter(pk=facility.pk)
    now = timezone.now()
    actor = by if getattr(by, "is_authenticated", False) else None
    if delta > 0:
        taken = beds.filter(**{f"{field}__lte": F(total) - delta}).update(
            **{field: F(field) + delta}
        )
        if not taken:
            message = (
                _("%(name)s đã hết giường hồi sức trống, hãy chọn nơi khác.")
                if bed_type == BedType.ICU
                else _("%(name)s đã hết chỗ trống, hãy chọn nơi khác.")
                if bed_type == BedType.REGULAR
                else _("%(name)s đã hết %(bed_type)s trống, hãy chọn nơi khác.")
            )
            raise ValidationError(
                message % {"name": facility.name, "bed_type": BedType(bed_type).label.lower()},
                code="full",
            )
        stays = Stay.objects.bulk_create(
            Stay(
                facility_id=facility.pk,
                bed_type=bed_type,
                case_id=getattr(case, "pk", None),
                patient_ref=nfc(patient_ref),
                admitted_at=now,
                admitted_by=actor,
            )
            for _bed in range(delta)
        )
    else:
        beds.update(**{field: Greatest(F(field) + delta, 0)})
        open_stays = Stay.objects.filter(
            facility_id=facility.pk, bed_type=bed_type, discharged_at__isnull=True
        )
        if case is not None:
            own = list(open_stays.filter(case_id=case.pk).values_list("pk", flat=True)[:-delta])
        else:
            own = []
        rest = list(
            open_stays.exclude(pk__in=own).values_list("pk", flat=True)[: -delta - len(own)]
        )
        closing = own + rest
        Stay.objects.filter(pk__in=closing).update(discharged_at=now, discharged_by=actor)
        stays = list(Stay.objects.filter(pk__in=closing))
    audit_record(
        actor=by,
        action="facility.occupy",
        target=facility,
        changes={field: delta, "bed_type": bed_type},
    )
    return stays


@transaction.atomic
def stay_discharge(*, by, stay: Stay) -> Stay:
    """Discharge one stay recorded at the facility (its row lock makes a double click free
    one bed)."""
    locked = Stay.objects.select_for_update().get(pk=stay.pk)
    if locked.discharged_at is not None:
        raise ValidationError(_("Lượt nằm này đã kết thúc."))
    facility = locked.facility
    _total, field = BED_COLUMNS[locked.bed_type]
    Facility.objects.filter(pk=facility.pk).update(**{field: Greatest(F(field) - 1, 0)})
    locked.discharged_at, locked.discharged_by = timezone.now(), by
    locked.save(update_fields=["discharged_at", "discharged_by"])
    audit_record(
        actor=by,
        action="facility.discharge",
        target=facility,
        changes={field: -1, "bed_type": locked.bed_type, "stay": locked.pk},
    )
    return locked


@transaction.atomic
def facility_occupancy_report(
    *, by, facility: Facility, day, counts: dict
) -> list[OccupancyReport]:
    """The day's occupied beds by type, reported by a site not yet recording every patient
    here. The report replaces the occupancy counter of each type it names (so transfers keep
    being checked against what the site said), and the facility's figures are marked as
    reported on the board. A count above the capacity is refused: raise capacity first."""
    locked = Facility.objects.select_for_update().get(pk=facility.pk)
    reports, updates, changes = [], {}, {}
    for bed_type, occupied in counts.items():
        if occupied is None:
            continue
        total_column, occupied_column = BED_COLUMNS[bed_type]
        capacity = getattr(locked, total_column)
        if occupied < 0 or occupied > capacity:
            raise ValidationError(
                _(
                    "%(bed_type)s: báo %(occupied)d người nhưng cơ sở chỉ có %(total)d giường; "
                    "hãy cập nhật số giường trước."
                )
                % {"bed_type": BedType(bed_type).label, "occupied": occupied, "total": capacity}
            )
        updates[occupied_column] = occupied
        changes[bed_type] = [getattr(locked, occupied_column), occupied]
        reports.append(
            OccupancyReport(facility=locked, bed_type=bed_type, day=day, occupied=occupied, by=by)
        )
    if not reports:
        raise ValidationError(_("Hãy nhập số người đang nằm của ít nhất một loại giường."))
    updates["occupancy_source"] = Facility.Source.REPORTED
    Facility.objects.filter(pk=facility.pk).update(**updates)
    OccupancyReport.objects.bulk_create(reports)
    audit_record(
        actor=by,
        action="facilities.occupancy_report",
        target=facility,
        changes={"day": day.isoformat(), **changes},
    )
    return reports


@transaction.atomic
def facility_source_set(*, by, facility: Facility, source: str) -> None:
    """Back to counting from stays (the site now records every patient) or to reports."""
    Facility.objects.filter(pk=facility.pk).update(occupancy_source=source)
    audit_record(actor=by, action="facilities.source", target=facility, changes={"source": source})


@transaction.atomic
def facility_staff_add(*, by, facility: Facility, user) -> FacilityStaff:
    """Make an account a facility officer of this facility (one facility per account)."""
    if user.role != Role.FACILITY_OFFICER:
        raise ValidationError(
            {"username": _("Tài khoản này không có vai trò cán bộ cơ sở điều trị/cách ly.")}
        )
    link, _created = FacilityStaff.objects.update_or_create(
        user=user, defaults={"facility": facility}
    )
    audit_record(
        actor=by, action="facilities.staff_add", target=facility, changes={"user": user.username}
    )
    return link


@transaction.atomic
def facility_staff_remove(*, by, link: FacilityStaff) -> None:
    facility, username = link.facility, link.user.username
    link.delete()
    audit_record(
        actor=by, action="facilities.staff_remove", target=facility, changes={"user": username}
    )


PLAN_FIELDS = (
    "scenario",
    "epidemic_level",
    "active_cases",
    "beds_regular",
    "beds_oxygen",
    "beds_icu",
    "beds_ventilator",
    "staff",
    "oxygen_kg",
    "medicine_bags",
    "note",
)


@transaction.atomic
def readiness_plan_create(*, by, unit, **fields) -> ReadinessPlan:
    """A plan of the user's own unit (a district or the province). A plan changes by a new
    row, so earlier versions stay readable."""
    if unit.kind not in ("province", "district"):
        raise ValidationError(_("Kế hoạch sẵn sàng lập cho cấp tỉnh hoặc cấp huyện."))
    plan = ReadinessPlan.objects.create(
        unit=unit,
        created_by=by,
        **{k: (nfc(v) if k in ("scenario", "note") else v) for k, v in fields.items()},
    )
    audit_record(
        actor=by,
        action="facilities.readiness_plan",
        target=plan,
        changes={k: str(getattr(plan, k)) for k in PLAN_FIELDS},
    )
    return plan
