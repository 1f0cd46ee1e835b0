import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from phongdich.hotline import services
from phongdich.hotline.gateways import GatewayError, HttpGateway
from phongdich.hotline.models import Ticket, TicketMessage


def signed(body: bytes, secret="test-secret") -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(client, payload, signature=None):
    body = json.dumps(payload).encode()
    headers = (
        {} if signature is False else {"HTTP_X_PHONGDICH_SIGNATURE": signature or signed(body)}
    )
    return client.post("/api/hotline/inbound", body, content_type="application/json", **headers)


SMS = {"channel": "sms", "from": "0912345678", "text": "Nhà tôi hết gạo", "id": "gw-1"}


def test_it_accepts_a_signed_sms(client, units):
    response = post(client, SMS)
    assert response.status_code == 200
    ticket = Ticket.objects.get(pk=response.json()["ticket_id"])
    assert ticket.channel == "sms" and ticket.caller_phone == "+84912345678"


@pytest.mark.parametrize("signature", [False, "0" * 64, signed(b"other body")])
def test_it_refuses_a_bad_signature_and_stores_nothing(client, units, signature):
    response = post(client, SMS, signature)
    assert response.status_code == 401
    assert Ticket.objects.count() == 0 and TicketMessage.objects.count() == 0


def test_it_refuses_everything_without_a_configured_secret(client, units, settings):
    settings.HOTLINE_WEBHOOK_SECRET = ""
    assert post(client, SMS, signed(json.dumps(SMS).encode(), "")).status_code == 401
    assert Ticket.objects.count() == 0


class Recorder(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 - http.server's naming
        length = int(self.headers["Content-Length"])
        Recorder.received.append((dict(self.headers), json.loads(self.rfile.read(length))))
        body = b'{"id": "gw-42"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def local_gateway(settings):
    server = HTTPServer(("127.0.0.1", 0), Recorder)
    Recorder.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.HOTLINE_SMS_GATEWAY = "http"
    settings.HOTLINE_HTTP_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.HOTLINE_HTTP_GATEWAY_TOKEN = "tok"
    yield Recorder
    server.shutdown()
    server.server_close()


def test_it_posts_replies_to_the_http_gateway(units, staff, local_gateway):
    ticket = services.ticket_inbound(channel="sms", phone="0912345678", text="cần thuốc")
    message = services.ticket_reply(by=staff.hotline_agent, ticket=ticket, body="Đã chuyển trạm")
    services.message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.delivery_status == "sent" and message.external_id == "gw-42"
    headers, payload = local_gateway.received[-1]
    assert payload == {
        "to": "+84912345678",
        "text": "Đã chuyển trạm",
        "channel": "sms",
        "reference": f"1022-{ticket.pk}",
    }
    assert headers["Authorization"] == "Bearer tok"
    assert headers["X-Phongdich-Signature"] == signed(json.dumps(payload).encode())


def test_it_records_a_gateway_failure(units, staff, settings):
    settings.HOTLINE_SMS_GATEWAY = "http"
    settings.HOTLINE_HTTP_GATEWAY_URL = "http://127.0.0.1:9/unreachable"
    settings.HOTLINE_HTTP_TIMEOUT = 1
    with pytest.raises(GatewayError):
        HttpGateway().send("+84912345678", "x", channel="sms", reference="r")
    ticket = services.ticket_inbound(channel="sms", phone="0912345678", text="cần thuốc")
    message = services.ticket_reply(by=staff.hotline_agent, ticket=ticket, body="trả lời")
    services.message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.delivery_status == "failed" and message.delivery_error


def test_it_sends_through_the_email_gateway(units, staff, settings, mailoutbox):
    settings.HOTLINE_SMS_GATEWAY = "email"
    settings.HOTLINE_SMS_EMAIL_DOMAIN = "sms.example.org"
    ticket = services.ticket_inbound(channel="sms", phone="0912345678", text="cần thuốc")
    message = services.ticket_reply(by=staff.hotline_agent, ticket=ticket, body="trả lời")
    services.message_deliver(message_id=message.pk)
    assert mailoutbox[-1].to == ["84912345678@sms.example.org"]
