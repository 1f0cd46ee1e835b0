"""Sampling teams as records: create and edit a team with its members, assign it to a
point's shift, find who is on shift, and the reads of the team pages.

A team belongs to a commune or district; its members are accounts of the sampling roles in
that unit and/or named people with a phone. A team works one place at a time: a shift
overlapping another of the same team is refused. The check and the insert run under the
team's key lock (`lib.locks`), so two officers assigning the same team at once to overlapping
shifts get one shift and one clear refusal, never two shifts."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.accounts.models import User
from phongdich.accounts.permissions import check_act_on_unit, scope_to_jurisdiction
from phongdich.audit.services import audit_record
from phongdich.geo.models import AdminUnit
from phongdich.lib.locks import key_lock
from phongdich.lib.text import nfc

from .models import (
    Sample,
    SamplingPoint,
    SamplingTeam,
    ScreeningRound,
    TeamMember,
    TeamShift,
)
from .permissions import SAMPLE_ROLES

TEAM_UNIT_KINDS = (AdminUnit.Kind.COMMUNE, AdminUnit.Kind.DISTRICT)
MAX_NAMED_MEMBERS = 30  # a team is a handful of people; a longer list is a typo or a paste
# A shift is a working day at most: a longer window is almost surely a wrong date.
MAX_SHIFT = timedelta(hours=16)


@dataclass(frozen=True)
class NamedMember:
    """A member without an account: a volunteer, a student of the medical school."""

    full_name: str
    phone: str = ""


# --- reads -----------------------------------------------------------------------------------


def teams_visible_to(user):
    """Teams of units inside the user's jurisdiction (their members' names and phones are
    shown on the team pages)."""
    return scope_to_jurisdiction(SamplingTeam.objects.all(), user, "unit")


def team_get(user, pk: int) -> SamplingTeam:
    return teams_visible_to(user).select_related("unit__parent").get(pk=pk)


def teams_for_commune(commune):
    """The active teams that may work in a commune: its own, and those of its district (a
    district team is sent where it is needed). Names only are shown where this is used."""
    units = [commune.pk, *([commune.parent_id] if commune.parent_id else [])]
    return SamplingTeam.objects.filter(active=True, unit_id__in=units).select_related("unit")


def check_team_for_commune(team, commune) -> None:
    """Refuse a team that may not work in the commune (another unit's, or stopped)."""
    if team is not None and not teams_for_commune(commune).filter(pk=team.pk).exists():
        raise ValidationError(
            {"sampling_team": _("Tổ này không thuộc xã/phường hoặc huyện của xã, hoặc đã ngừng.")}
        )


def teams_to_pick(user):
    """Active teams a user may record work for: those of the user's jurisdiction, and of the
    district above a commune user (the district team working in the commune)."""
    unit = getattr(user, "jurisdiction", None)
    if unit is None:
        return SamplingTeam.objects.none()
    above = Q(unit_id=unit.parent_id) if unit.kind == AdminUnit.Kind.COMMUNE else Q(pk__in=[])
    return (
        SamplingTeam.objects.filter(active=True)
        .filter(Q(pk__in=teams_visible_to(user).values("pk")) | above)
        .select_related("unit")
        .order_by("name", "pk")
    )


def eligible_accounts(unit):
    """Accounts that may be members of a team of `unit`: the sampling roles, active, whose
    jurisdiction lies in the unit."""
    return User.objects.filter(
        is_active=True, role__in=SAMPLE_ROLES, jurisdiction__path__startswith=unit.path
    ).order_by("last_name", "first_name", "username")


def shifts_today_for(user, day: date | None = None):
    """The shifts of the teams the user is a member of working on `day` (today): starting
    that day, or started the evening before and running past midnight; the cancelled ones
    too: the member sees the shift is off rather than finding it gone."""
    day = day or timezone.localdate()
    start = timezone.make_aware(datetime.combine(day, time.min))
    return (
        TeamShift.objects.filter(
            team__members__account=user,
            team__active=True,
            starts_at__lt=start + timedelta(days=1),
            # At most MAX_SHIFT long: the index on (team, starts_at) still bounds the scan.
            starts_at__gte=start - MAX_SHIFT,
            ends_at__gt=start,
        )
        .select_related("team", "point__commune__parent", "point__round__campaign")
        .distinct()
        .order_by("starts_at", "pk")
    )


def team_on_shift(point: SamplingPoint, at: datetime, *, user=None) -> SamplingTeam | None:
    """The team working at the point at `at`: the one the user is a member of when several
    are, else the earliest-starting; none when no shift covers it."""
    shifts = list(
        TeamShift.objects.live()
        .filter(point=point, starts_at__lte=at, ends_at__gt=at)
        .select_related("team")
        .order_by("starts_at", "pk")[:10]
    )
    if not shifts:
        return None
    if user is not None and getattr(user, "pk", None):
        mine = set(
            TeamMember.objects.filter(
                account=user, team_id__in=[s.team_id for s in shifts]
            ).values_list("team_id", flat=True)
        )
        for shift in shifts:
            if shift.team_id in mine:
                return shift.team
    return shifts[0].team


@dataclass
class TeamCount:
    name: str
    sampled: int
    team_id: int | None


def round_team_counts(round_: ScreeningRound) -> list[TeamCount]:
    """Samples taken per team in a round: one grouped query on the round's samples. Rows
    without a team record are grouped by their label (or as "no team")."""
    rows = (
        Sample.objects.filter(round=round_)
        .values("sampling_team_id", "sampling_team__name", "team")
        .annotate(n=Count("pk"))
    )
    merged: dict[tuple, TeamCount] = {}
    for row in rows:
        team_id = row["sampling_team_id"]
        name = row["sampling_team__name"] if team_id else row["team"]
        key = (team_id, "" if team_id else name)
        found = merged.setdefault(key, TeamCount(name=name or "", sampled=0, team_id=team_id))
        found.sampled += row["n"]
    return sorted(merged.values(), key=lambda c: (-c.sampled, c.name))


# --- writes ----------------------------------------------------------------------------------


def _check_unit(by, unit) -> None:
    check_act_on_unit(by, unit)
    if unit.kind not in TEAM_UNIT_KINDS:
        raise ValidationError({"unit": _("Tổ lấy mẫu thuộc một xã/phường hoặc quận/huyện.")})


def _members(unit, accounts, leader, named) -> list[TeamMember]:
    accounts = list(dict.fromkeys(accounts or []))
    if leader is not None and leader not in accounts:
        accounts.insert(0, leader)
    allowed = set(
        eligible_accounts(unit).filter(pk__in=[a.pk for a in accounts]).values_list("pk", flat=True)
    )
    outside = [a for a in accounts if a.pk not in allowed]
    if outside:
        raise ValidationError(
            {
                "accounts": _("Tài khoản %(name)s không phải cán bộ y tế của đơn vị này.")
                % {"name": outside[0].get_username()}
            }
        )
    named = list(named or [])
    if len(named) > MAX_NAMED_MEMBERS:
        raise ValidationError(
            {"named": _("Tối đa %(n)s người không có tài khoản.") % {"n": MAX_NAMED_MEMBERS}}
        )
    members = [
        TeamMember(
            account=account,
            full_name=(account.get_full_name() or account.get_username())[:120],
            leader=leader is not None and account.pk == leader.pk,
        )
        for account in accounts
    ]
    members += [
        TeamMember(full_name=nfc(person.full_name)[:120], phone=person.phone) for person in named
    ]
    return members


def _clean_name(name: str) -> str:
    name = nfc(name)
    if not name:
        raise ValidationError({"name": _("Cần tên tổ lấy mẫu.")})
    return name


@transaction.atomic
def team_create(
    *, by, name: str, unit, accounts=(), leader=None, named=(), active: bool = True
) -> SamplingTeam:
    _check_unit(by, unit)
    name = _clean_name(name)
    members = _members(unit, accounts, leader, named)
    team = SamplingTeam(name=name, unit=unit, active=active, created_by=by)
    try:
        with transaction.atomic():
            team.save()
    except IntegrityError as exc:
        raise ValidationError({"name": _("Đơn vị này đã có tổ lấy mẫu tên này.")}) from exc
    for member in members:
        member.team = team
    TeamMember.objects.bulk_create(members)
    audit_record(
        actor=by,
        action="labtests.team_create",
        target=team,
        changes={"name": name, "unit": unit.pk, "members": len(members)},
    )
    return team


@transaction.atomic
def team_update(
    *, by, team: SamplingTeam, name: str, accounts=(), leader=None, named=(), active: bool = True
) -> SamplingTeam:
    """Rename, (de)activate and replace the members. The unit stays: samples were taken in
    its name (a team moving to another unit is a new team)."""
    team = SamplingTeam.objects.select_for_update().select_related("unit").get(pk=team.pk)
    _check_unit(by, team.unit)
    name = _clean_name(name)
    members = _members(team.unit, accounts, leader, named)
    before = {
        "name": team.name,
        "active": team.active,
        "members": sorted(m.full_name for m in team.members.all()),
    }
    team.name, team.active = name, active
    try:
        with transaction.atomic():
            team.save(update_fields=["name", "active"])
    except IntegrityError as exc:
        raise ValidationError({"name": _("Đơn vị này đã có tổ lấy mẫu tên này.")}) from exc
    team.members.all().delete()
    for member in members:
        member.team = team
    TeamMember.objects.bulk_create(members)
    after = {"name": name, "active": active, "members": sorted(m.full_name for m in members)}
    audit_record(
        actor=by,
        action="labtests.team_update",
        target=team,
        changes={key: [before[key], after[key]] for key in before if before[key] != after[key]},
    )
    return team


def overlapping(team: SamplingTeam, starts_at: datetime, ends_at: datetime):
    """The team's live shifts overlapping the window (a cancelled one frees its hours)."""
    return TeamShift.objects.live().filter(team=team, starts_at__lt=ends_at, ends_at__gt=starts_at)


def _check_shift(by, team, point, starts_at: datetime, ends_at: datetime) -> None:
    """The rules a shift keeps, whether assigned or edited: the round still open, the team
    one that may work in the point's commune, a forward window of at most MAX_SHIFT, on a
    day of the round."""
    check_act_on_unit(by, point.commune)
    round_ = point.round
    if round_.status != ScreeningRound.Status.OPEN:
        raise ValidationError(_("Vòng xét nghiệm này đã kết thúc, không phân công thêm."))
    check_team_for_commune(team, point.commune)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("Giờ kết thúc ca phải sau giờ bắt đầu.")})
    if ends_at - starts_at > MAX_SHIFT:
        raise ValidationError({"ends_at": _("Một ca dài tối đa 16 giờ.")})
    day = timezone.localdate(starts_at)
    if not round_.starts_on <= day <= round_.ends_on:
        raise ValidationError(
            {
                "day": _("Ca phải nằm trong thời gian của vòng (%(a)s – %(b)s).")
                % {"a": f"{round_.starts_on:%d/%m/%Y}", "b": f"{round_.ends_on:%d/%m/%Y}"}
            }
        )


