"""Every paper the platform prints (door sign, commitment form, recovery certificate, daily
report, checkpoint poster) is read back as text and checked for working notes: no "seed",
no "chưa xác nhận" inside a citation, no "TODO", no Python repr.

Each check asserts which template it printed, and `test_every_printed_paper_is_checked`
fails when a PDF template on disk is missing from `CHECKED`, so a new paper cannot ship
unchecked.
"""

import re
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone
from pdfminer.high_level import extract_text

from phongdich.cases import services as case_services
from phongdich.cases.models import Case
from phongdich.cases.tests.builders import make_case
from phongdich.checkpoints import services as checkpoint_services
from phongdich.checkpoints.tests import builders as checkpoint_builders

# Working notes that must never reach paper, each with why it is a note and not a text.
FORBIDDEN = [
    (re.compile(r"\bseed\b", re.I), "a reference to the project's seed data"),
    (re.compile(r"chưa\s+xác\s+nhận", re.I), "an unconfirmed remark inside a citation"),
    (re.compile(r"chưa\s+đối\s+chiếu", re.I), "the staff-only flag of an unchecked rule"),
    (re.compile(r"\(số\s+hiệu", re.I), "a placeholder for a document number"),
    (re.compile(r"\bTODO\b|\bFIXME\b|\bXXX\b"), "a programmer's marker"),
    (re.compile(r"lorem\s+ipsum|\blorem\b", re.I), "filler text"),
    (re.compile(r"\{'|'\}|\['|'\]|\bNone\b|\bTrue\b|\bFalse\b"), "a Python value's repr"),
    (re.compile(r"\d{4}-\d{2}-\d{2}"), "an ISO date (papers print dd/mm/yyyy)"),
    (re.compile(r"\b[a-z]+_[a-z_]+\b"), "a code such as a choice key"),
]

PDF_TEMPLATES = sorted(
    str(path.relative_to(path.parents[2])).replace("\\", "/")
    for path in Path(django_settings.BASE_DIR, "phongdich").glob("*/templates/*/pdf/*.html")
    if not path.name.startswith("_")
)
# Every paper, each printed and read back by a test below.
CHECKED = {
    "checkpoints/pdf/door_sign.html",
    "checkpoints/pdf/commitment.html",
    "checkpoints/pdf/poster.html",
    "cases/pdf/certificate.html",
    "cases/pdf/report.html",
    "vaccination/pdf/certificate.html",
    "vaccination/pdf/outreach.html",
    "reports/pdf/briefing.html",
    "quarantine/pdf/certificate.html",
}


def pdf_text(response, template: str) -> str:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    assert template in {t.name for t in response.templates}, template
    return extract_text(BytesIO(response.content))


def working_notes(text: str) -> list[str]:
    found = []
    for pattern, why in FORBIDDEN:
        for match in pattern.finditer(text):
            found.append(f"{match.group(0)!r}: {why}")
    return found


def test_the_forbidden_patterns_catch_what_they_name():
    """The check must be able to fail: each phrase removed from the papers is caught."""
    for note in (
        "Căn cứ: Hướng dẫn (theo kết luận seed 001)",
        "Công văn 1909/BYT-DP (nội dung chính xác chưa xác nhận)",
        "Căn cứ: Hướng dẫn (số hiệu/ngày văn bản chưa xác nhận)",
        "TODO: số điện thoại",
        "Lorem ipsum",
        "Triệu chứng: {'cough': True}",
        "Xét nghiệm: 2022-01-05",
        "Mức độ: asymptomatic_case",
    ):
        assert working_notes(note), note
    assert not working_notes("Căn cứ: Công văn 10696/BYT-MT, 16/12/2021. Ngày 05/01/2022.")


def _quarantine(world, staff, policy_key):
    handover = checkpoint_builders.handover(world, staff)
    checkpoint_services.handover_confirm(by=staff.commune_worker_a, handover=handover)
    return checkpoint_services.quarantine_start(
        by=staff.commune_worker_a, handover=handover, policy_key=policy_key
    )


