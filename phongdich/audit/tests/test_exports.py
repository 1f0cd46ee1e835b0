"""Background exports: asked for on a page, built by the worker, downloaded by their owner
only, audited, expiring; a double request makes one export."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from phongdich.audit import exports
from phongdich.audit.models import AuditEvent, Export
from phongdich.audit.services import audit_record
from phongdich.audit.tests.exports import export_pk
from phongdich.lib.xlsx import write_sheets
from phongdich.schedule.jobs import JOBS
from phongdich.testing import make_staff, make_user, make_world, race, winners

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _ask(client, **params):
    return export_pk(client.get(reverse("audit:events"), {"format": "xlsx", **params}))


def test_the_page_queues_the_export_and_its_owner_downloads_it_when_ready(client, staff):
    audit_record(actor=staff.commune_worker_a, action="people.x")
    client.force_login(staff.province_admin)
    pk = _ask(client)
    page = client.get(reverse("audit:export", args=[pk])).content.decode()
    assert "Đang chờ xử lý" in page and "export-download" not in page
    assert 'hx-trigger="every 2s"' in page  # follows its progress until it finishes
    assert exports.export_run(export_id=pk) == Export.Status.DONE
    page = client.get(reverse("audit:export", args=[pk])).content.decode()
    assert "export-download" in page and 'hx-trigger="every 2s"' not in page
    response = client.get(reverse("audit:export_download", args=[pk]))
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert "people.x" in [row[-1] for row in rows]
    assert "nhat-ky.xlsx" in response["Content-Disposition"]
    read = AuditEvent.objects.filter(action="export.download").get()
    assert read.actor == staff.province_admin and read.kind == AuditEvent.Kind.READ
    assert read.target_id == str(pk)
    assert AuditEvent.objects.filter(action="export.request", target_id=str(pk)).exists()


def test_nobody_else_reaches_the_file(client, staff, world):
    client.force_login(staff.province_admin)
    pk = _ask(client)
    exports.export_run(export_id=pk)
    other_admin = make_user("admin2", "province_admin", world.province)
    for user in (other_admin, staff.commune_worker_a):
        client.force_login(user)
        assert client.get(reverse("audit:export", args=[pk])).status_code == 404
        assert client.get(reverse("audit:export_download", args=[pk])).status_code == 404
    client.logout()
    assert client.get(reverse("audit:export_download", args=[pk])).status_code == 302  # login


def test_the_file_holds_only_the_owners_jurisdiction(client, staff, world):
    audit_record(actor=staff.commune_worker_a, action="people.in_a")
    audit_record(actor=staff.commune_worker_b, action="people.in_b")
    district_admin = make_user("admin380", "province_admin", world.district_a)
    client.force_login(district_admin)
    pk = _ask(client)
    exports.export_run(export_id=pk)
    response = client.get(reverse("audit:export_download", args=[pk]))
    actions = [
        r[-1] for r in load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values
    ]
    assert "people.in_a" in actions and "people.in_b" not in actions


def test_the_filters_of_the_page_go_into_the_file(client, staff):
    audit_record(actor=staff.commune_worker_a, action="people.keep")
    audit_record(actor=staff.commune_worker_a, action="cases.drop")
    client.force_login(staff.province_admin)
    pk = _ask(client, action="people.", day=timezone.localdate().strftime("%d/%m/%Y"))
    exports.export_run(export_id=pk)
    response = client.get(reverse("audit:export_download", args=[pk]))
    actions = [
        r[-1] for r in load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values
    ]
    assert "people.keep" in actions and "cases.drop" not in actions


@pytest.mark.parametrize(
    "age, available",
    [(timedelta(hours=23, minutes=59), True), (timedelta(hours=24), False)],
)
def test_a_file_expires_after_its_keeping_time(client, staff, settings, age, available):
    settings.EXPORT_KEEP_HOURS = 24
    client.force_login(staff.province_admin)
    pk = _ask(client)
    exports.export_run(export_id=pk)
    export = Export.objects.get(pk=pk)
    now = export.finished_at + age
    assert exports.export_available(export, now=now) is available
    removed = exports.export_prune(now=now)
    export.refresh_from_db()
    assert (removed, export.status) == ((0, "done") if available else (1, "expired"))
    if not available:
        assert not export.file
        response = client.get(reverse("audit:export_download", args=[pk]))
        assert response.status_code == 302  # back to its page, which says to export again
        page = client.get(response.url).content.decode()
        assert "hết hạn" in page


def test_asking_twice_while_it_is_built_gives_the_same_export(client, staff):
    client.force_login(staff.province_admin)
    assert _ask(client) == _ask(client)
    assert _ask(client, action="people.") != _ask(client)


def test_a_user_builds_at_most_three_exports_at_once(client, staff):
    client.force_login(staff.province_admin)
    for n in range(exports.MAX_UNFINISHED_PER_USER):
        _ask(client, action=f"a{n}")
    response = client.get(
        reverse("audit:events"), {"format": "xlsx", "action": "more"}, follow=True
    )
    assert "hãy chờ một tệp xong" in response.content.decode()
    assert Export.objects.count() == exports.MAX_UNFINISHED_PER_USER


def test_an_export_that_fails_says_so_and_never_answers_500(client, staff):
    client.force_login(staff.province_admin)
    pk = _ask(client)
    Export.objects.filter(pk=pk).update(kind="gone.kind")
    assert exports.export_run(export_id=pk) == Export.Status.FAILED
    page = client.get(reverse("audit:export", args=[pk]))
    assert page.status_code == 200 and "Không tạo được tệp" in page.content.decode()
    assert client.get(reverse("audit:export_download", args=[pk])).status_code == 302


def test_a_finished_export_is_not_rebuilt_when_its_job_runs_again(client, staff):
    client.force_login(staff.province_admin)
    pk = _ask(client)
    exports.export_run(export_id=pk)
    first = Export.objects.get(pk=pk).file.name
    assert exports.export_run(export_id=pk) == Export.Status.DONE
    assert Export.objects.get(pk=pk).file.name == first


def test_only_the_pages_roles_may_ask(staff):
    with pytest.raises(ValidationError):
        exports.export_request(by=staff.commune_worker_a, kind="audit.events", params={})


def test_progress_is_reported_as_rows_are_written(tmp_path):
    seen = []
    rows = ((n, f"row {n}") for n in range(25))
    written = write_sheets(
        tmp_path / "x.xlsx", [("S", ["n", "t"], rows)], progress=seen.append, every=10
    )
    assert written == 25 and seen == [10, 20]


def test_the_removal_of_expired_files_is_in_the_scheduler_table():
    job = {j.name: j for j in JOBS}["audit.prune_exports"]
    assert job.task_path == "phongdich.audit.tasks.prune_exports"
    assert job.every == timedelta(hours=1)


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_make_one_export(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    staff = make_staff(make_world())
    admin = staff.province_admin
    params = {"action": "people.", "actor": "", "target": "", "kind": "", "day": ""}
    outcomes = race(
        [lambda: exports.export_request(by=admin, kind="audit.events", params=params)] * 4
    )
    made = winners(outcomes)
    assert len(made) == 4, outcomes
    assert len({e.pk for e in made}) == 1
    assert Export.objects.count() == 1
