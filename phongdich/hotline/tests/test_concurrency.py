"""Two agents claim one ticket at the same moment: exactly one holds it.

On PostgreSQL the two claims run in real threads on separate connections, released by a
barrier so their UPDATEs race; on SQLite (one writer) the claims run one after the other.
"""

import threading
from functools import partial

import pytest
from django.db import connection, connections

from phongdich.hotline import services
from phongdich.hotline.models import Ticket
from phongdich.testing import make_staff, make_world, while_paused_in


@pytest.mark.django_db(transaction=True)
def test_it_never_lets_two_agents_hold_one_ticket():
    from phongdich.hotline.models import Category

    if not Category.objects.filter(code="f0_advice").exists():  # transaction tests flush data
        Category.objects.create(code="f0_advice", name="F0", branch_number=3)
    world = make_world()
    staff = make_staff(world)
    agents = [staff.hotline_agent, staff.province_admin]
    results = {}
    for round_number in range(5):
        ticket = services.ticket_create(
            by=None,
            channel="web",
            category="f0_advice",
            text=f"hỏi {round_number}",
            commune=world.commune_a,
        )
        if connection.vendor == "postgresql":
            barrier = threading.Barrier(2)

            def claim(agent, ticket_id=ticket.pk, barrier=barrier):
                try:
                    barrier.wait(timeout=10)
                    services.ticket_claim(by=agent, ticket=Ticket.objects.get(pk=ticket_id))
                    results[(ticket_id, agent.pk)] = "won"
                except services.TicketConflict:
                    results[(ticket_id, agent.pk)] = "lost"
                finally:
                    connections.close_all()

            threads = [threading.Thread(target=claim, args=(agent,)) for agent in agents]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
        else:
            for agent in agents:
                try:
                    services.ticket_claim(by=agent, ticket=Ticket.objects.get(pk=ticket.pk))
                    results[(ticket.pk, agent.pk)] = "won"
                except services.TicketConflict:
                    results[(ticket.pk, agent.pk)] = "lost"
        outcome = sorted(results[(ticket.pk, agent.pk)] for agent in agents)
        assert outcome == ["lost", "won"]
        ticket.refresh_from_db()
        winner = next(a for a in agents if results[(ticket.pk, a.pk)] == "won")
        assert ticket.claimed_by_id == winner.pk
        assert ticket.events.filter(kind="claim").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_slow_gateway_send_does_not_freeze_the_ticket(monkeypatch):
    """message_deliver holds its message's lock while the gateway sends (never twice); the
    ticket must stay writable meanwhile: an agent's note (a message row whose foreign key
    takes a key-share lock on the ticket) and the ticket's own UPDATE must not wait for a
    gateway that may take its whole timeout. Locking the joined ticket FOR UPDATE froze it."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks and lock_timeout: PostgreSQL")
    from phongdich.hotline import gateways
    from phongdich.hotline.models import Category, TicketMessage

    if not Category.objects.filter(code="other").exists():  # transaction tests flush data
        Category.objects.create(code="other", name="Khác", branch_number=9)
    world = make_world()
    staff = make_staff(world)
    ticket = services.ticket_inbound(channel="sms", phone="0912345678", text="cần thuốc")
    message = services.ticket_reply(by=staff.hotline_agent, ticket=ticket, body="Đã chuyển trạm")
    # The test settings run the delivery job at once (console gateway): queue it again so
    # the worker's send below is the one that happens.
    TicketMessage.objects.filter(pk=message.pk).update(delivery_status="queued", external_id="")
    deliver = partial(services.message_deliver, message_id=message.pk)
    with while_paused_in(monkeypatch, gateways.ConsoleGateway, "send", deliver) as outcome:
        note = services.ticket_reply(
            by=staff.hotline_agent,
            ticket=Ticket.objects.get(pk=ticket.pk),
            body="ghi chú trong lúc gửi",
            internal=True,
        )
        Ticket.objects.filter(pk=ticket.pk).update(priority=ticket.priority)
    assert note.pk and outcome["result"].delivery_status == "sent"
    assert services.message_deliver(message_id=message.pk).delivery_status == "sent"
