"""Sending a citizen their personal link by SMS or Zalo, kept as one row per sending.

The F0's self-monitoring link (`cases.CaseLinkSend`) and the vaccinee's AEFI link
(`vaccination.AefiLinkSend`) are sent the same way: the raw link exists only when it is
issued (the link row keeps its hash), so the view passes the URL it signed for the officer's
session; the message goes only to the person's own phone; a submission key makes a double
tap one send. Each app's model adds the foreign key to its own link or case.
"""

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .idempotency import SubmittedOnce, fields

# The page showing a new link may send it for this long. The server keeps only the link's
# hash, so a signed copy of the URL rides in the page's form, naming the record it is for.
SHOWN_LINK_SECONDS = 15 * 60


def shown_link_sign(url: str, *, salt: str, key: str, pk: int) -> str:
    return signing.dumps({key: pk, "url": url}, salt=salt)


def shown_link_unsign(value: str, *, salt: str, key: str) -> tuple[int, str] | None:
    """(the record's id, the URL) of a copy signed by `shown_link_sign` within
    SHOWN_LINK_SECONDS, else None (expired, altered, or not this kind of link)."""
    try:
        data = signing.loads(value or "", salt=salt, max_age=SHOWN_LINK_SECONDS)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("url"), str):
        return None
    if not isinstance(data.get(key), int):
        return None
    return data[key], data["url"]


class LinkSend(SubmittedOnce):
    """Abstract: one sending of a personal link (the link itself is not kept)."""

    class Channel(models.TextChoices):
        SMS = "sms", gettext_lazy("SMS")
        ZALO = "zalo", gettext_lazy("Zalo")

    class Status(models.TextChoices):
        SENT = "sent", gettext_lazy("đã gửi")
        FAILED = "failed", gettext_lazy("gửi không được")

    channel = models.CharField(max_length=8, choices=Channel.choices)
    to = models.CharField(max_length=12)  # +84…, the person's phone at the time of sending
    status = models.CharField(max_length=8, choices=Status.choices)
    error = models.CharField(max_length=255, blank=True)
    external_id = models.CharField(max_length=100, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-at"]

    @classmethod
    def check_channel(cls, channel: str) -> None:
        if channel not in cls.Channel.values:
            raise ValidationError(_("Kênh gửi không hợp lệ."))

    @classmethod
    def deliver(cls, *, by, channel: str, to: str, text: str, reference: str, submission, **link):
        """Record the sending, then send `text`; the gateway's answer is kept on the row.

        The row (with its submission key) is written, as failed, before the message goes
        out: a second tap racing this one waits on the key's unique index and replays this
        row, instead of sending its own message and failing only at the insert."""
        # The gateways belong to the hotline app; imported here so lib loads without it.
        from phongdich.hotline.gateways import deliver_recorded

        send = cls.objects.create(
            channel=channel, to=to, by=by, status=cls.Status.FAILED, **fields(submission), **link
        )
        deliver_recorded(send, text, reference=reference)
        return send


def link_send_flash(request, sent: LinkSend, *, phone_display: str) -> None:
    """Tell the officer on the next page whether the gateway took the message."""
    if sent.status == sent.Status.SENT:
        messages.success(
            request,
            _("Đã gửi đường link qua %(channel)s đến %(phone)s.")
            % {"channel": sent.get_channel_display(), "phone": phone_display},
        )
    else:
        messages.error(
            request,
            _("Gửi qua %(channel)s không được; hãy đọc hoặc cho quét mã QR.")
            % {"channel": sent.get_channel_display()},
        )
