"""The shared shape of the worker's per-user jobs (lib.jobs); its users' own tests
(test_background_imports, audit's test_exports) cover the rest, the PostgreSQL races included."""

import pytest
from django.core.exceptions import ValidationError

from phongdich.lib.jobs import OwnedJobs
from phongdich.lib.models import ImportJob

JOBS = OwnedJobs(model=ImportJob, lock_name="test-job", unfinished=("queued",), max_unfinished=2)


def test_it_refuses_only_when_the_cap_is_reached():
    JOBS.refuse_when_full(1, "%(n)s at most")
    with pytest.raises(ValidationError) as refused:
        JOBS.refuse_when_full(2, "%(n)s at most")
    assert refused.value.messages == ["2 at most"]


def test_it_shows_a_job_to_its_owner_only(staff):
    job = ImportJob.objects.create(
        owner=staff.commune_worker_a, jurisdiction_id=staff.commune_worker_b.jurisdiction_id
    )
    assert JOBS.for_user(staff.commune_worker_a, job.pk) == job
    assert JOBS.for_user(staff.commune_worker_b, job.pk) is None
    assert JOBS.for_user(staff.province_admin, job.pk) is None
    # Scoped to the jurisdiction it was asked under: the owner's own is another one.
    scoped = OwnedJobs(**{**JOBS.__dict__, "by_jurisdiction": True})
    assert scoped.for_user(staff.commune_worker_a, job.pk) is None
    staff.commune_worker_a.is_active = False
    assert JOBS.for_user(staff.commune_worker_a, job.pk) is None