def _lock_teams(*team_ids: int) -> None:
    """The key lock of each team whose shifts are checked, in pk order, so an edit moving a
    shift from one team to another and an assignment of either never wait on each other
    in a circle."""
    for team_id in sorted(set(team_ids)):
        key_lock(f"labtests.team_shift:{team_id}")


def _refuse_clash(team, starts_at: datetime, ends_at: datetime, *, exclude=None) -> None:
    clashes = overlapping(team, starts_at, ends_at).select_related("point")
    if exclude is not None:
        clashes = clashes.exclude(pk=exclude.pk)
    clash = clashes.first()
    if clash is None:
        return
    local_start = timezone.localtime(clash.starts_at)
    local_end = timezone.localtime(clash.ends_at)
    raise ValidationError(
        _(
            "Tổ %(team)s đã có ca tại %(point)s từ %(start)s đến %(end)s, trùng giờ với ca "
            "này. Chọn giờ khác hoặc tổ khác."
        )
        % {
            "team": team.name,
            "point": clash.point.name,
            "start": f"{local_start:%H:%M %d/%m/%Y}",
            "end": f"{local_end:%H:%M %d/%m/%Y}",
        }
    )


def _shift_changes(shift: TeamShift) -> dict:
    return {
        "team": shift.team_id,
        "point": shift.point_id,
        "starts_at": shift.starts_at.isoformat(),
        "ends_at": shift.ends_at.isoformat(),
    }


