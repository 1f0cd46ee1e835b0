"""Sampling teams as records: a team of a commune with its members, shifts at a round's
points that never overlap for one team, the team on shift recorded on the samples taken at
the point, per-team counts on the round, and the pages (scoped, audited, bounded)."""

import importlib
from datetime import datetime, timedelta

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from phongdich.audit.models import AuditEvent
from phongdich.labtests import teams
from phongdich.labtests.models import Pool, Sample, SamplingPoint, SamplingTeam, TeamShift
from phongdich.labtests.tests import builders
from phongdich.testing import make_user

link_migration = importlib.import_module("phongdich.labtests.migrations.0009_link_team_names")


def _at(day, hour, minute=0):
    return timezone.make_aware(
        datetime.combine(day, datetime.min.time()).replace(hour=hour, minute=minute)
    )


def _round_and_point(world, staff, **values):
    rnd = builders.screening_round(world, staff, units=[world.commune_a])
    return rnd, builders.point(world, staff, rnd, **values)


# --- teams -----------------------------------------------------------------------------------


def test_a_team_is_created_with_accounts_and_named_members_and_audited(world, staff):
    team = builders.team(
        world,
        staff,
        accounts=[staff.commune_worker_a],
        leader=staff.commune_worker_a,
        named=[teams.NamedMember("Lê Văn Tình Nguyện", "+84912000111")],
    )
    members = list(team.members.all())
    assert [(m.account_id, m.leader) for m in members] == [
        (staff.commune_worker_a.pk, True),
        (None, False),
    ]
    assert team.leader.account == staff.commune_worker_a
    assert AuditEvent.objects.filter(action="labtests.team_create", target_id=str(team.pk)).exists()


def test_a_team_refuses_an_account_of_another_unit_and_another_communes_officer(world, staff):
    with pytest.raises(ValidationError, match="không phải cán bộ y tế"):
        builders.team(world, staff, accounts=[staff.commune_worker_b])
    with pytest.raises(ValidationError, match="không phải cán bộ y tế"):
        builders.team(world, staff, accounts=[staff.care_team_a])  # not a sampling role
    with pytest.raises(PermissionDenied):
        builders.team(world, staff, by=staff.commune_worker_b)  # commune A's team


def test_a_team_name_is_once_per_unit(world, staff):
    builders.team(world, staff, name="Tổ 1")
    with pytest.raises(ValidationError, match="đã có tổ lấy mẫu tên này"):
        builders.team(world, staff, name="Tổ 1")
    builders.team(world, staff, name="Tổ 1", unit=world.commune_b, by=staff.commune_worker_b)


def test_editing_a_team_replaces_its_members_and_audits_the_change(world, staff):
    team = builders.team(world, staff, named=[teams.NamedMember("Một")])
    teams.team_update(
        by=staff.commune_worker_a,
        team=team,
        name="Tổ số 2",
        named=[teams.NamedMember("Hai"), teams.NamedMember("Ba")],
        active=False,
    )
    team.refresh_from_db()
    assert (team.name, team.active) == ("Tổ số 2", False)
    assert sorted(team.members.values_list("full_name", flat=True)) == ["Ba", "Hai"]
    event = AuditEvent.objects.get(action="labtests.team_update")
    assert event.changes["name"] == ["Tổ lấy mẫu số 1", "Tổ số 2"]


# --- shifts ----------------------------------------------------------------------------------


def test_overlapping_shifts_of_one_team_are_refused_with_where_it_already_is(world, staff):
    rnd, point = _round_and_point(world, staff)
    other = builders.point(world, staff, rnd, name="Trường THCS")
    team = builders.team(world, staff)
    builders.shift(world, staff, team, point, hours=(8, 11))
    with pytest.raises(ValidationError) as refused:
        builders.shift(world, staff, team, other, hours=(10, 12))
    assert "đã có ca tại Nhà văn hóa khu 3 từ 08:00" in refused.value.messages[0]
    builders.shift(world, staff, team, other, hours=(11, 13))  # touching is no overlap
    assert TeamShift.objects.filter(team=team).count() == 2


def test_a_shift_must_lie_in_the_round_be_forward_and_the_team_of_the_commune(world, staff):
    rnd, point = _round_and_point(world, staff)
    team = builders.team(world, staff)
    with pytest.raises(ValidationError, match="thời gian của vòng"):
        builders.shift(world, staff, team, point, day=rnd.ends_on + timedelta(days=1))
    with pytest.raises(ValidationError, match="sau giờ bắt đầu"):
        builders.shift(world, staff, team, point, hours=(11, 8))
    team_b = builders.team(world, staff, unit=world.commune_b, by=staff.commune_worker_b)
    with pytest.raises(ValidationError, match="không thuộc xã/phường"):
        builders.shift(world, staff, team_b, point)
    district_team = builders.team(
        world, staff, unit=world.district_a, by=staff.district_health_officer_a, name="Tổ huyện"
    )
    builders.shift(world, staff, district_team, point)  # a district team works in its communes


