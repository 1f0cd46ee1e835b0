"""Matching stays inside the caller's jurisdiction: a person of another district is never
shown, reused or written to; the match becomes a referral their own commune resolves."""

import pytest
from django.contrib.messages import get_messages

from phongdich.people import selectors, services
from phongdich.people.models import MatchReferral, Person


@pytest.fixture
def person_b(world, staff):
    person, _ = services.person_register(
        by=staff.commune_worker_b,
        full_name="Đỗ Thị Bảo",
        birth_year=1966,
        id_number="038166000777",
        address="Tổ 3, Bắc Sơn",
        commune=world.commune_b,
    )
    return person


def _register_in_a(staff, world, **values):
    return services.person_register(
        by=staff.commune_worker_a,
        full_name=values.pop("full_name", "Đỗ Thị Bảo"),
        birth_year=values.pop("birth_year", 1966),
        commune=world.commune_a,
        **values,
    )


def test_a_cccd_of_another_district_gives_a_new_local_record_and_a_referral(world, staff, person_b):
    person, created = _register_in_a(staff, world, id_number="038166000777", phone="0966123456")
    assert created and person.pk != person_b.pk
    assert person.commune == world.commune_a
    # The CCCD stays on the other record; this one holds it until the merge.
    assert person.id_number is None and person.id_shown == "038166000777"
    person_b.refresh_from_db()
    assert person_b.phone == "" and person_b.address == "Tổ 3, Bắc Sơn"
    referral = MatchReferral.objects.get()
    assert (referral.existing, referral.new_person) == (person_b, person)
    assert referral.owner_unit == world.commune_b and referral.reason == "id"


def test_a_phone_name_and_year_match_elsewhere_is_never_filled_in(world, staff):
    other, _ = services.person_register(
        by=staff.commune_worker_b,
        full_name="Lý Văn Sáu",
        birth_year=1950,
        phone="0966000111",
        commune=world.commune_b,
    )
    person, created = _register_in_a(
        staff,
        world,
        full_name="Ly Van Sau",
        birth_year=1950,
        phone="0966000111",
        address="Thôn 1",
        id_number="038050000111",
    )
    assert created and person.pk != other.pk and person.id_number == "038050000111"
    other.refresh_from_db()
    assert other.address == "" and other.id_number is None
    assert MatchReferral.objects.get().reason == "phone_name_year"


def test_candidates_outside_the_jurisdiction_are_never_returned(world, staff, person_b):
    assert (
        services.person_candidates(
            by=staff.commune_worker_a, full_name="Đỗ Thị Bảo", id_number="038166000777"
        )
        == []
    )
    assert [
        c.person
        for c in services.person_candidates(
            by=staff.commune_worker_b, full_name="Đỗ Thị Bảo", id_number="038166000777"
        )
    ] == [person_b]
    assert (
        services.person_candidates(by=None, full_name="Đỗ Thị Bảo", id_number="038166000777") == []
    )


def test_the_register_form_answers_as_if_nobody_matched(client, world, staff, person_b):
    data = {
        "full_name": "Đỗ Thị Bảo",
        "birth_year": "1966",
        "id_number": "038166000777",
        "commune": world.commune_a.pk,
    }
    client.force_login(staff.commune_worker_a)
    response = client.post("/people/new/", data)
    new = Person.objects.exclude(pk=person_b.pk).get()
    assert response["Location"] == f"/people/{new.pk}/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Đã tạo hồ sơ người dân."]
    page = client.get(response["Location"]).content.decode()
    assert "Tổ 3, Bắc Sơn" not in page and f"/people/{person_b.pk}/" not in page
    assert "038166000777" in page  # the commune sees the CCCD it typed


