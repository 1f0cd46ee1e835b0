"""A result posted by a lab's API or saved on the staff page while a file import holding the
same sample is between its writes (issue 14). The import locks the rows of its plain lines
in one UPDATE per batch and then takes the rest line by line through the services; a result
written meanwhile through those services locked a row the import was about to take (a pool
member, the person's row for the F0 classification) and then waited for a row the import
held: PostgreSQL found a deadlock and aborted one of them, a lab's request failing or a good
line of the file reported as an error (a whole file refused in all-or-nothing mode).

Real threads on PostgreSQL: the import stops before its line-by-line step, holding its row
locks; the other write starts meanwhile and waits; then the import goes on."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from phongdich.cases.models import Case
from phongdich.labtests import imports, imports_stage, services
from phongdich.labtests.models import Pool, Sample
from phongdich.lib import imports as lib_imports
from phongdich.lib.imports import as_upload
from phongdich.testing import make_staff, make_world, while_paused_in

from . import builders

HEADER = "Mã mẫu,Kết quả,Ct,Phòng xét nghiệm,Ngày trả kết quả"


def _day() -> str:
    return (timezone.localdate() - timedelta(days=1)).strftime("%d/%m/%Y")


def _waiting_for_a_lock(timeout: float = 10) -> bool:
    """True once a backend other than this one waits for a lock (the other write)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            # pg_stat_activity is read once per transaction unless its snapshot is dropped.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                """SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'
                AND datname = current_database() AND pid <> pg_backend_pid()"""
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False


class _Pause:
    """Where the import stops: before the line-by-line write of the code `at`."""

    @staticmethod
    def here():
        pass


def _while_import_paused(monkeypatch, by, lines, mode, write, *, at):
    """Import `lines`, and run `write` in a third thread while the import waits after its
    set-based writes (positives and pools among them; `at` names the line the test is
    about), holding every lock it took; returns (the import's outcome dict, the write's
    outcome dict). The follow-ups the import queued are applied at the end, as the worker
    would after its commit."""
    content = "\n".join([HEADER, *lines]).encode()
    real_one_by_one = imports_stage._one_by_one

    def one_by_one(by, outcome):
        # Positives and pools are written set-based now, before this step: pausing here
        # holds every lock the import takes.
        _Pause.here()
        return real_one_by_one(by, outcome)

    monkeypatch.setattr(imports_stage, "_one_by_one", one_by_one)
    other: dict = {}

    def run_write():
        try:
            other["result"] = write()
        except Exception as exc:  # the test reads it
            other["error"] = exc
        finally:
            connections.close_all()

    def run_import():
        return imports.import_results(by=by, upload=as_upload("kq.csv", content), mode=mode)

    thread = threading.Thread(target=run_write)
    with while_paused_in(monkeypatch, _Pause, "here", run_import) as outcome:
        thread.start()
        assert _waiting_for_a_lock(), ("the other write never waited for the import", other)
    thread.join(timeout=30)
    assert not thread.is_alive()
    services.result_follow_ups_drain()
    return outcome, other


@pytest.fixture
def on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("real threads need PostgreSQL")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", [lib_imports.KEEP_GOOD, lib_imports.ALL_OR_NOTHING])
def test_a_pool_result_posted_while_a_file_holds_a_member_and_the_pool(
    on_postgresql, monkeypatch, mode
):
    """The file has a member's negative (a plain line: the import locks the member) and the
    pool's negative after it (line by line). The lab posts the pool's negative meanwhile:
    it locked the pool, then waited for the member; the import then waited for the pool."""
    world = make_world()
    staff = make_staff(world)
    pool = builders.pool(world, staff, code="RP-1", members=3)
    member = pool.members.order_by("pk").first()
    lines = [f"{member.barcode},âm tính,,CDC,{_day()}", f"RP-1,âm tính,,CDC,{_day()}"]
    done, posted = _while_import_paused(
        monkeypatch,
        staff.commune_worker_a,
        lines,
        mode,
        lambda: services.pool_result_record(
            by=staff.commune_worker_a, pool=pool, result="negative", lab="CDC"
        ),
        at="RP-1",
    )
    assert "error" not in done and "error" not in posted, (done, posted)
    assert not done["result"].errors, done["result"].errors.entries
    assert (done["result"].recorded, done["result"].unchanged) == (2, 0)
    assert posted["result"][1] is False  # the file's result was there: unchanged
    assert Pool.objects.get(pk=pool.pk).result == "negative"
    assert not pool.members.filter(result="").exists()


@pytest.mark.django_db(transaction=True)
def test_a_positive_posted_while_a_file_holds_the_persons_positive(on_postgresql, monkeypatch):
    """The file has two samples of one person, the first positive (the import opens the F0
    case under the person's row lock), the second also posted positive by the lab meanwhile:
    the lab's write locked the second sample, then waited for the person's row; the import
    then waited for the second sample. One case, both samples on it, no error."""
    world = make_world()
    staff = make_staff(world)
    person = builders.person(world, staff)
    first = builders.sample(world, staff, person=person, barcode="PP-1")
    second = builders.sample(world, staff, person=person, barcode="PP-2")
    lines = [f"PP-1,dương tính,20,CDC,{_day()}", f"PP-2,dương tính,21,CDC,{_day()}"]

    def post_second():
        return services.sample_result_record(
            by=staff.commune_worker_a, sample=second, result="positive", lab="CDC", ct_value=21
        )

    done, posted = _while_import_paused(
        monkeypatch, staff.commune_worker_a, lines, lib_imports.KEEP_GOOD, post_second, at="PP-2"
    )
    assert "error" not in done and "error" not in posted, (done, posted)
    assert not done["result"].errors, done["result"].errors.entries
    assert (done["result"].recorded, done["result"].unchanged) == (2, 0)
    assert posted["result"][1] is False
    case = Case.objects.get(person=person)
    assert {s.case_id for s in Sample.objects.filter(pk__in=[first.pk, second.pk])} == {case.pk}
