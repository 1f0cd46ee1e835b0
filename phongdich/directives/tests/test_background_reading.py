"""A big upload is read by a background job; the clerk sees the job's state, and a job whose
worker died is retried, then reported as failed with a "Thử lại" button."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from phongdich.audit.models import AuditEvent
from phongdich.directives import services
from phongdich.directives.models import Document
from phongdich.schedule.services import task_results_reap
from phongdich.testing import PASSWORD

LEASE = 60


@pytest.fixture(autouse=True)
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TASKS_LEASE_SECONDS = LEASE
    settings.TASKS_MAX_ATTEMPTS = 3


@pytest.fixture
def clerk_client(client, staff):
    assert client.login(username=staff.directive_clerk.username, password=PASSWORD)
    return client


@pytest.fixture
def big_import(staff, directory, small_text, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = services.document_import(
            by=staff.directive_clerk, text=small_text, background=True
        )
    document.refresh_from_db()
    return document


def progress(client, document) -> str:
    url = reverse("directives:document_progress", args=[document.pk])
    return client.get(url, HTTP_HX_REQUEST="true").content.decode()


def worker_dies(document, *, worker="worker-a"):
    """A worker claims the reading job, then is killed: its lease is never renewed."""
    job = DBTaskResult.objects.get(pk=document.extract_job_id)
    job.claim(worker)
    DBTaskResult.objects.filter(pk=job.pk).update(
        started_at=timezone.now() - timedelta(seconds=LEASE * 2)
    )


def run_queue():
    Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="worker-b",
        excluded_queue_names=[],
    ).run()


def test_the_import_follows_its_job_and_shows_it_queued(clerk_client, big_import):
    assert big_import.status == Document.Status.EXTRACTING
    assert big_import.extract_job_id is not None
    page = progress(clerk_client, big_import)
    assert "Đang chờ xử lý" in page and "vào hàng đợi lúc" in page


def test_a_job_whose_worker_died_shows_abandoned_then_retrying(clerk_client, big_import):
    worker_dies(big_import)
    assert "Mất liên lạc với tiến trình nền" in progress(clerk_client, big_import)
    task_results_reap()
    page = progress(clerk_client, big_import)
    assert "Đang chờ chạy lại" in page and "lần 2/3" in page
    big_import.refresh_from_db()
    assert big_import.status == Document.Status.EXTRACTING


@pytest.mark.django_db(transaction=True)
def test_after_three_dead_workers_the_document_fails_and_offers_a_retry(
    clerk_client, staff, directory, small_text
):
    document = services.document_import(by=staff.directive_clerk, text=small_text, background=True)
    document.refresh_from_db()
    for attempt in range(3):
        worker_dies(document, worker=f"worker-{attempt}")
        task_results_reap()
    document.refresh_from_db()
    assert DBTaskResult.objects.get(pk=document.extract_job_id).status == "FAILED"
    assert document.status == Document.Status.FAILED
    assert "Tiến trình nền dừng đột ngột" in document.error
    page = clerk_client.get(reverse("directives:document", args=[document.pk])).content.decode()
    assert "cả 3 lần chạy" in page
    assert reverse("directives:document_retry", args=[document.pk]) in page and "Thử lại" in page

    failed_job = document.extract_job_id
    response = clerk_client.post(reverse("directives:document_retry", args=[document.pk]))
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.status == Document.Status.EXTRACTING and document.error == ""
    assert document.extract_job_id not in (None, failed_job)
    event = AuditEvent.objects.get(action="directives.document_extract_retry")
    assert event.actor == staff.directive_clerk and event.changes["previous_job"] == str(failed_job)

    run_queue()  # a healthy worker now reads it
    document.refresh_from_db()
    assert document.status == Document.Status.DRAFT and document.tasks.exists()


def test_only_a_failed_document_can_be_retried(clerk_client, big_import):
    response = clerk_client.post(reverse("directives:document_retry", args=[big_import.pk]))
    assert response.status_code == 302
    big_import.refresh_from_db()
    assert big_import.status == Document.Status.EXTRACTING
    assert not AuditEvent.objects.filter(action="directives.document_extract_retry").exists()


def test_only_the_clerk_may_retry(client, staff, big_import):
    Document.objects.filter(pk=big_import.pk).update(status=Document.Status.FAILED)
    assert client.login(username=staff.committee_member.username, password=PASSWORD)
    response = client.post(reverse("directives:document_retry", args=[big_import.pk]))
    assert response.status_code in (403, 404)
    big_import.refresh_from_db()
    assert big_import.status == Document.Status.FAILED