@transaction.atomic
def shift_assign(
    *, by, team: SamplingTeam, point: SamplingPoint, starts_at: datetime, ends_at: datetime
) -> TeamShift:
    """Put the team at the point from `starts_at` to `ends_at`, unless the team already
    works elsewhere (or here) in an overlapping window."""
    _check_shift(by, team, point, starts_at, ends_at)
    # Without the lock, two requests could each find no overlap and both insert.
    _lock_teams(team.pk)
    _refuse_clash(team, starts_at, ends_at)
    shift = TeamShift.objects.create(
        team=team, point=point, starts_at=starts_at, ends_at=ends_at, created_by=by
    )
    audit_record(
        actor=by, action="labtests.shift_assign", target=shift, changes=_shift_changes(shift)
    )
    return shift


def shifts_visible_to(user):
    return scope_to_jurisdiction(TeamShift.objects.all(), user, "point__commune")


def shift_get(user, pk: int) -> TeamShift:
    return (
        shifts_visible_to(user)
        .select_related(
            "team__unit", "point__round__campaign", "point__commune__parent", "cancelled_by"
        )
        .get(pk=pk)
    )


def shift_version(shift: TeamShift) -> str:
    """What the editor was shown (team and window): an edit or a cancel made on an older
    view of the shift is refused instead of silently replacing a change never seen."""
    utc = [moment.astimezone(UTC).isoformat() for moment in (shift.starts_at, shift.ends_at)]
    return f"{shift.team_id}|{utc[0]}|{utc[1]}"


