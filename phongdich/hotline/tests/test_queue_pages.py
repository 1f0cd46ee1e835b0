"""The 1022 queue pages by keyset on due time, keeping its filters."""

import pytest

from phongdich.hotline import services, views

pytestmark = pytest.mark.django_db


def test_the_queue_pages_every_ticket_once_by_due_time(client, units, staff, world, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    made = [
        services.ticket_create(
            by=None, channel="web", category="food", text=f"gạo {n}", commune=world.commune_a
        )
        for n in range(5)
    ]
    client.force_login(staff.hotline_agent)
    response = client.get("/hotline/", {"category": "food"})
    page = response.context["page"]
    seen = [t.pk for t in page]
    html = response.content.decode()
    assert f"category=food&amp;next={page.next}" in html and "page=" not in html
    while page.next:
        page = client.get("/hotline/", {"category": "food", "next": page.next}).context["page"]
        seen += [t.pk for t in page]
    due = sorted(made, key=lambda t: (t.due_at, t.pk))
    assert seen == [t.pk for t in due]
    for junk in ("zzz", "-1", "W1tdXQ"):
        assert client.get("/hotline/", {"next": junk}).status_code == 200
