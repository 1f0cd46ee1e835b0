"""The vaccination status on other apps' screens: the hotline caller card and the
checkpoint lookup, read through vaccination.selectors.person_vaccination_status."""

from datetime import date

from django.urls import reverse

from phongdich.vaccination import services
from phongdich.vaccination.selectors import person_vaccination_status

from . import builders


def _dose(staff, person, n=1, day=date(2021, 10, 11)):
    services.dose_record_for_person(
        by=staff.commune_worker_a, person=person, dose=builders.dose(n=n, day=day)
    )


def test_the_selector_gives_the_status_only_to_who_may_see_it(world, staff):
    person = builders.person(world, staff)
    _dose(staff, person)
    _dose(staff, person, n=2, day=date(2021, 11, 1))
    seen = person_vaccination_status(staff.hotline_agent, person)
    assert seen["status"] == "fully" and seen["doses"] == 2 and seen["next_number"] == 3
    assert person_vaccination_status(staff.checkpoint_officer, person)["doses"] == 2
    assert person_vaccination_status(staff.committee_member, person) is None  # no personal data
    assert person_vaccination_status(staff.commune_worker_b, person) is None  # other commune
    assert person_vaccination_status(staff.outsider, person) is None


def test_the_hotline_caller_card_shows_the_status(client, world, staff):
    person = builders.person(world, staff)
    _dose(staff, person)
    client.force_login(staff.hotline_agent)
    page = client.get(reverse("hotline:lookup"), {"caller_phone": "0912 345 678"})
    html = page.content.decode()
    assert person.full_name in html
    assert 'class="vaccination-status" data-status="partly"' in html
    assert "Chưa đủ liều cơ bản" in html and "mũi 2 từ 01/11/2021" in html


def test_the_caller_card_of_an_unvaccinated_person_says_so(client, world, staff):
    builders.person(world, staff)
    client.force_login(staff.hotline_agent)
    html = client.get(reverse("hotline:lookup"), {"caller_phone": "0912345678"}).content.decode()
    assert 'data-status="none"' in html


def test_the_checkpoint_lookup_shows_the_registry_status(client, world, staff):
    from phongdich.checkpoints.tests import builders as checkpoint_builders

    declaration, _raw = checkpoint_builders.declaration(world.commune_a)
    checkpoint_builders.checkpoint(world)
    _dose(staff, declaration.person)
    client.force_login(staff.checkpoint_officer)
    response = client.post(reverse("checkpoints:officer"), {"code": declaration.code, "qr": ""})
    html = response.content.decode()
    assert response.status_code == 200 and 'id="vaccination-status"' in html
    assert 'data-status="partly"' in html
