"""What the worker's jobs that belong to one user share: background imports
(`lib.background_imports`, `lib.ImportJob`) and background exports (`audit.exports`,
`audit.Export`).

Each is a row with an `owner`, a `status` (QUEUED, RUNNING, then a finished one) and the
`job_id` of the django-tasks task that runs it. The shape repeated in both: a cap on the
owner's unfinished jobs, checked under a key lock on the owner so the count and the insert
cannot interleave; the task's id stored after commit; a run that leaves a finished job as it
is; only the owner (and, for imports, only inside the jurisdiction they asked under) ever
reaching a job; and, for a job whose worker died on every attempt, the reaper's verdict.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models

from .locks import key_lock


@dataclass(frozen=True)
class OwnedJobs:
    model: type[models.Model]
    lock_name: str  # the owner's key lock is f"{lock_name}:{owner id}": never rename one
    unfinished: tuple[str, ...]  # the statuses that count against the cap
    max_unfinished: int  # the owner's jobs waiting or running at once
    # Whether a job is seen only while its owner's jurisdiction is the one it was asked
    # under (the model then has a `jurisdiction` foreign key).
    by_jurisdiction: bool = False

    def lock_unfinished(self, owner) -> models.QuerySet:
        """Serialise this owner's requests (an advisory lock on PostgreSQL, to the end of the
        transaction) and return their unfinished jobs, so a check of the cap and the insert
        that follows cannot interleave with another request's."""
        key_lock(f"{self.lock_name}:{owner.pk}")
        return self.model.objects.filter(owner=owner, status__in=self.unfinished)

    def refuse_when_full(self, count: int, message: str) -> None:
        """`message` (translated, with `%(n)s` for the cap) when `count` jobs fill the cap."""
        if count >= self.max_unfinished:
            raise ValidationError(message % {"n": self.max_unfinished})

    def enqueue(self, job, task) -> None:
        """Queue `task(job.pk)` and keep its id on the job (unless a rerun already did), so a
        reader can ask the task queue what became of it."""
        result = task.enqueue(job.pk)
        self.model.objects.filter(pk=job.pk, job_id="").update(job_id=str(result.id))

    def start(self, pk: int, **values):
        """The job to run, now marked running (with `values`), and None with the status to
        return when there is nothing to run: a missing job, or one already finished (a
        rerun of a task whose first run completed)."""
        job = self.model.objects.select_related("owner").filter(pk=pk).first()
        if job is None:
            return None, "missing"
        if job.status not in self.unfinished:
            return None, job.status
        self.model.objects.filter(pk=job.pk).update(status=self.model.Status.RUNNING, **values)
        return job, job.Status.RUNNING

    def for_user(self, user, pk: int):
        """The user's own job, or None for anyone else (an administrator included) and for a
        user who is not signed in or no longer active."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return None
        scope = {"jurisdiction_id": user.jurisdiction_id} if self.by_jurisdiction else {}
        return self.model.objects.filter(pk=pk, owner=user, **scope).first()

    @staticmethod
    def worker_gave_up(job) -> bool:
        """Whether the task queue failed the unfinished `job`'s task: its worker died on every
        attempt the reaper allowed, so nothing will finish the job."""
        if job.finished or not job.job_id:
            return False
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        task = DBTaskResult.objects.filter(pk=job.job_id).only("status").first()
        return task is not None and task.status == TaskResultStatus.FAILED
