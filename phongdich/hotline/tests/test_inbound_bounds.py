"""A signed gateway message the database could not store is refused (400), never a 500."""

from phongdich.hotline.api import INBOUND_ID_MAX_LENGTH
from phongdich.hotline.models import Ticket

from .test_webhook_gateways import SMS, post


def test_it_refuses_a_message_id_longer_than_its_column(client, units):
    response = post(client, {**SMS, "id": "g" * (INBOUND_ID_MAX_LENGTH + 1)})
    assert response.status_code == 400
    assert response.json()["detail"]
    assert not Ticket.objects.exists()


def test_it_keeps_the_longest_id_that_fits(client, units):
    response = post(client, {**SMS, "id": "g" * INBOUND_ID_MAX_LENGTH})
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.source_ref == "sms:" + "g" * INBOUND_ID_MAX_LENGTH


def test_it_refuses_a_nul_anywhere_in_the_message(client, units):
    for field in ("text", "from", "channel"):
        response = post(client, {**SMS, field: "a\x00b"})
        assert response.status_code == 400, field
    assert not Ticket.objects.exists()


def test_it_refuses_a_body_that_is_not_an_object(client, units):
    for payload in ([1, 2], "text", 5):
        assert post(client, payload).status_code == 400
