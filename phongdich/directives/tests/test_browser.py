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
    page.wait_for_selector("text=Đã xác nhận và giao 5 nhiệm vụ")
    _logout(page)

    login(staff.committee_member)
    before = _counts(page, live_server)
    assert before["tasks"] == 5 and before["late"] == 0
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
    # The 2022 deadline has long passed, so the report counts as done late.
    assert after["late"] == before["late"] + 1
    assert after["open"] == before["open"] - 1
    assert after["overdue"] == before["overdue"] - 1