def _locked_shift(shift: TeamShift, based_on: str | None) -> TeamShift:
    found = (
        # Only the shift's own row: FOR UPDATE over the joined team and point rows would
        # block an assignment's foreign-key check on them while it holds the team's key
        # lock this edit waits for (a deadlock, seen on PostgreSQL).
        TeamShift.objects.select_for_update(of=("self",))
        .select_related("team", "point__round", "point__commune")
        .filter(pk=shift.pk)
        .first()
    )
    if found is None or found.cancelled:
        # A cancelled shift is a record of what was planned: never edited or cancelled again.
        raise ValidationError(_("Ca này đã được hủy. Hãy tải lại danh sách ca."))
    if based_on is not None and shift_version(found) != based_on:
        raise ValidationError(
            _(
                "Ca này vừa được người khác sửa (nay là tổ %(team)s, %(start)s–%(end)s "
                "ngày %(day)s). Hãy xem lại ca rồi sửa tiếp."
            )
            % {
                "team": found.team.name,
                "start": f"{timezone.localtime(found.starts_at):%H:%M}",
                "end": f"{timezone.localtime(found.ends_at):%H:%M}",
                "day": f"{timezone.localtime(found.starts_at):%d/%m/%Y}",
            }
        )
    return found


@transaction.atomic
def shift_update(
    *,
    by,
    shift: TeamShift,
    team: SamplingTeam,
    starts_at: datetime,
    ends_at: datetime,
    based_on: str | None = None,
) -> TeamShift:
    """Change a shift's team or window, under the same rules as an assignment. The shift's
    row is locked first (two edits of one shift run one after the other, and the second,
    made on the view before the first, is refused by `based_on`), then the key locks of its
    old and new team (the overlap check). `based_on` None skips the version check."""
    shift = _locked_shift(shift, based_on)
    _check_shift(by, team, shift.point, starts_at, ends_at)
    _lock_teams(shift.team_id, team.pk)
    _refuse_clash(team, starts_at, ends_at, exclude=shift)
    before = _shift_changes(shift)
    shift.team, shift.starts_at, shift.ends_at = team, starts_at, ends_at
    shift.save(update_fields=["team", "starts_at", "ends_at"])
    after = _shift_changes(shift)
    audit_record(
        actor=by,
        action="labtests.shift_update",
        target=shift,
        changes={key: [before[key], after[key]] for key in before if before[key] != after[key]},
    )
    return shift


@transaction.atomic
def shift_cancel(
    *, by, shift: TeamShift, based_on: str | None = None, reason: str = ""
) -> TeamShift:
    """Cancel a shift of an open round: kept, marked cancelled (by whom, when, the optional
    reason), shown struck through on the schedules, no longer "on shift", clashing or
    editable. Samples keep their team (they point at the team, not the shift)."""
    shift = _locked_shift(shift, based_on)
    check_act_on_unit(by, shift.point.commune)
    if shift.point.round.status != ScreeningRound.Status.OPEN:
        raise ValidationError(_("Vòng xét nghiệm này đã kết thúc, không hủy ca."))
    reason = nfc(reason)
    if len(reason) > TeamShift._meta.get_field("cancel_reason").max_length:
        raise ValidationError({"reason": _("Lý do hủy dài tối đa 200 ký tự.")})
    shift.cancelled_at = timezone.now()
    shift.cancelled_by = by
    shift.cancel_reason = reason
    shift.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason"])
    audit_record(
        actor=by,
        action="labtests.shift_cancel",
        target=shift,
        changes={**_shift_changes(shift), "reason": reason},
    )
    return shift
