"""The commune's list (scoped, pinned queries), the record page (an audited read), the
certificate of completion, the citizen's daily check and the hourly follow-up scan."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from phongdich.audit.models import AuditEvent
from phongdich.quarantine import services
from phongdich.quarantine.models import Basis, DailyCheck, FollowUpItem, Quarantine, Status

from . import builders

pytestmark = pytest.mark.django_db


def _open(world, staff, person, start=builders.IN_10696, commune=None):
    quarantine, _ = services.quarantine_open(
        by=staff.commune_worker_a,
        person=person,
        basis=Basis.F1,
        start=start,
        commune=commune or world.commune_a,
    )
    return quarantine


def _people(world, staff, n, commune=None):
    return [
        builders.person(
            world,
            staff,
            full_name=f"Người Cách Ly {i}",
            phone=f"09130{i:05d}",
            id_number=f"0380850{i:05d}",
            commune=commune or world.commune_a,
        )
        for i in range(n)
    ]


def test_the_list_is_scoped_and_its_queries_pinned(
    client, world, staff, django_assert_max_num_queries
):
    for person in _people(world, staff, 3):
        _open(world, staff, person)
    in_b = builders.person(
        world,
        staff,
        full_name="Người Xã B",
        phone="0913999888",
        id_number="",
        commune=world.commune_b,
    )
    _open(world, staff, in_b, commune=world.commune_b)
    client.force_login(staff.commune_worker_a)
    with django_assert_max_num_queries(14) as few:
        page = client.get(reverse("quarantine:list")).content.decode()
    assert page.count('id="quarantine-') == 3 and "Người Xã B" not in page
    for person in _people(world, staff, 12)[3:]:
        _open(world, staff, person)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("quarantine:list")).content.decode()
    assert page.count('id="quarantine-') == 12
    client.force_login(staff.commune_worker_b)
    page = client.get(reverse("quarantine:list")).content.decode()
    assert page.count('id="quarantine-') == 1
    client.force_login(staff.hotline_agent)
    assert client.get(reverse("quarantine:list")).status_code == 403


def test_the_record_page_is_an_audited_read_and_refused_outside(client, world, staff):
    quarantine = _open(world, staff, builders.person(world, staff))
    client.force_login(staff.commune_worker_a)
    url = reverse("quarantine:detail", args=[quarantine.pk])
    assert "Nguyễn Văn Cách" in client.get(url).content.decode()
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.READ, actor=staff.commune_worker_a
    ).exists()
    client.force_login(staff.commune_worker_b)
    assert client.get(url).status_code == 404


def test_staff_check_change_end_and_certificate(client, world, staff):
    quarantine = _open(world, staff, builders.person(world, staff))
    client.force_login(staff.commune_worker_a)
    url = reverse("quarantine:detail", args=[quarantine.pk])
    client.post(url, {"action": "check", "temperature": "36.8", "submission_key": "k1"})
    assert DailyCheck.objects.filter(quarantine=quarantine).count() == 1
    new_end = quarantine.planned_end + timedelta(days=2)
    client.post(
        url,
        {"action": "change_end", "planned_end": new_end.strftime("%d/%m/%Y"), "reason": "Ho"},
    )
    quarantine.refresh_from_db()
    assert quarantine.planned_end == new_end
    cert = reverse("quarantine:certificate", args=[quarantine.pk])
    assert client.get(cert).status_code == 404  # not completed yet
    client.post(url, {"action": "complete"})
    quarantine.refresh_from_db()
    assert quarantine.status == Status.COMPLETED
    pdf = client.get(cert)
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_a_bad_date_or_missing_reason_is_refused_without_500(client, world, staff):
    quarantine = _open(world, staff, builders.person(world, staff))
    client.force_login(staff.commune_worker_a)
    url = reverse("quarantine:detail", args=[quarantine.pk])
    for data in (
        {"action": "change_end", "planned_end": "31/02/9999", "reason": "x"},
        {"action": "change_end", "planned_end": "01/01/2000", "reason": "x"},
        {"action": "release_early", "reason": ""},
        {"action": "admit", "facility": "abc"},
        {"action": "item_done", "item": "zz"},
        {"action": "check", "temperature": "99"},
    ):
        assert client.post(url, data).status_code in (200, 302, 404), data
    quarantine.refresh_from_db()
    assert quarantine.status == Status.ACTIVE


def test_the_citizen_checks_in_through_the_link(client, world, staff):
    quarantine = _open(world, staff, builders.person(world, staff))
    raw = services.quarantine_link_mint(by=staff.commune_worker_a, quarantine=quarantine)
    url = reverse("quarantine:self_check", args=[raw])
    assert client.get(url).status_code == 200
    client.post(url, {"temperature": "38.5", "symptoms": ["cough"], "submission_key": "s1"})
    quarantine.refresh_from_db()
    assert quarantine.attention_at is not None and quarantine.last_check_at is not None
    assert client.get(reverse("quarantine:self_check", args=["nope"])).status_code == 404


def test_the_scan_flags_a_missed_check_and_a_test_day_once(world, staff):
    today = timezone.localdate()
    quarantine = _open(world, staff, builders.person(world, staff), start=builders.IN_10696)
    # Bring the plan to the present: started three days ago, test today.
    Quarantine.objects.filter(pk=quarantine.pk).update(
        start_date=today - timedelta(days=3),
        planned_end=today + timedelta(days=10),
        test_dates=[today.isoformat()],
    )
    at = timezone.make_aware(datetime.combine(today, datetime.min.time()) + timedelta(hours=11))
    assert services.scan_follow_up(now=at)["created"] == 2
    assert services.scan_follow_up(now=at)["created"] == 0
    kinds = set(FollowUpItem.objects.values_list("kind", flat=True))
    assert kinds == {"missed_check", "test_due"}
    quarantine.refresh_from_db()
    assert quarantine.attention_at is not None
    # Before the grace hour, no missed check is raised for yesterday.
    FollowUpItem.objects.all().delete()
    early = at.replace(hour=8)
    assert services.scan_follow_up(now=early)["created"] == 1
    # A check yesterday means nothing was missed.
    FollowUpItem.objects.all().delete()
    Quarantine.objects.filter(pk=quarantine.pk).update(
        last_check_at=at - timedelta(hours=20), test_dates=[]
    )
    assert services.scan_follow_up(now=at)["created"] == 0


def test_the_list_pages_by_keyset_attention_first_then_end_date(client, world, staff, monkeypatch):
    import html
    import re

    from phongdich.quarantine import selectors

    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    records = [_open(world, staff, person) for person in _people(world, staff, 5)]
    # two end on the same day (the id breaks the tie); one needs attention
    Quarantine.objects.filter(pk=records[0].pk).update(
        planned_end=records[0].planned_end + timedelta(days=3)
    )
    Quarantine.objects.filter(pk=records[4].pk).update(attention_at=timezone.now())
    expected = [records[4].pk, records[1].pk, records[2].pk, records[3].pk, records[0].pk]
    client.force_login(staff.commune_worker_a)
    base = reverse("quarantine:list")
    seen, url, pages = [], f"{base}?commune={world.commune_a.pk}", []
    for _page in range(4):
        page = client.get(url).content.decode()
        pages.append([int(pk) for pk in re.findall(r'id="quarantine-(\d+)"', page)])
        seen += pages[-1]
        found = re.search(r'id="next-page" href="([^"]+)"', page)
        if not found:
            break
        url = base + html.unescape(found.group(1))
        assert f"commune={world.commune_a.pk}" in url  # the filter rides along
    assert seen == expected
    assert pages == [expected[0:2], expected[2:4], expected[4:]]
    # and back: each "previous" link reads the page that led there
    for earlier in reversed(pages[:-1]):
        found = re.search(r'id="prev-page" href="([^"]+)"', page)
        page = client.get(base + html.unescape(found.group(1))).content.decode()
        assert [int(pk) for pk in re.findall(r'id="quarantine-(\d+)"', page)] == earlier
    assert 'id="prev-page"' not in page
    # a cursor typed by hand (or the list's old ?after= form) reads the first page, never a 500
    for junk in ({"after": "x.2022-99-01.1"}, {"next": "x.2022-99-01.1"}, {"prev": "WzEsMl0"}):
        page = client.get(base, junk)
        assert page.status_code == 200
        assert re.findall(r'id="quarantine-(\d+)"', page.content.decode()) == [
            str(pk) for pk in expected[0:2]
        ]


def test_a_capped_count_reads_as_more_than(client, world, staff, monkeypatch):
    from phongdich.quarantine import selectors

    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    for person in _people(world, staff, 3):
        _open(world, staff, person)
    client.force_login(staff.commune_worker_a)
    page = client.get(reverse("quarantine:list")).content.decode()
    assert "Hơn 2 người đang cách ly." in page
