"""The data migration that folds the per-unit copies older confirmations made into one task
with a member per unit: nothing is lost (statuses, reports with their unit, reviews)."""

import importlib

from django.apps import apps

from phongdich.directives.models import ProgressReport, ReviewAction, Task, TaskAssignment

fold = importlib.import_module("phongdich.directives.migrations.0005_fold_per_unit_copies").fold


def test_copies_of_one_item_become_one_task_with_their_units_as_members(confirmed, reporters):
    # Rebuild what the old confirmation made: one confirmed copy per district of item 2.
    task = confirmed.tasks.get(is_draft=False, ref="2")
    origin = Task.objects.create(
        document=confirmed, ref="2", text=task.text, is_draft=True, position=task.position
    )
    TaskAssignment.objects.create(
        task=origin, role="lead", name="UBND các huyện, thị xã, thành phố", is_group=True
    )
    copies = {}
    for key, status in (("a", "reported_done"), ("b", "open")):
        copy = Task.objects.create(
            document=confirmed, origin=origin, ref="2", text=task.text, status=status,
            is_draft=False, position=task.position,
        )  # fmt: skip
        TaskAssignment.objects.create(
            task=copy,
            role="lead",
            name=reporters[f"unit_{key}"].name,
            unit=reporters[f"unit_{key}"],
        )
        ProgressReport.objects.create(task=copy, unit=reporters[f"unit_{key}"], status=status)
        copies[key] = copy
    ReviewAction.objects.create(task=copies["b"], verdict="return", comment="Bổ sung.")
    task.delete()

    fold(apps, None)

    kept = Task.objects.get(origin=origin)
    assert kept.pk == copies["a"].pk and not Task.objects.filter(pk=copies["b"].pk).exists()
    members = {m.unit_id: m.status for m in kept.assignments.filter(role="lead")}
    assert members == {reporters["unit_a"].pk: "reported_done", reporters["unit_b"].pk: "open"}
    assert kept.status == "in_progress"
    assert sorted(kept.reports.values_list("unit_id", flat=True)) == sorted(
        [reporters["unit_a"].pk, reporters["unit_b"].pk]
    )
    assert kept.reviews.get().unit == reporters["unit_b"]
