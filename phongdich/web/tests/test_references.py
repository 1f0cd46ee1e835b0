"""Every citizen submission answers with a reference number, and staff find the record from it
(within their jurisdiction only)."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from phongdich.cases import services as cases
from phongdich.cases.models import Case
from phongdich.cases.tests.builders import make_case
from phongdich.hotline import services as hotline
from phongdich.lib.references import reference_for

REF = re.compile(r"(F0|TD|1022|HT|KB)-\d{4}-[0-9A-Z]{6}")


@pytest.fixture(autouse=True)
def _clear_rate_limits(db):
    cache.clear()


def _ref_in(html: str) -> str:
    found = REF.search(html.split('id="reference"')[1])
    assert found, "no reference number on the page"
    return found.group(0)


def test_a_self_declared_f0_gets_a_reference_staff_can_open(client, world, staff):
    data = {
        "full_name": "Mai Thị Hoa",
        "birth_year": "1992",
        "phone": "0987 111 222",
        "commune": world.commune_a.pk,
        "tested_on": timezone.localdate().strftime("%d/%m/%Y"),
    }
    page = client.post(reverse("cases:self_declare"), data).content.decode()
    ref = _ref_in(page)
    assert ref.startswith(f"F0-{timezone.localdate():%d%m}-")
    case = Case.objects.get()
    client.force_login(staff.commune_worker_a)
    # Typed as read out on the phone: lower case, spaces.
    typed = ref.replace("-", " ").lower()
    response = client.get(reverse("reference_lookup"), {"q": typed})
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    # Commune B's worker may not see that case: "not found", like a missing one.
    client.force_login(staff.commune_worker_b)
    response = client.get(reverse("reference_lookup"), {"q": ref})
    assert response.status_code == 200
    assert "Không tìm thấy hồ sơ" in response.content.decode()


def test_the_honeypot_answer_looks_the_same_and_names_nothing(client, world, staff):
    page = client.post(
        reverse("cases:self_declare"),
        {
            "full_name": "Bot",
            "birth_year": "1990",
            "phone": "0987 111 333",
            "commune": world.commune_a.pk,
            "tested_on": timezone.localdate().strftime("%d/%m/%Y"),
            "website": "http://spam.example",
        },
    ).content.decode()
    assert _ref_in(page).startswith("F0-")
    assert not Case.objects.exists()


def test_an_f0_check_answers_with_its_reference(client, world, staff):
    case = make_case(world, staff.commune_worker_a)
    _link, raw = cases.case_link_issue(by=staff.commune_worker_a, case=case)
    page = client.post(
        reverse("cases:check_form", args=[raw]),
        {"submission_key": "k" * 20, "temperature": "37.0", "spo2": "98"},
    ).content.decode()
    check = case.checks.get()
    assert _ref_in(page) == reference_for(check)
    client.force_login(staff.commune_worker_a)
    response = client.get(reverse("reference_lookup"), {"q": reference_for(check)})
    assert response["Location"] == reverse("cases:detail", args=[case.pk])


def test_a_1022_question_and_a_relief_request_carry_references(client, world, staff):
    ticket = hotline.ticket_create(
        by=None, channel="web", category="f0_advice", text="hỏi", commune=world.commune_a
    )
    raw = hotline.ticket_link_mint(by=None, ticket=ticket)
    page = client.get(reverse("hotline:citizen", args=[raw])).content.decode()
    assert _ref_in(page) == reference_for(ticket)
    assert ticket.pk != int(reference_for(ticket)[-6:], 36)  # not the counter in disguise

    relief = hotline.relief_request_create(
        by=staff.relief_officer, household_name="Hộ A", commune=world.commune_a, need_rice=True
    )
    client.force_login(staff.relief_officer)
    detail = client.get(reverse("hotline:relief_detail", args=[relief.pk])).content.decode()
    assert _ref_in(detail) == reference_for(relief)
    response = client.get(reverse("reference_lookup"), {"q": reference_for(relief)})
    assert response["Location"] == reverse("hotline:relief_detail", args=[relief.pk])


@pytest.mark.parametrize("q", ["", "abc", "F0-0000-000000", "x" * 300, "1022-0101-ZZZZZZ"])
def test_the_lookup_never_fails_on_odd_input(client, staff, q):
    client.force_login(staff.commune_worker_a)
    assert client.get(reverse("reference_lookup"), {"q": q}).status_code == 200
