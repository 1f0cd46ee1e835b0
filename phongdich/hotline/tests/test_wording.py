"""Words a hotline reader sees: durations in hours and minutes, priority reasons with their
diacritics, in the reader's language."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from phongdich.hotline import rules, services
from phongdich.hotline.labels import priority_reason_label
from phongdich.hotline.models import Ticket
from phongdich.web.templatetags.wording import duration_text


@pytest.mark.parametrize(
    "minutes, vietnamese, english",
    [
        (None, "—", "—"),
        (0.4, "dưới 1 phút", "under 1 min"),
        (0.5, "dưới 1 phút", "under 1 min"),  # rounds half to even: 0
        (1, "1 phút", "1 min"),
        (59.6, "1 giờ", "1 h"),
        (60, "1 giờ", "1 h"),
        (164.0, "2 giờ 44 phút", "2 h 44 min"),
        (1439, "23 giờ 59 phút", "23 h 59 min"),
        (1440, "1 ngày", "1 d"),
        (1440 + 185, "1 ngày 3 giờ", "1 d 3 h"),
    ],
)
def test_durations_read_as_hours_and_minutes(minutes, vietnamese, english):
    with translation.override("vi"):
        assert duration_text(minutes) == vietnamese
    with translation.override("en"):
        assert duration_text(minutes) == english


def test_every_emergency_phrase_has_a_written_form_with_diacritics():
    folded = {phrase for phrase, _priority in rules.EMERGENCY_PHRASES}
    assert folded == set(rules.PHRASE_LABELS)
    reasons = rules.triage("bố tôi thở gấp, tím tái").reasons
    assert reasons == ("P1: “thở gấp”", "P1: “tím tái”")
    assert not any("tho gap" in r for r in reasons)


@pytest.mark.parametrize(
    "stored, vietnamese, english",
    [
        ("P1: “thở gấp”", "P1: “thở gấp”", "P1: “rapid breathing”"),
        # Stored before the phrases had their diacritics: read back in proper words.
        ("P1: “tho gap”", "P1: “thở gấp”", "P1: “rapid breathing”"),
        (
            "P1: F0 có 2 cảnh báo nguy hiểm chưa xử lý",
            "P1: F0 có 2 cảnh báo nguy hiểm chưa xử lý",
            "P1: the F0 has 2 unhandled danger alert(s)",
        ),
        ("P2: 70 tuổi (≥ 65)", "P2: 70 tuổi (≥ 65)", "P2: aged 70 (≥ 65)"),
        ("P2: trẻ dưới 1 tuổi", "P2: trẻ dưới 1 tuổi", "P2: child under 1 year(s)"),
        ("P2: phụ nữ mang thai", "P2: phụ nữ mang thai", "P2: pregnant woman"),
        ("ghi tay của tổng đài viên", "ghi tay của tổng đài viên", "ghi tay của tổng đài viên"),
    ],
)
def test_stored_reasons_read_in_the_readers_language(stored, vietnamese, english):
    with translation.override("vi"):
        assert priority_reason_label(stored) == vietnamese
    with translation.override("en"):
        assert priority_reason_label(stored) == english


def test_the_oversight_page_shows_medians_in_hours_and_minutes(client, units, staff, world):
    ticket = services.ticket_create(
        by=None, channel="web", category="f0_advice", text="hỏi thuốc", commune=world.commune_a
    )
    created = timezone.now() - timedelta(hours=3)
    Ticket.objects.filter(pk=ticket.pk).update(
        created_at=created, first_response_at=created + timedelta(minutes=164)
    )
    client.force_login(staff.committee_member)
    page = client.get(reverse("hotline:oversight")).content.decode()
    assert "2 giờ 44 phút" in page
    assert "′" not in page and "164,0" not in page
    assert "P3 ·" in page or "P2 ·" in page or "P1 ·" in page  # priorities by label, not code
