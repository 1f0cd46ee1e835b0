import pytest

from phongdich.people import selectors, services


@pytest.fixture
def people(world, staff):
    by = staff.province_admin
    an, _ = services.person_register(
        by=by,
        full_name="Nguyễn Văn An",
        birth_year=1980,
        phone="0912345678",
        commune=world.commune_a,
    )
    duc, _ = services.person_register(
        by=by,
        full_name="Đặng Thị Đức",
        birth_year=1990,
        id_number="038190000123",
        commune=world.commune_b,
    )
    return {"an": an, "duc": duc}


@pytest.mark.parametrize(
    "query",
    [
        "nguyen van an",
        "Nguyễn Văn An",
        "NGUYEN VAN",
        "an",
        "nguyễn",
        "0912345678",
        "+84 912 345 678",
    ],
)
def test_it_finds_a_name_with_or_without_diacritics(people, staff, query):
    found = selectors.person_search(staff.province_admin, query)
    assert people["an"] in found


@pytest.mark.parametrize("query", ["dang thi duc", "Đặng", "duc", "038190000123"])
def test_it_folds_the_letter_d(people, staff, query):
    assert selectors.person_search(staff.province_admin, query) == [people["duc"]]


def test_it_scopes_search_to_the_jurisdiction(people, staff):
    assert selectors.person_search(staff.commune_worker_a, "nguyen") == [people["an"]]
    assert selectors.person_search(staff.commune_worker_b, "nguyen") == []
    assert selectors.person_search(staff.outsider, "nguyen") == []
