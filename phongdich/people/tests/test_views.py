import pytest

from phongdich.audit.models import AuditEvent
from phongdich.people import services
from phongdich.people.models import Person


@pytest.fixture
def person_a(world, staff):
    person, _ = services.person_register(
        by=staff.province_admin,
        full_name="Phạm Thị Lan",
        birth_year=1985,
        phone="0988111222",
        commune=world.commune_a,
    )
    return person


def test_opening_a_person_records_a_read(client, staff, person_a):
    client.force_login(staff.commune_worker_a)
    response = client.get(f"/people/{person_a.pk}/")
    assert response.status_code == 200
    assert "Phạm Thị Lan" in response.content.decode()
    read = AuditEvent.objects.get(kind="read", target_id=str(person_a.pk))
    assert read.actor == staff.commune_worker_a


def test_another_commune_gets_404_and_no_read_is_recorded(client, staff, person_a):
    client.force_login(staff.commune_worker_b)
    assert client.get(f"/people/{person_a.pk}/").status_code == 404
    assert not AuditEvent.objects.filter(kind="read").exists()


def test_search_page_lists_with_a_fixed_number_of_queries(
    client, staff, world, django_assert_max_num_queries
):
    for i in range(30):
        services.person_register(
            by=staff.province_admin,
            full_name=f"Nguyễn Văn Tú {i}",
            birth_year=1990,
            commune=world.commune_a,
        )
    client.force_login(staff.province_admin)
    # +3 for the read audit: the reader's last event, the event, its subjects in one insert
    with django_assert_max_num_queries(9):
        response = client.get("/people/", {"q": "nguyen van tu"})
    assert response.content.decode().count("/people/") >= 30


def test_register_form_creates_one_person_when_posted_twice(client, staff, world):
    client.force_login(staff.commune_worker_a)
    data = {
        "full_name": "Hoàng Văn Tâm",
        "birth_year": "1979",
        "phone": "0903111222",
        "commune": world.commune_a.pk,
        "sex": "M",
    }
    first = client.post("/people/new/", data)
    second = client.post("/people/new/", data)
    assert first.status_code == 302 and second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Person.objects.filter(name_key="hoang van tam").count() == 1


def test_register_form_shows_a_clear_error_for_a_bad_phone(client, staff, world):
    client.force_login(staff.commune_worker_a)
    response = client.post(
        "/people/new/",
        {"full_name": "Lê Văn C", "phone": "0112345678", "commune": world.commune_a.pk},
    )
    assert response.status_code == 200
    assert "không phải đầu số di động" in response.content.decode()


def test_register_form_offers_only_communes_in_the_jurisdiction(client, staff, world):
    client.force_login(staff.commune_worker_a)
    response = client.post(
        "/people/new/",
        {"full_name": "Lê Văn D", "birth_year": "1990", "commune": world.commune_b.pk},
    )
    assert response.status_code == 200
    assert not Person.objects.filter(name_key="le van d").exists()