@pytest.mark.django_db(transaction=True)
def test_two_assignments_of_one_team_to_overlapping_shifts_at_once_give_one_winner():
    from phongdich.testing import losers, make_staff, make_world, race, winners

    world = make_world()
    staff = make_staff(world)
    rnd, point = _round_and_point(world, staff)
    other = builders.point(world, staff, rnd, name="Trường THCS")
    team = builders.team(world, staff)

    def assign(where, hours):
        return lambda: builders.shift(world, staff, team, where, hours=hours)

    outcomes = race([assign(point, (8, 11)), assign(other, (9, 12)), assign(point, (10, 13))])
    assert len(winners(outcomes)) == 1, outcomes
    assert all(
        isinstance(e, ValidationError) and "trùng giờ" in e.messages[0] for e in losers(outcomes)
    ), losers(outcomes)
    assert TeamShift.objects.filter(team=team).count() == 1


# --- samples record the team -----------------------------------------------------------------


def test_a_sample_at_a_point_records_the_team_on_shift_else_the_points_team(world, staff):
    rnd, point = _round_and_point(world, staff)
    on_shift = builders.team(world, staff, name="Tổ ca sáng", accounts=[staff.commune_worker_a])
    default = builders.team(world, staff, name="Tổ của điểm")
    SamplingPoint.objects.filter(pk=point.pk).update(sampling_team=default)
    point.refresh_from_db()
    builders.shift(world, staff, on_shift, point, hours=(8, 11))
    during = builders.sample(world, staff, point=point, taken_at=_at(rnd.starts_on, 9))
    after = builders.sample(world, staff, point=point, taken_at=_at(rnd.starts_on, 14))
    assert (during.sampling_team, during.team) == (on_shift, "Tổ ca sáng")
    assert (after.sampling_team, after.team) == (default, "Tổ của điểm")
    counts = {c.name: c.sampled for c in teams.round_team_counts(rnd)}
    assert counts == {"Tổ ca sáng": 1, "Tổ của điểm": 1}


def test_a_pool_records_its_team_and_its_members_and_resamples_inherit_it(world, staff):
    team = builders.team(world, staff)
    pool = builders.pool(world, staff, members=2, sampling_team=team)
    assert (pool.sampling_team, pool.team) == (team, team.name)
    assert set(pool.members.values_list("sampling_team", flat=True)) == {team.pk}
    team_b = builders.team(world, staff, unit=world.commune_b, by=staff.commune_worker_b)
    with pytest.raises(ValidationError, match="không thuộc xã/phường"):
        builders.pool(world, staff, sampling_team=team_b)


# --- migration 0009 --------------------------------------------------------------------------


def test_the_migration_links_unambiguous_names_per_commune_and_keeps_the_labels(world, staff):
    point_rnd, point = _round_and_point(world, staff, team="Tổ 7")
    s1 = builders.sample(world, staff, point=point)  # label "Tổ 7" from the point
    s2 = builders.sample(world, staff, team="Tổ  7 ")  # same name, stray spaces
    s3 = builders.sample(world, staff, team="tổ 8")
    s4 = builders.sample(world, staff, team="Tổ 8")  # "tổ 8"/"Tổ 8": ambiguous
    s5 = builders.sample(
        world, staff, team="Tổ 7", commune=world.commune_b, by=staff.commune_worker_b
    )
    pool = builders.pool(world, staff, team="Tổ 7")
    # The services tidy names; old rows were not always tidy.
    Sample.objects.filter(pk=s2.pk).update(team="Tổ  7 ")
    for model in (SamplingPoint, Pool, Sample):
        model.objects.update(sampling_team=None)
    link_migration.link(apps, None)
    link_migration.link(apps, None)  # again: nothing new
    team_a = SamplingTeam.objects.get(unit=world.commune_a, name="Tổ 7")
    team_b = SamplingTeam.objects.get(unit=world.commune_b, name="Tổ 7")
    assert SamplingTeam.objects.count() == 2
    for row, expected in [(s1, team_a), (s2, team_a), (s5, team_b), (s3, None), (s4, None)]:
        row.refresh_from_db()
        assert row.sampling_team == expected, row.barcode
    assert Sample.objects.get(pk=s3.pk).team == "tổ 8"  # the label stays
    assert SamplingPoint.objects.get(pk=point.pk).sampling_team == team_a
    assert Pool.objects.get(pk=pool.pk).sampling_team == team_a


# --- pages -----------------------------------------------------------------------------------


