"""Demo data for directives: the unit directory, the sample conclusions shipped with the
project (written for the demo province) and the shared seed conclusions when their folder is
there, all confirmed; the district reporter linked to their People's Committee and a little
progress to look at."""

import random
from pathlib import Path

from django.conf import settings
from django.core.files import File

from . import services
from .models import Document, OrgUnit, Task, TaskAssignment

# Shipped with the code so that a newcomer's `make run` has a directives module to look at
# even without the shared seeds folder next to the checkout.
DEMO_DOCUMENTS_DIR = Path(__file__).resolve().parent / "demo_documents"
REPORTER_UNIT = "UBND Thành phố Thanh Hóa"


def build(*, seed: int, scale: float, province, users: dict, log) -> None:
    counts = services.units_seed(by=None, province=province)
    log(f"directives: directory +{counts['bodies']} bodies, +{counts['districts']} districts")
    clerk = users.get("vanthu")
    # Read at call time: tests (and a developer) point PHONGDICH_SEEDS_DIR elsewhere.
    seeds_dir = Path(settings.SEEDS_DIR)
    paths = sorted(DEMO_DOCUMENTS_DIR.glob("*.txt"))
    if seeds_dir.is_dir():
        paths += sorted(seeds_dir.glob("*.txt"))
    else:
        log(f"directives: no shared seed documents in {seeds_dir}; the samples only")
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
