"""Reads of personal data: one event per request, listing exactly the records shown, on
every list, search, export, PDF and API answer; and the person page showing them all."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from phongdich.audit import services as audit_services
from phongdich.audit.models import AuditEvent, AuditReadSubject
from phongdich.audit.services import audit_read, audit_read_many
from phongdich.cases.tests.builders import make_case
from phongdich.people.services import person_register

CASE = "cases.case"
PERSON = "people.person"


def only_read(action: str) -> AuditEvent:
    """The one read event of this action (fails if there are none or several)."""
    return AuditEvent.objects.get(kind=AuditEvent.Kind.READ, action=action)


def shown(event: AuditEvent) -> set[tuple[str, int, int | None]]:
    return set(event.subjects.values_list("record_type", "record_id", "person_id"))


def register(world, staff, name, commune=None, **extra):
    person, _ = person_register(
        by=staff.province_admin, full_name=name, commune=commune or world.commune_a, **extra
    )
    return person


# --- the helper -----------------------------------------------------------------------------


def test_one_event_lists_every_record_shown_with_its_person(world, staff):
    cases = [make_case(world, staff.commune_worker_a, name=f"Người {i}") for i in range(3)]
    event = audit_read_many(actor=staff.care_team_a, action="cases.queue", records=cases)
    assert AuditEvent.objects.filter(kind="read").count() == 1
    assert event.changes["count"] == 3 and event.target_type == CASE
    assert shown(event) == {(CASE, c.pk, c.person_id) for c in cases}


def test_nothing_shown_records_nothing(world, staff):
    assert audit_read_many(actor=staff.care_team_a, action="cases.queue", records=[]) is None
    assert not AuditEvent.objects.exists()


def test_a_repeat_of_the_same_read_is_folded_until_the_window_passes(
    world, staff, settings, monkeypatch
):
    settings.AUDIT_READ_REPEAT_SECONDS = 600
    people = [register(world, staff, "Lê Văn Một"), register(world, staff, "Lê Văn Hai")]
    reader = staff.commune_worker_a
    audit_read_many(actor=reader, action="people.search", records=people)
    audit_read_many(actor=reader, action="people.search", records=people[::-1])
    assert AuditEvent.objects.filter(kind="read").count() == 1
    # Different records, or the same records through another page, are another read.
    audit_read_many(actor=reader, action="people.search", records=people[:1])
    audit_read_many(actor=reader, action="cases.queue", records=people[:1])
    assert AuditEvent.objects.filter(kind="read").count() == 3
    later = timezone.now() + timedelta(minutes=11)
    monkeypatch.setattr(audit_services.timezone, "now", lambda: later)
    audit_read_many(actor=reader, action="cases.queue", records=people[:1])
    assert AuditEvent.objects.filter(kind="read").count() == 4


@pytest.mark.parametrize("count", [5, 200])
def test_a_read_costs_three_queries_however_many_records(world, staff, count):
    from phongdich.people.models import Person

    Person.objects.bulk_create(
        Person(full_name=f"Người {i}", name_key=f"nguoi {i}", commune=world.commune_a)
        for i in range(count)
    )
    people = list(Person.objects.all())
    with CaptureQueriesContext(connection) as queries:
        audit_read_many(actor=staff.commune_worker_a, action="people.search", records=people)
    # the reader's last event, the event, its subjects (one multi-row insert)
    assert len(queries) == 3
    assert AuditReadSubject.objects.count() == count


# --- people ---------------------------------------------------------------------------------


def test_the_search_page_records_one_read_with_the_people_listed(client, world, staff):
    found = [register(world, staff, f"Trần Thị Mai {i}") for i in range(3)]
    register(world, staff, "Trần Thị Mai Khác", commune=world.commune_b)  # not visible to A
    register(world, staff, "Hoàng Văn Nam")  # visible, but not a match
    client.force_login(staff.commune_worker_a)
    response = client.get("/people/", {"q": "tran thi mai"}, HTTP_HX_REQUEST="true")
    assert response.content.decode().count("/people/") == 3
    event = only_read("people.search")
    assert event.actor == staff.commune_worker_a
    assert shown(event) == {(PERSON, p.pk, p.pk) for p in found}


def test_the_people_api_search_records_one_read(client, world, staff):
    found = [register(world, staff, f"Vũ Văn Long {i}") for i in range(2)]
    client.force_login(staff.commune_worker_a)
    response = client.get("/api/people/", {"q": "vu van long"})
    assert response.status_code == 200 and len(response.json()) == 2
    assert shown(only_read("people.api_search")) == {(PERSON, p.pk, p.pk) for p in found}


# --- cases ----------------------------------------------------------------------------------


def test_the_care_queue_records_one_read_with_the_cases_shown(client, world, staff):
    mine = [make_case(world, staff.commune_worker_a, name=f"Người Số {i}") for i in range(3)]
    make_case(world, staff.commune_worker_b, commune=world.commune_b, name="Người Xã B")
    client.force_login(staff.care_team_a)
    assert client.get(reverse("cases:queue")).status_code == 200
    assert shown(only_read("cases.queue")) == {(CASE, c.pk, c.person_id) for c in mine}


def test_the_queue_refreshing_itself_adds_no_event_while_nothing_changes(client, world, staff):
    make_case(world, staff.commune_worker_a)
    client.force_login(staff.care_team_a)
    for _ in range(3):
        client.get(reverse("cases:queue"), HTTP_HX_REQUEST="true")
    assert AuditEvent.objects.filter(action="cases.queue").count() == 1


def _queue_queries(client, staff) -> int:
    client.force_login(staff.care_team_a)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("cases:queue"), HTTP_HX_REQUEST="true")
    return len(queries)


def test_logging_the_queue_adds_no_query_per_case(client, world, staff):
    for i in range(2):
        make_case(world, staff.commune_worker_a, name=f"Người Đầu {i}")
    few = _queue_queries(client, staff)
    for i in range(25):
        make_case(world, staff.commune_worker_a, name=f"Người Sau {i}")
    assert _queue_queries(client, staff) == few
    counts = AuditEvent.objects.filter(action="cases.queue").order_by("id")
    assert [e.changes["count"] for e in counts] == [2, 27]


def test_the_case_summary_api_records_a_read_of_the_case_and_its_person(client, world, staff):
    case = make_case(world, staff.commune_worker_a)
    client.force_login(staff.care_team_a)
    assert client.get(f"/api/cases/{case.pk}/summary").status_code == 200
    assert shown(only_read("cases.api_summary")) == {(CASE, case.pk, case.person_id)}


# --- hotline --------------------------------------------------------------------------------


def _ticket(world, staff, person=None, **extra):
    from phongdich.hotline import services as hotline
    from phongdich.hotline.models import Category

    return hotline.ticket_create(
        by=staff.hotline_agent,
        channel="phone",
        category=Category.objects.filter(active=True).first().code,
        text="Xin hỏi thủ tục cách ly tại nhà",
        person=person,
        commune=world.commune_a,
        **extra,
    )


def test_the_ticket_queue_and_api_record_one_read_each_with_the_tickets(client, world, staff):
    person = register(world, staff, "Phan Văn Hùng", phone="0913000111")
    tickets = [_ticket(world, staff, person), _ticket(world, staff, caller_phone="0913000222")]
    expected = {
        ("hotline.ticket", tickets[0].pk, person.pk),
        ("hotline.ticket", tickets[1].pk, None),
    }
    client.force_login(staff.hotline_agent)
    assert client.get(reverse("hotline:queue")).status_code == 200
    assert shown(only_read("hotline.queue")) == expected
    assert len(client.get("/api/hotline/tickets").json()) == 2
    assert shown(only_read("hotline.api_tickets")) == expected


def test_a_caller_lookup_is_one_read_of_the_people_and_tickets_it_shows(client, world, staff):
    first = register(world, staff, "Ngô Văn Bình", phone="0913000333", birth_year=1950)
    second = register(world, staff, "Ngô Thị Bình", phone="0913000333", birth_year=1952)
    ticket = _ticket(world, staff, caller_phone="0913000333")
    client.force_login(staff.hotline_agent)
    client.get(reverse("hotline:lookup"), {"caller_phone": "0913000333"})
    assert shown(only_read("hotline.caller_lookup")) == {
        (PERSON, first.pk, first.pk),
        (PERSON, second.pk, second.pk),
        ("hotline.ticket", ticket.pk, None),
    }


def test_opening_a_ticket_without_a_registered_person_is_still_recorded(client, world, staff):
    ticket = _ticket(world, staff, caller_phone="0913000444", caller_name="Người Gọi")
    client.force_login(staff.hotline_agent)
    assert client.get(reverse("hotline:ticket", args=[ticket.pk])).status_code == 200
    assert shown(only_read("hotline.ticket_read")) == {("hotline.ticket", ticket.pk, None)}


# --- checkpoints ----------------------------------------------------------------------------


def _quarantine(world, staff, **overrides):
    from phongdich.checkpoints import services as checkpoints
    from phongdich.checkpoints.tests import builders

    handover = builders.handover(world, staff, **overrides)
    checkpoints.handover_confirm(by=staff.commune_worker_a, handover=handover)
    return checkpoints.quarantine_start(
        by=staff.commune_worker_a, handover=handover, policy_key="2022-early"
    )


def test_the_arrivals_list_records_one_read_with_the_handovers(client, world, staff):
    from phongdich.checkpoints.tests import builders

    handovers = [
        builders.handover(world, staff, full_name=f"Người Về {i}", phone=f"091234567{i}")
        for i in range(3)
    ]
    client.force_login(staff.commune_worker_a)
    assert client.get(reverse("checkpoints:arrivals")).status_code == 200
    assert shown(only_read("checkpoints.arrivals")) == {
        ("checkpoints.handover", h.pk, h.person_id) for h in handovers
    }


def test_the_quarantine_list_page_and_pdf_each_record_their_read(client, world, staff):
    # The hand-over opens the quarantine app's record: its list, page and papers are reads.
    quarantine = _quarantine(world, staff)
    expected = {("quarantine.quarantine", quarantine.pk, quarantine.person_id)}
    client.force_login(staff.commune_worker_a)
    client.get(reverse("quarantine:list"))
    assert shown(only_read("quarantine.list")) == expected
    client.get(reverse("quarantine:detail", args=[quarantine.pk]))
    assert shown(only_read("read")) == expected
    client.get(reverse("quarantine:document", args=[quarantine.pk, "door-sign"]))
    assert shown(only_read("quarantine.document")) == expected


# --- the person page ------------------------------------------------------------------------


def test_the_person_page_shows_reads_made_through_their_case(client, world, staff):
    case = make_case(world, staff.commune_worker_a, name="Đinh Thị Thu")
    client.force_login(staff.care_team_a)
    client.get(reverse("cases:detail", args=[case.pk]))
    client.get(reverse("cases:queue"))
    client.force_login(staff.province_admin)
    page = client.get(reverse("people:detail", args=[case.person_id])).content.decode()
    trail = page[page.index('id="reads"') :]
    assert trail.count("chamsoc.a") == 2
    assert trail.count(reverse("cases:detail", args=[case.pk])) == 2
    assert "Danh sách theo dõi F0" in trail
    # the reader opening this page is the newest read of all
    assert trail.index("admin") < trail.index("chamsoc.a")


def test_the_person_page_shows_reads_of_a_record_merged_into_them(client, world, staff):
    from phongdich.people.services import person_merge

    keep = register(world, staff, "Lý Thị Hằng", birth_year=1990)
    duplicate = register(world, staff, "Lý Thị Hằng", birth_year=1990, force_new=True)
    audit_read(actor=staff.hotline_agent, target=duplicate)
    person_merge(by=staff.province_admin, keep=keep, duplicate=duplicate)
    client.force_login(staff.commune_worker_a)
    page = client.get(reverse("people:detail", args=[keep.pk])).content.decode()
    assert "tongdai" in page[page.index('id="reads"') :]


def test_only_supervising_roles_see_who_read_a_person(client, world, staff):
    person = register(world, staff, "Mai Văn Tiến")
    client.force_login(staff.hotline_agent)
    page = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert 'id="reads"' not in page
    client.force_login(staff.district_health_officer_a)
    page = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert 'id="reads"' in page


def _person_page_queries(client, person) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("people:detail", args=[person.pk]))
    assert response.status_code == 200
    return len(queries)


def test_the_person_page_costs_the_same_queries_with_few_or_many_reads(
    client, world, staff, settings
):
    settings.AUDIT_READ_REPEAT_SECONDS = 0  # both page views are recorded alike
    case = make_case(world, staff.commune_worker_a)
    person = case.person
    client.force_login(staff.province_admin)
    audit_read(actor=staff.care_team_a, target=case)
    few = _person_page_queries(client, person)
    for reader in (staff.hotline_agent, staff.commune_worker_a, staff.care_team_a) * 8:
        audit_read_many(actor=reader, action="cases.queue", records=[case])
    assert _person_page_queries(client, person) == few


def test_the_f0_personal_link_shows_which_offices_read_the_record(client, world, staff):
    from phongdich.cases import services as cases

    case = make_case(world, staff.commune_worker_a, name="Đặng Văn Khoa")
    _link, raw = cases.case_link_issue(by=staff.commune_worker_a, case=case)
    url = reverse("cases:check_form", args=[raw])
    assert "Thành viên tổ chăm sóc F0" not in client.get(url).content.decode()
    staff_client = client.__class__()
    staff_client.force_login(staff.care_team_a)
    staff_client.get(reverse("cases:detail", args=[case.pk]))
    page = client.get(url).content.decode()
    trail = page[page.index('id="reads"') :]
    assert "Thành viên tổ chăm sóc F0, Phường Hàm Rồng" in trail
    assert "chamsoc.a" not in page  # offices, not staff accounts, are shown to citizens


def test_possible_duplicates_shown_on_registration_are_a_read(client, world, staff):
    existing = register(world, staff, "Quách Văn Sơn", birth_year=1975, phone="0913000555")
    client.force_login(staff.commune_worker_a)
    response = client.post(
        "/people/new/",
        {
            "full_name": "Quách Văn Sơn",
            "birth_year": "1976",
            "phone": "0913000555",
            "commune": world.commune_a.pk,
            "sex": "M",
        },
    )
    assert existing.full_name in response.content.decode()
    event = only_read("people.register_candidates")
    assert shown(event) == {(PERSON, existing.pk, existing.pk)}


def test_the_transfer_form_is_a_read_of_the_case(client, world, staff):
    case = make_case(world, staff.commune_worker_a)
    client.force_login(staff.commune_worker_a)
    assert client.get(reverse("cases:transfer", args=[case.pk])).status_code == 200
    assert shown(only_read("cases.transfer_form")) == {(CASE, case.pk, case.person_id)}


def test_the_relief_list_records_one_read_with_the_requests(client, world, staff):
    from phongdich.hotline import services as hotline

    requests = [
        hotline.relief_request_create(
            by=staff.relief_officer,
            household_name=f"Hộ Ông Lương {i}",
            commune=world.commune_a,
            phone=f"091300066{i}",
            need_rice=True,
        )
        for i in range(2)
    ]
    client.force_login(staff.relief_officer)
    assert client.get(reverse("hotline:relief_list")).status_code == 200
    assert shown(only_read("hotline.relief_list")) == {
        ("hotline.reliefrequest", r.pk, r.person_id) for r in requests
    }


def test_the_declaration_link_shows_the_checkpoint_lookup_of_it(client, world, staff):
    from phongdich.checkpoints.tests import builders

    declaration, raw = builders.declaration(world.commune_a)
    audit_read(actor=staff.checkpoint_officer, target=declaration, action="checkpoints.lookup")
    page = client.get(reverse("checkpoints:me", args=[raw])).content.decode()
    trail = page[page.index('id="reads"') :]
    assert "Tra tờ khai tại chốt" in trail and "Cán bộ chốt kiểm soát" in trail
