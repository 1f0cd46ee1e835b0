"""A real worker process is killed (SIGKILL) in the middle of a job; the job is run again.

The worker is a child process, so it needs a database it can open: on PostgreSQL that is the
test database itself; on SQLite the test database lives in this process's memory, so the test
copies it to a file and points this process at the file for the duration of the test.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection, connections
from django_tasks_db.models import DBTaskResult

from phongdich.schedule.models import TaskLease
from phongdich.schedule.services import task_results_reap
from phongdich.schedule.tests.tasks import wait_for_file

LEASE_SECONDS = 2.0
HEARTBEAT_SECONDS = 0.3


@pytest.fixture
def shared_database(tmp_path):
    """A DATABASE_URL for child processes that reaches the data this test sees."""
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        credentials = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
        yield f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        return
    path = tmp_path / "shared.sqlite3"
    original = connections["default"]
    original.ensure_connection()
    target = sqlite3.connect(path)
    original.connection.backup(target)  # schema and the rows the migrations wrote
    target.close()
    file_connection = original.__class__({**original.settings_dict, "NAME": str(path)}, "default")
    connections["default"] = file_connection
    try:
        yield f"sqlite:///{path}"
    finally:
        file_connection.close()
        connections["default"] = original


def start_worker(database_url: str, *extra: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "TASKS_LEASE_SECONDS": str(LEASE_SECONDS),
        "TASKS_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS),
        "DEBUG": "1",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "worker",
            "--no-reload",
            "--no-scheduler",
            "--no-startup-delay",
            "--interval",
            "0.1",
            *extra,
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def wait_until(condition, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def job(pk) -> DBTaskResult:
    return DBTaskResult.objects.get(pk=pk)


@pytest.mark.django_db(transaction=True)
def test_a_job_of_a_killed_worker_is_detected_and_run_again(settings, shared_database, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TASKS_LEASE_SECONDS = LEASE_SECONDS
    release = tmp_path / "release"
    pk = wait_for_file.enqueue(str(release)).id

    first = start_worker(shared_database)
    try:
        wait_until(
            lambda: TaskLease.objects.filter(pk=pk).exists() and job(pk).status == "RUNNING",
            timeout=30,
            what="the first worker to start the job",
        )
        # Alive for longer than the lease: its heartbeat keeps the job its own.
        time.sleep(LEASE_SECONDS + 0.5)
        assert task_results_reap() == {"retried": 0, "failed": 0}
        first_worker = job(pk).worker_ids[-1]
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    assert job(pk).status == "RUNNING"  # what django-tasks-db alone would show for ever

    time.sleep(LEASE_SECONDS + 0.5)
    assert task_results_reap() == {"retried": 1, "failed": 0}
    assert job(pk).status == "READY"
    assert TaskLease.objects.get(pk=pk).abandoned_count == 1

    release.touch()
    second = start_worker(shared_database, "--batch")
    try:
        output, _ = second.communicate(timeout=60)
    finally:
        if second.poll() is None:
            second.kill()
    assert second.returncode == 0, output.decode(errors="replace")
    finished = job(pk)
    assert finished.status == "SUCCESSFUL", finished.traceback
    assert finished.return_value == "done"
    assert len(finished.worker_ids) == 2 and finished.worker_ids[0] == first_worker
    assert TaskLease.objects.get(pk=pk).worker_id == finished.worker_ids[1]
