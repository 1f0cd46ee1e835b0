"""Background imports (lib.background_imports): the stored upload, the job's states and
progress, the final report, who sees a job, a worker that died, the upload removed."""

import threading
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection, transaction

from phongdich.accounts.models import Role
from phongdich.audit.models import AuditEvent
from phongdich.lib import background_imports as bg
from phongdich.lib.imports import FileRefused, ImportOutcome, as_upload
from phongdich.lib.models import ImportJob

CSV = "Tên,Số\nAn,1\nBình,2\nChi,x\n".encode()


@dataclass
class Outcome(ImportOutcome):
    written: int = 0


def _run(*, by, upload, mode, max_rows, max_bytes, progress):
    """A stand-in for an app's import: reads the lines, reports progress, faults line 4."""
    lines = upload.read().decode().splitlines()[1:]
    seen = []
    outcome = Outcome()
    for number, line in enumerate(lines, start=2):
        progress("read", number - 1, len(lines))
        seen.append(
            ImportJob.objects.filter(status="running")
            .values_list("stage", "rows_done", "rows_total")
            .get()
        )
        if line.endswith("x"):
            outcome.errors.add(number, ["Số: không phải số"])
        else:
            outcome.written += 1
    if "boom" in upload.name:
        raise RuntimeError("the import broke")
    if mode == "all_or_nothing" and outcome.errors:
        outcome.refusal, outcome.written = "Có dòng lỗi.", 0
    _run.seen = seen
    return outcome


KIND = bg.register(
    bg.ImportKind(
        name="lib.test_rows",
        title="Dòng thử",
        roles=(Role.COMMUNE_HEALTH_WORKER, Role.VACCINATION_OFFICER),
        run=_run,
        counts=lambda outcome: {"written": outcome.written},
        summary=lambda counts: f"Đã ghi {counts.get('written', 0)} dòng.",
        back_url="home",
        max_bytes=1000,
        stages={"read": "Đang đọc"},
    )
)


def _request(user, name="dong.csv", content=CSV, mode="keep_good"):
    return bg.import_request(by=user, kind=KIND.name, upload=as_upload(name, content), mode=mode)


def test_a_request_stores_the_upload_and_is_audited(staff):
    job = _request(staff.commune_worker_a)
    assert (job.status, job.owner, job.jurisdiction_id) == (
        "queued",
        staff.commune_worker_a,
        staff.commune_worker_a.jurisdiction_id,
    )
    assert default_storage.exists(job.upload.name) and job.filename == "dong.csv"
    assert job.upload.name.startswith("imports/") and "dong" not in job.upload.name
    assert AuditEvent.objects.filter(action="import.request", target_id=str(job.pk)).exists()
    default_storage.delete(job.upload.name)


@pytest.mark.parametrize(
    ("who", "name", "content", "error"),
    [
        ("hotline_agent", "dong.csv", CSV, ValidationError),  # not a role of the kind
        ("commune_worker_a", "dong.txt", CSV, FileRefused),  # not CSV/XLSX
        ("commune_worker_a", "dong.csv", b"x" * 1001, FileRefused),  # past max_bytes
    ],
)
def test_a_wrong_request_is_refused_before_anything_is_stored(staff, who, name, content, error):
    with pytest.raises(error):
        _request(getattr(staff, who), name, content)
    assert not ImportJob.objects.exists()


def test_at_most_two_unfinished_imports_per_user(staff):
    jobs = [_request(staff.commune_worker_a) for _ in range(2)]
    with pytest.raises(ValidationError, match="2 tệp đang nhập"):
        _request(staff.commune_worker_a)
    bg.import_run(job_id=jobs[0].pk)  # one finishes: the next is accepted
    jobs.append(_request(staff.commune_worker_a))
    for job in jobs[1:]:
        bg.import_run(job_id=job.pk)


def test_the_run_reports_progress_then_the_line_numbered_report_and_removes_the_file(staff):
    job = _request(staff.commune_worker_a)
    stored = job.upload.name
    assert bg.import_run(job_id=job.pk) == "done"
    # Written at the first call of a stage and at its last row; the call between, less
    # than PROGRESS_EVERY_SECONDS later, is not.
    if connection.vendor != "postgresql":  # there the writer's own connection (tested below)
        assert _run.seen == [("read", 1, 3), ("read", 1, 3), ("read", 3, 3)]
    job.refresh_from_db()
    assert job.status == "done" and job.finished_at and job.percent == 100
    assert job.result["written"] == 2 and job.result["refusal"] == ""
    assert job.result["errors"] == {
        "entries": [{"line": 4, "errors": ["Số: không phải số"]}],
        "total": 1,
    }
    assert job.upload.name == "" and not default_storage.exists(stored)
    assert bg.import_run(job_id=job.pk) == "done"  # a finished job is left as it is


def test_all_or_nothing_is_refused_and_a_crash_is_failed_both_without_the_file(staff):
    refused = _request(staff.commune_worker_a, mode="all_or_nothing")
    broken = _request(staff.commune_worker_a, name="boom.csv")
    files = [refused.upload.name, broken.upload.name]
    assert bg.import_run(job_id=refused.pk) == "refused"
    assert bg.import_run(job_id=broken.pk) == "failed"
    refused.refresh_from_db()
    broken.refresh_from_db()
    assert refused.result["refusal"] == "Có dòng lỗi." and refused.result["written"] == 0
    assert broken.error.startswith("Không nhập được tệp") and broken.finished_at
    assert not any(default_storage.exists(name) for name in files)


