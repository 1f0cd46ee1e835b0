"""The pages: entry, the person's record (an audited read), the queue, the person page."""

from datetime import date

import pytest

from phongdich.audit.models import AuditEvent, AuditReadSubject
from phongdich.vaccination import services
from phongdich.vaccination.models import Dose, DoseReview

from . import builders


@pytest.fixture
def officer(world):
    return builders.officer(world)


def _form(world, **values):
    return {
        "full_name": "Lê Văn Tiêm",
        "birth_year": 1980,
        "phone": "0912345678",
        "id_number": "038080001234",
        "commune": world.commune_a.pk,
        "sex": "M",
        "product": builders.product().pk,
        "dose_number": 1,
        "given_on": "11/10/2021",
        "site_kind": "fixed",
        "site_name": "Trạm y tế Hàm Rồng",
        "lot": "FF1234",
        **values,
    }


def test_an_officer_records_a_dose_and_sees_the_status(client, world, staff, officer):
    person = builders.person(world, staff)
    client.force_login(officer)
    assert client.get("/vaccination/doses/new/").status_code == 200
    response = client.post("/vaccination/doses/new/", _form(world), follow=True)
    assert response.redirect_chain[-1][0] == f"/vaccination/people/{person.pk}/"
    page = response.content.decode()
    assert "Chưa đủ liều cơ bản" in page and "Trạm y tế Hàm Rồng" in page
    assert AuditReadSubject.objects.filter(person_id=person.pk).exists()
    # Twice: one dose.
    client.post("/vaccination/doses/new/", _form(world), follow=True)
    assert Dose.objects.count() == 1


def test_the_person_page_shows_the_status(client, world, staff, officer):
    person = builders.person(world, staff)
    for n, day in ((1, date(2021, 10, 11)), (2, date(2021, 11, 1))):
        services.dose_record_for_person(by=officer, person=person, dose=builders.dose(n=n, day=day))
    client.force_login(staff.commune_worker_a)
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert 'data-status="fully"' in page
    assert f"/vaccination/people/{person.pk}/" in page


def test_an_unsure_dose_goes_to_the_queue_and_staff_resolve_it(client, world, staff, officer):
    person = builders.person(world, staff, id_number="")
    client.force_login(officer)
    response = client.post(
        "/vaccination/doses/new/", _form(world, id_number="", phone="0987000111"), follow=True
    )
    review = DoseReview.objects.get()
    assert response.redirect_chain[-1][0] == f"/vaccination/reviews/{review.pk}/"
    assert f"/people/{person.pk}/" in response.content.decode()  # the weak candidate shown
    queue = client.get("/vaccination/reviews/").content.decode()
    assert f"/vaccination/reviews/{review.pk}/" in queue
    assert AuditEvent.objects.filter(action="vaccination.reviews").exists()
    response = client.post(
        f"/vaccination/reviews/{review.pk}/match/", {"person_id": person.pk}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/vaccination/people/{person.pk}/"
    assert Dose.objects.get().person == person


def test_a_flagged_dose_is_listed_then_checked(client, world, staff, officer):
    person = builders.person(world, staff)
    services.dose_record_for_person(by=officer, person=person, dose=builders.dose())
    early = services.dose_record_for_person(
        by=officer, person=person, dose=builders.dose(n=2, day=date(2021, 10, 15))
    ).dose
    client.force_login(officer)
    assert (
        "Tiêm sớm hơn khoảng cách tối thiểu" in client.get("/vaccination/reviews/").content.decode()
    )
    client.post(f"/vaccination/doses/{early.pk}/checked/")
    early.refresh_from_db()
    assert early.flags_cleared_by == officer


def test_bad_input_is_a_clear_message_not_an_error(client, world, staff, officer):
    client.force_login(officer)
    for values in (
        {"given_on": "31/02/2021"},
        {"dose_number": "99"},
        {"id_number": "12"},
        {"id_number": "", "phone": "", "birth_year": ""},
        {"commune": "999999"},
        {"given_on": "01/01/2100"},
    ):
        response = client.post("/vaccination/doses/new/", _form(world, **values))
        assert response.status_code == 200, values
    assert Dose.objects.count() == DoseReview.objects.count() == 0
    assert client.post("/vaccination/reviews/1/match/", {"person_id": "x"}).status_code == 404
