"""The figures behind /stats/ are rebuilt by the scheduler, not only by the demo loader."""

import pytest
from django.apps import apps
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from phongdich.schedule.services import periodic_enqueue_due
from phongdich.stats.models import DailyCount


def run_queue() -> None:
    """What `manage.py worker` does with the queue, in this process, until it is empty."""
    Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


@pytest.mark.skipif(not apps.is_installed("phongdich.cases"), reason="needs the cases app")
@pytest.mark.django_db(transaction=True)
def test_the_scheduler_enqueues_the_refresh_and_the_worker_rebuilds_the_figures(
    settings, world, staff
):
    from phongdich.cases.tests.builders import make_case

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    make_case(world, staff.province_admin, commune=world.commune_a, name="Lê Văn A")
    assert not DailyCount.objects.exists()

    assert "stats.refresh_recent_counts" in periodic_enqueue_due()
    run_queue()

    refresh = DBTaskResult.objects.get(task_path="phongdich.stats.tasks.refresh_recent_counts")
    assert refresh.status == "SUCCESSFUL"
    today = timezone.localdate()
    figure = DailyCount.objects.get(day=today, unit=world.commune_a, metric="cases.new")
    assert figure.value == 1
