"""Live figures read from the other apps' own data (no stubbed reader): a task tied to a
facility's oxygen beds, and one tied to the share of F0 contacted in 24 hours."""

from datetime import timedelta

from django.utils import timezone

from phongdich.cases.models import Case
from phongdich.cases.tests.builders import make_case
from phongdich.directives import indicators, services
from phongdich.directives.models import Task
from phongdich.facilities import services as facilities
from phongdich.facilities.tests.builders import site

from .test_members import _group_task


def _both_report_done(task, reporters):
    for key in ("a", "b"):
        services.task_report(
            by=reporters[key],
            task=task,
            unit=reporters[f"unit_{key}"],
            status="reported_done",
            text="Đã hoàn thành.",
        )
    task.refresh_from_db()
    assert task.status == Task.Status.REPORTED_DONE


def test_a_beds_task_is_flagged_until_the_site_has_its_beds(staff, world, confirmed, reporters):
    facility = site(world, name="Bệnh viện dã chiến số 2", oxygen_beds_total=40)
    task = _group_task(confirmed)
    services.indicator_confirm(
        by=staff.directive_clerk,
        task=task,
        kind="beds",
        object_id=facility.pk,
        bed_type="oxygen",
        target_value=200,
        target_percent=100,
    )
    _both_report_done(task, reporters)
    figure = indicators.figure(task.indicator, staff.committee_member)
    assert figure.percent == 20.0 and "Phường Hàm Rồng, Thành phố Thanh Hóa" in figure.label
    assert [c.task.pk for c in indicators.disagreeing(staff.committee_member)] == [task.pk]
    # The district raises the site's oxygen beds to the 200 asked: the figure now agrees.
    facilities.facility_capacity_set(
        by=staff.district_health_officer_a, facility=facility, bed_type="oxygen", total=200
    )
    assert indicators.figure(task.indicator, staff.committee_member).percent == 100.0
    assert indicators.disagreeing(staff.committee_member) == []


def test_an_f0_contact_task_reads_the_checks_of_the_last_24_hours(
    staff, world, confirmed, reporters
):
    cases = [make_case(world, staff.commune_worker_a, name=f"Lê Văn {n}") for n in "ABCD"]
    now = timezone.now()
    Case.objects.filter(pk__in=[c.pk for c in cases[:3]]).update(last_check_at=now)
    Case.objects.filter(pk=cases[3].pk).update(last_check_at=now - timedelta(hours=25))
    task = _group_task(confirmed)
    services.indicator_confirm(
        by=staff.directive_clerk,
        task=task,
        kind="f0_contacted",
        area=world.district_a,
        target_percent=90,
    )
    _both_report_done(task, reporters)
    figure = indicators.figure(task.indicator, staff.committee_member)
    assert figure.value == "3 / 4" and figure.percent == 75.0
    assert [c.task.pk for c in indicators.disagreeing(staff.committee_member)] == [task.pk]
    Case.objects.filter(pk=cases[3].pk).update(last_check_at=now)
    assert indicators.disagreeing(staff.committee_member) == []
