import pytest
from django.core.exceptions import ValidationError

from phongdich.audit.models import AuditEvent
from phongdich.people import selectors, services


@pytest.fixture
def pair(world, staff):
    keep, _ = services.person_register(
        by=staff.province_admin,
        full_name="Trần Văn Hải",
        birth_year=1970,
        phone="0912000111",
        commune=world.commune_a,
    )
    duplicate, _ = services.person_register(
        by=staff.province_admin,
        full_name="Tran Hai",
        birth_year=1970,
        id_number="038070001111",
        commune=world.commune_a,
        address="Xóm 3",
    )
    return keep, duplicate


def test_it_moves_facts_and_retires_the_duplicate(pair, staff):
    keep, duplicate = pair
    services.person_merge(by=staff.province_admin, keep=keep, duplicate=duplicate)
    keep.refresh_from_db()
    duplicate.refresh_from_db()
    assert keep.id_number == "038070001111"
    assert keep.address == "Xóm 3"
    assert duplicate.merged_into == keep
    assert duplicate.id_number is None
    assert selectors.person_search(staff.province_admin, "tran") == [keep]
    event = AuditEvent.objects.get(action="person.merge")
    assert event.changes["duplicate"] == duplicate.pk


def test_it_refuses_merging_twice_or_with_itself(pair, staff):
    keep, duplicate = pair
    with pytest.raises(ValidationError):
        services.person_merge(by=staff.province_admin, keep=keep, duplicate=keep)
    services.person_merge(by=staff.province_admin, keep=keep, duplicate=duplicate)
    duplicate.refresh_from_db()
    with pytest.raises(ValidationError):
        services.person_merge(by=staff.province_admin, keep=keep, duplicate=duplicate)


def test_the_merge_page_refuses_people_outside_the_jurisdiction(pair, staff, world, client):
    keep, _ = pair
    outside, _ = services.person_register(
        by=staff.province_admin,
        full_name="Trần Văn Hải",
        birth_year=1970,
        phone="0912000999",
        commune=world.commune_b,
    )
    client.force_login(staff.commune_worker_a)
    response = client.post(f"/people/{keep.pk}/merge/", {"duplicate_id": outside.pk})
    assert response.status_code == 404
    outside.refresh_from_db()
    assert outside.merged_into is None
