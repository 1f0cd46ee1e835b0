"""Pages: the Tiếp xúc card on the F0 page, adding a contact, weak matches shown, the chain,
clusters; query count of the contact list pinned."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from phongdich.tracing.models import Cluster, Contact

from . import builders

FORM = {
    "full_name": "Phan Thị Nhà",
    "birth_year": "1988",
    "phone": "0913400001",
    "commune": "",
    "exposure_date": "01/12/2021",
    "setting": "household",
    "criterion": "physical",
}


def test_the_f0_page_has_the_tiep_xuc_card(client, world, staff):
    case = builders.case(world, staff.commune_worker_a)
    client.force_login(staff.commune_worker_a)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="tracing-card"' in page and f"/tracing/cases/{case.pk}/" in page


def test_a_tracer_adds_a_contact_from_the_case(client, world, staff):
    case = builders.case(world, staff.commune_worker_a)
    client.force_login(staff.commune_worker_a)
    response = client.post(
        f"/tracing/cases/{case.pk}/", {**FORM, "commune": world.commune_a.pk}, follow=True
    )
    assert response.status_code == 200
    assert "Phan Thị Nhà" in response.content.decode()
    assert Contact.objects.get().source_case_id == case.pk
    client.post(f"/tracing/cases/{case.pk}/", {**FORM, "commune": world.commune_a.pk})
    assert Contact.objects.count() == 1


def test_a_weak_match_is_shown_and_can_be_chosen(client, world, staff):
    from phongdich.people.services import person_register

    other, _ = person_register(
        by=staff.commune_worker_a,
        full_name="Ai Đó",
        birth_year=1950,
        phone="0913400001",
        commune=world.commune_a,
    )
    case = builders.case(world, staff.commune_worker_a)
    client.force_login(staff.commune_worker_a)
    data = {**FORM, "commune": world.commune_a.pk}
    page = client.post(f"/tracing/cases/{case.pk}/", data).content.decode()
    assert 'id="candidates"' in page and not Contact.objects.exists()
    client.post(f"/tracing/cases/{case.pk}/", {**data, "chosen_person": other.pk})
    assert Contact.objects.get().person_id == other.pk


def test_bad_input_is_a_page_not_an_error(client, world, staff):
    case = builders.case(world, staff.commune_worker_a)
    client.force_login(staff.commune_worker_a)
    for data in (
        {**FORM, "exposure_date": "31/02/2021"},
        {**FORM, "chosen_person": "9" * 30},
        {"full_name": "x" * 500},
    ):
        assert client.post(f"/tracing/cases/{case.pk}/", data).status_code in (200, 302, 404)
    assert client.get("/tracing/contacts/?status=nonsense").status_code == 200
    assert client.get("/tracing/indicators/?start=99/99/9999").status_code == 200


def test_the_contact_list_query_count_is_pinned(client, world, staff):
    by = staff.commune_worker_a
    case = builders.case(world, by)
    client.force_login(by)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/tracing/contacts/").status_code == 200
        return len(queries)

    builders.contact(world, by, source_case=case)
    few = count()
    for i in range(5):
        builders.contact(
            world, by, source_case=case, full_name=f"Người {i}", phone=f"09134000{i:02d}"
        )
    assert count() == few


def test_the_chain_page_draws_svg(client, world, staff):
    case = builders.case(world, staff.commune_worker_a)
    builders.contact(world, staff.commune_worker_a, source_case=case)
    client.force_login(staff.commune_worker_a)
    page = client.get(f"/tracing/cases/{case.pk}/chain/").content.decode()
    assert "<svg" in page and 'id="chain-list"' in page


def test_a_cluster_is_opened_and_a_case_added_by_reference(client, world, staff):
    from phongdich.lib.references import reference_for

    case = builders.case(world, staff.commune_worker_a)
    client.force_login(staff.commune_worker_a)
    client.post(
        "/tracing/clusters/",
        {
            "name": "Chợ Hàm Rồng",
            "commune": world.commune_a.pk,
            "opened_on": "01/12/2021",
            "close_after_days": "28",
        },
    )
    cluster = Cluster.objects.get()
    client.post(f"/tracing/clusters/{cluster.pk}/cases/", {"reference": reference_for(case)})
    assert list(cluster.cases.all()) == [case]
    page = client.get(f"/tracing/clusters/{cluster.pk}/").content.decode()
    assert "chưa đối chiếu văn bản" in page


def test_the_contact_list_pages_newest_first(client, world, staff, monkeypatch):
    import html
    import re

    from phongdich.tracing import selectors

    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    by = staff.commune_worker_a
    case = builders.case(world, by)
    made = [
        builders.contact(
            world, by, source_case=case, full_name=f"Người {i}", phone=f"091350{i:04d}"
        )
        for i in range(5)
    ]
    client.force_login(by)
    seen, url = [], "/tracing/contacts/"
    for _page in range(4):
        page = client.get(url).content.decode()
        seen += [int(pk) for pk in re.findall(r'href="/tracing/contacts/(\d+)/"', page)]
        found = re.search(r'id="next-page" href="([^"]+)"', page)
        if not found:
            break
        url = "/tracing/contacts/" + html.unescape(found.group(1))
    assert seen == [c.pk for c in reversed(made)]
    assert client.get("/tracing/contacts/", {"next": "nonsense"}).status_code == 200
