"""Shifts edited and cancelled (scoped, audited, refused on an older view of the shift), the
page that links free-text team names to team records (one UPDATE per table, scoped), and
what two officers doing either at once get (threads on PostgreSQL)."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from phongdich.audit.models import AuditEvent
from phongdich.labtests import rounds, team_links, teams
from phongdich.labtests.models import Pool, Sample, SamplingPoint, SamplingTeam, TeamShift
from phongdich.labtests.tests import builders
from phongdich.testing import losers, make_staff, make_world, race, winners


def _at(day, hour, minute=0):
    return timezone.make_aware(
        datetime.combine(day, datetime.min.time()).replace(hour=hour, minute=minute)
    )


def _setup(world, staff, **round_values):
    rnd = builders.screening_round(world, staff, units=[world.commune_a], **round_values)
    point = builders.point(world, staff, rnd)
    team = builders.team(world, staff, accounts=[staff.commune_worker_a])
    return rnd, point, team, builders.shift(world, staff, team, point, hours=(8, 11))


def _hm(value):
    """An hour (8) or an hour and minute ((8, 30))."""
    return (value, 0) if isinstance(value, int) else value


def _update(staff, shift, team=None, hours=(8, 11), day=None, **kwargs):
    day = day or timezone.localdate(shift.starts_at)
    return teams.shift_update(
        by=kwargs.pop("by", staff.commune_worker_a),
        shift=shift,
        team=team or shift.team,
        starts_at=_at(day, *_hm(hours[0])),
        ends_at=_at(day, *_hm(hours[1])),
        **kwargs,
    )


# --- editing and cancelling a shift ------------------------------------------------------------


def test_editing_a_shift_changes_its_team_and_hours_and_audits_before_and_after(world, staff):
    rnd, point, team, shift = _setup(world, staff)
    other = builders.team(world, staff, name="Tổ số 2")
    _update(staff, shift, team=other, hours=(13, 17))
    shift.refresh_from_db()
    assert (shift.team, timezone.localtime(shift.starts_at).hour) == (other, 13)
    event = AuditEvent.objects.get(action="labtests.shift_update", target_id=str(shift.pk))
    assert event.changes["team"] == [team.pk, other.pk]
    assert set(event.changes) == {"team", "starts_at", "ends_at"}  # the point did not change


def test_a_shift_may_grow_over_its_own_hours_but_not_over_another_of_its_team(world, staff):
    rnd, point, team, shift = _setup(world, staff)
    _update(staff, shift, hours=(7, 12))  # overlaps only itself
    later = builders.shift(world, staff, team, point, hours=(13, 15))
    with pytest.raises(ValidationError, match="đã có ca tại Nhà văn hóa khu 3 từ 07:00"):
        _update(staff, later, hours=(11, 15))
    assert TeamShift.objects.get(pk=later.pk).starts_at == _at(rnd.starts_on, 13)


@pytest.mark.parametrize(
    ("starts", "ends", "refused"),
    [
        ((6, 0), (22, 0), None),  # 16 hours: the longest shift
        ((6, 0), (22, 1), "tối đa 16 giờ"),
        ((9, 0), (9, 1), None),
        ((9, 0), (9, 0), "sau giờ bắt đầu"),
        ((9, 0), (8, 59), "sau giờ bắt đầu"),
    ],
)
def test_an_edited_shift_keeps_the_window_rules(world, staff, starts, ends, refused):
    rnd, point, team, shift = _setup(world, staff)
    if refused is None:
        _update(staff, shift, hours=(starts, ends))
        assert TeamShift.objects.get(pk=shift.pk).ends_at == _at(rnd.starts_on, *ends)
    else:
        with pytest.raises(ValidationError, match=refused):
            _update(staff, shift, hours=(starts, ends))


@pytest.mark.parametrize(("offset", "refused"), [(-1, True), (0, False), (2, False), (3, True)])
def test_an_edited_shift_stays_on_a_day_of_the_round(world, staff, offset, refused):
    today = timezone.localdate()
    rnd, point, team, shift = _setup(world, staff, starts_on=today, ends_on=today + timedelta(2))
    day = rnd.starts_on + timedelta(days=offset)
    if refused:
        with pytest.raises(ValidationError, match="thời gian của vòng"):
            _update(staff, shift, day=day)
    else:
        _update(staff, shift, day=day)
        assert timezone.localdate(TeamShift.objects.get(pk=shift.pk).starts_at) == day


def test_an_edit_or_cancel_on_an_older_view_of_the_shift_is_refused_saying_what_it_is(world, staff):
    rnd, point, team, shift = _setup(world, staff)
    seen = teams.shift_version(shift)
    _update(staff, shift, hours=(9, 12), based_on=seen)
    with pytest.raises(ValidationError, match=r"vừa được người khác sửa \(nay là tổ .*09:00–12:00"):
        _update(staff, shift, hours=(14, 16), based_on=seen)
    with pytest.raises(ValidationError, match="vừa được người khác sửa"):
        teams.shift_cancel(by=staff.commune_worker_a, shift=shift, based_on=seen)
    assert TeamShift.objects.get(pk=shift.pk).starts_at == _at(rnd.starts_on, 9)


def test_cancelling_a_shift_keeps_it_marked_audits_it_and_a_second_cancel_is_a_message(
    world, staff
):
    rnd, point, team, shift = _setup(world, staff)
    teams.shift_cancel(by=staff.commune_worker_a, shift=shift, reason="  Mưa bão  ")
    kept = TeamShift.objects.get(pk=shift.pk)
    assert kept.cancelled and kept.cancelled_by == staff.commune_worker_a
    assert kept.cancel_reason == "Mưa bão"
    assert timezone.now() - kept.cancelled_at < timedelta(minutes=1)
    assert (kept.team, kept.starts_at) == (team, shift.starts_at)  # what was planned
    event = AuditEvent.objects.get(action="labtests.shift_cancel")
    assert (event.target_id, event.changes["team"]) == (str(shift.pk), team.pk)
    assert event.changes["reason"] == "Mưa bão"
    with pytest.raises(ValidationError, match="Ca này đã được hủy"):
        teams.shift_cancel(by=staff.commune_worker_a, shift=shift)
    with pytest.raises(ValidationError, match="Ca này đã được hủy"):
        _update(staff, shift)


def test_a_closed_rounds_shifts_and_another_communes_shifts_cannot_be_changed(world, staff):
    rnd, point, team, shift = _setup(world, staff)
    with pytest.raises(PermissionDenied):
        _update(staff, shift, by=staff.commune_worker_b)
    with pytest.raises(PermissionDenied):
        teams.shift_cancel(by=staff.commune_worker_b, shift=shift)
    rounds.round_close(by=staff.province_health_officer, round=rnd)
    with pytest.raises(ValidationError, match="đã kết thúc"):
        _update(staff, shift, hours=(9, 12))
    with pytest.raises(ValidationError, match="đã kết thúc"):
        teams.shift_cancel(by=staff.commune_worker_a, shift=shift)
    assert TeamShift.objects.filter(pk=shift.pk).exists()


def test_the_shift_pages_edit_confirm_and_cancel(client, world, staff):
    rnd, point, team, shift = _setup(world, staff)
    client.force_login(staff.commune_worker_a)
    listing = client.get(f"/labtests/points/{point.pk}/shifts/").content.decode()
    assert f"/labtests/shifts/{shift.pk}/" in listing
    page = client.get(f"/labtests/shifts/{shift.pk}/").content.decode()
    assert 'name="based_on"' in page and "08:00" in page
    data = {
        "team": team.pk,
        "day": rnd.starts_on.strftime("%d/%m/%Y"),
        "starts": "13:00",
        "ends": "16:30",
        "based_on": teams.shift_version(shift),
    }
    assert client.post(f"/labtests/shifts/{shift.pk}/", data).status_code == 302
    stale = client.post(f"/labtests/shifts/{shift.pk}/", {**data, "starts": "14:00"})
    assert stale.status_code == 200
    assert "vừa được người khác sửa" in stale.content.decode()
    bad = client.post(f"/labtests/shifts/{shift.pk}/", {**data, "starts": "25:00"})
    assert bad.status_code == 200 and "Nhập" in bad.content.decode()
    shift.refresh_from_db()
    assert timezone.localtime(shift.ends_at).strftime("%H:%M") == "16:30"
    confirm = client.get(f"/labtests/shifts/{shift.pk}/cancel/").content.decode()
    assert "Xác nhận hủy ca" in confirm and "13:00–16:30" in confirm
    assert TeamShift.objects.filter(pk=shift.pk).exists()  # a GET only asks
    cancel = client.post(
        f"/labtests/shifts/{shift.pk}/cancel/", {"based_on": teams.shift_version(shift)}
    )
    assert cancel.status_code == 302
    assert TeamShift.objects.get(pk=shift.pk).cancelled
    listing = client.get(f"/labtests/points/{point.pk}/shifts/").content.decode()
    assert "shift-cancelled" in listing and "Đã hủy" in listing
    assert f"/labtests/shifts/{shift.pk}/" not in listing  # no edit or cancel link left
    # Its pages say it is cancelled; a POST changes nothing.
    for url in (f"/labtests/shifts/{shift.pk}/", f"/labtests/shifts/{shift.pk}/cancel/"):
        page = client.get(url).content.decode()
        assert 'id="shift-cancelled"' in page and 'name="based_on"' not in page
        client.post(url, {**data, "starts": "09:00", "based_on": teams.shift_version(shift)})
    shift.refresh_from_db()
    assert timezone.localtime(shift.starts_at).strftime("%H:%M") == "13:00"


def test_another_commune_cannot_open_edit_or_cancel_a_shift(client, world, staff):
    rnd, point, team, shift = _setup(world, staff)
    client.force_login(staff.commune_worker_b)
    for url in (f"/labtests/shifts/{shift.pk}/", f"/labtests/shifts/{shift.pk}/cancel/"):
        assert client.get(url).status_code == 404
        assert client.post(url, {"based_on": teams.shift_version(shift)}).status_code == 404
    assert TeamShift.objects.filter(pk=shift.pk).exists()


# --- linking free-text team names ------------------------------------------------------------


def _typed_rows(world, staff, camp, name, *, commune=None, samples=1, pool=False, point=False):
    """Rows of `camp` whose team is the typed `name` only (as before teams were records)."""
    commune = commune or world.commune_a
    by = staff.commune_worker_a if commune == world.commune_a else staff.commune_worker_b
    made = [
        builders.sample(world, staff, by=by, commune=commune, campaign=camp, team=name)
        for _ in range(samples)
    ]
    if pool:
        builders.pool(world, staff, by=by, commune=commune, campaign=camp, team=name)
    if point:
        rnd = camp.round_set.order_by("number").first() or builders.screening_round(
            world, staff, camp
        )
        rounds.point_create(by=by, round=rnd, commune=commune, name=f"Điểm {name}", team=name)
    return made


def test_unlinked_names_are_listed_per_commune_with_counts_and_their_matches(world, staff):
    camp = builders.campaign(world, staff)
    team = builders.team(world, staff, name="Tổ 1")
    builders.team(world, staff, name="tổ 1 ", unit=world.district_a, by=staff.province_admin)
    _typed_rows(world, staff, camp, "TỔ 1", samples=3, pool=True, point=True)
    _typed_rows(world, staff, camp, "Tổ không ai biết", samples=1)
    _typed_rows(world, staff, camp, "Tổ 1", commune=world.commune_b, samples=2)
    builders.sample(world, staff, campaign=camp, sampling_team=team)  # linked: not listed
    other = builders.campaign(world, staff, name="Đợt khác")
    _typed_rows(world, staff, other, "TỔ 1", samples=1)  # another campaign

    rows = team_links.campaign_unlinked_names(staff.province_health_officer, camp)
    summary = [(r.commune.pk, r.name, r.samples, r.pools, r.points, len(r.matches)) for r in rows]
    assert sorted(summary) == sorted(
        [
            (world.commune_a.pk, "TỔ 1", 3, 1, 1, 2),  # the commune's and the district's
            (world.commune_a.pk, "Tổ không ai biết", 1, 0, 0, 0),
            (world.commune_b.pk, "Tổ 1", 2, 0, 0, 0),
        ]
    )
    mine = team_links.campaign_unlinked_names(staff.commune_worker_a, camp)
    assert {r.commune.pk for r in mine} == {world.commune_a.pk}  # scoped to the jurisdiction


def test_linking_a_name_updates_every_row_of_it_in_the_campaign_and_commune_only(
    world, staff, django_assert_num_queries
):
    camp = builders.campaign(world, staff)
    team = builders.team(world, staff, name="Tổ lấy mẫu số 1")
    typed = _typed_rows(world, staff, camp, "tổ 1", samples=4, pool=True, point=True)
    near = _typed_rows(world, staff, camp, "Tổ 1", samples=1)  # another spelling stays
    other = builders.campaign(world, staff, name="Đợt khác")
    elsewhere = _typed_rows(world, staff, other, "tổ 1", samples=1)
    b_rows = _typed_rows(world, staff, camp, "tổ 1", commune=world.commune_b, samples=1)
    # The savepoint and its release, three UPDATEs and the audit event, whatever the number
    # of rows (the permission check reads the cached jurisdiction).
    with django_assert_num_queries(6):
        counts = team_links.team_name_link(
            by=staff.commune_worker_a,
            campaign=camp,
            commune=world.commune_a,
            name="tổ 1",
            team=team,
        )
    assert counts == {"samples": 4, "pools": 1, "points": 1}
    assert {s.sampling_team_id for s in Sample.objects.filter(pk__in=[s.pk for s in typed])} == {
        team.pk
    }
    assert Sample.objects.get(pk=typed[0].pk).team == "tổ 1"  # the label stays
    assert Pool.objects.get(campaign=camp, team="tổ 1").sampling_team == team
    assert (
        SamplingPoint.objects.get(name="Điểm tổ 1", commune=world.commune_a).sampling_team == team
    )
    for row in (*near, *elsewhere, *b_rows):
        assert Sample.objects.get(pk=row.pk).sampling_team_id is None
    event = AuditEvent.objects.get(action="labtests.team_link")
    assert event.changes == {
        "campaign": camp.pk,
        "commune": world.commune_a.pk,
        "name": "tổ 1",
        "samples": 4,
        "pools": 1,
        "points": 1,
    }
    with pytest.raises(ValidationError, match="vừa được người khác liên kết"):
        team_links.team_name_link(
            by=staff.commune_worker_a,
            campaign=camp,
            commune=world.commune_a,
            name="tổ 1",
            team=team,
        )


def test_a_name_links_only_to_a_team_of_its_commune_or_district_by_its_own_staff(world, staff):
    camp = builders.campaign(world, staff)
    _typed_rows(world, staff, camp, "Tổ X")
    team_b = builders.team(
        world, staff, name="Tổ B", unit=world.commune_b, by=staff.commune_worker_b
    )
    with pytest.raises(ValidationError, match="không liên kết được"):
        team_links.team_name_link(
            by=staff.commune_worker_a,
            campaign=camp,
            commune=world.commune_a,
            name="Tổ X",
            team=team_b,
        )
    team_a = builders.team(world, staff, name="Tổ A")
    with pytest.raises(PermissionDenied):
        team_links.team_name_link(
            by=staff.commune_worker_b,
            campaign=camp,
            commune=world.commune_a,
            name="Tổ X",
            team=team_a,
        )
    stopped = builders.team(
        world, staff, name="Tổ huyện cũ", unit=world.district_a, by=staff.province_admin
    )
    SamplingTeam.objects.filter(pk=stopped.pk).update(active=False)
    counts = team_links.team_name_link(
        by=staff.commune_worker_a, campaign=camp, commune=world.commune_a, name="Tổ X", team=stopped
    )
    assert counts["samples"] == 1  # old rows may belong to a team that has stopped since


def test_the_link_page_lists_names_links_them_and_is_scoped(
    client, world, staff, django_assert_max_num_queries
):
    camp = builders.campaign(world, staff)
    team = builders.team(world, staff, name="Tổ Một")
    for n in range(5):
        _typed_rows(world, staff, camp, f"Tổ cũ {n}", samples=2)
    _typed_rows(world, staff, camp, "Tổ của B", commune=world.commune_b)
    client.force_login(staff.commune_worker_a)
    url = f"/labtests/campaigns/{camp.pk}/team-names/"
    client.get(url)  # warm the session and the menu's caches
    with django_assert_max_num_queries(16):
        page = client.get(url).content.decode()
    assert page.count('name="team"') == 5 and "Tổ của B" not in page
    assert "Không trùng tổ nào" in page
    response = client.post(
        url, {"commune": world.commune_a.pk, "name": "Tổ cũ 3", "team": team.pk}, follow=True
    )
    assert "Đã liên kết “Tổ cũ 3” với tổ Tổ Một: 2 mẫu" in response.content.decode()
    assert Sample.objects.filter(sampling_team=team).count() == 2
    again = client.post(url, {"commune": world.commune_a.pk, "name": "Tổ cũ 3", "team": team.pk})
    assert again.status_code == 200 and "vừa được người khác liên kết" in again.content.decode()
    # Commune A's officer cannot link commune B's name, even by posting its commune.
    refused = client.post(url, {"commune": world.commune_b.pk, "name": "Tổ của B", "team": team.pk})
    assert refused.status_code == 200
    assert Sample.objects.filter(team="Tổ của B", sampling_team__isnull=False).count() == 0
    round_page = client.get(f"/labtests/rounds/{builders.screening_round(world, staff, camp).pk}/")
    assert url in round_page.content.decode()


def test_the_link_page_of_a_campaign_out_of_reach_is_404(client, world, staff):
    camp = builders.campaign(world, staff, units=[world.commune_b], unit=world.district_b)
    client.force_login(staff.commune_worker_a)
    assert client.get(f"/labtests/campaigns/{camp.pk}/team-names/").status_code == 404


# --- at once (threads on PostgreSQL) ---------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_officers_creating_one_team_name_at_once_make_one_team_and_the_other_a_message():
    world = make_world()
    staff = make_staff(world)

    def create(by):
        return lambda: builders.team(world, staff, name="Tổ phản ứng nhanh", by=by)

    outcomes = race([create(staff.commune_worker_a), create(staff.district_health_officer_a)])
    assert len(winners(outcomes)) == 1, outcomes
    [lost] = losers(outcomes)
    assert isinstance(lost, ValidationError)
    assert lost.message_dict["name"] == ["Đơn vị này đã có tổ lấy mẫu tên này."]
    assert SamplingTeam.objects.filter(name="Tổ phản ứng nhanh").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_team_form_posted_twice_at_once_answers_a_form_error_not_a_500():
    world = make_world()
    staff = make_staff(world)

    def post():
        client = Client()
        client.force_login(staff.commune_worker_a)
        response = client.post(
            "/labtests/teams/new/",
            {"name": "Tổ hai lần", "unit": world.commune_a.pk, "active": "on"},
        )
        return response.status_code, response.content.decode()

    outcomes = race([post, post])
    assert not losers(outcomes), losers(outcomes)
    statuses = sorted(status for status, _page in winners(outcomes))
    assert statuses == [200, 302], statuses
    [page] = [page for status, page in winners(outcomes) if status == 200]
    assert "Đơn vị này đã có tổ lấy mẫu tên này." in page
    assert SamplingTeam.objects.filter(name="Tổ hai lần").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_edits_of_one_shift_at_once_keep_one_and_refuse_the_other_clearly():
    world = make_world()
    staff = make_staff(world)
    rnd, point, team, shift = _setup(world, staff)
    seen = teams.shift_version(shift)

    def edit(hours):
        return lambda: _update(staff, shift, hours=hours, based_on=seen)

    outcomes = race([edit((9, 12)), edit((13, 16))])
    assert len(winners(outcomes)) == 1, outcomes
    [lost] = losers(outcomes)
    assert isinstance(lost, ValidationError) and "vừa được người khác sửa" in lost.messages[0]
    kept = TeamShift.objects.get(pk=shift.pk)
    assert (
        timezone.localtime(kept.starts_at).hour
        == timezone.localtime(winners(outcomes)[0].starts_at).hour
    )
    assert AuditEvent.objects.filter(action="labtests.shift_update").count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_edit_and_an_assignment_racing_to_one_teams_hours_give_one_shift_there():
    world = make_world()
    staff = make_staff(world)
    rnd, point, team, shift = _setup(world, staff)
    other = builders.point(world, staff, rnd, name="Trường THCS")
    moved = builders.shift(world, staff, team, other, hours=(14, 16))
    outcomes = race(
        [
            lambda: _update(staff, moved, hours=(11, 13)),
            lambda: builders.shift(world, staff, team, point, hours=(12, 14)),
        ]
    )
    assert len(winners(outcomes)) == 1, outcomes
    assert all("trùng giờ" in e.messages[0] for e in losers(outcomes)), losers(outcomes)
    shifts = list(TeamShift.objects.filter(team=team).order_by("starts_at"))
    for before, after in zip(shifts, shifts[1:], strict=False):
        assert before.ends_at <= after.starts_at, shifts


@pytest.mark.django_db(transaction=True)
def test_two_links_of_one_name_at_once_link_it_once_and_tell_the_other():
    world = make_world()
    staff = make_staff(world)
    camp = builders.campaign(world, staff)
    team = builders.team(world, staff, name="Tổ Một")
    _typed_rows(world, staff, camp, "Tổ 1", samples=3)

    def link():
        return team_links.team_name_link(
            by=staff.commune_worker_a,
            campaign=camp,
            commune=world.commune_a,
            name="Tổ 1",
            team=team,
        )

    outcomes = race([link, link])
    assert [w["samples"] for w in winners(outcomes)] == [3], outcomes
    [lost] = losers(outcomes)
    assert "vừa được người khác liên kết" in lost.messages[0]
    assert AuditEvent.objects.filter(action="labtests.team_link").count() == 1


def test_a_cancelled_shift_is_off_shift_frees_its_hours_and_shows_struck_on_my_shifts(
    client, world, staff
):
    """Cancelled, the shift no longer names the team on shift at the point, no longer
    clashes with another shift of the team, and its member sees it labelled cancelled."""
    rnd, point, team, shift = _setup(world, staff)
    during = _at(rnd.starts_on, 9)
    assert teams.team_on_shift(point, during) == team
    teams.shift_cancel(by=staff.commune_worker_a, shift=shift)
    assert teams.team_on_shift(point, during) is None
    again = teams.shift_assign(
        by=staff.commune_worker_a,
        team=team,
        point=point,
        starts_at=_at(rnd.starts_on, 8),
        ends_at=_at(rnd.starts_on, 11),
    )
    assert teams.team_on_shift(point, during) == team
    assert list(teams.overlapping(team, during, during + timedelta(hours=1))) == [again]
    mine = list(teams.shifts_today_for(staff.commune_worker_a, rnd.starts_on))
    assert [s.cancelled for s in mine] == [True, False]
    client.force_login(staff.commune_worker_a)
    page = client.get(f"/labtests/points/{point.pk}/").content.decode()
    assert "<del>" in page and "Đã hủy" in page


# --- names of rows outside any campaign --------------------------------------------------------


def test_names_outside_campaigns_have_their_page_for_the_commune_and_the_district(
    client, world, staff, django_assert_max_num_queries
):
    """Samples and pools of no campaign (a point's daily work, a station's rapid tests): the
    commune's and the district's page lists their names, never a campaign's; linking one
    touches only the rows of no campaign; another commune's rows stay out of reach."""
    camp = builders.campaign(world, staff)
    team = builders.team(world, staff, name="Tổ trạm")
    _typed_rows(world, staff, None, "Tổ trạm cũ", samples=3, pool=True)
    in_campaign = _typed_rows(world, staff, camp, "Tổ trạm cũ")
    _typed_rows(world, staff, camp, "Chỉ trong đợt")
    _typed_rows(world, staff, None, "Tổ của B", commune=world.commune_b)
    url = "/labtests/team-names/"
    client.force_login(staff.commune_worker_a)
    client.get(url)  # warm the session and the menu's caches
    with django_assert_max_num_queries(16):
        page = client.get(url).content.decode()
    assert "Tổ trạm cũ" in page and "Chỉ trong đợt" not in page and "Tổ của B" not in page
    assert page.count('name="team"') == 1
    response = client.post(
        url, {"commune": world.commune_a.pk, "name": "Tổ trạm cũ", "team": team.pk}, follow=True
    )
    assert "3 mẫu, 1 mẫu gộp, 0 điểm lấy mẫu" in response.content.decode()
    assert Sample.objects.filter(sampling_team=team, campaign__isnull=True).count() == 3
    assert Pool.objects.filter(sampling_team=team).count() == 1
    assert Sample.objects.get(pk=in_campaign[0].pk).sampling_team is None  # the campaign's
    event = AuditEvent.objects.get(action="labtests.team_link")
    assert (event.changes["campaign"], event.changes["samples"]) == (None, 3)
    refused = client.post(url, {"commune": world.commune_b.pk, "name": "Tổ của B", "team": team.pk})
    assert refused.status_code == 200
    assert not Sample.objects.filter(team="Tổ của B", sampling_team__isnull=False).exists()
    # The district sees its communes' names; another district's officer sees none of them.
    client.force_login(staff.district_health_officer_a)
    assert "Tổ của B" not in client.get(url).content.decode()
    _typed_rows(world, staff, None, "Tổ phường A", samples=1)
    assert "Tổ phường A" in client.get(url).content.decode()
    client.force_login(staff.commune_worker_b)
    page = client.get(url).content.decode()
    assert "Tổ của B" in page and "Tổ phường A" not in page
    # Inputs are bounded: an over-long name is a form error, not a query.
    long = client.post(url, {"commune": world.commune_b.pk, "name": "x" * 121, "team": team.pk})
    assert long.status_code == 200 and not long.context["form"].is_valid()
