"""The levels figures on the home page: what waits for review (health department) and for
publication (committee), each linking to the list of exactly those units."""

from datetime import date

import pytest

from phongdich.levels import services
from phongdich.levels.models import Assessment
from phongdich.web.tests.test_home_figures import FIGURE

pytestmark = pytest.mark.django_db
DAY = date(2021, 11, 20)


def _figures(client, user):
    client.force_login(user)
    home = client.get("/home/").content.decode()
    return {
        url.replace("&amp;", "&"): int(value)
        for _u, url, value, _l in FIGURE.findall(home)
        if url.startswith("/levels/")
    }


@pytest.fixture
def assessed(world, staff):
    services.levels_assess(by=None, day=DAY, province=world.province)
    for unit in (world.commune_a, world.commune_b):
        a = Assessment.objects.get(unit=unit, day=DAY)
        services.assessment_review(
            by=staff.province_health_officer, assessment=a, level=a.computed_level
        )
    return world


@pytest.mark.parametrize(
    "who, expected",
    [
        ("province_health_officer", {"/levels/pending/?status=proposed": 4}),
        ("district_health_officer_a", {"/levels/pending/?status=proposed": 2}),
        ("committee_member", {"/levels/pending/?status=reviewed": 2}),
        (
            "province_admin",
            {"/levels/pending/?status=proposed": 4, "/levels/pending/?status=reviewed": 2},
        ),
        ("commune_worker_a", {}),
    ],
)
def test_each_levels_figure_links_to_a_list_of_the_same_count(
    client, staff, assessed, who, expected
):
    figures = _figures(client, getattr(staff, who))
    assert figures == expected
    for url, value in figures.items():
        response = client.get(url)
        assert response.status_code == 200
        assert len(response.context["items"]) == value
        assert all(a.status == url.rsplit("=", 1)[1] for a in response.context["items"])


def test_no_figures_before_any_assessment(client, staff, world):
    assert _figures(client, staff.committee_member) == {}


@pytest.mark.parametrize("status", ["", "published", "x" * 300])
def test_the_pending_list_never_fails(client, staff, assessed, status):
    client.force_login(staff.province_health_officer)
    assert client.get(f"/levels/pending/?status={status}").status_code == 200
