"""Indicators per commune and day, precomputed by the job; the page reads the rows."""

from datetime import timedelta

from django.utils import timezone

from phongdich.tracing import services
from phongdich.tracing.models import Contact, Indicator
from phongdich.tracing.selectors import indicator_rows

from . import builders
from .test_contacts import _case_of


def test_indicator_counts_at_the_24_hour_boundary(world, staff):
    by = staff.commune_worker_a
    case = builders.case(world, by)
    on_time = builders.contact(
        world, by, source_case=case, full_name="Đúng Giờ", phone="0913300001"
    )
    exactly = builders.contact(
        world, by, source_case=case, full_name="Đúng 24 Giờ", phone="0913300002"
    )
    late = builders.contact(world, by, source_case=case, full_name="Muộn", phone="0913300003")
    Contact.objects.filter(pk=exactly.pk).update(created_at=case.created_at + timedelta(hours=24))
    Contact.objects.filter(pk=late.pk).update(
        created_at=case.created_at + timedelta(hours=24, seconds=1)
    )
    services.contact_set_status(by=by, contact=on_time, status="quarantined")
    _case_of(world, by, on_time.person)  # a new case already known as a contact
    today = timezone.localdate()
    services.indicators_refresh(day=case.diagnosed_on)
    if today != case.diagnosed_on:
        services.indicators_refresh(day=today)
    row = Indicator.objects.get(unit=world.commune_a, day=case.diagnosed_on)
    assert (row.new_cases, row.contacts_of_new_cases, row.contacts_listed_24h) == (2, 3, 2)
    assert row.new_cases_known_contacts == 1


def test_the_page_sums_communes_into_their_district(world, staff, client):
    day = timezone.localdate()
    Indicator.objects.create(
        unit=world.commune_a, day=day, new_cases=2, contacts_of_new_cases=6, contacts_listed_24h=3
    )
    Indicator.objects.create(unit=world.commune_b, day=day, new_cases=1, contacts_of_new_cases=0)
    rows = {
        u.pk: (counts, shares)
        for u, counts, shares in indicator_rows(staff.province_health_officer, start=day, end=day)
    }
    assert rows[world.province.pk][0]["new_cases"] == 3
    assert rows[world.district_a.pk][1].contacts_per_case == 3.0
    assert rows[world.district_b.pk][1].listed_24h is None  # no contact: "—", not 0 %
    client.force_login(staff.province_health_officer)
    page = client.get("/tracing/indicators/").content.decode()
    assert "50,0 %" in page


def test_a_refresh_twice_gives_the_same_rows(world, staff):
    case = builders.case(world, staff.commune_worker_a)
    builders.contact(world, staff.commune_worker_a, source_case=case)
    services.indicators_refresh(day=case.diagnosed_on)
    services.indicators_refresh(day=case.diagnosed_on)
    assert Indicator.objects.filter(day=case.diagnosed_on).count() == 1


def test_clusters_close_after_their_days(world, staff):
    by = staff.commune_worker_a
    today = timezone.localdate()
    cluster = services.cluster_create(
        by=by, name="Chợ Hàm Rồng", commune=world.commune_a, opened_on=today, close_after_days=14
    )
    case = builders.case(world, by)
    services.cluster_case_add(by=by, cluster=cluster, case=case)
    last = case.diagnosed_on
    assert services.clusters_close_due(today=last + timedelta(days=13)) == 0
    assert services.clusters_close_due(today=last + timedelta(days=14)) == 1
    cluster.refresh_from_db()
    assert (cluster.status, cluster.closed_on) == ("closed", last + timedelta(days=14))
