"""The F0's personal link handed over: copy, QR on screen, sent by SMS/Zalo once per tap,
re-issued only after a confirmation (it revokes the link the F0 has)."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from phongdich.audit.models import AuditEvent
from phongdich.cases import services
from phongdich.cases.models import CaseLink, CaseLinkSend
from phongdich.hotline import gateways
from phongdich.lib.idempotency import Submission

from .builders import make_case

URL = "https://covid.example.gov.vn/cases/c/abc/"


@pytest.fixture(autouse=True)
def _clean(db):
    cache.clear()
    gateways.console_outbox.clear()


def test_the_send_goes_to_the_f0s_phone_once_per_submission(world, staff):
    case = make_case(world, staff.commune_worker_a)
    submission = Submission(key="u1:send-1", fingerprint="f")
    first = services.case_link_send(
        by=staff.commune_worker_a, case=case, url=URL, channel="sms", submission=submission
    )
    again = services.case_link_send(
        by=staff.commune_worker_a, case=case, url=URL, channel="sms", submission=submission
    )
    assert first.pk == again.pk and again.submission_replayed
    assert [(s.to, s.channel) for s in gateways.console_outbox] == [(case.person.phone, "sms")]
    assert URL in gateways.console_outbox[0].text
    assert first.status == CaseLinkSend.Status.SENT
    assert AuditEvent.objects.filter(action="cases.link_send").count() == 1


def test_a_failing_gateway_is_recorded_not_raised(world, staff, monkeypatch):
    case = make_case(world, staff.commune_worker_a)

    class Down:
        def send(self, *a, **k):
            raise gateways.GatewayError("timeout")

    monkeypatch.setattr(gateways, "get_gateway", lambda: Down())
    sent = services.case_link_send(by=staff.commune_worker_a, case=case, url=URL, channel="zalo")
    assert sent.status == CaseLinkSend.Status.FAILED and sent.error == "timeout"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"channel": "fax"}, "Kênh gửi không hợp lệ"),
        ({"phone": ""}, "chưa có số điện thoại"),
    ],
)
def test_it_refuses_what_it_cannot_send(world, staff, change, message):
    case = make_case(world, staff.commune_worker_a)
    if "phone" in change:
        case.person.phone = ""
        case.person.save()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match=message):
        services.case_link_send(
            by=staff.commune_worker_a, case=case, url=URL, channel=change.get("channel", "sms")
        )
    assert not CaseLinkSend.objects.exists() and gateways.console_outbox == []


def _login(client, staff):
    client.force_login(staff.commune_worker_a)


def test_the_panel_offers_copy_qr_and_send_and_sends_the_issued_link(client, world, staff):
    case = make_case(world, staff.commune_worker_a)
    _login(client, staff)
    client.post(reverse("cases:link_issue", args=[case.pk]))
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'id="copy-link"' in page and "<svg" in page.split('id="link-qr"')[1][:400]
    link = page.split('id="new-link" value="')[1].split('"')[0]
    assert link.startswith("http://testserver/cases/c/")
    signed = page.split('name="link" value="')[1].split('"')[0]
    key = page.split('name="submission_key" value="')[1].split('"')[0]
    body = {"link": signed, "channel": "sms", "submission_key": key}
    client.post(reverse("cases:link_send", args=[case.pk]), body)
    client.post(reverse("cases:link_send", args=[case.pk]), body)  # a double tap
    assert [s.text for s in gateways.console_outbox] == [
        gateways.console_outbox[0].text
    ] and link in gateways.console_outbox[0].text
    # Shown once: the next view has no raw link.
    assert "/cases/c/" not in client.get(reverse("cases:detail", args=[case.pk])).content.decode()


def test_a_forged_or_foreign_link_is_not_sent(client, world, staff):
    from django.core import signing

    case = make_case(world, staff.commune_worker_a)
    other = make_case(world, staff.commune_worker_a, name="Trần Văn Khác")
    _login(client, staff)
    foreign = signing.dumps({"case": other.pk, "url": URL}, salt="cases.link_send")
    for link in ("", "x" * 500, foreign):
        response = client.post(
            reverse("cases:link_send", args=[case.pk]),
            {"link": link, "channel": "sms"},
            follow=True,
        )
        assert response.status_code == 200
        assert "hãy cấp link mới" in response.content.decode()
    assert gateways.console_outbox == []


def test_reissuing_asks_first_and_revokes_the_old_link(client, world, staff):
    case = make_case(world, staff.commune_worker_a)
    _old, raw = services.case_link_issue(by=staff.commune_worker_a, case=case)
    _login(client, staff)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "đường link F0 đang dùng sẽ ngừng hoạt động" in page
    client.post(reverse("cases:link_issue", args=[case.pk]))  # not confirmed
    assert CaseLink.resolve(raw) is not None
    client.post(reverse("cases:link_issue", args=[case.pk]), {"confirmed": "1"})
    assert CaseLink.resolve(raw) is None
    assert CaseLink.objects.filter(case=case, revoked_at__isnull=True).count() == 1
