"""After a decision the officer sees what was stored (name — decision — time) before the next
traveller: on the direct path and when the page re-sends a passage queued while offline."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from phongdich.checkpoints.models import Passage

from . import builders

PHONE = {"width": 390, "height": 844}
ECHO = re.compile(r"Đã ghi: Nguyễn Văn An — Cho qua — \d\d:\d\d \d\d/\d\d/\d{4}")


def _open_decision(page, live_server, declaration):
    page.goto(f"{live_server.url}/checkpoints/")
    page.fill("#id_code", declaration.code)
    page.click("#lookup-submit")
    page.wait_for_selector("#passage-form")
    page.check("input[name=decision][value=let_through]")


@pytest.mark.django_db(transaction=True)
def test_the_officer_sees_the_recorded_decision_before_the_next_traveller(
    live_server, page, login, world, staff
):
    builders.checkpoint(world)
    declaration, _raw = builders.declaration(world.commune_a)
    page.set_viewport_size(PHONE)
    login(staff.checkpoint_officer)
    _open_decision(page, live_server, declaration)
    page.click("#passage-submit")
    page.wait_for_url(f"{live_server.url}/checkpoints/?checkpoint=*")
    # The next lookup form is open, and the echo of the last decision is above it.
    expect(page.locator("#lookup-form")).to_be_visible()
    echo = page.locator("#passage-echo")
    expect(echo).to_have_text(ECHO)
    passage = Passage.objects.get()
    assert timezone.localtime(passage.at).strftime("%H:%M %d/%m/%Y") in echo.inner_text()
    box = echo.bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"]
    # It is shown once: the following lookup starts clean.
    page.reload()
    expect(page.locator("#passage-echo")).to_be_hidden()


@pytest.mark.django_db(transaction=True)
def test_a_passage_queued_offline_is_echoed_once_the_retry_stores_it(
    live_server, page, context, login, world, staff
):
    builders.checkpoint(world)
    declaration, _raw = builders.declaration(world.commune_a)
    page.set_viewport_size(PHONE)
    login(staff.checkpoint_officer)
    _open_decision(page, live_server, declaration)

    context.set_offline(True)
    page.click("#passage-submit")
    echo = page.locator("#passage-echo")
    expect(echo).to_contain_text("Chưa gửi được")
    expect(echo).to_contain_text("Nguyễn Văn An — Cho qua")
    assert Passage.objects.count() == 0

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(echo).to_have_text(ECHO, timeout=10_000)
    assert Passage.objects.count() == 1
    expect(page.locator("#pending-box")).to_be_hidden()
