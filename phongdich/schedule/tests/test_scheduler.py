from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from phongdich.schedule.jobs import JOBS
from phongdich.schedule.models import PeriodicRun
from phongdich.schedule.services import active_jobs, periodic_enqueue_due


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_every_job_names_a_real_task():
    from django.utils.module_loading import import_string

    for job in active_jobs():
        assert hasattr(import_string(job.task_path), "enqueue"), job.task_path


@pytest.mark.django_db(transaction=True)
def test_due_jobs_are_enqueued_once_per_period(database_queue):
    now = timezone.now()
    first = periodic_enqueue_due(now=now)
    assert set(first) == {job.name for job in active_jobs()}
    assert DBTaskResult.objects.count() == len(first)
    # A second scheduler ticking at the same moment finds nothing to claim.
    assert periodic_enqueue_due(now=now) == []
    assert DBTaskResult.objects.count() == len(first)


@pytest.mark.django_db(transaction=True)
def test_a_job_comes_due_again_after_its_interval(database_queue):
    now = timezone.now()
    periodic_enqueue_due(now=now)
    shortest = min(active_jobs(), key=lambda job: job.every)
    later = periodic_enqueue_due(now=now + shortest.every)
    assert shortest.name in later
    run = PeriodicRun.objects.get(name=shortest.name)
    assert run.next_run_at == now + 2 * shortest.every


def test_the_job_table_is_sane():
    names = [job.name for job in JOBS]
    assert len(names) == len(set(names))
    assert all(job.every >= timedelta(minutes=1) for job in JOBS)
