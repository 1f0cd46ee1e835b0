"""A lockdown zone's own checkpoints: attached by a health officer or the admin (audited),
shown on the zone's page with today's passages in and out; travellers named only for the
roles the checkpoints app lets see them; the query count does not grow with the traffic."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from phongdich.audit.models import AuditEvent
from phongdich.checkpoints import services as checkpoint_services
from phongdich.checkpoints.models import Checkpoint, Passage
from phongdich.checkpoints.tests.builders import declaration
from phongdich.zones import selectors, services

from .builders import zone_in_force


@pytest.fixture
def zone(world, staff):
    return zone_in_force(world, staff)


@pytest.fixture
def gate(world):
    return Checkpoint.objects.create(name="Chốt đầu ngõ 4 Bắc Sơn", unit=world.commune_b)


def _pass(staff, gate, commune, direction="in", name="Nguyễn Văn An"):
    decl, _raw = declaration(commune, full_name=name)
    passage, _created = checkpoint_services.passage_record(
        by=staff.checkpoint_officer,
        declaration=decl,
        checkpoint=gate,
        decision="let_through",
        idempotency_key=uuid.uuid4().hex,
        direction=direction,
    )
    return passage


def test_a_health_officer_attaches_and_detaches_a_checkpoint(client, world, staff, zone, gate):
    client.force_login(staff.province_health_officer)
    url = reverse("zones:checkpoint_attach", args=[zone.pk])
    assert client.post(url, {"checkpoint": gate.pk}).status_code == 302
    assert Checkpoint.objects.get(pk=gate.pk).zone == zone
    page = client.get(reverse("zones:detail", args=[zone.pk])).content.decode()
    assert "Chốt đầu ngõ 4 Bắc Sơn" in page
    client.post(reverse("zones:checkpoint_detach", args=[zone.pk, gate.pk]))
    assert Checkpoint.objects.get(pk=gate.pk).zone is None
    actions = list(
        AuditEvent.objects.filter(action__startswith="zones.checkpoint").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["zones.checkpoint_attach", "zones.checkpoint_detach"]


def test_a_checkpoint_of_another_district_or_zone_cannot_be_attached(
    client, world, staff, zone, gate
):
    far = Checkpoint.objects.create(name="Chốt Hàm Rồng", unit=world.commune_a)
    client.force_login(staff.province_health_officer)
    url = reverse("zones:checkpoint_attach", args=[zone.pk])
    assert client.post(url, {"checkpoint": far.pk}).status_code == 400
    assert client.post(url, {"checkpoint": "x"}).status_code == 400
    other = zone_in_force(world, staff, name="Khu phố 5")
    Checkpoint.objects.filter(pk=gate.pk).update(zone=other)
    assert client.post(url, {"checkpoint": gate.pk}).status_code == 400
    assert Checkpoint.objects.get(pk=far.pk).zone is None


@pytest.mark.parametrize("who", ["commune_worker_b", "relief_officer", "committee_member"])
def test_other_roles_cannot_attach(client, staff, zone, gate, who):
    client.force_login(getattr(staff, who))
    response = client.post(
        reverse("zones:checkpoint_attach", args=[zone.pk]), {"checkpoint": gate.pk}
    )
    assert response.status_code == 403
    assert Checkpoint.objects.get(pk=gate.pk).zone is None


def test_the_page_counts_todays_passages_each_way(world, staff, zone, gate):
    Checkpoint.objects.filter(pk=gate.pk).update(zone=zone)
    for direction in ("in", "in", "out"):
        _pass(staff, gate, world.commune_b, direction)
    yesterday = _pass(staff, gate, world.commune_b, "out")
    Passage.objects.filter(pk=yesterday.pk).update(at=timezone.now() - timedelta(days=1))
    found = selectors.zone_checkpoints(staff.province_admin, zone)
    (only,) = found.checkpoints
    assert (only.today_in, only.today_out) == (2, 1)
    assert len(found.latest) == 3


@pytest.mark.parametrize(
    ("who", "names_b", "names_a"),
    [
        ("province_admin", True, True),  # sees every traveller, as at the checkpoint
        ("province_health_officer", True, True),  # the province is their area
        ("commune_worker_b", True, False),  # people heading to their commune only
        ("relief_officer", False, False),  # counts, no names
        ("committee_member", False, False),
    ],
)
def test_travellers_are_named_only_for_who_may_see_them(
    client, world, staff, zone, gate, who, names_b, names_a
):
    Checkpoint.objects.filter(pk=gate.pk).update(zone=zone)
    _pass(staff, gate, world.commune_b, name="Trần Bắc Sơn")
    _pass(staff, gate, world.commune_a, "out", name="Lê Hàm Rồng")
    client.force_login(getattr(staff, who))
    page = client.get(reverse("zones:detail", args=[zone.pk])).content.decode()
    assert ("Trần Bắc Sơn" in page) is names_b
    assert ("Lê Hàm Rồng" in page) is names_a
    read = AuditEvent.objects.filter(action="zones.passages").exists()
    assert read is (names_a or names_b)


def test_the_section_costs_the_same_queries_for_more_passages(client, world, staff, zone, gate):
    Checkpoint.objects.filter(pk=gate.pk).update(zone=zone)
    _pass(staff, gate, world.commune_b)
    client.force_login(staff.province_admin)
    url = reverse("zones:detail", args=[zone.pk])
    client.get(url)
    # A new passage each time: the read differs from the last, so both are audited (a read
    # repeating the last one is not written again, which would skew the count).
    _pass(staff, gate, world.commune_b, name="Người trước")
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(6):
        _pass(staff, gate, world.commune_b, "out" if n % 2 else "in", name=f"Người {n}")
    second = Checkpoint.objects.create(name="Chốt cuối ngõ 4", unit=world.commune_b)
    Checkpoint.objects.filter(pk=second.pk).update(zone=zone)
    _pass(staff, second, world.commune_b)
    with CaptureQueriesContext(connection) as more:
        assert client.get(url).status_code == 200
    from collections import Counter

    a = Counter(q["sql"][:120] for q in one.captured_queries)
    b = Counter(q["sql"][:120] for q in more.captured_queries)
    extra = [f"{k}: {b[k]} vs {a[k]}" for k in b if b[k] != a[k]]
    assert len(more.captured_queries) == len(one.captured_queries), "\n".join(extra)


def test_a_passage_direction_outside_the_choices_is_refused(world, staff, gate):
    from django.core.exceptions import ValidationError

    decl, _raw = declaration(world.commune_b)
    with pytest.raises(ValidationError):
        checkpoint_services.passage_record(
            by=staff.checkpoint_officer,
            declaration=decl,
            checkpoint=gate,
            decision="let_through",
            idempotency_key=uuid.uuid4().hex,
            direction="up",
        )
    assert (
        services.attachable_checkpoints(staff.province_admin, zone_in_force(world, staff)).count()
        == 1
    )


def test_another_districts_officer_reaches_none_of_it(client, world, staff, zone, gate):
    Checkpoint.objects.filter(pk=gate.pk).update(zone=zone)
    client.force_login(staff.district_health_officer_a)  # district A; the zone is in B
    attach = reverse("zones:checkpoint_attach", args=[zone.pk])
    detach = reverse("zones:checkpoint_detach", args=[zone.pk, gate.pk])
    assert client.post(attach, {"checkpoint": gate.pk}).status_code == 404
    assert client.post(detach).status_code == 404
    assert Checkpoint.objects.get(pk=gate.pk).zone == zone
