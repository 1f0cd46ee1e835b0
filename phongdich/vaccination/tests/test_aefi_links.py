"""AEFI: the vaccinee's link sent by SMS/Zalo through the gateways (a double tap sends
once, audited), revoked from the record, and the queue exported to XLSX (audited)."""

import re
from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from openpyxl import load_workbook

from phongdich.audit.models import AuditEvent
from phongdich.hotline import gateways
from phongdich.lib.idempotency import Submission
from phongdich.vaccination import aefi, services
from phongdich.vaccination.models import Aefi, AefiLink, AefiLinkSend

from . import builders

URL = "https://covid.example.gov.vn/vaccination/phan-ung/abc/"


@pytest.fixture(autouse=True)
def _clean(db):
    cache.clear()
    gateways.console_outbox.clear()


@pytest.fixture
def vaccinee(world, staff):
    person = builders.person(world, staff)
    services.dose_record_for_person(
        by=staff.commune_worker_a, person=person, dose=builders.dose(day=date(2021, 10, 11))
    )
    return person


def test_the_link_goes_to_the_persons_phone_once_per_submission(staff, vaccinee):
    link, _raw = aefi.aefi_link_issue(by=staff.commune_worker_a, person=vaccinee)
    submission = Submission(key="u1:aefi-send-1", fingerprint="f")
    first = aefi.aefi_link_send(
        by=staff.commune_worker_a, link=link, url=URL, channel="zalo", submission=submission
    )
    again = aefi.aefi_link_send(
        by=staff.commune_worker_a, link=link, url=URL, channel="zalo", submission=submission
    )
    assert first.pk == again.pk and again.submission_replayed
    assert [(s.to, s.channel) for s in gateways.console_outbox] == [(vaccinee.phone, "zalo")]
    assert URL in gateways.console_outbox[0].text
    assert first.status == AefiLinkSend.Status.SENT
    assert AuditEvent.objects.filter(action="vaccination.aefi.link_send").count() == 1


def test_a_failing_gateway_is_recorded_not_raised(staff, vaccinee, monkeypatch):
    link, _raw = aefi.aefi_link_issue(by=staff.commune_worker_a, person=vaccinee)

    class Down:
        def send(self, *a, **k):
            raise gateways.GatewayError("timeout")

    monkeypatch.setattr(gateways, "get_gateway", lambda: Down())
    sent = aefi.aefi_link_send(by=staff.commune_worker_a, link=link, url=URL, channel="sms")
    assert (sent.status, sent.error) == (AefiLinkSend.Status.FAILED, "timeout")


def test_a_revoked_link_is_not_sent_and_no_longer_opens(client, staff, vaccinee):
    from django.core.exceptions import ValidationError

    link, raw = aefi.aefi_link_issue(by=staff.commune_worker_a, person=vaccinee)
    aefi.aefi_link_revoke(by=staff.commune_worker_a, link=link)
    aefi.aefi_link_revoke(by=staff.commune_worker_a, link=link)  # twice: one revocation
    assert AuditEvent.objects.filter(action="vaccination.aefi.link_revoke").count() == 1
    with pytest.raises(ValidationError):
        aefi.aefi_link_send(by=staff.commune_worker_a, link=link, url=URL, channel="sms")
    assert client.get(f"/vaccination/phan-ung/{raw}/").status_code == 404
    assert gateways.console_outbox == []


def test_the_pages_send_and_revoke(client, staff, vaccinee):
    worker = staff.commune_worker_a
    client.force_login(worker)
    page = client.post(f"/vaccination/people/{vaccinee.pk}/aefi/link/").content.decode()
    signed = re.search(r'name="link" value="([^"]+)"', page).group(1)
    key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
    send = f"/vaccination/people/{vaccinee.pk}/aefi/link/send/"
    for _tap in range(2):  # a double tap
        response = client.post(
            send, {"link": signed, "submission_key": key, "channel": "sms"}, follow=True
        )
    assert "Đã gửi đường link qua SMS" in response.content.decode()
    assert len(gateways.console_outbox) == 1 and AefiLinkSend.objects.count() == 1
    # A forged or stale signed copy sends nothing and says why.
    response = client.post(send, {"link": "x", "channel": "sms"}, follow=True)
    assert "hết thời gian hiển thị" in response.content.decode()
    assert client.post(send, {"link": signed, "channel": "fax"}).status_code == 302
    assert len(gateways.console_outbox) == 1
    link = AefiLink.objects.get()
    record = client.get(f"/vaccination/people/{vaccinee.pk}/").content.decode()
    assert 'id="aefi-links"' in record
    revoke = f"/vaccination/people/{vaccinee.pk}/aefi/links/{link.pk}/revoke/"
    assert "Chưa xác nhận" in client.post(revoke, follow=True).content.decode()
    link.refresh_from_db()
    assert link.revoked_at is None
    client.post(revoke, {"confirmed": "1"})
    link.refresh_from_db()
    assert link.revoked_at is not None and link.revoked_by == worker
    # Someone outside the jurisdiction reaches neither page.
    client.force_login(staff.commune_worker_b)
    assert client.post(revoke, {"confirmed": "1"}).status_code == 404
    assert client.post(send, {"link": signed, "channel": "sms"}).status_code == 404


def test_the_queue_exports_to_xlsx_and_the_export_is_audited(client, staff, vaccinee):
    onset = datetime(2021, 10, 11, 20, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    aefi.aefi_report(
        by=staff.commune_worker_a,
        person=vaccinee,
        report=aefi.AefiInput(onset_at=onset, description="Sốt cao", hospitalised=True),
    )
    client.force_login(staff.commune_worker_a)
    assert 'id="aefi-export"' in client.get("/vaccination/aefi/").content.decode()
    response = client.get("/vaccination/aefi.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Số báo cáo", "Họ và tên")
    assert rows[1][1] == vaccinee.full_name and rows[1][7] == "20:30 11/10/2021"
    assert "Huyện" in rows[1][3] or "Thành phố" in rows[1][3]  # the commune with its district
    assert rows[1][11] == "Có" and rows[1][14] == "Có"
    event = AuditEvent.objects.get(action="vaccination.aefi_export")
    assert event.subjects.count() == 1
    # Another commune's officer exports an empty sheet.
    client.force_login(staff.commune_worker_b)
    sheet = load_workbook(BytesIO(client.get("/vaccination/aefi.xlsx").content)).active
    assert sheet.max_row == 1
    assert Aefi.objects.count() == 1
