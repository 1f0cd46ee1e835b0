"""Jobs whose worker died: found by their expired lease, run again, given up after a bound."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone
from django_tasks.signals import task_finished
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from phongdich.audit.models import AuditEvent
from phongdich.schedule import leases
from phongdich.schedule.models import TaskLease
from phongdich.schedule.services import task_result_retry, task_results_reap
from phongdich.schedule.tests.tasks import add

LEASE = 60


@pytest.fixture(autouse=True)
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TASKS_LEASE_SECONDS = LEASE
    settings.TASKS_MAX_ATTEMPTS = 3


def running_job(*, worker="worker-a", started_ago=LEASE * 2, beat_ago=None) -> DBTaskResult:
    """A job a worker claimed `started_ago` seconds ago and last renewed `beat_ago` ago."""
    result = DBTaskResult.objects.get(pk=add.enqueue(1, 2).id)
    result.claim(worker)
    started = timezone.now() - timedelta(seconds=started_ago)
    DBTaskResult.objects.filter(pk=result.pk).update(started_at=started)
    if beat_ago is not None:
        TaskLease.objects.create(
            task_result=result,
            worker_id=worker,
            heartbeat_at=timezone.now() - timedelta(seconds=beat_ago),
        )
    result.refresh_from_db()
    return result


def run_queue(worker_id="worker-b") -> None:
    Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    ).run()


@pytest.mark.django_db
def test_a_job_whose_worker_still_renews_its_lease_is_left_alone():
    job = running_job(beat_ago=LEASE / 2)
    assert task_results_reap() == {"retried": 0, "failed": 0}
    job.refresh_from_db()
    assert job.status == "RUNNING"


@pytest.mark.django_db
def test_a_job_that_just_started_is_left_alone_before_its_first_beat():
    job = running_job(started_ago=LEASE / 2)
    assert task_results_reap() == {"retried": 0, "failed": 0}
    job.refresh_from_db()
    assert job.status == "RUNNING"


@pytest.mark.django_db
def test_a_job_whose_lease_expired_is_queued_again_and_recorded():
    job = running_job(beat_ago=LEASE + 1)
    assert task_results_reap() == {"retried": 1, "failed": 0}
    job.refresh_from_db()
    assert job.status == "READY"
    lease = TaskLease.objects.get(pk=job.pk)
    assert lease.abandoned_count == 1 and lease.abandoned_at is not None
    event = AuditEvent.objects.get(action="schedule.task_abandoned")
    assert event.changes["outcome"] == "retried" and event.changes["worker"] == "worker-a"
    # A second reaper (another worker's scheduler) finds nothing more to do.
    assert task_results_reap() == {"retried": 0, "failed": 0}


@pytest.mark.django_db
def test_a_job_whose_worker_never_took_a_lease_is_reaped_after_the_lease_time():
    job = running_job()
    assert task_results_reap()["retried"] == 1
    assert TaskLease.objects.get(pk=job.pk).abandoned_count == 1


@pytest.mark.django_db
def test_a_lease_held_by_an_earlier_worker_does_not_protect_the_job():
    job = running_job(worker="worker-a", beat_ago=1)
    job.claim("worker-b")  # claimed again since; worker-b never renewed
    DBTaskResult.objects.filter(pk=job.pk).update(
        started_at=timezone.now() - timedelta(seconds=LEASE * 2)
    )
    assert task_results_reap()["retried"] == 1


@pytest.mark.django_db(transaction=True)
def test_after_the_last_attempt_the_job_fails_with_the_reason():
    job = running_job(beat_ago=LEASE + 1)
    job.worker_ids = ["worker-x", "worker-y", "worker-a"]  # third run
    job.save(update_fields=["worker_ids"])
    heard = []

    def receiver(sender, task_result, **kwargs):
        heard.append((task_result.id, task_result.status))

    task_finished.connect(receiver)
    try:
        assert task_results_reap() == {"retried": 0, "failed": 1}
    finally:
        task_finished.disconnect(receiver)
    job.refresh_from_db()
    assert job.status == "FAILED"
    assert job.exception_class_path == "phongdich.schedule.leases.WorkerLost"
    assert "worker-a" in job.traceback and "3 of 3" in job.traceback
    assert heard == [(str(job.pk), "FAILED")]


@pytest.mark.django_db(transaction=True)
def test_the_worker_takes_and_releases_the_lease_of_the_job_it_runs():
    result = add.enqueue(2, 3)
    run_queue(worker_id="worker-b")
    lease = TaskLease.objects.get(pk=result.id)
    assert lease.worker_id == "worker-b"
    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"
    assert str(result.id) not in leases._running


@pytest.mark.django_db
def test_renewing_moves_the_heartbeat_of_running_jobs_only():
    job = running_job(beat_ago=30)
    before = TaskLease.objects.get(pk=job.pk).heartbeat_at
    leases._running[str(job.pk)] = "worker-a"
    try:
        assert leases.leases_renew() == 1
    finally:
        leases._running.pop(str(job.pk), None)
    assert TaskLease.objects.get(pk=job.pk).heartbeat_at > before
    assert leases.leases_renew() == 0


@pytest.mark.django_db
def test_renewing_stops_once_another_worker_holds_the_job():
    job = running_job(worker="worker-b", beat_ago=1)
    leases._running[str(job.pk)] = "worker-a"
    try:
        assert leases.leases_renew() == 0
        assert str(job.pk) not in leases._running
    finally:
        leases._running.pop(str(job.pk), None)


@pytest.mark.django_db
def test_staff_can_run_a_failed_job_again(world, staff):
    job = running_job(beat_ago=LEASE + 1)
    job.worker_ids = ["w1", "w2", "worker-a"]
    job.save(update_fields=["worker_ids"])
    task_results_reap()
    job.refresh_from_db()
    retry = task_result_retry(by=staff.province_admin, task_result=job)
    again = DBTaskResult.objects.get(pk=retry.id)
    assert again.status == "READY" and again.args_kwargs == job.args_kwargs
    event = AuditEvent.objects.get(action="schedule.task_retry")
    assert event.actor == staff.province_admin and event.changes["retry"] == str(retry.id)
    with pytest.raises(ValidationError):
        task_result_retry(by=staff.province_admin, task_result=again)


# --- the jobs page ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_admin_sees_abandoned_and_failed_jobs_and_runs_a_failed_one_again(client, staff):
    retried = running_job(beat_ago=LEASE + 1)
    given_up = running_job(beat_ago=LEASE + 1)
    given_up.worker_ids = ["w1", "w2", "worker-a"]
    given_up.save(update_fields=["worker_ids"])
    task_results_reap()
    alive = running_job(beat_ago=1)
    lost = running_job(beat_ago=LEASE + 1)  # the reaper has not come round yet

    client.force_login(staff.province_admin)
    page = client.get("/jobs/").content.decode()
    assert page.count("Đang chờ chạy lại") == 1 and "lần 2/3" in page
    assert page.count("Mất liên lạc với tiến trình nền") == 1
    assert "Thất bại" in page and "cả 3 lần chạy" in page
    assert page.count("<strong>Đang chạy</strong>") == 1
    assert f"/jobs/{given_up.pk}/retry/" in page
    for other in (retried, alive, lost):
        assert f"/jobs/{other.pk}/retry/" not in page

    response = client.post(f"/jobs/{given_up.pk}/retry/")
    assert response.status_code == 302
    assert DBTaskResult.objects.filter(status="READY").count() == 2  # retried, and the new run
    assert AuditEvent.objects.filter(action="schedule.task_retry").count() == 1


@pytest.mark.django_db
def test_the_jobs_page_is_for_the_administrator_only(client, staff):
    job = running_job(beat_ago=LEASE + 1)
    client.force_login(staff.directive_clerk)
    assert client.get("/jobs/").status_code == 403
    assert client.post(f"/jobs/{job.pk}/retry/").status_code == 403
    client.force_login(staff.province_admin)
    assert client.post("/jobs/not-a-uuid/retry/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_reapers_at_the_same_moment_run_an_abandoned_job_again_once():
    """On PostgreSQL the reapers race in real threads; on SQLite (one writer) in turn."""
    jobs = [running_job(beat_ago=LEASE + 1) for _ in range(3)]
    outcomes = []
    if connection.vendor == "postgresql":
        barrier = threading.Barrier(2)

        def reap():
            try:
                barrier.wait(timeout=10)
                outcomes.append(task_results_reap())
            finally:
                connections.close_all()

        threads = [threading.Thread(target=reap) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    else:
        outcomes = [task_results_reap(), task_results_reap()]
    assert sum(outcome["retried"] for outcome in outcomes) == len(jobs)
    for job in jobs:
        assert TaskLease.objects.get(pk=job.pk).abandoned_count == 1
        assert DBTaskResult.objects.get(pk=job.pk).status == "READY"
    assert AuditEvent.objects.filter(action="schedule.task_abandoned").count() == len(jobs)


@pytest.mark.django_db
def test_old_results_are_pruned_with_their_leases(settings):
    from phongdich.schedule.tasks import prune_results

    settings.TASKS_KEEP_DAYS = 14
    settings.TASKS_KEEP_FAILED_DAYS = 90
    old = running_job(beat_ago=1)
    recent = running_job(beat_ago=1)
    failed = running_job(beat_ago=1)
    long_ago = timezone.now() - timedelta(days=30)
    DBTaskResult.objects.filter(pk__in=[old.pk, recent.pk]).update(
        status="SUCCESSFUL", finished_at=long_ago
    )
    DBTaskResult.objects.filter(pk=recent.pk).update(finished_at=timezone.now())
    DBTaskResult.objects.filter(pk=failed.pk).update(status="FAILED", finished_at=long_ago)
    prune_results.call()
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {recent.pk, failed.pk}
    assert not TaskLease.objects.filter(pk=old.pk).exists()
