"""Follow-up tables in the layout offices exchange (Biểu theo dõi thực hiện kết luận).

Columns: STT, Nội dung nhiệm vụ, Đơn vị chủ trì, Đơn vị phối hợp, Thời hạn, Tiến độ/Kết quả,
Ghi chú. The overall table has one Roman-numbered heading row per document, then its tasks.
"""

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy

from phongdich.lib import exports
from phongdich.lib.xlsx import build_workbook

from .models import Document, ProgressReport, Task, TaskAssignment
from .selectors import OVERVIEW_ROLES

HEADER = [
    "STT",
    "Nội dung nhiệm vụ",
    "Đơn vị chủ trì",
    "Đơn vị phối hợp",
    "Thời hạn",
    "Tiến độ/Kết quả",
    "Ghi chú",
]


def _roman(number: int) -> str:
    out = ""
    for value, letters in (
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ):  # fmt: skip
        while number >= value:
            out, number = out + letters, number - value
    return out


def _tasks(documents):
    return (
        Task.objects.filter(document__in=documents, is_draft=False)
        .select_related("document")
        .prefetch_related(
            Prefetch("assignments", queryset=TaskAssignment.objects.select_related("unit")),
            Prefetch("reports", queryset=ProgressReport.objects.order_by("-at", "-pk")),
            "reviews",
        )
        .order_by("document_id", "position", "pk")
    )


def task_row(number, task: Task, today) -> list:
    """One row; STT is the item number as the document writes it when it has one."""
    leads = [a for a in task.assignments.all() if a.role == TaskAssignment.Role.LEAD]
    coordinating = [a for a in task.assignments.all() if a.role != TaskAssignment.Role.LEAD]
    deadline = task.deadline.strftime("%d/%m/%Y") if task.deadline else (task.deadline_text or "")
    latest = next(iter(task.reports.all()), None)
    progress = task.get_status_display()
    if latest and latest.text:
        progress += f": {latest.text}"
    if len([a for a in leads if a.unit_id]) > 1:
        # a group task: each member's own status, as the clerk follows them
        progress += "\n" + "; ".join(
            f"{a.unit.name}: {a.get_status_display()}" for a in leads if a.unit_id
        )
    notes = []
    if task.deadline and not task.is_done and task.deadline < today:
        notes.append(f"Quá hạn {(today - task.deadline).days} ngày")
    elif task.done_late:
        notes.append("Hoàn thành chậm")
    review = next(iter(task.reviews.all()), None)
    if review and review.comment and task.status == Task.Status.RETURNED:
        notes.append(f"Trả lại: {review.comment}")
    return [
        task.number or number,
        task.text,
        ", ".join(dict.fromkeys(a.group_name or str(a) for a in leads)),
        ", ".join(str(a) for a in coordinating),
        deadline,
        progress,
        "; ".join(notes),
    ]


def document_workbook(document: Document) -> bytes:
    today = timezone.localdate()
    rows = [task_row(i, t, today) for i, t in enumerate(_tasks([document]), start=1)]
    return build_workbook("Theo dõi kết luận", HEADER, rows)


def overall_rows(today=None):
    """The overall table's rows, streamed one document at a time: holding every task of a
    province's conclusions with their assignments and reports at once cost 305 MB for
    7,200 tasks."""
    today = today or timezone.localdate()
    documents = Document.objects.filter(status=Document.Status.CONFIRMED).order_by("pk")
    for index, document in enumerate(documents.iterator(chunk_size=200), start=1):
        yield [_roman(index), str(document), "", "", "", "", ""]
        for number, task in enumerate(_tasks([document]), start=1):
            yield task_row(number, task, today)


def overall_workbook() -> bytes:
    return build_workbook("Tổng hợp theo dõi", HEADER, overall_rows())


# Built by the worker (lib.exports): the page's button opens the export's progress page.
OVERALL_EXPORT = exports.register(
    exports.ExportKind(
        name="directives.overall",
        title=gettext_lazy("Tổng hợp theo dõi thực hiện kết luận"),
        roles=OVERVIEW_ROLES,
        sheets=lambda user, params: [("Tổng hợp theo dõi", HEADER, overall_rows())],
        estimate=lambda user, params: (
            Task.objects.filter(
                document__status=Document.Status.CONFIRMED, is_draft=False
            ).count()
            + Document.objects.filter(status=Document.Status.CONFIRMED).count()
        ),
        filename=lambda params: "theo-doi-ket-luan.xlsx",
    )
)
