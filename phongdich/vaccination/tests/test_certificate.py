"""The vaccination certificate: issued by staff inside their jurisdiction (audited), printed
as a PDF, verified at a public URL that shows only what a verifier needs."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import reverse

from phongdich.audit.models import AuditEvent
from phongdich.lib.certificates import sign_code
from phongdich.vaccination import certificates, services
from phongdich.vaccination.models import VaccinationCertificate

from . import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(world):
    return builders.officer(world)


@pytest.fixture
def vaccinated(world, staff):
    person = builders.person(world, staff, full_name="Nguyễn Thị Minh Hằng", birth_year=1980)
    for n, day in ((1, date(2021, 9, 1)), (2, date(2021, 9, 22))):
        services.dose_record_for_person(
            by=staff.commune_worker_a,
            person=person,
            dose=builders.dose(n=n, day=day, lot=f"LOT-FK889{n}"),
        )
    return person


def _verify_url(cert):
    return reverse("vaccination:certificate_verify", args=[certificates.verify_token(cert)])


def test_issuing_twice_keeps_one_certificate_and_is_audited(officer, vaccinated):
    first = certificates.certificate_issue(by=officer, person=vaccinated)
    again = certificates.certificate_issue(by=officer, person=vaccinated)
    assert first.pk == again.pk and VaccinationCertificate.objects.count() == 1
    assert first.number.startswith("TC") and first.number.endswith(f"{first.pk:07d}")
    assert AuditEvent.objects.filter(action="vaccination.certificate_issue").count() == 1


def test_a_person_without_doses_gets_no_certificate(client, world, staff, officer):
    person = builders.person(world, staff)
    client.force_login(officer)
    response = client.post(f"/vaccination/people/{person.pk}/certificate/", follow=True)
    assert "chưa có mũi tiêm nào" in response.content.decode()
    assert not VaccinationCertificate.objects.exists()


def test_staff_outside_the_jurisdiction_cannot_issue(world, staff, vaccinated):
    outsider = builders.officer(world, name="tiemchung.b", unit=world.commune_b)
    with pytest.raises(PermissionDenied):
        certificates.certificate_issue(by=outsider, person=vaccinated)


def test_the_pdf_is_an_audited_read_carrying_the_verify_url(client, officer, vaccinated):
    client.force_login(officer)
    response = client.post(f"/vaccination/people/{vaccinated.pk}/certificate/")
    assert response.status_code == 302
    pdf = client.get(response["Location"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    event = AuditEvent.objects.filter(action="vaccination.certificate").get()
    assert event.actor_id == officer.pk


def test_a_valid_token_verifies_with_the_minimum(client, officer, vaccinated):
    cert = certificates.certificate_issue(by=officer, person=vaccinated)
    client.logout()
    response = client.get(_verify_url(cert))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Giấy chứng nhận tiêm chủng hợp lệ" in page
    assert "N. T. M. Hằng" in page and "1980" in page
    assert "22/09/2021" in page and "Đã tiêm đủ liều cơ bản" in page
    # Nothing beyond the minimum: not the full name, phone, ID number, address, lot, commune.
    # (The lot is one the fixture recorded: a bare "FF" also turned up inside random tokens.)
    for private in ("Nguyễn Thị Minh Hằng", "0912345678", "038080001234", "LOT-FK889", "Hàm Rồng"):
        assert private not in page, private


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature changed
        lambda t: ("x" if t[0] != "x" else "y") + t[1:],  # code changed
        lambda t: t.split(":")[0],  # signature removed
        lambda t: "x" * 300,
    ],
)
def test_a_tampered_token_is_refused(client, officer, vaccinated, tamper):
    cert = certificates.certificate_issue(by=officer, person=vaccinated)
    token = certificates.verify_token(cert)
    response = client.get(reverse("vaccination:certificate_verify", args=[tamper(token)]))
    assert response.status_code == 404
    assert "không hợp lệ" in response.content.decode()
    assert "Hằng" not in response.content.decode()


def test_a_code_signed_for_another_kind_of_certificate_is_refused(client, officer, vaccinated):
    cert = certificates.certificate_issue(by=officer, person=vaccinated)
    forged = sign_code(cert.code, salt="cases.certificate")
    assert client.get(f"/vaccination/xac-minh/{forged}/").status_code == 404


def test_a_revoked_certificate_no_longer_verifies(client, officer, vaccinated):
    cert = certificates.certificate_issue(by=officer, person=vaccinated)
    VaccinationCertificate.objects.filter(pk=cert.pk).update(revoked_at="2022-01-01T00:00Z")
    response = client.get(_verify_url(cert))
    assert response.status_code == 410
    page = response.content.decode()
    assert 'data-valid="revoked"' in page and cert.number in page and "01/01/2022" in page
    # Nothing of the person is shown for a revoked certificate.
    assert "Hằng" not in page and "1980" not in page


def _revoke_post(client, person, **data):
    return client.post(
        f"/vaccination/people/{person.pk}/certificate/revoke/",
        {"reason": "In nhầm ngày tiêm mũi 2", "confirmed": "1", **data},
        follow=True,
    )


def test_revoking_needs_a_reason_and_a_confirmation_then_a_reissue_has_a_new_number(
    client, officer, vaccinated
):
    cert = certificates.certificate_issue(by=officer, person=vaccinated)
    client.force_login(officer)
    record = client.get(f"/vaccination/people/{vaccinated.pk}/").content.decode()
    assert 'id="certificate-revoke"' in record and cert.number in record
    # No reason, no tick: nothing revoked, a Vietnamese message, never a 500.
    assert "Chưa thu hồi" in _revoke_post(client, vaccinated, reason="").content.decode()
    assert "Chưa xác nhận" in _revoke_post(client, vaccinated, confirmed="").content.decode()
    assert _revoke_post(client, vaccinated, reason="x" * 301).status_code == 200
    cert.refresh_from_db()
    assert cert.revoked_at is None
    page = _revoke_post(client, vaccinated).content.decode()
    assert "Đã thu hồi giấy chứng nhận" in page
    cert.refresh_from_db()
    assert cert.revoked_at and cert.revoke_reason == "In nhầm ngày tiêm mũi 2"
    assert cert.revoked_by == officer
    assert AuditEvent.objects.filter(action="vaccination.certificate_revoke").count() == 1
    # The PDF of a revoked certificate is gone; revoking again is refused with a message.
    assert client.get(f"/vaccination/people/{vaccinated.pk}/certificate.pdf").status_code == 404
    assert "đã được thu hồi" in _revoke_post(client, vaccinated).content.decode()
    # A re-issue is a new certificate: new number, new code; the old QR still says revoked.
    again = certificates.certificate_issue(by=officer, person=vaccinated)
    assert again.pk != cert.pk and again.number != cert.number and again.code != cert.code
    assert client.get(_verify_url(again)).status_code == 200
    assert client.get(_verify_url(cert)).status_code == 410
    assert certificates.certificate_issue(by=officer, person=vaccinated).pk == again.pk


def test_staff_outside_the_jurisdiction_cannot_revoke(world, officer, vaccinated):
    certificates.certificate_issue(by=officer, person=vaccinated)
    outsider = builders.officer(world, name="tiemchung.b", unit=world.commune_b)
    with pytest.raises(PermissionDenied):
        certificates.certificate_revoke(by=outsider, person=vaccinated, reason="Sai")
    assert not VaccinationCertificate.objects.filter(revoked_at__isnull=False).exists()


@override_settings(VACCINATION_VERIFY_IP_LIMIT=3)
def test_the_public_page_is_rate_limited(client, officer, vaccinated):
    cert = certificates.certificate_issue(by=officer, person=vaccinated)
    codes = [client.get(_verify_url(cert)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


@pytest.mark.parametrize(
    "name,masked",
    [("Nguyễn Văn An", "N. V. An"), ("An", "An"), ("", ""), ("Lê  Thị   Bé", "L. T. Bé")],
)
def test_mask_name(name, masked):
    assert certificates.mask_name(name) == masked


def test_merging_two_certified_records_keeps_both_papers_valid(client, world, staff, officer):
    from phongdich.people.services import person_merge

    people = []
    for name, phone, n, day in (
        ("Phạm Văn Gộp", "0912000111", 1, date(2021, 9, 1)),
        ("Pham Van Gop", "0912000222", 2, date(2021, 9, 22)),
    ):
        person = builders.person(world, staff, full_name=name, phone=phone, id_number="")
        services.dose_record_for_person(
            by=staff.commune_worker_a, person=person, dose=builders.dose(n=n, day=day)
        )
        people.append(person)
    certs = [certificates.certificate_issue(by=officer, person=p) for p in people]
    person_merge(by=staff.commune_worker_a, keep=people[0], duplicate=people[1])
    for cert in certs:
        assert client.get(_verify_url(cert)).status_code == 200
    assert certificates.certificate_issue(by=officer, person=people[0]).pk == certs[0].pk
