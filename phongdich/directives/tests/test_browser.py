import pytest

from .conftest import FIXTURES


def _logout(page):
    page.click("form[action='/logout/'] button")
    page.wait_for_url("**/login/**")


def _counts(page, live_server):
    page.goto(f"{live_server.url}/directives/overview/")
    return {
        key: int(page.inner_text(f"#total-{key}"))
        for key in ("tasks", "on-time", "late", "open", "overdue")
    }


@pytest.mark.django_db(transaction=True)
def test_upload_confirm_report_done_and_the_committee_sees_it(
    live_server, page, login, staff, directory, reporters
):
    page.on("dialog", lambda dialog: dialog.accept())  # the confirm() before confirming

    login(staff.directive_clerk)
    page.goto(f"{live_server.url}/directives/import/")
    page.set_input_files("#id_file", str(FIXTURES / "small_conclusion.txt"))
    page.click("button[type=submit]:has-text('Đọc văn bản')")
    page.wait_for_url("**/directives/documents/*/")
    assert page.locator(".doc-text mark").count() >= 4  # each task's source is highlighted
    assert page.locator(".task-card").count() == 4
    page.click("button:has-text('Xác nhận và giao nhiệm vụ')")
    page.wait_for_selector("text=Đã xác nhận và giao 4 nhiệm vụ")
    _logout(page)

    login(staff.committee_member)
    before = _counts(page, live_server)
    assert before["tasks"] == 4 and before["late"] == 0
    _logout(page)

    page.set_viewport_size({"width": 390, "height": 844})  # the district reporter's phone
    login(reporters["a"])
    page.goto(f"{live_server.url}/directives/mine/")
    rows = page.locator("table.tasks tbody tr")
    assert rows.count() == 1  # only Thành phố Thanh Hóa's share of "UBND các huyện…"
    rows.first.locator("a").first.click()
    page.select_option("#id_status", "reported_done")
    page.fill("#id_text", "Đã lập danh sách người chưa tiêm tại 34 phường, xã.")
    page.click("button:has-text('Gửi báo cáo')")
    page.wait_for_selector("text=Đã gửi báo cáo tiến độ")
    assert page.inner_text("#task-status") == "Báo cáo hoàn thành"
    _logout(page)

    page.set_viewport_size({"width": 1280, "height": 900})
    login(staff.committee_member)
    after = _counts(page, live_server)
    # Bỉm Sơn has not reported its share: the one task for both districts is still open,
    # and its page shows which district reported.
    assert after == before
    page.goto(f"{live_server.url}/directives/overview/")
    page.click("#overdue a:has-text('người chưa tiêm')")
    members = page.inner_text("#members")
    assert "UBND Thành phố Thanh Hóa" in members and "Báo cáo hoàn thành" in members
    assert "UBND Thị xã Bỉm Sơn" in members and "Chưa thực hiện" in members


@pytest.mark.django_db(transaction=True)
def test_a_news_style_directive_is_imported_confirmed_and_a_district_reports_one(
    live_server, page, login, staff, directory, reporters
):
    """An unseen news reproduction of a công văn (byline, font-size buttons, caption,
    related links): the clerk pastes it, confirms its tasks, and a district reporter reports
    its share of the one task addressed to every district, on a phone."""
    page.on("dialog", lambda dialog: dialog.accept())
    login(staff.directive_clerk)
    page.goto(f"{live_server.url}/directives/import/")
    page.fill("#id_text", (FIXTURES / "news_cong_van.txt").read_text(encoding="utf-8"))
    page.click("button[type=submit]:has-text('Đọc văn bản')")
    page.wait_for_url("**/directives/documents/*/")
    assert page.locator(".task-card").count() >= 2
    assert page.locator(".task-card h3").first.inner_text().startswith("Mục 1.")  # as written
    page.click("button:has-text('Xác nhận và giao nhiệm vụ')")
    page.wait_for_selector("text=Đã xác nhận và giao")
    _logout(page)

    page.set_viewport_size({"width": 390, "height": 844})
    login(reporters["a"])
    page.goto(f"{live_server.url}/directives/mine/")
    page.click("table.tasks a:has-text('người chưa tiêm')")
    assert "1." in page.inner_text("h1")
    assert page.locator("#live-figure").count() == 1  # the outreach list proposed from wording
    page.select_option("#id_status", "reported_done")
    page.fill("#id_text", "Đã lập danh sách tại 34 phường, xã.")
    page.click("button:has-text('Gửi báo cáo')")
    page.wait_for_selector("text=Đã gửi báo cáo tiến độ")
    assert page.inner_text("#task-status") == "Báo cáo hoàn thành"
    _logout(page)

    page.set_viewport_size({"width": 1280, "height": 900})
    login(staff.directive_clerk)
    page.goto(f"{live_server.url}/directives/overview/")
    page.click("#overdue a:has-text('người chưa tiêm')")
    assert "Báo cáo hoàn thành" in page.inner_text("#members")
