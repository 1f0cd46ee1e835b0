"""Importing contact lists: line-numbered errors, keep good rows or refuse the file, a
re-import adds nothing, a weak match is reported instead of duplicated."""

from phongdich.lib.imports import as_upload
from phongdich.lib.references import reference_for
from phongdich.people.models import Person
from phongdich.tracing.imports import import_contacts
from phongdich.tracing.models import Contact

from . import builders

HEADER = (
    "Mã ca F0,Họ và tên,Năm sinh,Số điện thoại,CCCD,Mã xã,Ngày tiếp xúc,Nơi tiếp xúc,Tiêu chí F1\n"
)


def _file(case, world, lines):
    ref = reference_for(case)
    body = "".join(line.format(ref=ref, commune=world.commune_a.code) + "\n" for line in lines)
    return as_upload("tiep-xuc.csv", (HEADER + body).encode())


GOOD = [
    "{ref},Nguyễn Thị Một,1980,0913200001,,{commune},01/12/2021,Hộ gia đình,1",
    "{ref},Trần Văn Hai,1975,,038075000222,{commune},02/12/2021,cho,3",
    "{ref},Lê Ba,1990,,,{commune},02/12/2021,Noi lam viec,",  # name + year only
]
BAD = [
    "{ref},Phạm Bốn,1990,0913200004,,99999,02/12/2021,Hộ gia đình,1",  # unknown commune
    "F0-0101-ZZZZZZ,Võ Năm,1990,0913200005,,{commune},02/12/2021,Hộ gia đình,1",  # no such case
    "{ref},Đỗ Sáu,1990,0913200006,,{commune},02/12/2099,sân bay,9",  # future, setting, criterion
]


def test_good_rows_are_kept_and_bad_lines_reported(world, staff):
    case = builders.case(world, staff.commune_worker_a)
    result = import_contacts(
        by=staff.commune_worker_a, upload=_file(case, world, GOOD + BAD), mode="keep_good"
    )
    assert (result.added, result.unchanged, result.refused) == (3, 0, False)
    assert [e["line"] for e in result.errors.entries] == [5, 6, 7]
    assert len(result.errors.entries[2]["errors"]) == 3
    assert Contact.objects.filter(source_case=case).count() == 3


def test_all_or_nothing_refuses_the_file(world, staff):
    case = builders.case(world, staff.commune_worker_a)
    result = import_contacts(
        by=staff.commune_worker_a, upload=_file(case, world, GOOD + BAD), mode="all_or_nothing"
    )
    assert result.refused and result.added == 0
    assert Contact.objects.count() == 0


def test_a_reimport_adds_nothing(world, staff):
    case = builders.case(world, staff.commune_worker_a)
    import_contacts(by=staff.commune_worker_a, upload=_file(case, world, GOOD), mode="keep_good")
    people = Person.objects.count()
    again = import_contacts(
        by=staff.commune_worker_a, upload=_file(case, world, GOOD), mode="keep_good"
    )
    assert (again.added, again.unchanged, again.errors.total) == (0, 3, 0)
    assert Person.objects.count() == people
    assert Contact.objects.count() == 3


def test_a_weak_match_is_reported_not_duplicated(world, staff):
    from phongdich.people.services import person_register

    person_register(
        by=staff.commune_worker_a,
        full_name="Ai Khác",
        birth_year=1960,
        phone="0913200001",
        commune=world.commune_a,
    )
    case = builders.case(world, staff.commune_worker_a)
    people = Person.objects.count()
    result = import_contacts(
        by=staff.commune_worker_a, upload=_file(case, world, GOOD[:1]), mode="keep_good"
    )
    assert result.added == 0 and [e["line"] for e in result.errors.entries] == [2]
    assert Person.objects.count() == people


def test_a_case_outside_the_jurisdiction_is_not_found(world, staff):
    case_b = builders.case(world, staff.commune_worker_b, commune=world.commune_b)
    result = import_contacts(
        by=staff.commune_worker_a, upload=_file(case_b, world, GOOD[:1]), mode="keep_good"
    )
    assert result.added == 0 and result.errors.total == 1
    assert not Contact.objects.exists()


def test_the_command_imports_a_file(world, staff, tmp_path):
    from django.core.management import call_command

    case = builders.case(world, staff.commune_worker_a)
    path = tmp_path / "tiep-xuc.csv"
    path.write_bytes(_file(case, world, GOOD).read())
    call_command("import_contacts", str(path), "--user", staff.commune_worker_a.username)
    assert Contact.objects.count() == 3


