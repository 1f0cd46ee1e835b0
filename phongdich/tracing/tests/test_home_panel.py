"""The tracing team's and the police partner's home figures: each links to the contact
list filtered to exactly those contacts, and that list shows the same count."""

import pytest

from phongdich.accounts.models import Role
from phongdich.testing import make_user
from phongdich.tracing import services
from phongdich.web.tests.test_home_figures import FIGURE

from . import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def contacts(world, staff):
    worker = staff.commune_worker_a
    case = builders.case(world, worker)
    made = [
        builders.contact(world, worker, source_case=case, full_name=f"Lê Thị {n}", phone=phone)
        for n, phone in (("Một", "0913800011"), ("Hai", "0913800012"), ("Ba", "0913800013"))
    ]
    services.contact_set_status(by=worker, contact=made[0], status="notified")
    other = builders.case(world, staff.commune_worker_b, commune=world.commune_b, name="Ca B")
    builders.contact(
        world,
        staff.commune_worker_b,
        source_case=other,
        commune=world.commune_b,
        full_name="Trần Văn Ngoài",
        phone="0913800019",
    )
    return made


@pytest.mark.parametrize("role, unit", [(Role.TRACER, "commune_a"), (Role.POLICE, "district_a")])
def test_each_figure_lists_the_same_contacts(client, world, contacts, role, unit):
    client.force_login(make_user(f"home-{role}", role, getattr(world, unit)))
    figures = FIGURE.findall(client.get("/home/").content.decode())
    assert [(label, int(value)) for _u, _url, value, label in figures] == [
        ("người tiếp xúc chưa liên hệ được", 2),  # commune B's contact is not in the area
        ("người tiếp xúc đang cách ly", 0),
    ]
    for _urgent, url, value, _label in figures:
        page = client.get(url.replace("&amp;", "&")).context["page"]
        assert page.count == int(value)
