"""The facility officer's home page leads to their own site: its free beds by type, each
figure the same as the site's page shows, a type near full marked urgent."""

from phongdich.facilities.models import BedType
from phongdich.facilities.selectors import bed_figures
from phongdich.web.tests.test_home_figures import FIGURE

from .builders import officer_of, site


def test_the_facility_officer_sees_the_free_beds_of_their_site(client, world, staff):
    facility = site(
        world, beds_total=40, beds_occupied=12, oxygen_beds_total=10, oxygen_beds_occupied=9
    )
    other = site(world, name="Bệnh viện dã chiến số 2", beds_total=99)
    client.force_login(officer_of(facility))
    home = client.get("/home/").content.decode()
    figures = FIGURE.findall(home)
    assert [int(value) for _u, _url, value, _l in figures] == [28, 1]
    assert all(url == f"/facilities/{facility.pk}/#beds" for _u, url, _v, _l in figures)
    # 9 of 10 oxygen beds in use: near full, so urgent; the regular beds are not.
    assert [bool(urgent) for urgent, *_ in figures] == [False, True]
    assert facility.name in home and other.name not in home
    # The site's page keeps the same figures.
    page = {f.bed_type: f.free for f in bed_figures(facility)}
    assert (page[BedType.REGULAR], page[BedType.OXYGEN]) == (28, 1)


def test_other_roles_get_no_facility_panel(client, world, staff):
    site(world, beds_total=40)
    client.force_login(staff.commune_worker_a)
    assert "còn trống (trên" not in client.get("/home/").content.decode()
