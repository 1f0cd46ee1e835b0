"""The audit log reads as sentences: the actor's office and place, what was done, to what."""

import io
import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from phongdich.audit.labels import (
    READ_ACTIONS,
    WRITE_ACTIONS,
    actor_name,
    event_sentence,
    write_label,
)
from phongdich.audit.models import AuditEvent
from phongdich.audit.services import audit_record
from phongdich.audit.tests.exports import download_export

SOURCE = Path(settings.BASE_DIR) / "phongdich"
# `action=<expression>` up to the end of the argument; the dotted literals inside are the
# actions (a conditional such as `"user.activate" if active else "user.deactivate"` has two).
ACTION_ARGUMENT = re.compile(r"action=([^,\n)]*(?:\n\s+[^,\n)]*)?)")
DOTTED = re.compile(r"""["'](?!policy\.)([a-z_]+(?:\.[a-z_]+)+)["']""")
# Actions built with an f-string, and the values their placeholder takes.
FORMATTED = {
    "cases.alert_{action}": ("acknowledge", "resolve", "escalate"),
    "directives.task_{verdict}": ("accept", "return"),
    "checkpoints.quarantine_{what}": ("commitment", "door_sign"),
}


def recorded_actions() -> set[str]:
    found = set()
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for argument in ACTION_ARGUMENT.findall(text):
            found.update(DOTTED.findall(argument))
    for pattern, values in FORMATTED.items():
        found.update(re.sub(r"\{\w+\}", value, pattern) for value in values)
    return found


def test_every_recorded_action_has_words():
    actions = recorded_actions()
    assert len(actions) > 100  # the walk finds the code's actions (it can fail)
    missing = sorted(a for a in actions if a not in WRITE_ACTIONS and a not in READ_ACTIONS)
    assert not missing, f"actions without a sentence in audit/labels.py: {missing}"


def test_a_policy_change_names_its_table():
    with translation.override("vi"):
        label = write_label("policy.hotline.slapolicy.update")
    assert label.startswith("sửa dòng “") and "slapolicy" not in label


def test_a_commune_workers_action_reads_as_a_sentence_of_the_station(world, staff):
    with translation.override("vi"):
        event = audit_record(
            actor=staff.commune_worker_a,
            action="checkpoints.handover_arrived",
            target=world.province,
        )
        sentence = event_sentence(event)
    office = f"Trạm y tế {world.commune_a.name}, {world.district_a.name}"
    assert sentence.startswith(f"{office} ({staff.commune_worker_a.username}) ")
    assert "xác nhận người về đã đến" in sentence
    assert "checkpoints." not in sentence
    with translation.override("en"):
        english = event_sentence(event)
    assert english.startswith(f"Health station of {world.commune_a.name}, ")
    assert "confirmed that a returnee arrived" in english


def test_a_read_and_a_system_event_read_as_sentences(world, staff):
    read = audit_record(
        actor=staff.hotline_agent, action="hotline.queue", kind=AuditEvent.Kind.READ
    )
    system = audit_record(actor=None, action="schedule.task_retry")
    with translation.override("vi"):
        assert "xem “Danh sách phiếu 1022”" in event_sentence(read)
        assert event_sentence(system) == "Hệ thống chạy lại việc định kỳ bị lỗi"
    citizen = audit_record(actor=None, action="hotline.ticket_create", actor_label="người dân")
    with translation.override("en"):
        assert actor_name(citizen) == "Resident"
        assert event_sentence(citizen).startswith("Resident created a 1022 ticket")


def test_the_log_page_and_its_export_show_sentences_not_codes(client, world, staff):
    audit_record(actor=staff.commune_worker_a, action="checkpoints.handover_arrived")
    client.force_login(staff.province_admin)
    page = client.get(reverse("audit:events")).content.decode()
    cells = re.findall(r'<td title="([^"]+)">([^<]+)</td>', page)
    assert cells
    _code, sentence = next(c for c in cells if c[0] == "checkpoints.handover_arrived")
    assert "xác nhận người về đã đến" in sentence and "checkpoints." not in sentence
    export = download_export(client, reverse("audit:events"), {"format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(export)).active.values)
    row = next(r for r in rows[1:] if r[-1] == "checkpoints.handover_arrived")
    assert "xác nhận người về đã đến" in row[3]
    assert not any(str(c).startswith("{") for c in row if c)