def test_a_commune_worker_creates_a_team_on_the_page(client, world, staff):
    colleague = make_user("tramyte.a2", "commune_health_worker", world.commune_a)
    client.force_login(staff.commune_worker_a)
    response = client.post(
        "/labtests/teams/new/",
        {
            "name": "Tổ phản ứng nhanh",
            "unit": world.commune_a.pk,
            "leader": staff.commune_worker_a.pk,
            "accounts": [colleague.pk],
            "named": "Trần Thị Sinh Viên, 0912 345 678\n\nPhạm Văn Tình Nguyện",
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    team = SamplingTeam.objects.get(name="Tổ phản ứng nhanh")
    assert sorted(team.members.values_list("full_name", "phone")) == sorted(
        [
            (staff.commune_worker_a.get_username(), ""),
            (colleague.get_username(), ""),
            ("Trần Thị Sinh Viên", "+84912345678"),
            ("Phạm Văn Tình Nguyện", ""),
        ]
    )
    page = client.get("/labtests/teams/").content.decode()
    assert "Tổ phản ứng nhanh" in page
    assert AuditEvent.objects.filter(action="labtests.teams").exists()


def test_a_bad_member_line_is_a_vietnamese_error_naming_the_line(client, world, staff):
    client.force_login(staff.commune_worker_a)
    response = client.post(
        "/labtests/teams/new/",
        {"name": "Tổ 9", "unit": world.commune_a.pk, "named": "Một, 0912345678\nHai, 123"},
    )
    assert response.status_code == 200
    assert "Dòng 2: số điện thoại 123 không hợp lệ." in response.content.decode()
    assert not SamplingTeam.objects.exists()


def test_another_commune_sees_neither_the_team_nor_its_page(client, world, staff):
    team = builders.team(world, staff, named=[teams.NamedMember("Người Bí Mật", "0912000222")])
    client.force_login(staff.commune_worker_b)
    assert client.get(f"/labtests/teams/{team.pk}/").status_code == 404
    assert "Người Bí Mật" not in client.get("/labtests/teams/").content.decode()
    response = client.post("/labtests/teams/new/", {"name": "Tổ lạ", "unit": world.commune_a.pk})
    assert response.status_code == 200 and not SamplingTeam.objects.filter(name="Tổ lạ").exists()


def test_assigning_a_shift_on_the_page_and_the_overlap_message(client, world, staff):
    rnd, point = _round_and_point(world, staff)
    team = builders.team(world, staff, accounts=[staff.commune_worker_a])
    client.force_login(staff.commune_worker_a)
    day = rnd.starts_on.strftime("%d/%m/%Y")
    data = {"team": team.pk, "day": day, "starts": "07:30", "ends": "11:00"}
    assert client.post(f"/labtests/points/{point.pk}/shifts/", data).status_code == 302
    again = client.post(
        f"/labtests/points/{point.pk}/shifts/", {**data, "starts": "10:00", "ends": "12:00"}
    )
    assert again.status_code == 200
    assert "trùng giờ với ca này" in again.content.decode()
    # An end before the start is the next morning: 12:00 to 08:00 is 20 hours, too long.
    backwards = client.post(
        f"/labtests/points/{point.pk}/shifts/", {**data, "starts": "12:00", "ends": "08:00"}
    )
    assert "Một ca dài tối đa 16 giờ." in backwards.content.decode()
    assert TeamShift.objects.count() == 1


def test_my_shifts_today_lists_the_members_shifts_only(client, world, staff):
    today = timezone.localdate()
    rnd = builders.screening_round(
        world, staff, units=[world.commune_a], starts_on=today - timedelta(days=1), ends_on=today
    )
    point = builders.point(world, staff, rnd, name="Chợ Hàm Rồng")
    mine = builders.team(world, staff, name="Tổ của tôi", accounts=[staff.commune_worker_a])
    other = builders.team(world, staff, name="Tổ khác")
    builders.shift(world, staff, mine, point, day=today, hours=(13, 17))
    builders.shift(world, staff, mine, point, day=today - timedelta(days=1), hours=(7, 9))
    builders.shift(world, staff, other, point, day=today, hours=(7, 9))
    client.force_login(staff.commune_worker_a)
    page = client.get("/labtests/my-shifts/").content.decode()
    assert "Chợ Hàm Rồng" in page and "13:00–17:00" in page
    assert "07:00–09:00" not in page and "Tổ khác" not in page


def test_the_round_page_shows_samples_per_team(client, world, staff):
    rnd, point = _round_and_point(world, staff)
    team = builders.team(world, staff, name="Tổ Đếm Mẫu")
    builders.sample(world, staff, point=point, sampling_team=team)
    builders.sample(world, staff, point=point, sampling_team=team)
    client.force_login(staff.commune_worker_a)
    page = client.get(f"/labtests/rounds/{rnd.pk}/").content.decode()
    table = page.split('id="team-counts"')[1].split("</table>")[0]
    assert "Tổ Đếm Mẫu" in table and ">2<" in table


def test_the_team_list_does_not_query_per_team(client, world, staff, django_assert_max_num_queries):
    for n in range(6):
        builders.team(
            world,
            staff,
            name=f"Tổ {n}",
            accounts=[staff.commune_worker_a],
            leader=staff.commune_worker_a,
            named=[teams.NamedMember(f"Người {n}", "0912000333")],
        )
    client.force_login(staff.commune_worker_a)
    client.get("/labtests/teams/")  # warm the session and the menu's caches
    with django_assert_max_num_queries(14):
        page = client.get("/labtests/teams/").content.decode()
    assert page.count("/labtests/teams/") >= 6
