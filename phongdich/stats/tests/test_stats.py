from datetime import timedelta

import pytest
from django.utils import timezone

from phongdich.stats import rules
from phongdich.stats.models import DailyCount
from phongdich.stats.selectors import overview
from phongdich.stats.services import daily_counts_refresh

# (community cases in 14 days, population, expected level) — 4800/QĐ-BYT criterion 1 bands.
CRITERION_1 = [
    (0, 100_000, 1),
    (39, 100_000, 1),  # 19.5 /100k/week
    (40, 100_000, 2),  # 20.0
    (99, 100_000, 2),  # 49.5
    (100, 100_000, 3),  # 50.0
    (299, 100_000, 3),  # 149.5
    (300, 100_000, 4),  # 150.0
    (10, 0, None),  # no population: no rate
]


@pytest.mark.parametrize("cases, population, level", CRITERION_1)
def test_criterion_1_bands(cases, population, level):
    assert rules.criterion_1_level(rules.weekly_rate(cases, population)) == level


def _cases_installed():
    from django.apps import apps

    return apps.is_installed("phongdich.cases")


@pytest.mark.skipif(not _cases_installed(), reason="needs the cases app")
def test_refresh_counts_a_day_from_the_case_table(world, staff):
    from phongdich.cases.models import DetectionSetting
    from phongdich.cases.tests.builders import make_case

    today = timezone.localdate()
    make_case(world, staff.province_admin, commune=world.commune_a, name="Lê Văn A")
    make_case(
        world,
        staff.province_admin,
        commune=world.commune_a,
        name="Lê Văn B",
        detection=DetectionSetting.QUARANTINE,
    )
    make_case(world, staff.province_admin, commune=world.commune_b, name="Lê Văn C")
    daily_counts_refresh(day=today)
    counts = {(c.unit_id, c.metric): c.value for c in DailyCount.objects.filter(day=today)}
    assert counts[(world.commune_a.pk, "cases.new")] == 2
    assert counts[(world.commune_a.pk, "cases.new_community")] == 1
    assert counts[(world.commune_b.pk, "cases.new")] == 1
    # Refreshing again replaces, never adds.
    daily_counts_refresh(day=today)
    assert DailyCount.objects.filter(day=today, metric="cases.new").count() == 2


def test_overview_sums_communes_into_districts_and_rates_them(world):
    today = timezone.localdate()
    for offset in range(14):
        DailyCount.objects.create(
            day=today - timedelta(days=offset),
            unit=world.commune_a,
            metric="cases.new_community",
            value=10,
        )
    DailyCount.objects.create(day=today, unit=world.commune_a2, metric="cases.new", value=5)
    DailyCount.objects.create(day=today, unit=world.commune_a, metric="cases.new", value=10)
    DailyCount.objects.create(
        day=today - timedelta(days=14),
        unit=world.commune_a,
        metric="cases.new_community",
        value=999,
    )  # outside the window
    rows = overview(root=world.province, day=today)
    district_a, district_b, total = rows
    assert district_a.unit == world.district_a
    assert district_a.day_values["cases.new"] == 15
    assert district_a.community_14_days == 140
    assert district_a.weekly_rate == pytest.approx(140 / 2 / 400_000 * 100_000)  # 17.5
    assert district_a.criterion_1 == 1
    assert district_b.day_values == {} and district_b.criterion_1 == 1
    assert total.day_values["cases.new"] == 15


def test_the_page_is_scoped_and_reads_few_queries(
    client, world, staff, django_assert_max_num_queries
):
    today = timezone.localdate()
    DailyCount.objects.create(day=today, unit=world.commune_b, metric="cases.new", value=7)
    client.force_login(staff.committee_member)
    with django_assert_max_num_queries(12):
        page = client.get("/stats/").content.decode()
    assert "Thị xã Bỉm Sơn" in page
    client.force_login(staff.commune_worker_a)
    assert client.get(f"/stats/u/{world.district_b.code}/").status_code == 404
    page = client.get("/stats/").content.decode()
    assert "Phường Hàm Rồng" in page and "Bỉm Sơn" not in page


def test_the_overview_exports_xlsx(client, world, staff):
    client.force_login(staff.committee_member)
    response = client.get("/stats/", {"format": "xlsx"})
    assert response.content[:2] == b"PK"