def test_only_the_owner_in_the_same_jurisdiction_sees_the_job(world, staff):
    owner = staff.commune_worker_a
    job = _request(owner)
    assert bg.import_for(owner, job.pk) == job
    assert bg.import_for(staff.commune_worker_b, job.pk) is None
    assert bg.import_for(staff.province_admin, job.pk) is None  # not even an admin
    owner.jurisdiction = world.commune_b
    owner.save(update_fields=["jurisdiction"])
    assert bg.import_for(owner, job.pk) is None
    # The worker refuses to run it under the new jurisdiction.
    assert bg.import_run(job_id=job.pk) == "failed"
    job.refresh_from_db()
    assert "đổi địa bàn" in job.error and job.upload.name == ""


def test_a_job_whose_worker_died_every_time_shows_failed(staff):
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from phongdich.lib.tasks import run_import

    job = _request(staff.commune_worker_a)
    stored = job.upload.name
    task = run_import.enqueue(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(status="running", job_id=str(task.id))
    assert bg.import_for(staff.commune_worker_a, job.pk).status == "running"  # still alive
    DBTaskResult.objects.filter(pk=task.id).update(status=TaskResultStatus.FAILED)
    seen = bg.import_for(staff.commune_worker_a, job.pk)
    assert seen.status == "failed" and "dừng giữa chừng" in seen.error
    assert not default_storage.exists(stored)


def test_the_progress_page_refreshes_until_the_report(client, staff):
    job = _request(staff.commune_worker_a)
    client.force_login(staff.commune_worker_a)
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in page and 'http-equiv="refresh"' in page
    assert 'data-status="queued"' in page
    partial = client.get(f"/imports/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<div class="card" id="import-job"')
    before = AuditEvent.objects.filter(action="import.report").count()
    bg.import_run(job_id=job.pk)
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "Đã ghi 2 dòng." in page and 'id="row-errors"' in page and "hx-trigger" not in page
    assert AuditEvent.objects.filter(action="import.report").count() == before + 1
    errors = client.get(f"/imports/{job.pk}/errors.xlsx")
    assert errors.status_code == 200 and errors.content[:2] == b"PK"
    client.force_login(staff.commune_worker_b)
    assert client.get(f"/imports/{job.pk}/").status_code == 404
    assert client.get(f"/imports/{job.pk}/errors.xlsx").status_code == 404
    assert client.get("/imports/999999/").status_code == 404


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a second connection on PG")
@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_while_the_imports_transaction_is_open():
    """The import is one transaction; the page must still see how far it got."""
    from phongdich.testing import make_staff, make_world

    staff = make_staff(make_world())
    job = _request(staff.commune_worker_a)
    seen = []
    with transaction.atomic():
        # The import's own writes, uncommitted while it runs (the job row is not among them).
        AuditEvent.objects.create(action="test.import_write", actor_label="test")
        writer = bg._ProgressWriter(job.pk)
        writer("match", 40, 100)

        def look():
            seen.append(ImportJob.objects.values_list("stage", "rows_done", "rows_total").get())
            connection.close()

        thread = threading.Thread(target=look)
        thread.start()
        thread.join(timeout=20)
        writer.close()
    assert seen == [("match", 40, 100)]
    default_storage.delete(job.upload.name)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrent transactions")
@pytest.mark.django_db(transaction=True)
def test_uploads_sent_at_once_respect_the_cap_of_unfinished_imports():
    """Four uploads of one officer at the same moment: the count and the insert are under one
    key lock per owner, so exactly MAX_UNFINISHED_PER_USER are queued and the others are told
    to wait, never a third job slipping in between a count and an insert."""
    from phongdich.testing import make_staff, make_world

    staff = make_staff(make_world())
    user = staff.commune_worker_a
    start = threading.Barrier(4)
    outcomes = []

    def upload():
        try:
            start.wait(timeout=20)
            _request(user)
            outcomes.append("queued")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=upload) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    jobs = list(ImportJob.objects.filter(owner=user))
    assert len(jobs) == bg.MAX_UNFINISHED_PER_USER
    assert outcomes.count("queued") == bg.MAX_UNFINISHED_PER_USER
    assert all("tệp đang nhập" in o for o in outcomes if o != "queued")
    for job in jobs:
        default_storage.delete(job.upload.name)


@pytest.mark.parametrize(
    ("kind", "outcome", "counts", "sentence", "record"),
    [
        (
            "tracing.contacts",
            {"added": 3, "unchanged": 1},
            {"added": 3, "unchanged": 1},
            "Đã thêm 3 người tiếp xúc; 1 người đã có trong danh sách.",
            "Đang ghi người tiếp xúc",
        ),
        (
            "vaccination.doses",
            {"recorded": 5, "queued": 2, "unchanged": 0},
            {"recorded": 5, "queued": 2, "unchanged": 0},
            "Đã ghi 5 mũi tiêm; 2 mũi chờ xác định người; 0 mũi đã có từ trước.",
            "Đang ghi mũi tiêm",
        ),
    ],
)
def test_the_people_row_imports_store_their_counters_and_say_them_in_one_sentence(
    kind, outcome, counts, sentence, record
):
    """tracing's and vaccination's registrations share `register_people_rows`: the stored
    counts, the report's sentence (a missing counter reads 0) and the three stages."""
    from types import SimpleNamespace

    from django.utils import translation

    spec = bg.get_kind(kind)
    assert spec.counts(SimpleNamespace(**outcome, errors=None)) == counts
    with translation.override("vi"):
        assert spec.summary(counts) == sentence
        assert "0" in spec.summary({})
        assert [str(spec.stages[s]) for s in ("read", "match", "record")] == [
            "Đang đọc và kiểm tra tệp",
            "Đang tìm người trong danh sách dân cư",
            record,
        ]
    with translation.override("en"):
        assert spec.summary(counts) != sentence  # translated when the sentence is built
