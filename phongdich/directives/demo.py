"""Demo data for directives: the unit directory, the five seed conclusions confirmed, the
district reporter linked to their People's Committee and a little progress to look at."""

import random
from pathlib import Path

from django.conf import settings
from django.core.files import File

from . import services
from .models import Document, OrgUnit, Task, TaskAssignment

SEEDS_DIR = Path(settings.SEEDS_DIR)
REPORTER_UNIT = "UBND Thành phố Thanh Hóa"


def build(*, seed: int, scale: float, province, users: dict, log) -> None:
    counts = services.units_seed(by=None, province=province)
    log(f"directives: directory +{counts['bodies']} bodies, +{counts['districts']} districts")
    clerk = users.get("vanthu")
    paths = sorted(SEEDS_DIR.glob("*.txt")) if SEEDS_DIR.is_dir() else []
    if not paths:
        log(f"directives: no seed documents in {SEEDS_DIR}; skipped importing")
    imported = 0
    for path in paths:
        if Document.objects.filter(source_name=path.name).exists():
            continue  # the demo may be built again over the same database
        with path.open("rb") as handle:
            document = services.document_import(by=clerk, upload=File(handle, name=path.name))
        if document.status == Document.Status.DRAFT:
            services.document_confirm(by=clerk, document=document)
            imported += 1
    reporter = users.get("baocao.huyen")
    unit = OrgUnit.objects.filter(name=REPORTER_UNIT).first()
    if reporter is not None and unit is not None:
        services.membership_add(by=None, user=reporter, unit=unit)
        _some_progress(seed, reporter, unit)
    log(f"directives: {imported} documents imported and confirmed")


def _some_progress(seed: int, reporter, unit) -> None:
    """A few of the reporter's tasks under way or reported done, chosen by the seed."""
    tasks = list(
        Task.objects.filter(
            is_draft=False,
            status=Task.Status.OPEN,
            assignments__unit=unit,
            assignments__role=TaskAssignment.Role.LEAD,
        ).order_by("pk")
    )
    rng = random.Random(seed)
    for task in rng.sample(tasks, k=min(3, len(tasks))):
        done = rng.random() < 0.5
        services.task_report(
            by=reporter,
            task=task,
            unit=unit,
            status=Task.Status.REPORTED_DONE if done else Task.Status.IN_PROGRESS,
            text="Đã triển khai tới các phường, xã; có báo cáo kèm theo."
            if done
            else "Đang triển khai.",
        )
