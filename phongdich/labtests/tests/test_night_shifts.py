"""A shift past midnight is one shift: an end time earlier than the start is the next day
(the same time is refused). The clash check, "on shift now", the member's and the point's
schedules take its whole window."""

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from phongdich.labtests import teams
from phongdich.labtests.forms_teams import ShiftForm
from phongdich.labtests.models import TeamShift
from phongdich.labtests.tests import builders

DAY = "05/12/2026"


def _form(starts: str, ends: str) -> ShiftForm:
    form = ShiftForm({"team": "", "day": DAY, "starts": starts, "ends": ends})
    form.is_valid()
    return form


# (start, end) → (minutes of the shift, ends the next day) or the error of the end field.
WINDOWS = [
    ("07:30", "11:00", (210, False)),
    ("22:00", "06:00", (480, True)),
    ("23:59", "00:00", (1, True)),  # one minute, across midnight
    ("00:00", "23:59", (1439, False)),  # the form reads it; the service refuses its length
    ("00:00", "00:01", (1, False)),
    ("08:00", "08:00", "Giờ kết thúc ca phải khác giờ bắt đầu."),
    ("00:00", "00:00", "Giờ kết thúc ca phải khác giờ bắt đầu."),
    ("23:59", "23:59", "Giờ kết thúc ca phải khác giờ bắt đầu."),
]


@pytest.mark.parametrize("starts,ends,expected", WINDOWS)
def test_an_end_before_the_start_is_the_next_day(starts, ends, expected):
    form = _form(starts, ends)
    if isinstance(expected, str):
        assert form.errors.get("ends") == [expected]
        return
    assert "ends" not in form.errors
    start, end = form.window()
    minutes, next_day = expected
    assert (end - start) == timedelta(minutes=minutes)
    assert timezone.localtime(start).date().strftime("%d/%m/%Y") == DAY
    assert (timezone.localtime(end).date() != timezone.localtime(start).date()) is next_day


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def night(world, staff):
    """A two-day round; the team on a night shift 22:00 to 06:00 at its first point."""
    today = timezone.localdate()
    rnd = builders.screening_round(
        world, staff, units=[world.commune_a], starts_on=today - timedelta(days=1), ends_on=today
    )
    point = builders.point(world, staff, rnd, name="Chốt chợ đêm")
    team = builders.team(world, staff, name="Tổ ca đêm", accounts=[staff.commune_worker_a])
    eve = today - timedelta(days=1)
    shift = teams.shift_assign(
        by=staff.commune_worker_a,
        team=team,
        point=point,
        starts_at=_at(eve, 22),
        ends_at=_at(today, 6),
    )
    return rnd, point, team, shift, today


# (hour, minute) the next morning, for 2 hours → clashes with the night shift
NEXT_MORNING = [((5, 59), True), ((6, 0), False), ((4, 0), True)]


@pytest.mark.parametrize("start,clashes", NEXT_MORNING)
def test_the_next_mornings_shift_clashes_until_the_night_shift_ends(
    world, staff, night, start, clashes
):
    _rnd, point, team, _shift, today = night
    starts_at = _at(today, *start)

    def assign():
        return teams.shift_assign(
            by=staff.commune_worker_a,
            team=team,
            point=point,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
        )

    if clashes:
        with pytest.raises(ValidationError, match="trùng giờ với ca này"):
            assign()
    else:
        assign()
    assert TeamShift.objects.filter(team=team).count() == (1 if clashes else 2)


# minutes after 22:00 of the first evening → the team on shift then
ON_SHIFT = [(-1, False), (0, True), (119, True), (120 + 359, True), (480 - 1, True), (480, False)]


@pytest.mark.parametrize("minutes,on_shift", ON_SHIFT)
def test_on_shift_now_through_midnight(world, staff, night, minutes, on_shift):
    _rnd, point, team, shift, _today = night
    at = shift.starts_at + timedelta(minutes=minutes)
    assert (teams.team_on_shift(point, at) == team) is on_shift


def test_sixteen_hours_across_midnight_is_the_longest(world, staff, night):
    rnd, point, team, _shift, today = night
    other = builders.team(world, staff, name="Tổ dài")
    eve = today - timedelta(days=1)
    with pytest.raises(ValidationError, match="16 giờ"):
        teams.shift_assign(
            by=staff.commune_worker_a,
            team=other,
            point=point,
            starts_at=_at(eve, 15, 59),
            ends_at=_at(today, 8),
        )
    teams.shift_assign(
        by=staff.commune_worker_a,
        team=other,
        point=point,
        starts_at=_at(eve, 16),
        ends_at=_at(today, 8),
    )


def test_the_night_shift_is_on_both_days_schedules_with_its_end_day(client, world, staff, night):
    _rnd, point, _team, _shift, today = night
    client.force_login(staff.commune_worker_a)
    mine = client.get("/labtests/my-shifts/").content.decode()  # the morning it ends
    assert "Chốt chợ đêm" in mine and f"22:00–06:00 ({today:%d/%m})" in mine
    listed = client.get(f"/labtests/points/{point.pk}/shifts/").content.decode()
    assert f"22:00–06:00 ({today:%d/%m})" in listed


def test_a_night_shift_entered_on_the_page_is_one_shift(client, world, staff):
    today = timezone.localdate()
    rnd = builders.screening_round(
        world, staff, units=[world.commune_a], starts_on=today - timedelta(days=1), ends_on=today
    )
    point = builders.point(world, staff, rnd)
    team = builders.team(world, staff, accounts=[staff.commune_worker_a])
    client.force_login(staff.commune_worker_a)
    data = {"team": team.pk, "day": f"{today:%d/%m/%Y}", "starts": "21:00", "ends": "05:00"}
    assert client.post(f"/labtests/points/{point.pk}/shifts/", data).status_code == 302
    shift = TeamShift.objects.get()
    assert shift.ends_at - shift.starts_at == timedelta(hours=8) and shift.ends_next_day
    same = client.post(
        f"/labtests/points/{point.pk}/shifts/", {**data, "starts": "05:00", "ends": "05:00"}
    )
    assert "Giờ kết thúc ca phải khác giờ bắt đầu." in same.content.decode()
    assert TeamShift.objects.count() == 1
