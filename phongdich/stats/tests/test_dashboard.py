"""The committee's dashboard: figures rolled up the unit tree by the refresh job, read in a
fixed number of queries, each linked to its list, scoped to the user's jurisdiction."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from phongdich.facilities.models import Facility
from phongdich.stats import dashboard
from phongdich.stats.models import DailyCount, UnitFigure
from phongdich.stats.services import daily_counts_refresh

needs_cases = pytest.mark.skipif(
    not apps.is_installed("phongdich.cases"), reason="needs the cases app"
)


def _figures(unit, day):
    return {f.spec.code: f for section in dashboard.figures(unit, day) for f in section.figures}


@needs_cases
def test_figures_roll_up_from_communes_to_the_province(world, staff):
    from phongdich.cases.models import DetectionSetting
    from phongdich.cases.tests.builders import make_case

    today = timezone.localdate()
    make_case(world, staff.province_admin, commune=world.commune_a, name="Lê Văn A")
    make_case(world, staff.province_admin, commune=world.commune_a2, name="Lê Văn B")
    make_case(
        world,
        staff.province_admin,
        commune=world.commune_b,
        name="Lê Văn C",
        detection=DetectionSetting.QUARANTINE,
    )
    daily_counts_refresh(day=today)
    rolled = {(f.unit_id, f.metric): f.value for f in UnitFigure.objects.filter(day=today)}
    assert rolled[(world.commune_a.pk, "cases.new_community")] == 1
    assert rolled[(world.district_a.pk, "cases.new_community")] == 2
    assert rolled[(world.province.pk, "cases.new_community")] == 2
    assert rolled[(world.province.pk, "cases.new_quarantine")] == 1
    assert rolled[(world.province.pk, "cases.active_home")] == 3
    assert (world.district_b.pk, "cases.new_community") not in rolled
    # The dashboard reads the rolled-up rows: the province shows what its communes hold.
    figures = _figures(world.province, today)
    assert figures["cases.new_community"].value == 2
    assert figures["cases.active_home"].value == 3
    assert figures["cases.new_quarantine"].value == 1
    # Refreshing again replaces, never adds.
    daily_counts_refresh(day=today)
    assert _figures(world.province, today)["cases.active_home"].value == 3


@needs_cases
def test_a_released_case_leaves_the_active_count_from_its_release_day(world, staff):
    from phongdich.cases.models import Case
    from phongdich.cases.tests.builders import make_case

    today = timezone.localdate()
    case = make_case(world, staff.province_admin, commune=world.commune_a)
    Case.objects.filter(pk=case.pk).update(
        diagnosed_on=today - timedelta(days=5), released_on=today - timedelta(days=1)
    )
    for offset in range(6):
        daily_counts_refresh(day=today - timedelta(days=offset))
    series = dict(_figures(world.commune_a, today)["cases.active_home"].series)
    assert series[today - timedelta(days=5)] == 1
    assert series[today - timedelta(days=2)] == 1
    assert series[today - timedelta(days=1)] == 0  # released that day
    assert series[today - timedelta(days=6)] == 0  # not yet diagnosed


def test_free_beds_are_a_snapshot_a_past_day_keeps(world):
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    Facility.objects.create(
        name="Bệnh viện dã chiến số 1",
        kind="tier2",
        unit=world.commune_a,
        beds_total=100,
        beds_occupied=40,
        oxygen_beds_total=20,
        oxygen_beds_occupied=5,
    )
    UnitFigure.objects.create(
        day=yesterday, unit=world.province, metric="facilities.free_oxygen", value=3
    )
    DailyCount.objects.create(
        day=yesterday, unit=world.commune_a, metric="facilities.free_oxygen", value=3
    )
    daily_counts_refresh(day=today)
    daily_counts_refresh(day=yesterday)  # a past day: beds are not re-read for it
    figures = _figures(world.province, today)
    assert figures["facilities.free_regular"].value == 60
    assert figures["facilities.free_oxygen"].value == 15
    assert figures["facilities.free_oxygen"].previous == 3
    assert figures["facilities.free_oxygen"].change == 12


def test_a_ratio_figure_divides_its_two_metrics(world):
    today = timezone.localdate()
    for metric, value in (("cases.danger_alerts", 8), ("cases.danger_alerts_in_time", 6)):
        UnitFigure.objects.create(day=today, unit=world.province, metric=metric, value=value)
    figure = _figures(world.province, today)["cases.danger_alerts_in_time"]
    assert figure.value == 75.0
    # A day without alerts has no share, not 0 %.
    assert dict(figure.series)[today - timedelta(days=1)] is None


def test_dashboard_page_links_each_figure_and_reads_few_queries(
    client, world, staff, django_assert_max_num_queries
):
    today = timezone.localdate()
    for unit in (world.province, world.district_a):
        UnitFigure.objects.create(day=today, unit=unit, metric="hotline.backlog", value=41)
    client.force_login(staff.committee_member)
    with django_assert_max_num_queries(14):
        page = client.get("/stats/dashboard/").content.decode()
    assert "Bảng điều hành" in page and "41" in page
    assert "/hotline/" in page  # the backlog figure opens the 1022 queue
    assert f"/stats/dashboard/u/{world.district_a.code}/" in page  # drill-down
    assert client.get(f"/stats/dashboard/u/{world.district_a.code}/").status_code == 200
    response = client.get("/stats/dashboard/", {"format": "xlsx"})
    assert response.content[:2] == b"PK"
    # A larger period is one of the offered ones; anything else falls back to 30 days.
    assert client.get("/stats/dashboard/", {"days": "90"}).status_code == 200
    assert client.get("/stats/dashboard/", {"days": "x"}).status_code == 200


def test_dashboard_is_scoped_to_the_jurisdiction(client, world, staff):
    client.force_login(staff.district_health_officer_a)
    assert client.get("/stats/dashboard/").status_code == 200
    assert client.get(f"/stats/dashboard/u/{world.district_b.code}/").status_code == 404
    client.force_login(staff.commune_worker_a)  # not a dashboard role
    assert client.get("/stats/dashboard/").status_code == 403


@pytest.mark.skipif(not apps.is_installed("phongdich.levels"), reason="needs the levels app")
def test_the_dashboard_shows_each_units_level_published_or_proposed(client, world, staff):
    from phongdich.levels.models import Assessment

    today = timezone.localdate()
    Assessment.objects.create(
        unit=world.district_a,
        day=today - timedelta(days=3),
        rules="218",
        computed_level=2,
        level=3,
        status=Assessment.Status.PUBLISHED,
        effective_from=today - timedelta(days=1),
    )
    Assessment.objects.create(unit=world.district_b, day=today, rules="218", computed_level=2)
    client.force_login(staff.committee_member)
    page = client.get("/stats/dashboard/").content.decode()
    rows = {
        unit: page[page.index(f">{unit.name}</a>") :].split("</tr>", 1)[0]
        for unit in (world.district_a, world.district_b)
    }
    assert "lvl-3" in rows[world.district_a] and "chưa công bố" not in rows[world.district_a]
    assert "lvl-2" in rows[world.district_b] and "chưa công bố" in rows[world.district_b]
    assert 'id="dash-level"' in page and "/levels/map/" in page


@pytest.mark.skipif(
    not apps.is_installed("phongdich.quarantine"), reason="needs the quarantine app"
)
def test_people_in_quarantine_are_a_stock_counted_from_start_to_end(world, staff):
    from phongdich.quarantine.models import Quarantine
    from phongdich.quarantine.tests.builders import person
    from phongdich.stats.metrics import _in_quarantine

    today = timezone.localdate()
    started = today - timedelta(days=5)
    for n, ended in enumerate((None, timezone.now() - timedelta(days=2))):
        Quarantine.objects.create(
            person=person(
                world, staff, full_name=f"Người {n}", phone=f"091200011{n}", id_number=""
            ),
            basis="f1",
            exposure_date=started,
            place="home",
            commune=world.commune_a,
            start_date=started,
            planned_end=today + timedelta(days=2),
            monitoring_end=today + timedelta(days=9),
            status="active" if ended is None else "completed",
            ended_at=ended,
        )
    counts = lambda day: dict(_in_quarantine(day))  # noqa: E731
    assert counts(today) == {world.commune_a.pk: 1}
    assert counts(today - timedelta(days=4)) == {world.commune_a.pk: 2}
    assert counts(started - timedelta(days=1)) == {}
