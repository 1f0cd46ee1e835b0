"""The oversight page reads figures the scheduler precomputed, per jurisdiction."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from phongdich.hotline import selectors, services
from phongdich.hotline.models import OversightSnapshot, Ticket
from phongdich.schedule.jobs import JOBS

pytestmark = pytest.mark.django_db


def _ticket(commune, category="food"):
    return services.ticket_create(
        by=None, channel="web", category=category, text="x", commune=commune
    )


def test_the_refresh_is_in_the_scheduler_table_every_5_minutes():
    job = {j.name: j for j in JOBS}["hotline.refresh_oversight"]
    assert job.task_path == "phongdich.hotline.tasks.refresh_oversight"
    assert job.every == timedelta(minutes=5)


def test_the_page_reads_the_snapshot_and_not_the_tickets(client, units, staff, world):
    _ticket(world.commune_a)
    services.oversight_refresh()
    client.force_login(staff.committee_member)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("hotline:oversight")).content.decode()
    assert 'id="open-total">1<' in page
    assert not [q["sql"] for q in queries if '"hotline_ticket"' in q["sql"]]
    # A ticket opened after the refresh shows at the next refresh, not before.
    _ticket(world.commune_a)
    assert 'id="open-total">1<' in client.get(reverse("hotline:oversight")).content.decode()
    services.oversight_refresh()
    assert 'id="open-total">2<' in client.get(reverse("hotline:oversight")).content.decode()


def test_the_snapshot_equals_the_figures_computed_on_the_spot(units, staff, world):
    for _ in range(3):
        _ticket(world.commune_a)
    _ticket(world.commune_b, "f0_advice")
    services.oversight_refresh()
    for user in (staff.committee_member, staff.hotline_agent, staff.province_admin):
        stored = selectors.oversight(user)
        live = selectors.oversight_figures(selectors.tickets_visible_to(user))
        for name in ("open_total", "by_category", "by_unit", "open_breached", "created_recent"):
            assert stored[name] == live[name], name


def test_each_reader_gets_the_snapshot_of_their_own_jurisdiction(units, staff, world):
    """A district officer reads the district's snapshot (tickets routed to units inside it),
    never the province's."""
    _ticket(world.commune_a)
    _ticket(world.commune_b)
    services.oversight_refresh()
    officer = staff.district_health_officer_a
    assert OversightSnapshot.objects.filter(unit=world.district_a, desk=False).exists()
    OversightSnapshot.objects.filter(unit=world.district_a, desk=False).update(
        figures={**selectors.oversight_figures(Ticket.objects.none()), "open_total": 777}
    )
    assert selectors.oversight(officer)["open_total"] == 777
    assert selectors.oversight(staff.committee_member)["open_total"] == 2


def test_a_stale_or_missing_snapshot_is_computed_on_the_spot(units, staff, world):
    _ticket(world.commune_a)
    user = staff.committee_member
    assert not OversightSnapshot.objects.exists()
    assert selectors.oversight(user)["open_total"] == 1  # no snapshot yet
    services.oversight_refresh()
    old = timezone.now() - selectors.OVERSIGHT_STALE_AFTER - timedelta(minutes=1)
    OversightSnapshot.objects.update(computed_at=old)
    _ticket(world.commune_a)
    assert selectors.oversight(user)["open_total"] == 2


def test_a_repeated_refresh_keeps_one_row_per_scope(units, staff, world):
    _ticket(world.commune_a)
    first = services.oversight_refresh()
    second = services.oversight_refresh()
    assert first == second == OversightSnapshot.objects.count()
    scopes = set(OversightSnapshot.objects.values_list("unit_id", "desk"))
    assert scopes == services.oversight_scopes()


def test_a_reader_without_jurisdiction_sees_nothing(units, staff, world):
    _ticket(world.commune_a)
    services.oversight_refresh()
    user = staff.committee_member
    user.jurisdiction = None
    assert selectors.oversight(user)["open_total"] == 0
