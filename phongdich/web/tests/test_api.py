import pytest

from phongdich.accounts.services import api_token_create
from phongdich.people import services


@pytest.fixture
def person_a(world, staff):
    person, _ = services.person_register(
        by=staff.province_admin,
        full_name="Võ Thị Nga",
        birth_year=1992,
        phone="0977000111",
        commune=world.commune_a,
    )
    return person


def test_health_checks_the_database(client, db):
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_openapi_docs_are_served(client, db):
    assert client.get("/api/docs").status_code == 200
    schema = client.get("/api/openapi.json").json()
    assert "/api/people/" in schema["paths"]


def test_api_requires_authentication(client, person_a):
    assert client.get("/api/people/", {"q": "vo thi nga"}).status_code == 401


def test_api_token_search_is_scoped(client, staff, person_a):
    _, raw_a = api_token_create(by=staff.commune_worker_a, name="a")
    _, raw_b = api_token_create(by=staff.commune_worker_b, name="b")
    found = client.get("/api/people/", {"q": "vo thi nga"}, HTTP_AUTHORIZATION=f"Bearer {raw_a}")
    assert [p["id"] for p in found.json()] == [person_a.pk]
    hidden = client.get("/api/people/", {"q": "vo thi nga"}, HTTP_AUTHORIZATION=f"Bearer {raw_b}")
    assert hidden.json() == []
    detail = client.get(f"/api/people/{person_a.pk}", HTTP_AUTHORIZATION=f"Bearer {raw_b}")
    assert detail.status_code == 404


def test_roles_without_personal_data_access_get_403(client, staff, person_a):
    client.force_login(staff.committee_member)
    assert client.get("/api/people/", {"q": "vo"}).status_code == 403


def test_bearer_tokens_are_tried_before_the_session():
    """Session auth enforces CSRF on POST and answers 403 before a later authenticator runs,
    so the token must come first for integrations (lab systems, gateways) to POST at all.
    The POST paths themselves are exercised by the domain apps' API tests."""
    from phongdich.api import AUTH, TokenAuth

    assert isinstance(AUTH[0], TokenAuth)
