"""The tracer and police roles at their boundaries: what each may and may not see or do.
A community tracing team member (Role.TRACER) traces in their commune; the police
(Role.POLICE) read their district's tracing lists without identifiers and write nothing."""

import pytest

from phongdich.accounts.models import Role
from phongdich.testing import make_user
from phongdich.tracing.models import Contact

from . import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(world, staff):
    case_a = builders.case(world, staff.commune_worker_a)
    in_a = builders.contact(
        world,
        staff.commune_worker_a,
        source_case=case_a,
        full_name="Lê Thị Xã A",
        phone="0913800001",
    )
    case_b = builders.case(world, staff.commune_worker_b, commune=world.commune_b, name="Ca Xã B")
    in_b = builders.contact(
        world,
        staff.commune_worker_b,
        source_case=case_b,
        commune=world.commune_b,
        full_name="Trần Văn Xã B",
        phone="0913800002",
    )
    return {
        "tracer": make_user("truyvet.a", Role.TRACER, world.commune_a),
        "police": make_user("congan.a", Role.POLICE, world.district_a),
        "case_a": case_a,
        "in_a": in_a,
        "in_b": in_b,
    }


# (role, method, url, expected status); {a}/{b}: contacts of commune A / B, {case}: A's F0
BOUNDARIES = [
    ("tracer", "get", "/tracing/contacts/", 200),
    ("tracer", "get", "/tracing/contacts/{a}/", 200),
    ("tracer", "get", "/tracing/contacts/{b}/", 404),
    ("tracer", "get", "/tracing/cases/{case}/", 200),
    ("tracer", "get", "/tracing/import/", 200),
    ("tracer", "get", "/tracing/clusters/", 200),
    ("tracer", "get", "/quarantine/", 200),
    ("tracer", "get", "/quarantine/new/", 403),
    ("tracer", "get", "/quarantine/tests/", 403),
    ("tracer", "get", "/people/", 200),
    ("police", "get", "/tracing/contacts/", 200),
    ("police", "get", "/tracing/contacts/{a}/", 200),
    ("police", "get", "/tracing/contacts/{b}/", 404),
    ("police", "get", "/tracing/cases/{case}/chain/", 200),
    ("police", "get", "/tracing/clusters/", 200),
    ("police", "get", "/tracing/indicators/", 200),
    ("police", "get", "/tracing/cases/{case}/", 403),
    ("police", "get", "/tracing/import/", 403),
    ("police", "post", "/tracing/contacts/{a}/status/", 403),
    ("police", "post", "/tracing/contacts/{a}/quarantine/", 403),
    ("police", "post", "/tracing/contacts/{a}/", 403),
    ("police", "post", "/tracing/clusters/", 403),
    ("police", "get", "/quarantine/", 403),
    ("police", "get", "/people/", 403),
    ("police", "get", "/cases/{case}/", 403),
]


@pytest.mark.parametrize(("role", "method", "url", "status"), BOUNDARIES)
def test_each_role_reaches_only_its_part(client, scene, role, method, url, status):
    client.force_login(scene[role])
    path = url.format(a=scene["in_a"].pk, b=scene["in_b"].pk, case=scene["case_a"].pk)
    response = getattr(client, method)(path, {"status": "notified", "full_name": "X"})
    assert response.status_code == status, (role, method, path)


def test_the_police_see_their_districts_names_but_no_identifiers(client, scene):
    client.force_login(scene["police"])
    listed = client.get("/tracing/contacts/").content.decode()
    assert "Lê Thị Xã A" in listed and "Trần Văn Xã B" not in listed
    page = client.get(f"/tracing/contacts/{scene['in_a'].pk}/").content.decode()
    assert "Lê Thị Xã A" in page
    assert "0913800001" not in page and "913 800 001" not in page and "800001" not in page
    assert 'id="quarantine-form"' not in page and 'id="contact-form"' not in page
    assert Contact.objects.get(pk=scene["in_a"].pk).status == "listed"


def test_the_tracer_records_a_contact_in_their_commune(client, world, scene):
    client.force_login(scene["tracer"])
    response = client.post(
        f"/tracing/cases/{scene['case_a'].pk}/",
        {
            "full_name": "Phạm Thị Mới",
            "birth_year": "1991",
            "phone": "0913800003",
            "commune": world.commune_a.pk,
            "exposure_date": "01/12/2021",
            "setting": "household",
            "criterion": "physical",
        },
    )
    assert response.status_code == 302
    added = Contact.objects.get(person__full_name="Phạm Thị Mới")
    assert added.tracer == scene["tracer"]
    listed = client.get("/tracing/contacts/").content.decode()
    assert "Phạm Thị Mới" in listed and "Trần Văn Xã B" not in listed


def test_the_menus_follow_the_roles(client, scene):
    client.force_login(scene["tracer"])
    home = client.get("/home/").content.decode()
    assert "/tracing/contacts/" in home and "/tracing/import/" in home
    client.force_login(scene["police"])
    home = client.get("/home/").content.decode()
    assert "/tracing/contacts/" in home and "/tracing/import/" not in home
    assert 'href="/people/"' not in home