@pytest.mark.parametrize(
    "policy_key, cited",
    [
        # 10696 is checked against its text: the paper cites it.
        ("2021-12-16-10696", "Công văn 10696/BYT-MT"),
        # Early-2022 guidance has no checked number or date: the paper leaves the citation out.
        ("2022-early", None),
    ],
)
@pytest.mark.parametrize("kind", ["door-sign", "commitment"])
def test_quarantine_papers_cite_only_confirmed_rules(client, world, staff, policy_key, cited, kind):
    quarantine = _quarantine(world, staff, policy_key)
    client.force_login(staff.commune_worker_a)
    text = pdf_text(
        client.get(reverse("quarantine:document", args=[quarantine.pk, kind])),
        f"checkpoints/pdf/{kind.replace('-', '_')}.html",
    )
    assert not working_notes(text), working_notes(text)
    if cited:
        assert "Căn cứ" in text and cited in text
    else:
        assert "Căn cứ" not in text
    assert quarantine.end_date.strftime("%d/%m/%Y") in text


def test_a_paper_from_before_the_clean_up_prints_no_working_note(client, world, staff):
    """A quarantine opened when the citation still carried its note keeps that copy; the
    paper prints no citation for an unconfirmed rule, so the note stays off the paper."""
    quarantine = _quarantine(world, staff, "2022-early")
    type(quarantine).objects.filter(pk=quarantine.pk).update(
        policy_source="Hướng dẫn của Bộ Y tế đầu năm 2022 (số hiệu, ngày chưa xác nhận)"
    )
    client.force_login(staff.commune_worker_a)
    for kind in ("door-sign", "commitment"):
        url = reverse("quarantine:document", args=[quarantine.pk, kind])
        template = f"checkpoints/pdf/{kind.replace('-', '_')}.html"
        assert not working_notes(pdf_text(client.get(url), template))


def test_the_door_sign_gives_the_health_stations_phone(client, world, staff):
    from phongdich.hotline.models import ResponsibleUnit

    quarantine = _quarantine(world, staff, "2021-12-16-10696")
    client.force_login(staff.commune_worker_a)
    url = reverse("quarantine:document", args=[quarantine.pk, "door-sign"])
    without = pdf_text(client.get(url), "checkpoints/pdf/door_sign.html")
    assert "Điện thoại: ....." in without  # a line to write the number in by hand
    ResponsibleUnit.objects.create(
        name=f"Trạm y tế {world.commune_a.name}",
        kind=ResponsibleUnit.Kind.HEALTH_STATION,
        admin_unit=world.commune_a,
        phone="02373 852 111",
    )
    text = pdf_text(client.get(url), "checkpoints/pdf/door_sign.html")
    assert "Điện thoại: 02373 852 111" in text
    assert f"Trạm y tế {world.commune_a.name}" in text


def _recovered(world, staff, **extra):
    case = make_case(world, staff.commune_worker_a, vaccination="full", **extra)
    start = timezone.localdate() - timedelta(days=10)
    Case.objects.filter(pk=case.pk).update(isolation_start=start, diagnosed_on=start)
    case.refresh_from_db()
    case_services.case_release(by=staff.commune_worker_a, case=case)
    case.refresh_from_db()
    return case


def test_the_certificate_has_its_number_the_identity_number_and_a_whole_title(client, world, staff):
    case = _recovered(world, staff, id_number="038090001234")
    other = _recovered(world, staff, name="Lê Thị Bình", id_number="038190004321")
    client.force_login(staff.commune_worker_a)
    text = pdf_text(
        client.get(reverse("cases:certificate", args=[case.pk])), "cases/pdf/certificate.html"
    )
    assert not working_notes(text), working_notes(text)
    assert f"Số: {case.certificate_number}" in text
    assert case.certificate_number != other.certificate_number
    assert "038090001234" in text  # in full: the holder shows this paper as theirs
    lines = [line.strip() for line in text.splitlines()]
    # The title breaks between words only, and "COVID-19" stays on one line.
    assert "GIẤY XÁC NHẬN" in lines
    assert any(line.endswith("COVID-19") for line in lines), lines[:12]
    assert not any(line.endswith("COVID-") for line in lines)
    # The public verify page names the same number, and nothing more personal than before.
    verify = client.get(reverse("cases:certificate_verify", args=[case.certificate_code]))
    html = verify.content.decode()
    assert case.certificate_number in html
    assert "038090001234" not in html


