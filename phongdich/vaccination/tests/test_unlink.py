"""The data-quality queue the other way: a dose matched to the wrong person is taken off
them with a reason (audited) and waits in the queue for the right person; nothing is lost."""

import pytest

from phongdich.audit.models import AuditEvent
from phongdich.vaccination import services
from phongdich.vaccination.models import Dose, DoseReview

from . import builders

pytestmark = pytest.mark.django_db


def _wrongly_matched(world, staff):
    wrong = builders.person(world, staff)
    outcome = services.dose_record_for_person(
        by=staff.commune_worker_a, person=wrong, dose=builders.dose(lot="AB123")
    )
    return wrong, outcome.dose


def test_a_dose_matched_straight_away_goes_back_to_the_queue_without_the_cccd(world, staff):
    wrong, dose = _wrongly_matched(world, staff)
    right = builders.person(
        world, staff, full_name="Lê Văn Tiêm", id_number="038080009999", phone="0912345000"
    )
    review = services.dose_unlink(by=staff.commune_worker_a, dose=dose, reason="Sai CCCD")
    assert not Dose.objects.filter(pk=dose.pk).exists()
    assert (review.status, review.reason) == (DoseReview.Status.OPEN, DoseReview.Reason.UNLINKED)
    assert (review.unlinked_from, review.unlink_reason) == (wrong, "Sai CCCD")
    assert (review.full_name, review.id_number, review.lot) == ("Lê Văn Tiêm", "", "AB123")
    event = AuditEvent.objects.get(action="vaccination.dose.unlink")
    assert event.changes["reason"] == "Sai CCCD" and event.changes["review"] == review.pk
    # The person it was taken off is never offered again as a candidate.
    candidates = services.review_candidates(by=staff.commune_worker_a, review=review)
    assert wrong.pk not in [c.person.pk for c in candidates]
    services.review_match(by=staff.commune_worker_a, review=review, person=right)
    assert [d.lot for d in right.doses.all()] == ["AB123"] and not wrong.doses.exists()


def test_a_dose_out_of_the_queue_reopens_its_own_review(world, staff):
    typed = builders.identity(world, full_name="Phạm Văn Mới", phone="0987000222", id_number="")
    queued = services.dose_record(by=staff.commune_worker_a, identity=typed, dose=builders.dose())
    wrong = builders.person(world, staff)
    services.review_match(by=staff.commune_worker_a, review=queued.review, person=wrong)
    dose = wrong.doses.get()
    review = services.dose_unlink(by=staff.commune_worker_a, dose=dose, reason="Khác người")
    assert review.pk == queued.review.pk and DoseReview.objects.count() == 1
    assert (review.full_name, review.status, review.dose) == ("Phạm Văn Mới", "open", None)
    assert review.resolved_by is None


def test_unlinking_needs_a_reason_a_confirmation_and_the_jurisdiction(client, world, staff):
    wrong, dose = _wrongly_matched(world, staff)
    client.force_login(staff.commune_worker_a)
    record = client.get(f"/vaccination/people/{wrong.pk}/").content.decode()
    assert f"/vaccination/doses/{dose.pk}/unlink/" in record
    url = f"/vaccination/doses/{dose.pk}/unlink/"
    page = client.post(url, {"reason": "", "confirmed": "1"}, follow=True).content.decode()
    assert "Chưa gỡ" in page
    page = client.post(url, {"reason": "Sai người"}, follow=True).content.decode()
    assert "Chưa xác nhận" in page
    assert client.post(url, {"reason": "x" * 301, "confirmed": "1"}).status_code == 302
    assert Dose.objects.filter(pk=dose.pk).exists()
    client.force_login(staff.commune_worker_b)
    assert client.post(url, {"reason": "Sai người", "confirmed": "1"}).status_code == 404
    client.force_login(staff.commune_worker_a)
    response = client.post(url, {"reason": "Sai người", "confirmed": "1"}, follow=True)
    review = DoseReview.objects.get()
    assert response.redirect_chain[-1][0] == f"/vaccination/reviews/{review.pk}/"
    assert "Sai người" in response.content.decode()
    assert not Dose.objects.filter(pk=dose.pk).exists()
