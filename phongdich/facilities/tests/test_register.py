"""Health officers keep the facility register of their jurisdiction: description, status,
and capacity by bed type with the history of every change."""

import pytest
from django.core.exceptions import ValidationError

from phongdich.audit.models import AuditEvent
from phongdich.facilities import services
from phongdich.facilities.models import BedType, CapacityChange, Facility
from phongdich.facilities.selectors import bed_figures, transfer_targets
from phongdich.facilities.services import facility_occupy

from .builders import site


def _post_new(client, unit, **extra):
    data = {
        "name": "KTX Đại học Hồng Đức",
        "kind": "isolation",
        "unit": unit.pk,
        "address": "Số 565 Quang Trung",
        "phone": "0237 3910 222",
        "operator": "TTYT thành phố",
        "person_in_charge": "Lê Văn Tâm",
        "status": "open",
        "opens_on": "01/08/2021",
        "beds_regular": 300,
        "beds_oxygen": 20,
        "submission_key": "k" * 32,
        **extra,
    }
    return client.post("/facilities/new/", data)


def test_a_district_officer_adds_a_site_with_its_beds(client, world, staff):
    client.force_login(staff.district_health_officer_a)
    response = _post_new(client, world.commune_a)
    facility = Facility.objects.get(name="KTX Đại học Hồng Đức")
    assert response.status_code == 302 and response["Location"] == f"/facilities/{facility.pk}/"
    assert (facility.beds_total, facility.oxygen_beds_total, facility.icu_beds_total) == (
        300,
        20,
        0,
    )
    assert facility.opens_on.isoformat() == "2021-08-01" and facility.is_active
    history = CapacityChange.objects.filter(facility=facility)
    assert {(c.bed_type, c.before, c.after) for c in history} == {
        ("regular", 0, 300),
        ("oxygen", 0, 20),
    }
    assert AuditEvent.objects.filter(
        action="facilities.create", target_id=str(facility.pk)
    ).exists()
    page = client.get(f"/facilities/{facility.pk}/").content.decode()
    assert "KTX Đại học Hồng Đức" in page and "Lê Văn Tâm" in page


def test_a_double_submitted_new_facility_makes_one(client, world, staff):
    client.force_login(staff.district_health_officer_a)
    _post_new(client, world.commune_a)
    _post_new(client, world.commune_a)
    assert Facility.objects.filter(name="KTX Đại học Hồng Đức").count() == 1
    assert CapacityChange.objects.count() == 2


def test_a_district_officer_cannot_place_a_site_in_another_district(client, world, staff):
    client.force_login(staff.district_health_officer_a)
    response = _post_new(client, world.commune_b)
    assert response.status_code == 200 and not Facility.objects.exists()
    assert "unit" in response.context["form"].errors


def test_a_district_officer_reaches_only_the_facilities_of_the_district(client, world, staff):
    own = site(world)
    other = site(world, unit=world.commune_b, name="Khu cách ly Bắc Sơn")
    client.force_login(staff.district_health_officer_a)
    listed = client.get("/facilities/").content.decode()
    assert own.name in listed and other.name not in listed
    assert client.get(f"/facilities/{other.pk}/").status_code == 404
    assert (
        client.post(
            f"/facilities/{other.pk}/capacity/", {"bed_type": "regular", "total": 9}
        ).status_code
        == 404
    )
    client.force_login(staff.province_health_officer)
    assert client.get(f"/facilities/{other.pk}/").status_code == 200


@pytest.mark.parametrize(
    "user", ["commune_worker_a", "care_team_a", "hotline_agent", "committee_member"]
)
def test_other_roles_have_no_register(client, world, staff, user):
    facility = site(world)
    client.force_login(getattr(staff, user))
    assert client.get("/facilities/").status_code == 403
    assert client.get(f"/facilities/{facility.pk}/").status_code == 403


def test_closing_a_site_takes_it_out_of_the_transfer_choices(client, world, staff):
    facility = site(world, beds_total=10)
    assert facility in transfer_targets(staff.commune_worker_a)
    client.force_login(staff.district_health_officer_a)
    response = client.post(
        f"/facilities/{facility.pk}/edit/",
        {
            "name": facility.name,
            "kind": "isolation",
            "unit": world.commune_a.pk,
            "status": "closed",
            "opens_on": "01/08/2021",
            "closes_on": "30/11/2021",
        },
    )
    assert response.status_code == 302
    facility.refresh_from_db()
    assert facility.status == "closed" and not facility.is_active
    assert facility not in transfer_targets(staff.commune_worker_a)
    event = AuditEvent.objects.get(action="facilities.update")
    assert event.changes["status"] == ["open", "closed"]


def test_it_refuses_a_closing_date_before_the_opening(client, world, staff):
    facility = site(world)
    client.force_login(staff.district_health_officer_a)
    response = client.post(
        f"/facilities/{facility.pk}/edit/",
        {
            "name": facility.name,
            "kind": "isolation",
            "unit": world.commune_a.pk,
            "status": "open",
            "opens_on": "01/08/2021",
            "closes_on": "31/07/2021",
        },
    )
    assert "Ngày đóng trước ngày hoạt động." in response.content.decode()


def test_raising_oxygen_beds_is_kept_in_the_history_with_its_time(client, world, staff):
    facility = site(world, oxygen_beds_total=4)
    client.force_login(staff.district_health_officer_a)
    response = client.post(
        f"/facilities/{facility.pk}/capacity/",
        {"bed_type": "oxygen", "total": 12, "note": "Lắp thêm hệ thống oxy"},
    )
    assert response.status_code == 302
    facility.refresh_from_db()
    assert facility.oxygen_beds_total == 12
    change = CapacityChange.objects.get(facility=facility)
    assert (change.before, change.after, change.by) == (4, 12, staff.district_health_officer_a)
    figures = {f.bed_type: f for f in bed_figures(facility)}
    assert figures["oxygen"].updated_at == change.at
    assert figures["regular"].updated_at is None
    assert AuditEvent.objects.filter(action="facilities.capacity").count() == 1


def test_the_same_capacity_again_adds_no_history(world, staff):
    facility = site(world, beds_total=10)
    assert (
        services.facility_capacity_set(
            by=staff.province_admin, facility=facility, bed_type=BedType.REGULAR, total=10
        )
        is None
    )
    assert not CapacityChange.objects.exists()


@pytest.mark.parametrize(("total", "refused"), [(1, True), (2, False), (3, False)])
def test_capacity_cannot_drop_below_the_beds_in_use(world, staff, total, refused):
    facility = site(world, oxygen_beds_total=5)
    facility_occupy(by=staff.province_admin, facility=facility, delta=2, bed_type=BedType.OXYGEN)
    call = lambda: services.facility_capacity_set(  # noqa: E731
        by=staff.province_admin, facility=facility, bed_type=BedType.OXYGEN, total=total
    )
    if refused:
        with pytest.raises(ValidationError, match="Đang có 2 người"):
            call()
    else:
        call()
    facility.refresh_from_db()
    assert facility.oxygen_beds_total == (5 if refused else total)


def test_a_too_large_or_negative_figure_is_a_form_error(client, world, staff):
    facility = site(world)
    client.force_login(staff.district_health_officer_a)
    for value in ("-1", "20001", "abc"):
        response = client.post(
            f"/facilities/{facility.pk}/capacity/", {"bed_type": "regular", "total": value}
        )
        assert response.status_code == 200, value
    assert not CapacityChange.objects.exists()
