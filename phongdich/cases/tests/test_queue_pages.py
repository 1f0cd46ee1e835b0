"""The care queue pages by keyset in its urgency order: every F0 once, the refresh keeps
its page, the count is capped."""

import re

import pytest

from phongdich.cases import views
from phongdich.cases.models import Case
from phongdich.cases.tests.builders import make_case, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue_of_seven(world, staff, monkeypatch):
    monkeypatch.setattr(views, "QUEUE_PAGE_SIZE", 3)
    worker = staff.commune_worker_a
    cases = [make_case(world, worker, name=f"Trần Văn {n}") for n in range(7)]
    submit(cases[4], key="danger", spo2=92)  # a danger alert: first
    submit(cases[2], key="ok", spo2=98)  # checked: after the never-checked ones
    return cases


def _names(response):
    return [c.person.full_name for c in response.context["page"].items]


def test_the_pages_list_every_f0_once_in_the_queues_order(client, staff, queue_of_seven):
    client.force_login(staff.commune_worker_a)
    first = client.get("/cases/")
    seen, page = _names(first), first.context["page"]
    assert seen[0] == "Trần Văn 4"
    while page.next:
        response = client.get("/cases/", {"next": page.next})
        seen += _names(response)
        page = response.context["page"]
    assert sorted(seen) == sorted(f"Trần Văn {n}" for n in range(7))
    assert len(seen) == 7 and seen[-1] == "Trần Văn 2"
    back = client.get("/cases/", {"prev": page.prev})
    assert _names(back) == seen[3:6]


def test_the_refresh_and_the_row_actions_keep_the_page(client, staff, queue_of_seven):
    client.force_login(staff.commune_worker_a)
    page = client.get("/cases/").context["page"]
    second = client.get("/cases/", {"next": page.next})
    html = second.content.decode()
    refresh = re.search(r'id="queue" hx-get="([^"]+)"', html)[1].replace("&amp;", "&")
    assert f"next={page.next}" in refresh
    rows = client.get(refresh, HTTP_HX_REQUEST="true")
    assert _names(rows) == _names(second)
    assert "<html" not in rows.content.decode()  # htmx gets the rows only


def test_the_count_is_capped(client, staff, queue_of_seven, monkeypatch):
    from phongdich.lib import pagination

    monkeypatch.setattr(pagination, "COUNT_CAP", 5)
    monkeypatch.setattr(
        pagination.keyset_page,
        "__kwdefaults__",
        {**pagination.keyset_page.__kwdefaults__, "cap": 5},
    )
    client.force_login(staff.commune_worker_a)
    response = client.get("/cases/")
    assert response.context["page"].capped
    assert "hơn 5" in response.content.decode()


def test_another_communes_f0_is_not_on_any_page(client, world, staff, queue_of_seven):
    other = make_case(world, staff.commune_worker_b, commune=world.commune_b, name="Ở Xã Khác")
    client.force_login(staff.commune_worker_a)
    page = client.get("/cases/").context["page"]
    seen = [c.pk for c in page]
    while page.next:
        page = client.get("/cases/", {"next": page.next}).context["page"]
        seen += [c.pk for c in page]
    assert other.pk not in seen and len(seen) == Case.objects.count() - 1
