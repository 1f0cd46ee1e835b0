"""Phone-viewport walk through the whole hand-over: traveller → checkpoint → commune."""

import pytest

from phongdich.checkpoints.models import Handover, HomeQuarantine, Passage
from phongdich.quarantine.models import Quarantine

from . import builders

PHONE = {"width": 390, "height": 844}


@pytest.mark.django_db(transaction=True)
def test_it_hands_a_declared_traveller_over_to_the_commune(live_server, page, login, world, staff):
    checkpoint = builders.checkpoint(world)
    page.set_viewport_size(PHONE)

    # The traveller scans the checkpoint poster: the form opens with the checkpoint filled in.
    page.goto(f"{live_server.url}/checkpoints/declare/?checkpoint={checkpoint.pk}")
    page.fill("#id_full_name", "Phạm Thị Dung")
    page.fill("#id_birth_year", "1992")
    page.fill("#id_phone", "0977 123 456")
    page.select_option("#id_travel_mode", "motorbike")
    page.fill("#id_vehicle_number", "30F-111.22")
    page.fill("#id_origin_text", "Hà Nội")
    page.select_option("#id_destination_commune", str(world.commune_a.pk))
    page.fill("#id_destination_address", "8 Hàm Rồng")
    page.select_option("#id_vaccine_doses", "1")
    page.click("#declare-form button[type=submit]")
    page.wait_for_selector("#qr svg")
    code = page.inner_text("#short-code").strip()
    assert len(code) == 6

    # The officer types the short code the traveller reads aloud, and hands over to commune A.
    login(staff.checkpoint_officer)
    page.goto(f"{live_server.url}/checkpoints/")
    page.fill("#id_code", code)
    page.click("#lookup-submit")
    page.wait_for_selector("#passage-form")
    assert "Phạm Thị Dung" in page.content()
    page.fill("#id_temperature", "36.7")
    page.check("input[name=decision][value=handover]")
    page.click("#passage-submit")
    page.wait_for_url(f"{live_server.url}/checkpoints/?checkpoint={checkpoint.pk}")
    assert Passage.objects.filter(decision="handover").count() == 1

    # Commune A's health worker confirms the arrival and prints the door sign.
    page.context.clear_cookies()
    login(staff.commune_worker_a)
    page.goto(f"{live_server.url}/checkpoints/arrivals/")
    page.click("form[action$='/arrived/'] button")
    page.wait_for_selector("form[action$='/quarantine/'] button")
    assert Handover.objects.get().status == Handover.Status.ARRIVED
    page.select_option("form[action$='/quarantine/'] select", "2021-12-16-10696")
    page.click("form[action$='/quarantine/'] button")
    page.wait_for_selector("#door-sign-pdf")
    href = page.get_attribute("#door-sign-pdf", "href")
    response = page.request.get(f"{live_server.url}{href}")
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    page.click("button[value=door_sign]")
    page.wait_for_selector("text=đã dán")
    # The hand-over opened the one quarantine record; checkpoints keeps none of its own.
    assert Quarantine.objects.get().door_sign_posted_at is not None
    assert not HomeQuarantine.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_it_retries_a_passage_after_a_dropped_connection_without_duplicating(
    live_server, page, login, world, staff
):
    builders.checkpoint(world)
    declaration, _raw = builders.declaration(world.commune_a)
    page.set_viewport_size(PHONE)
    login(staff.checkpoint_officer)
    page.goto(f"{live_server.url}/checkpoints/")
    page.fill("#id_code", declaration.code)
    page.click("#lookup-submit")
    page.wait_for_selector("#passage-form")

    dropped = []

    def drop_after_server_saw_it(route):
        # The server records the passage, but the answer never reaches the phone.
        route.fetch()
        dropped.append(1)
        route.abort("connectionreset")

    page.route("**/checkpoints/passages/", drop_after_server_saw_it)
    page.check("input[name=decision][value=let_through]")
    page.click("#passage-submit")
    page.wait_for_selector("text=Mất kết nối")
    assert dropped and Passage.objects.count() == 1
    pending = page.evaluate("JSON.parse(localStorage.getItem('checkpoints.pendingPassages'))")
    assert len(pending) == 1

    # Connection back: the queued passage is re-sent with the same key.
    page.unroute("**/checkpoints/passages/")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    queued = "JSON.parse(localStorage.getItem('checkpoints.pendingPassages')).length"
    for _ in range(50):  # wait_for_function would need eval, which the CSP forbids
        if page.evaluate(queued) == 0:
            break
        page.wait_for_timeout(100)
    assert page.evaluate(queued) == 0
    # And the officer pressing the button again does not add one either.
    page.click("#passage-submit")
    page.wait_for_url(f"{live_server.url}/checkpoints/?checkpoint=*")
    assert Passage.objects.count() == 1
