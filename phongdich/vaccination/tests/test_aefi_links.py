"""AEFI: the vaccinee's link sent by SMS/Zalo through the gateways (a double tap sends
once, audited), revoked from the record, and the queue exported to XLSX (audited)."""

import re
from datetime import date, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.utils import timezone
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


def _sheet(response):
    assert response.status_code == 200, response.status_code
    return list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))


def _table(rows):
    """The table under the national heading: the header row (STT first) and the rows after
    it up to the blank line before the signatures."""
    start = next(n for n, row in enumerate(rows) if row and row[0] == "STT")
    body = []
    for row in rows[start + 1 :]:
        if not row or all(v is None for v in row):
            break
        body.append(row)
    return rows[:start], rows[start], body


def test_the_queue_exports_the_national_layout_and_the_export_is_audited(client, staff, vaccinee):
    from phongdich.vaccination.models import Dose

    dose = Dose.objects.get(person=vaccinee)
    Dose.objects.filter(pk=dose.pk).update(lot="FF1234", site_name="Trạm y tế Hàm Rồng")
    dose.refresh_from_db()
    onset = datetime(2021, 10, 11, 20, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    serious = aefi.aefi_report(
        by=staff.commune_worker_a,
        person=vaccinee,
        dose=dose,
        report=aefi.AefiInput(
            onset_at=onset, description="Sốt cao, khó thở", hospitalised=True, died=False
        ),
    )
    aefi.aefi_report(
        by=staff.commune_worker_a,
        person=vaccinee,
        report=aefi.AefiInput(onset_at=onset, description="Đau chỗ tiêm"),
    )
    client.force_login(staff.commune_worker_a)
    assert 'id="aefi-export"' in client.get("/vaccination/aefi/").content.decode()
    rows = _sheet(client.get("/vaccination/aefi.xlsx"))
    heading, header, body = _table(rows)
    words = " ".join(str(v) for row in heading for v in row if v)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in words and "Độc lập - Tự do - Hạnh phúc" in words
    assert "TRẠM Y TẾ" in words and "BÁO CÁO CÁC TRƯỜNG HỢP PHẢN ỨNG SAU TIÊM CHỦNG" in words
    assert "Mọi báo cáo đến nay" in words and "trong đó tai biến nặng: 1" in words
    column = {name: n for n, name in enumerate(header)}
    assert len(body) == 2
    first = dict(zip(header, body[0], strict=False))
    assert first["STT"] == 1 and first["Mã số trường hợp"] == serious.pk
    assert first["Họ và tên"] == vaccinee.full_name and first["Ngày sinh (năm sinh)"] == 1980
    assert first["Tuổi"] == 41  # in 2021, born 1980 (year only)
    assert first["Xã/phường"] == vaccinee.commune.name
    assert first["Quận/huyện"] == vaccinee.commune.parent.name
    assert (first["Tên vắc xin"], first["Số lô"], first["Liều thứ"]) == (
        dose.product.name, "FF1234", 1,
    )  # fmt: skip
    assert first["Cơ sở tiêm chủng"] == "Trạm y tế Hàm Rồng"
    assert first["Ngày tiêm"] == "11/10/2021"
    assert first["Ngày giờ xuất hiện phản ứng"] == "20:30 11/10/2021"
    assert first["Phân loại"] == "Tai biến nặng"
    assert first["Lý do tai biến nặng"] == "phải nhập viện hoặc kéo dài nằm viện"
    assert body[1][column["Phân loại"]] == "Phản ứng thông thường"
    assert body[1][column["Lý do tai biến nặng"]] in ("", None)
    assert rows[-1][1] == "(Ký, ghi rõ họ tên)"  # the signatures under the table
    event = AuditEvent.objects.get(action="vaccination.aefi_export")
    assert event.subjects.count() == 1  # one person, two reports
    # A period that holds neither report, and a period backwards, and a day out of range.
    received = timezone.localdate()
    later = f"{received + timedelta(days=1):%d/%m/%Y}"
    _h, _header, empty = _table(_sheet(client.get(f"/vaccination/aefi.xlsx?since={later}")))
    assert empty == []
    since = f"{received:%d/%m/%Y}"
    _h, _header, kept = _table(
        _sheet(client.get(f"/vaccination/aefi.xlsx?since={since}&until={since}"))
    )
    assert len(kept) == 2
    for query in (f"since={later}&until={since}", "since=01/01/0001", "status=nope"):
        response = client.get(f"/vaccination/aefi.xlsx?{query}")
        assert response.status_code == 302, query
    # Another commune's officer exports an empty table.
    client.force_login(staff.commune_worker_b)
    _h, _header, none = _table(_sheet(client.get("/vaccination/aefi.xlsx")))
    assert none == []
    assert Aefi.objects.count() == 2
