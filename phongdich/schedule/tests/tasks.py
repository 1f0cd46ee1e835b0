"""Jobs used only by the tests (a worker process imports them by their dotted path)."""

import os
import time

from django_tasks import task


@task()
def wait_for_file(path: str, timeout: float = 60.0) -> str:
    """Runs until `path` exists: a job that is reliably still running when a test kills it."""
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise TimeoutError(path)
        time.sleep(0.05)
    return "done"


@task()
def add(a: int, b: int) -> int:
    return a + b


@task()
def mark_run(directory: str, token: str) -> str:
    """Leaves a file named after the job and the process that ran it: a job run twice, or
    by two workers, leaves two files."""
    time.sleep(0.02)
    name = f"{token}.{os.getpid()}"
    with open(os.path.join(directory, name), "x") as f:
        f.write("ran")
    return name
