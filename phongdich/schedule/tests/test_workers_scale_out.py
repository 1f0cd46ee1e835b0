"""Several worker processes share one queue: every job runs once, on one of them, and the
periodic jobs are enqueued once per period however many workers (each with its scheduler)
start at the same moment."""

import os
import time

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from phongdich.schedule.models import PeriodicRun
from phongdich.schedule.services import active_jobs, periodic_enqueue_due
from phongdich.schedule.tests.tasks import mark_run
from phongdich.schedule.tests.test_worker_killed import (  # noqa: F401 (fixture)
    shared_database,
    start_worker,
    wait_until,
)
from phongdich.testing import race

JOBS = 40
WORKERS = 3


@pytest.mark.django_db(transaction=True)
def test_three_workers_run_each_job_once(settings, shared_database, tmp_path):  # noqa: F811
    if connection.vendor != "postgresql":
        pytest.skip(
            "workers claim jobs with SELECT … FOR UPDATE SKIP LOCKED, which SQLite has not; "
            "deployments with several workers run on PostgreSQL"
        )
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    results = [mark_run.enqueue(str(tmp_path), f"job{n:02d}") for n in range(JOBS)]
    workers = [start_worker(shared_database) for _ in range(WORKERS)]
    try:
        wait_until(
            lambda: DBTaskResult.objects.filter(
                pk__in=[r.id for r in results], status="SUCCESSFUL"
            ).count()
            == JOBS,
            timeout=90,
            what="every job to finish",
        )
        time.sleep(0.5)  # a job taken twice would be finishing now
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=20)
    runs = sorted(os.listdir(tmp_path))
    tokens = [name.split(".")[0] for name in runs]
    assert len(runs) == JOBS, "a job ran more than once"
    assert sorted(set(tokens)) == [f"job{n:02d}" for n in range(JOBS)]
    pids = {name.split(".")[1] for name in runs}
    assert len(pids) >= 2, f"one worker took every job: {pids}"


@pytest.mark.django_db(transaction=True)
def test_schedulers_starting_together_enqueue_each_job_once(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    now = timezone.now()
    outcomes = race([lambda: periodic_enqueue_due(now=now)] * 4)
    assert all(kind == "ok" for kind, _value in outcomes), outcomes
    enqueued = [name for _kind, names in outcomes for name in names]
    assert sorted(enqueued) == sorted(job.name for job in active_jobs())
    assert PeriodicRun.objects.count() == len(active_jobs())
    assert DBTaskResult.objects.count() == len(active_jobs())
    # The next moment nothing is due: each job waits for its own interval.
    assert periodic_enqueue_due(now=now) == []
