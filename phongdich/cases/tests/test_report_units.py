"""The daily announcement is published by its own unit's officers, never from below."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from phongdich.cases import services
from phongdich.cases.models import DailyReport


@pytest.fixture
def province_report(world, staff):
    return services.daily_report_draft(
        by=staff.province_health_officer, unit=world.province, day=timezone.localdate()
    )


def test_a_district_officer_cannot_publish_the_provinces_report(province_report, staff):
    with pytest.raises(PermissionDenied):
        services.daily_report_publish(
            by=staff.district_health_officer_a, report=province_report, commentary="x"
        )
    province_report.refresh_from_db()
    assert province_report.status == DailyReport.Status.DRAFT


def test_the_report_page_refuses_a_publish_from_below(client, province_report, staff):
    client.force_login(staff.district_health_officer_a)
    url = reverse("cases:report", args=[province_report.pk])
    page = client.get(url)
    # The district reads the province's report but gets no publish form.
    assert page.status_code == 200 and page.context["can_edit"] is False
    assert client.post(url, {"commentary": "Tăng do sàng lọc."}).status_code == 403
    province_report.refresh_from_db()
    assert province_report.status == DailyReport.Status.DRAFT and province_report.commentary == ""


def test_a_district_officer_cannot_draft_the_provinces_report(world, staff):
    with pytest.raises(PermissionDenied):
        services.daily_report_draft(
            by=staff.district_health_officer_a, unit=world.province, day=timezone.localdate()
        )
    assert not DailyReport.objects.exists()


def test_the_province_publishes_its_own_report(client, province_report, staff):
    client.force_login(staff.province_health_officer)
    url = reverse("cases:report", args=[province_report.pk])
    assert client.get(url).context["can_edit"] is True
    client.post(url, {"commentary": "Tăng do sàng lọc."})
    province_report.refresh_from_db()
    assert province_report.status == DailyReport.Status.PUBLISHED


def test_a_district_publishes_its_own_report(world, staff):
    report = services.daily_report_draft(
        by=staff.district_health_officer_a, unit=world.district_a, day=timezone.localdate()
    )
    services.daily_report_publish(by=staff.district_health_officer_a, report=report, commentary="")
    report.refresh_from_db()
    assert report.status == DailyReport.Status.PUBLISHED