def test_new_people_are_made_in_bulk_each_with_its_audit_event(world, staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from phongdich.audit.models import AuditEvent

    case = builders.case(world, staff.commune_worker_a)
    lines = [
        f"{{ref}},Người Mới {i},{1960 + i},09132{i:05d},,{{commune}},01/12/2021,Hộ gia đình,1"
        for i in range(40)
    ]
    with CaptureQueriesContext(connection) as few:
        import_contacts(
            by=staff.commune_worker_a, upload=_file(case, world, lines[:5]), mode="keep_good"
        )
    Contact.objects.all().delete()
    with CaptureQueriesContext(connection) as many:
        result = import_contacts(
            by=staff.commune_worker_a, upload=_file(case, world, lines[5:]), mode="keep_good"
        )
    assert result.added == 35

    # seven times the rows, the same statements (no lookup or insert per row), but for the
    # registry's match-key locks (lib.locks, one statement per key on PostgreSQL)
    def statements(captured):
        return [q for q in captured.captured_queries if "pg_advisory_xact_lock" not in q["sql"]]

    assert len(statements(many)) == len(statements(few))
    made = AuditEvent.objects.filter(action="person.create", actor=staff.commune_worker_a)
    assert made.count() == 40 + 1  # and the case's own person
    person = Person.objects.get(full_name="Người Mới 7")
    assert (person.phone, person.birth_year, person.commune) == (
        "+84913200007",
        1967,
        world.commune_a,
    )
    assert person.name_key == "nguoi moi 7"


def test_the_same_new_person_twice_in_one_file_is_one_person(world, staff):
    case = builders.case(world, staff.commune_worker_a)
    case2 = builders.case(world, staff.commune_worker_a, name="Trần Thị Hai")
    ref2 = reference_for(case2)
    twice = "Mai Văn Lặp,1970,0913777000,,{commune},01/12/2021,Hộ gia đình,1"
    result = import_contacts(
        by=staff.commune_worker_a,
        upload=_file(case, world, ["{ref}," + twice, ref2 + "," + twice]),
        mode="keep_good",
    )
    assert result.added == 2
    assert Person.objects.filter(full_name="Mai Văn Lặp").count() == 1


def test_a_person_registered_elsewhere_still_gets_the_registrys_referral(world, staff):
    from phongdich.people.models import MatchReferral
    from phongdich.people.services import person_register

    elsewhere, _ = person_register(
        by=staff.commune_worker_b,
        full_name="Nguyễn Thị Một",
        birth_year=1980,
        phone="0913200001",
        commune=world.commune_b,
    )
    case = builders.case(world, staff.commune_worker_a)
    result = import_contacts(
        by=staff.commune_worker_a, upload=_file(case, world, GOOD[:1]), mode="keep_good"
    )
    assert result.added == 1
    contact = Contact.objects.get()
    assert contact.person_id != elsewhere.pk
    assert MatchReferral.objects.filter(existing=elsewhere, new_person=contact.person).exists()


def test_the_page_hands_the_file_to_the_worker_and_shows_the_report(client, world, staff):
    """The page stores the file and redirects to the background job; nothing is written in
    the request; the worker's run reports progress, writes, audits the counts and the job's
    page becomes the line-numbered report (only for its owner)."""
    from phongdich.audit.models import AuditEvent
    from phongdich.lib import background_imports
    from phongdich.lib.models import ImportJob

    case = builders.case(world, staff.commune_worker_a)
    client.force_login(staff.commune_worker_a)
    response = client.post(
        "/tracing/import/", {"file": _file(case, world, GOOD + BAD), "mode": "keep_good"}
    )
    job = ImportJob.objects.get(owner=staff.commune_worker_a)
    assert (response.status_code, response["Location"]) == (302, f"/imports/{job.pk}/")
    assert job.kind == "tracing.contacts"
    waiting = client.get(response["Location"]).content.decode()
    assert 'data-status="queued"' in waiting and 'hx-trigger="every 2s"' in waiting
    assert not Contact.objects.exists()  # nothing happens in the request itself

    assert background_imports.import_run(job_id=job.pk) == "done"  # the worker's task
    job.refresh_from_db()
    assert job.result["added"] == 3 and job.upload.name == ""
    event = AuditEvent.objects.get(action="tracing.import")
    assert (event.changes["added"], event.changes["errors"]) == (3, 3)
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "Đã thêm 3 người tiếp xúc; 0 người đã có trong danh sách." in page
    assert 'id="row-errors"' in page and "hx-trigger" not in page
    assert Contact.objects.filter(source_case=case).count() == 3
    client.force_login(staff.commune_worker_b)
    assert client.get(f"/imports/{job.pk}/").status_code == 404


def test_a_file_past_the_cap_is_refused_on_the_page(client, world, staff, monkeypatch):
    import dataclasses

    from phongdich.lib import background_imports

    kind = background_imports.get_kind("tracing.contacts")
    small = dataclasses.replace(kind, max_bytes=100)
    monkeypatch.setattr(background_imports, "get_kind", lambda name: small)
    case = builders.case(world, staff.commune_worker_a)
    client.force_login(staff.commune_worker_a)
    response = client.post(
        "/tracing/import/", {"file": _file(case, world, GOOD), "mode": "keep_good"}
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not background_imports.ImportJob.objects.exists()


def test_the_import_tells_its_progress_at_each_stage_and_batch(world, staff):
    """What the background job's progress row shows (on PostgreSQL it is written on a side
    connection, which cannot see a job made inside a test's transaction: told here)."""
    case = builders.case(world, staff.commune_worker_a)
    told = []
    result = import_contacts(
        by=staff.commune_worker_a,
        upload=_file(case, world, GOOD + BAD),
        mode="keep_good",
        progress=lambda stage, done, total: told.append((stage, done, total)),
    )
    assert result.added == 3
    # The bad lines are in the report already: the stages count the rows left to write.
    assert told == [("read", 0, 0), ("match", 0, 3), ("record", 0, 3), ("record", 3, 3)]


def test_people_made_in_bulk_get_their_vaccination_summary_row_in_the_import(world, staff):
    """The bulk path's people never pass post_save: their coverage summary rows (issue 11)
    come with the import, not at the next day's reconciliation. A person matched to an
    existing record keeps the row they had."""
    from phongdich.vaccination.models import PersonStatus

    case = builders.case(world, staff.commune_worker_a)
    result = import_contacts(
        by=staff.commune_worker_a, upload=_file(case, world, GOOD), mode="keep_good"
    )
    assert result.added == 3
    people = Person.objects.filter(tracing_contacts__source_case=case).distinct()
    rows = {
        row.person_id: (row.commune_id, row.birth_year, row.first_on)
        for row in PersonStatus.objects.filter(person__in=people)
    }
    assert rows == {p.pk: (world.commune_a.pk, p.birth_year, None) for p in people}
    assert len(rows) == 3