def test_weak_candidates_elsewhere_are_not_listed_on_the_form(client, world, staff):
    services.person_register(
        by=staff.commune_worker_b,
        full_name="Hà Văn Tư",
        birth_year=1980,
        phone="0966222333",
        address="Ngõ 7",
        commune=world.commune_b,
    )
    client.force_login(staff.commune_worker_a)
    response = client.post(
        "/people/new/",
        {
            "full_name": "Hà Thị Năm",
            "birth_year": "1982",
            "phone": "0966222333",
            "commune": world.commune_a.pk,
        },
    )
    assert response.status_code == 302  # nothing to check first: created at once
    assert "Hà Văn Tư" not in client.get(response["Location"]).content.decode()


def test_a_held_back_cccd_finds_the_local_record_again(world, staff, person_b):
    first, _ = _register_in_a(staff, world, id_number="038166000777")
    again, created = _register_in_a(staff, world, full_name="Khác Tên", id_number="038166000777")
    assert again == first and not created
    assert selectors.person_search(staff.commune_worker_a, "038166000777") == [first]
    assert MatchReferral.objects.count() == 1


def test_the_own_commune_sees_the_referral_and_merges(client, world, staff, person_b):
    local, _ = _register_in_a(staff, world, id_number="038166000777", phone="0966123456")
    referral = MatchReferral.objects.get()
    client.force_login(staff.commune_worker_a)
    assert "Đỗ Thị Bảo" not in client.get("/people/referrals/").content.decode()
    assert (
        client.post(f"/people/referrals/{referral.pk}/", {"decision": "merge"}).status_code == 404
    )
    client.force_login(staff.commune_worker_b)
    page = client.get("/people/referrals/").content.decode()
    assert "Phường Hàm Rồng" in page and f"/people/referrals/{referral.pk}/" in page
    assert (
        f"/people/referrals/{referral.pk}/"
        in client.get(f"/people/{person_b.pk}/").content.decode()
    )
    response = client.post(f"/people/referrals/{referral.pk}/", {"decision": "merge"})
    assert response["Location"] == f"/people/{person_b.pk}/"
    local.refresh_from_db()
    person_b.refresh_from_db()
    referral.refresh_from_db()
    assert local.merged_into == person_b and referral.status == "merged"
    assert person_b.id_number == "038166000777" and person_b.phone == "+84966123456"
    assert selectors.referrals_for(staff.commune_worker_b).count() == 0


def test_the_province_sees_every_referral_and_a_dismissal_keeps_both(world, staff, person_b):
    _register_in_a(staff, world, id_number="038166000777")
    referral = selectors.referrals_for(staff.province_health_officer).get()
    services.referral_resolve(
        by=staff.province_health_officer, referral=referral, same_person=False
    )
    referral.refresh_from_db()
    assert referral.status == "dismissed" and Person.objects.filter(merged_into=None).count() == 2
    assert selectors.referrals_for(staff.commune_worker_b).count() == 0


def test_a_record_no_commune_holds_is_reused_only_by_the_province_and_public_transit(world, staff):
    traveller, _ = services.person_register(
        by=None, full_name="Khách Đi Qua", id_number="038199000555"
    )
    again, created = services.person_register(
        by=None, full_name="Khách Đi Qua", id_number="038199000555"
    )
    assert again == traveller and not created
    province, created = services.person_register(
        by=staff.checkpoint_officer, full_name="Khách Đi Qua", id_number="038199000555"
    )
    assert province == traveller and not created
    local, created = _register_in_a(
        staff, world, full_name="Khách Đi Qua", id_number="038199000555"
    )
    assert created and local != traveller
    traveller.refresh_from_db()
    assert traveller.commune is None  # not claimed by commune A's registration
    referral = MatchReferral.objects.get()
    assert referral.owner_unit == world.province
    assert selectors.referrals_for(staff.province_health_officer).get() == referral


def test_editing_in_a_cccd_held_elsewhere_reveals_nothing_and_refers(world, staff, person_b):
    local, _ = _register_in_a(staff, world, full_name="Người Khác", birth_year=2000)
    services.person_update(by=staff.commune_worker_a, person=local, id_number="038166000777")
    local.refresh_from_db()
    assert local.id_shown == "038166000777" and local.id_number is None
    assert MatchReferral.objects.get().existing == person_b
