"""A medicine bag or a mobile station visit sent twice (a double click on the case page, a
browser retry) is recorded once. The racing test runs real threads on PostgreSQL (in turn on
SQLite, see phongdich/testing.py)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from phongdich.cases.models import MedicineBag, MobileStationVisit
from phongdich.cases.tests.builders import make_case
from phongdich.testing import make_staff, make_world, race, winners

KEY = re.compile(r'name="submission_key" value="([^"]+)"')


def _keys(page) -> list[str]:
    return KEY.findall(page.content.decode())


@pytest.fixture
def case(world, staff):
    return make_case(world, staff.commune_worker_a)


def test_the_case_page_gives_each_form_its_own_key(client, staff, case):
    client.force_login(staff.commune_worker_a)
    first = _keys(client.get(reverse("cases:detail", args=[case.pk])))
    second = _keys(client.get(reverse("cases:detail", args=[case.pk])))
    assert len(first) >= 2  # the medicine bag form and the mobile visit form at least
    assert not set(first) & set(second)


def test_a_double_submitted_medicine_bag_is_one_bag(client, staff, case):
    client.force_login(staff.commune_worker_a)
    data = {"submission_key": "bag-key-000001", "kind": "A", "handed_on": "2021-08-01"}
    url = reverse("cases:medicine_bag", args=[case.pk])
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert MedicineBag.objects.filter(case=case).count() == 1


def test_a_double_submitted_mobile_visit_is_one_visit(client, staff, case):
    client.force_login(staff.commune_worker_a)
    data = {"submission_key": "visit-key-00001", "visited_on": "2021-08-01", "note": "SpO2 97"}
    url = reverse("cases:mobile_visit", args=[case.pk])
    for _ in range(2):
        assert client.post(url, data).status_code == 302
    assert MobileStationVisit.objects.filter(case=case).count() == 1


@pytest.mark.parametrize(
    ("name", "data", "changed", "model"),
    [
        (
            "cases:medicine_bag",
            {"kind": "A", "handed_on": "2021-08-01"},
            {"kind": "B"},
            MedicineBag,
        ),
        (
            "cases:mobile_visit",
            {"visited_on": "2021-08-01", "note": "SpO2 97"},
            {"note": "SpO2 93"},
            MobileStationVisit,
        ),
    ],
)
def test_a_key_reused_for_other_content_is_refused_and_a_new_key_offered(
    client, staff, case, name, data, changed, model
):
    client.force_login(staff.commune_worker_a)
    url = reverse(name, args=[case.pk])
    data = data | {"submission_key": "reused-key-0001"}
    client.post(url, data)
    page = client.post(url, data | changed, follow=True)
    text = page.content.decode()
    assert "đã được gửi trước đó với nội dung khác" in text
    assert "reused-key-0001" not in _keys(page)
    assert model.objects.filter(case=case).count() == 1
    # Sent again from the page it came back to (every form there has a new key), the
    # change is recorded.
    client.post(url, data | changed | {"submission_key": _keys(page)[-1]})
    assert model.objects.filter(case=case).count() == 2


@pytest.mark.django_db(transaction=True)
def test_racing_medicine_bag_posts_with_one_key_record_one_bag():
    world = make_world()
    staff = make_staff(world)
    case = make_case(world, staff.commune_worker_a)
    data = {"submission_key": "r" * 24, "kind": "A", "handed_on": "2021-08-01"}

    def post():
        client = Client()
        client.force_login(staff.commune_worker_a)
        return client.post(reverse("cases:medicine_bag", args=[case.pk]), data)

    outcomes = race([post for _ in range(4)])
    assert [r.status_code for r in winners(outcomes)] == [302] * 4
    assert MedicineBag.objects.filter(case=case).count() == 1
