"""How read events are named on a person's page: what the reader was looking at."""

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# Actions named by the views that record reads; an action missing here shows its code.
READ_ACTIONS = {
    "read": _("Mở hồ sơ"),
    "people.search": _("Kết quả tra cứu người dân"),
    "people.api_search": _("Tra cứu người dân qua API"),
    "people.api_read": _("Hồ sơ người dân qua API"),
    "people.register_candidates": _("Hồ sơ có thể trùng khi thêm người"),
    "cases.queue": _("Danh sách theo dõi F0"),
    "cases.transfer_form": _("Chuyển nơi điều trị"),
    "cases.death_form": _("Ghi nhận tử vong"),
    "cases.certificate": _("Giấy xác nhận khỏi bệnh (PDF)"),
    "cases.photo": _("Ảnh kết quả tự xét nghiệm"),
    "cases.api_summary": _("Tóm tắt ca bệnh qua API"),
    "hotline.queue": _("Danh sách phiếu 1022"),
    "hotline.api_tickets": _("Danh sách phiếu 1022 qua API"),
    "hotline.caller_lookup": _("Tra cứu số người gọi 1022"),
    "hotline.ticket_read": _("Mở phiếu 1022"),
    "hotline.relief_list": _("Danh sách yêu cầu hỗ trợ"),
    "hotline.relief_read": _("Mở yêu cầu hỗ trợ"),
    "hotline.support_list": _("Danh sách chi hỗ trợ"),
    "checkpoints.lookup": _("Tra tờ khai tại chốt"),
    "checkpoints.arrivals": _("Danh sách người về địa phương"),
    "checkpoints.quarantines": _("Danh sách cách ly tại nhà"),
    "checkpoints.quarantine_read": _("Mở hồ sơ cách ly tại nhà"),
    "checkpoints.quarantine_pdf": _("Giấy tờ cách ly (PDF)"),
    "checkpoints.follow_ups": _("Danh sách cần theo dõi"),
    "checkpoints.forecasts": _("Danh sách dự kiến người về"),
    "checkpoints.oversight": _("Giám sát chốt: kết thúc cách ly hôm nay"),
}

# Names for records whose model has no Vietnamese verbose_name of its own.
RECORD_NAMES = {
    "checkpoints.declaration": _("tờ khai"),
    "checkpoints.handover": _("bàn giao người về"),
    "checkpoints.homequarantine": _("hồ sơ cách ly tại nhà"),
    "checkpoints.returneeforecast": _("dự kiến người về"),
    "hotline.supportpayment": _("khoản chi hỗ trợ"),
}

# Where a record shown through a read can be opened again, when it has a page.
RECORD_URLS = {
    "cases.case": "cases:detail",
    "hotline.ticket": "hotline:ticket",
    "hotline.reliefrequest": "hotline:relief_detail",
    "checkpoints.homequarantine": "checkpoints:quarantine",
}


def action_label(action: str) -> str:
    return READ_ACTIONS.get(action, action)


def record_label(record_type: str, record_id: int) -> str:
    name = RECORD_NAMES.get(record_type)
    if name is None:
        try:
            name = apps.get_model(record_type)._meta.verbose_name
        except (LookupError, ValueError):
            name = record_type
    return f"{name} #{record_id}"


def record_url(record_type: str, record_id: int) -> str:
    try:
        return reverse(RECORD_URLS[record_type], args=[record_id])
    except (KeyError, NoReverseMatch):
        return ""


def read_rows(subjects) -> list[dict]:
    """Rows for the "who has read these records" table; the person's own record shows no
    "through" column, a case or ticket of theirs names and links it."""
    rows = []
    for subject in subjects:
        own = subject.record_type == "people.person"
        rows.append(
            {
                "at": subject.event.at,
                "actor": subject.event.actor_label,
                "what": action_label(subject.event.action),
                "count": subject.event.changes.get("count", 1),
                "through": "" if own else record_label(subject.record_type, subject.record_id),
                "through_url": "" if own else record_url(subject.record_type, subject.record_id),
            }
        )
    return rows


def citizen_read_rows(person, limit: int = 10) -> list[dict]:
    """The latest reads of a person's records, for the person's own page behind their
    personal link: which office looked, when and where, without staff usernames (a citizen
    needs to know which office to ask, not whom to call)."""
    from .selectors import person_reads

    subjects = person_reads(person).filter(event__actor__isnull=False)
    subjects = subjects.select_related("event__actor__jurisdiction")[:limit]
    rows = []
    for subject in subjects:
        actor = subject.event.actor
        rows.append(
            {
                "at": subject.event.at,
                "who": actor.get_role_display(),
                "where": actor.jurisdiction.name if actor.jurisdiction_id else "",
                "what": action_label(subject.event.action),
            }
        )
    return rows
