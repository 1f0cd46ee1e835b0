"""The F0 forms in a real browser at phone width: every touch target of the check form is
at least 44 px, "no symptoms" clears the others, and the register form shows only the fields
of the chosen test kind."""

import pytest
from playwright.sync_api import expect

from phongdich.cases import services

from .builders import make_case

PHONE = {"width": 390, "height": 844}
MIN_TARGET = 44


@pytest.mark.django_db(transaction=True)
def test_the_check_form_targets_are_44px_and_no_symptoms_is_exclusive(
    live_server, browser, world, staff
):
    case = make_case(world, staff.commune_worker_a, name="Trịnh Văn Bảy")
    _link, raw = services.case_link_issue(by=staff.commune_worker_a, case=case)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        phone = context.new_page()
        phone.goto(f"{live_server.url}/cases/c/{raw}/")
        targets = phone.locator(
            "form.phone-form input:not([type=hidden]):not([type=checkbox]), "
            "form.phone-form textarea, form.phone-form button, form.phone-form fieldset label"
        )
        assert targets.count() > 15
        small = []
        for i in range(targets.count()):
            box = targets.nth(i).bounding_box()
            if box["height"] < MIN_TARGET or box["width"] < MIN_TARGET:
                small.append((targets.nth(i).evaluate("e => e.outerHTML.slice(0, 80)"), box))
        assert not small, small

        none = phone.get_by_label("Không có triệu chứng")
        cough = phone.get_by_label("Ho", exact=True)
        cough.check()
        none.check()
        expect(cough).not_to_be_checked()
        cough.check()
        expect(none).not_to_be_checked()
        cough.uncheck()
        none.check()
        phone.click("button[type=submit]")
        expect(phone.locator("h1")).not_to_contain_text("Phiếu theo dõi sức khỏe của")
        assert case.checks.get().symptoms == []
    finally:
        context.close()


@pytest.mark.django_db(transaction=True)
def test_the_register_form_shows_the_fields_of_the_chosen_test_kind(page, login, staff):
    page.set_viewport_size(PHONE)
    login(staff.commune_worker_a)
    page.goto(page.url.replace("/home/", "/cases/new/"))
    lab, rat_by = page.locator("#id_lab"), page.locator("#id_rat_by")
    expect(lab).to_be_hidden()
    expect(rat_by).to_be_hidden()
    page.select_option("#id_test_kind", "pcr")
    expect(lab).to_be_visible()
    expect(rat_by).to_be_hidden()
    page.select_option("#id_test_kind", "rat")
    expect(rat_by).to_be_visible()
    expect(lab).to_be_hidden()
    expect(page.locator("#id_occupation")).to_have_value("")
