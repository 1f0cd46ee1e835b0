"""End-to-end in Debian's Chromium: log in, search without diacritics, open the person, and
find the read in the audit log."""

import pytest

from phongdich.people.services import person_register


@pytest.mark.django_db(transaction=True)
def test_search_open_and_see_the_read_in_the_audit_log(live_server, login, world, staff):
    person, _ = person_register(
        by=staff.province_admin,
        full_name="Phạm Thị Thủy",
        birth_year=1988,
        phone="0912777888",
        commune=world.commune_a,
    )
    page = login(staff.province_admin)
    page.click("text=Tra cứu người dân")
    page.wait_for_url("**/people/")
    page.fill("input[name=q]", "pham thi thuy")
    # The box searches as one types (htmx, after 300 ms) and pushes the URL once the results
    # are in. Pressing Enter as well sent a second request at the same moment: the test
    # server shares one in-memory SQLite connection between its threads, and two requests
    # at once there fail ("cannot start a transaction within a transaction"), a failure of
    # the test server, not of the page. So the test waits for the typed search.
    page.wait_for_url("**/people/?q=pham*")
    page.click("text=Phạm Thị Thủy")
    page.wait_for_url(f"**/people/{person.pk}/")
    assert page.locator("h1").inner_text() == "Phạm Thị Thủy"
    page.click("text=Nhật ký")
    page.select_option("select[name=kind]", "read")
    page.click("button:has-text('Lọc')")
    row = page.locator("tbody tr").first
    assert "Phạm Thị Thủy" in row.inner_text()
    assert "admin" in row.inner_text()


@pytest.mark.django_db(transaction=True)
def test_the_phone_layout_has_a_menu_and_no_horizontal_scroll(live_server, login, world, staff):
    page = login(staff.commune_worker_a)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/people/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    assert page.locator(".nav").is_hidden()
    page.click("label.nav-toggle-label")
    assert page.locator(".nav").is_visible()