def test_the_daily_report_and_the_checkpoint_poster_carry_no_working_note(client, world, staff):
    make_case(world, staff.commune_worker_a)
    report = case_services.daily_report_draft(
        by=staff.province_health_officer, unit=world.province, day=timezone.localdate()
    )
    case_services.daily_report_publish(
        by=staff.province_health_officer, report=report, commentary="Số ca mới tăng nhẹ."
    )
    text = pdf_text(
        client.get(reverse("cases:public_report_pdf", args=[report.pk])), "cases/pdf/report.html"
    )
    assert not working_notes(text), working_notes(text)
    assert "COVID-19" in text
    checkpoint = checkpoint_builders.checkpoint(world)
    client.force_login(staff.checkpoint_officer)
    poster = pdf_text(
        client.get(reverse("checkpoints:poster", args=[checkpoint.pk])),
        "checkpoints/pdf/poster.html",
    )
    assert not working_notes(poster), working_notes(poster)


def test_every_printed_paper_is_checked():
    assert len(PDF_TEMPLATES) >= len(CHECKED)
    assert set(PDF_TEMPLATES) == CHECKED, set(PDF_TEMPLATES) ^ CHECKED


def test_the_vaccination_certificate_carries_no_working_note(client, world, staff):
    from phongdich.vaccination.tests import jurisdiction as vaccination_builders

    person_pk = vaccination_builders._certificate_of_b(world, staff)["pk"]
    client.force_login(staff.commune_worker_b)
    text = pdf_text(
        client.get(reverse("vaccination:certificate", args=[person_pk])),
        "vaccination/pdf/certificate.html",
    )
    assert not working_notes(text), working_notes(text)
    assert "Đỗ Văn Bê" in text and "COVID-19" in text


def test_the_outreach_list_carries_no_working_note(client, world, staff):
    from phongdich.people.services import person_register

    person_register(
        by=staff.commune_worker_a,
        full_name="Trần Văn Chưa",
        birth_year=1970,
        phone="0913222333",
        commune=world.commune_a,
    )
    client.force_login(staff.commune_worker_a)
    response = client.get(
        reverse("vaccination:outreach_pdf"), {"commune": world.commune_a.pk, "min_age": 15}
    )
    text = pdf_text(response, "vaccination/pdf/outreach.html")
    assert not working_notes(text), working_notes(text)
    flat = " ".join(text.split())  # a name may wrap inside its table cell
    assert "Trần Văn Chưa" in flat and "Không để bỏ sót" in flat


def test_the_briefing_carries_no_working_note(client, world, staff):
    from phongdich.reports.services import briefing_create

    today = timezone.localdate()
    briefing = briefing_create(
        by=staff.committee_member, unit=world.province, day_from=today, day_to=today
    )
    client.force_login(staff.committee_member)
    response = client.get(reverse("reports:download", args=[briefing.pk, "pdf"]))
    text = pdf_text(response, "reports/pdf/briefing.html")
    assert "BÁO CÁO NHANH" in text
    assert working_notes(text) == []


def test_the_quarantine_completion_certificate_carries_no_working_note(client, world, staff):
    from phongdich.quarantine.tests import jurisdiction as quarantine_builders

    pk = quarantine_builders._certificate(world, staff)["pk"]
    client.force_login(staff.commune_worker_b)
    text = pdf_text(
        client.get(reverse("quarantine:certificate", args=[pk])),
        "quarantine/pdf/certificate.html",
    )
    assert not working_notes(text), working_notes(text)
    assert "Người Cách Ly Xã B" in text and "10/01/2022" in text
