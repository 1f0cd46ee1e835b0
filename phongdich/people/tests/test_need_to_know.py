"""Each role sees only the personal data its work needs (need_to_know.NEED_TO_KNOW)."""

import pytest

from phongdich.accounts.models import Role
from phongdich.people import need_to_know, services
from phongdich.people.selectors import person_search

CCCD = "038085001234"
PHONE = "0988111222"


@pytest.fixture
def lan(world, staff):
    person, _ = services.person_register(
        by=staff.province_admin,
        full_name="Phạm Thị Lan",
        birth_year=1985,
        phone=PHONE,
        id_number=CCCD,
        commune=world.commune_a,
    )
    return person


def test_every_role_with_personal_data_has_a_row_in_the_table():
    from phongdich.accounts.permissions import PERSONAL_DATA_ROLES

    assert set(PERSONAL_DATA_ROLES) == set(need_to_know.NEED_TO_KNOW)
    # A role missing from the table gets the narrowest access, not the widest.
    assert need_to_know.access_for(Role.COMMITTEE_MEMBER) == need_to_know.NO_ACCESS


def test_a_unit_reporter_sees_masked_identifiers(client, staff, lan):
    client.force_login(staff.unit_reporter_a)
    results = client.get("/people/", {"q": "pham thi lan"}).content.decode()
    detail = client.get(f"/people/{lan.pk}/").content.decode()
    for page in (results, detail):
        assert "Phạm Thị Lan" in page
        assert CCCD not in page and "0988 111 222" not in page
        assert "038••••••234" in page and "0••••••222" in page


def test_a_unit_reporter_gets_masked_identifiers_from_the_api(client, staff, lan):
    client.force_login(staff.unit_reporter_a)
    found = client.get("/api/people/", {"q": "pham thi lan"}).json()
    assert [(p["id"], p["id_number"], p["phone"]) for p in found] == [
        (lan.pk, "038••••••234", "0••••••222")
    ]
    detail = client.get(f"/api/people/{lan.pk}").json()
    assert detail["id_number"] == "038••••••234" and detail["phone"] == "0••••••222"


def test_the_commune_health_worker_sees_the_full_record(client, staff, lan):
    client.force_login(staff.commune_worker_a)
    detail = client.get(f"/people/{lan.pk}/").content.decode()
    assert CCCD in detail and "0988 111 222" in detail
    api = client.get(f"/api/people/{lan.pk}").json()
    assert api["id_number"] == CCCD and api["phone"] == "+84988111222"


def test_a_hotline_agent_sees_the_phone_but_not_the_full_cccd(client, staff, lan):
    client.force_login(staff.hotline_agent)
    detail = client.get(f"/people/{lan.pk}/").content.decode()
    assert "0988 111 222" in detail and CCCD not in detail and "038••••••234" in detail


@pytest.mark.parametrize("role_user", ["checkpoint_officer", "relief_officer"])
def test_checkpoint_and_relief_officers_find_people_only_by_an_exact_identifier(
    client, staff, lan, role_user
):
    officer = getattr(staff, role_user)
    assert person_search(officer, "pham thi lan") == []
    assert person_search(officer, "lan") == []
    assert person_search(officer, CCCD) == [lan]
    assert person_search(officer, PHONE) == [lan]
    client.force_login(officer)
    page = client.get("/people/", {"q": "pham thi lan"})
    assert "Phạm Thị Lan" not in page.content.decode() and page.context["identifier_only"]
    assert client.get("/api/people/", {"q": "pham"}).json() == []


def test_a_checkpoint_officer_sees_masked_identifiers(client, staff, lan):
    client.force_login(staff.checkpoint_officer)
    detail = client.get(f"/people/{lan.pk}/").content.decode()
    assert CCCD not in detail and "0988 111 222" not in detail


def test_the_relief_officer_sees_the_phone_to_call_back(client, staff, lan):
    client.force_login(staff.relief_officer)
    detail = client.get(f"/people/{lan.pk}/").content.decode()
    assert "0988 111 222" in detail and CCCD not in detail


def test_masks_keep_only_the_ends():
    assert need_to_know.mask_id_number("038085001234") == "038••••••234"
    assert need_to_know.mask_id_number("") == ""
    assert need_to_know.mask_phone("+84988111222") == "0••••••222"
    assert need_to_know.mask_phone("") == ""


def test_registration_shows_only_look_alikes_the_user_may_see(client, staff, world, lan):
    """A weak match on the phone alone may live anywhere: another commune's worker must not
    learn who owns a number by typing it into the registration form."""
    client.force_login(staff.commune_worker_b)
    data = {
        "full_name": "Trần Văn Bình",
        "birth_year": "1990",
        "phone": PHONE,
        "commune": world.commune_b.pk,
        "sex": "M",
    }
    page = client.post("/people/new/", data).content.decode()
    assert "Phạm Thị Lan" not in page


def test_registration_masks_the_look_alikes_phone_for_a_unit_reporter(client, staff, world, lan):
    client.force_login(staff.unit_reporter_a)
    data = {
        "full_name": "Trần Văn Bình",
        "birth_year": "1990",
        "phone": PHONE,
        "commune": world.commune_a.pk,
        "sex": "M",
    }
    page = client.post("/people/new/", data).content.decode()
    assert "Phạm Thị Lan" in page and "0988 111 222" not in page
