"""Outbound SMS/chat gateways, chosen by the setting HOTLINE_SMS_GATEWAY.

- "console" (default): writes the message to the log and keeps it in `console_outbox`
  (development and tests);
- "email": sends through Django's mail backend to HOTLINE_SMS_EMAIL_DOMAIN
  (an email-to-SMS bridge: <digits>@<domain>);
- "http": POSTs JSON {"to", "text", "channel", "reference"} to HOTLINE_HTTP_GATEWAY_URL, with
  an optional Bearer HOTLINE_HTTP_GATEWAY_TOKEN and an HMAC-SHA256 signature of the body in
  X-Phongdich-Signature (same secret as the inbound webhook), timeout HOTLINE_HTTP_TIMEOUT.
- or a dotted path to a class with `send(to, text, *, channel, reference) -> str`.
"""

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class GatewayError(Exception):
    pass


@dataclass
class Sent:
    to: str
    text: str
    channel: str
    reference: str


console_outbox: list[Sent] = []


class ConsoleGateway:
    def send(self, to: str, text: str, *, channel: str, reference: str) -> str:
        console_outbox.append(Sent(to, text, channel, reference))
        logger.warning("hotline %s → %s: %s", channel, to, text)
        return f"console-{len(console_outbox)}"


class EmailGateway:
    def send(self, to: str, text: str, *, channel: str, reference: str) -> str:
        domain = getattr(settings, "HOTLINE_SMS_EMAIL_DOMAIN", "sms.localhost")
        digits = to.lstrip("+")
        send_mail(f"[1022] {reference}", text, None, [f"{digits}@{domain}"])
        return f"email-{digits}"


def sign(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class HttpGateway:
    def send(self, to: str, text: str, *, channel: str, reference: str) -> str:
        url = getattr(settings, "HOTLINE_HTTP_GATEWAY_URL", "")
        if not url:
            raise GatewayError("HOTLINE_HTTP_GATEWAY_URL is not set")
        body = json.dumps(
            {"to": to, "text": text, "channel": channel, "reference": reference}
        ).encode()
        headers = {"Content-Type": "application/json"}
        token = getattr(settings, "HOTLINE_HTTP_GATEWAY_TOKEN", "")
        if token:
            headers["Authorization"] = f"Bearer {token}"
        secret = getattr(settings, "HOTLINE_WEBHOOK_SECRET", "")
        if secret:
            headers["X-Phongdich-Signature"] = sign(body, secret)
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        timeout = getattr(settings, "HOTLINE_HTTP_TIMEOUT", 10)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                payload = response.read()
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise GatewayError(str(exc)[:200]) from exc
        try:
            return str(json.loads(payload or b"{}").get("id", ""))[:100]
        except ValueError:
            return ""


GATEWAYS = {"console": ConsoleGateway, "email": EmailGateway, "http": HttpGateway}


def get_gateway():
    name = getattr(settings, "HOTLINE_SMS_GATEWAY", "console") or "console"
    cls = GATEWAYS.get(name) or import_string(name)
    return cls()


def deliver_recorded(send, text: str, *, reference: str) -> None:
    """Send `text` to `send.to` on `send.channel` and keep the outcome on the row.

    The row (a link-send record with status, external_id and error) is written first, as
    FAILED, under its submission key, so a second tap racing the first replays that row
    instead of sending again; this fills in what the gateway answered."""
    try:
        send.external_id = get_gateway().send(
            send.to, text, channel=send.channel, reference=reference
        )[:100]
        send.status = send.Status.SENT
    except GatewayError as exc:
        send.error = str(exc)[:255]
    send.save(update_fields=["external_id", "status", "error"])
