"""The bed board of the province and each district, the transfer picker's free beds, the
criterion-3 figures, and the facility officer who sees only their own facility."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from phongdich.facilities import selectors
from phongdich.facilities.models import Stay
from phongdich.facilities.services import facility_occupancy_report, facility_occupy

from .builders import officer_of, site


def _free(page_html, bed_type):
    import re

    match = re.search(
        rf'data-bed-type="{bed_type}"><div class="muted">[^<]*</div><div class="stat free">(\d+)<',
        page_html,
    )
    return int(match.group(1))


def test_the_province_board_counts_free_beds_by_type_and_tier(client, world, staff):
    a = site(world, kind="tier2", name="BV Đa khoa Thành phố", beds_total=50, oxygen_beds_total=10)
    b = site(
        world,
        unit=world.commune_b,
        kind="tier3",
        name="BV Bỉm Sơn",
        icu_beds_total=4,
        oxygen_beds_total=5,
    )
    site(world, kind="tier1", name="Đã đóng", beds_total=500, is_active=False, status="closed")
    facility_occupy(by=staff.province_admin, facility=a, delta=3, bed_type="oxygen")
    facility_occupy(by=staff.province_admin, facility=b, delta=4, bed_type="icu")
    board = selectors.bed_board(world.province)
    totals = {f.bed_type: (f.total, f.free) for f in board.totals}
    assert totals == {"regular": (50, 50), "oxygen": (15, 12), "icu": (4, 0), "ventilator": (0, 0)}
    by_kind = {row["kind"]: {f.bed_type: f.free for f in row["figures"]} for row in board.by_kind}
    assert by_kind["tier2"]["oxygen"] == 7 and by_kind["tier3"]["icu"] == 0
    assert [f.name for f in board.near_full] == ["BV Bỉm Sơn"]
    client.force_login(staff.province_health_officer)
    page = client.get("/facilities/board/").content.decode()
    assert _free(page, "oxygen") == 12 and "Đã đóng" not in page
    district = client.get("/facilities/board/", {"unit": world.district_a.code}).content.decode()
    assert _free(district, "oxygen") == 7 and "BV Bỉm Sơn" not in district


@pytest.mark.parametrize(("occupied", "near_full"), [(8, False), (9, True), (10, True)])
def test_a_site_is_near_full_from_ninety_percent(world, staff, occupied, near_full):
    facility = site(world, beds_total=10)
    facility_occupy(by=staff.province_admin, facility=facility, delta=occupied)
    assert bool(selectors.bed_board(world.province).near_full) is near_full


def test_a_district_officer_cannot_open_another_district_board(client, world, staff):
    client.force_login(staff.district_health_officer_a)
    assert client.get("/facilities/board/", {"unit": world.district_b.code}).status_code == 404
    assert client.get("/facilities/board/", {"unit": "x" * 30}).status_code == 404
    assert client.get("/facilities/board/").status_code == 200
    client.force_login(staff.outsider)
    assert client.get("/facilities/board/").status_code == 403  # a commune worker role


def test_the_board_says_which_figures_were_reported(client, world, staff):
    counted = site(world, name="Khu cách ly đếm", beds_total=10)
    reported = site(world, name="Khu cách ly báo cáo", beds_total=10)
    facility_occupancy_report(
        by=staff.province_admin, facility=reported, day=timezone.localdate(), counts={"regular": 4}
    )
    client.force_login(staff.province_health_officer)
    page = client.get("/facilities/board/").content.decode()
    rows = {
        pk: page.split(f'data-facility="{pk}"')[1].split("</tr>")[0]
        for pk in (counted.pk, reported.pk)
    }
    assert "đếm từ lượt nằm" in rows[counted.pk] and "báo cáo" in rows[reported.pk]


def test_the_trend_counts_beds_in_use_at_the_end_of_each_day(world, staff):
    facility = site(world, beds_total=10)
    reported = site(world, name="Báo cáo", beds_total=10)
    today = date(2026, 12, 2)
    tz = timezone.get_current_timezone()

    def at(day, hour=12):
        return datetime(day.year, day.month, day.day, hour, tzinfo=tz)

    for admitted, discharged in [
        (today - timedelta(days=3), None),
        (today - timedelta(days=2), today - timedelta(days=1)),
        (today, None),
    ]:
        (stay,) = facility_occupy(by=staff.province_admin, facility=facility, delta=1)
        Stay.objects.filter(pk=stay.pk).update(
            admitted_at=at(admitted), discharged_at=at(discharged) if discharged else None
        )
    facility_occupancy_report(
        by=staff.province_admin,
        facility=reported,
        day=today - timedelta(days=2),
        counts={"regular": 5},
    )
    trend = dict(selectors.occupancy_trend(world.province, today=today))
    assert len(trend) == 14
    assert [trend[today - timedelta(days=n)] for n in (4, 3, 2, 1, 0)] == [
        0,
        1,
        2 + 5,
        1 + 5,
        2 + 5,
    ]


def test_the_board_reads_a_fixed_number_of_queries(client, world, staff, django_assert_num_queries):
    client.force_login(staff.province_health_officer)
    for size in (2, 8):
        for n in range(size):
            facility = site(world, name=f"Khu {size}-{n}", beds_total=10, oxygen_beds_total=2)
            facility_occupy(by=staff.province_admin, facility=facility, delta=1)
        # session, user, the user's unit, its districts, the sums by kind, the facilities,
        # the stays of the trend, the reports of the trend, the readiness plans: the same
        # for 2 or 10 sites.
        with django_assert_num_queries(9):
            client.get("/facilities/board/")


def test_transfer_choices_sort_by_free_beds_of_the_needed_type(world, staff):
    full = site(world, kind="tier2", name="Đầy oxy", oxygen_beds_total=1)
    site(world, kind="tier2", name="Còn oxy", oxygen_beds_total=5, beds_total=3)
    site(world, unit=world.commune_b, kind="tier3", name="Còn ít", oxygen_beds_total=2)
    site(world, kind="quarantine", name="KCL F1", oxygen_beds_total=9)
    facility_occupy(by=staff.province_admin, facility=full, delta=1, bed_type="oxygen")
    offered = list(selectors.transfer_choices(staff.commune_worker_a, bed_type="oxygen"))
    # Full ones stay listed (shown, not choosable), last; quarantine sites never.
    assert [(f.name, f.free_beds) for f in offered] == [
        ("Còn oxy", 5),
        ("Còn ít", 2),
        ("Đầy oxy", 0),
    ]
    cells = selectors.bed_cells(offered[0], "oxygen")
    assert [(c["type"], c["free"], c["total"], c["chosen"]) for c in cells] == [
        ("regular", 3, 3, False),
        ("oxygen", 5, 5, True),
        ("icu", 0, 0, False),
        ("ventilator", 0, 0, False),
    ]
    assert list(selectors.transfer_choices(staff.outsider, bed_type="oxygen")) == []


def test_treatment_capacity_for_criterion_three(world, staff):
    hospital = site(
        world,
        kind="tier3",
        beds_total=30,
        oxygen_beds_total=10,
        icu_beds_total=6,
        ventilator_beds_total=4,
    )
    site(world, kind="quarantine", beds_total=1000)  # F1 quarantine places are not COVID beds
    site(world, unit=world.commune_b, kind="tier2", beds_total=20)
    facility_occupy(by=staff.province_admin, facility=hospital, delta=2, bed_type="icu")
    facility_occupy(by=staff.province_admin, facility=hospital, delta=10)
    district = selectors.treatment_capacity(world.district_a)  # population 400,000
    assert (district.beds_total, district.beds_free) == (50, 38)
    assert (district.icu_beds_total, district.icu_beds_free) == (10, 8)
    assert district.free_beds_per_100k == 9.5 and district.icu_beds_per_100k == 2.5
    assert selectors.treatment_capacity(world.province).beds_total == 70


def test_a_facility_officer_sees_only_their_facility(client, world, staff):
    own = site(world, name="Khu cách ly Hàm Rồng", beds_total=5)
    other = site(world, name="Khu cách ly Đông Thọ", unit=world.commune_a2, beds_total=5)
    officer = officer_of(own)
    client.force_login(officer)
    assert client.get("/facilities/")["Location"] == f"/facilities/{own.pk}/"
    assert client.get(f"/facilities/{own.pk}/").status_code == 200
    for url in (f"/facilities/{other.pk}/", f"/facilities/{other.pk}/admit/"):
        assert client.get(url).status_code in (404, 405)
    assert client.post(f"/facilities/{other.pk}/admit/", {"bed_type": "regular"}).status_code == 404
    # Neither the register's edits nor the board nor anybody's records.
    assert client.get(f"/facilities/{own.pk}/edit/").status_code == 403
    assert (
        client.post(
            f"/facilities/{own.pk}/capacity/", {"bed_type": "regular", "total": 50}
        ).status_code
        == 403
    )
    assert client.get("/facilities/board/").status_code == 403
    assert client.get("/people/").status_code == 403
    page = client.get(f"/facilities/{own.pk}/").content.decode()
    assert "Thay đổi số giường" not in page and "Nhận người vào giường" in page


def test_a_facility_officer_without_a_facility_sees_none(client, world, staff):
    from phongdich.testing import make_user

    client.force_login(make_user("coso.moi", "facility_officer", world.commune_a))
    assert client.get("/facilities/").status_code == 404


def test_an_officer_is_linked_only_by_an_editor_of_the_facility(client, world, staff):
    from phongdich.facilities.models import FacilityStaff
    from phongdich.testing import make_user

    own = site(world)
    make_user("coso.hr", "facility_officer", None)
    client.force_login(staff.district_health_officer_a)
    assert client.post(f"/facilities/{own.pk}/staff/", {"username": "coso.hr"}).status_code == 302
    assert FacilityStaff.objects.get().facility == own
    page = client.post(f"/facilities/{own.pk}/staff/", {"username": staff.care_team_a.username})
    assert "không có vai trò cán bộ cơ sở" in page.content.decode()
    page = client.post(f"/facilities/{own.pk}/staff/", {"username": "khong.co"})
    assert "Không tìm thấy tài khoản này" in page.content.decode()
    link = FacilityStaff.objects.get()
    client.post(f"/facilities/{own.pk}/staff/", {"remove": link.pk})
    assert not FacilityStaff.objects.exists()
