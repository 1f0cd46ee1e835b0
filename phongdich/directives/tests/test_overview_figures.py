"""The committee overview's stored figures (models.OverviewFigures) are the counted ones.

The page reads figures computed once per change; these tests count them both ways after
each write a clerk or a reporter can make, so a service that forgets `figures_changed` (the
page would show yesterday's figures) fails here.
"""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from phongdich.directives import overview, services
from phongdich.directives.models import OverviewFigures, Task, UnitProposal

from .test_views import _login, _task_of


def _both_ways():
    today = timezone.localdate()
    stored = overview.overview(today).overview
    counted = overview.overview_compute(today)
    assert stored == counted
    return counted


def test_the_stored_figures_follow_every_change_of_the_services(
    staff, confirmed, reporters, small_text
):
    clerk = staff.directive_clerk
    before = _both_ways()
    assert OverviewFigures.objects.get().computed_generation is not None  # stored, not recounted
    task = _task_of(confirmed, reporters["unit_a"])
    # (what happens, whether the overview shows it: accepting a report of done changes no
    # figure, done is done on the overview whether reported or accepted)
    steps = [
        ("report done", True, lambda: services.task_report(
            by=reporters["a"], task=task, unit=reporters["unit_a"],
            status=Task.Status.REPORTED_DONE, text="Đã lập danh sách.",
        )),
        ("return", True, lambda: services.task_review(
            by=clerk, task=task, accept=False, comment="Thiếu số liệu.",
        )),
        ("report again", True, lambda: services.task_report(
            by=reporters["a"], task=task, unit=reporters["unit_a"],
            status=Task.Status.REPORTED_DONE, text="Đã bổ sung.",
        )),
        ("accept", False, lambda: services.task_review(by=clerk, task=task, accept=True)),
        ("the other district reports", True, lambda: services.task_report(
            by=reporters["b"], task=task, unit=reporters["unit_b"],
            status=Task.Status.REPORTED_DONE, text="Đã lập danh sách.",
        )),
        ("a name becomes a unit", True, lambda: services.proposal_accept(
            by=clerk, proposal=UnitProposal.objects.get(status=UnitProposal.Status.PENDING),
            name="Ban Quản lý các khu công nghiệp tỉnh", kind="department",
        )),
        ("a document confirmed", True, lambda: services.document_confirm(
            by=clerk, document=services.document_import(by=clerk, text=small_text)
        )),
    ]  # fmt: skip
    for what, shows, step in steps:
        step()
        after = _both_ways()
        if shows:
            assert after != before, f"{what} changed no figure: the test would prove nothing"
        before = after


def test_a_task_without_a_lead_given_to_a_unit_moves_on_the_scorecard(staff, confirmed, directory):
    before = _both_ways()
    task = confirmed.tasks.get(is_draft=False, ref="3")
    services.task_assign_lead(by=staff.directive_clerk, task=task, unit=directory["Sở Công Thương"])
    after = _both_ways()
    assert (
        dict(after.units)["Sở Công Thương"].total
        == dict(before.units).get("Sở Công Thương", overview.Tally()).total + 1
    )


def test_the_stored_form_gives_back_the_same_figures_in_each_language(confirmed, reporters):
    counted = overview.overview_compute(timezone.localdate())
    assert counted.documents and counted.units and counted.overdue
    data = overview.overview_to_data(counted)
    for language in ("vi", "en"):
        with override(language):
            assert overview.overview_from_data(data) == overview.overview_compute(
                timezone.localdate()
            )


def test_a_new_day_recounts_the_overdue_tasks(confirmed):
    today = timezone.localdate()
    first = overview.overview(today).overview
    # the tasks' deadlines are in March 2022: a day before the first deadline none is overdue
    early = min(t.deadline for t in confirmed.tasks.filter(is_draft=False) if t.deadline)
    assert overview.overview(early - timedelta(days=1)).overview.total.overdue == 0
    assert overview.overview(today).overview == first


def test_a_store_started_before_a_change_is_not_kept(confirmed, reporters):
    today = timezone.localdate()
    overview.overview(today)
    overview.figures_changed()
    row = OverviewFigures.objects.get()
    stale = overview.overview_compute(today)
    overview.figures_changed()  # a write commits while the reader counts
    assert not overview._store(row, stale, today, generation=row.generation)
    assert OverviewFigures.objects.get().computed_generation != row.generation + 1


def test_the_refresh_job_catches_a_change_made_outside_the_services(confirmed):
    today = timezone.localdate()
    overview.overview(today)
    assert overview.overview_refresh(today) is False  # nothing changed: nothing stored
    # the Django admin or a shell: no figures_changed
    confirmed.tasks.filter(is_draft=False).update(deadline=None)
    assert overview.overview(today).overview.total.overdue > 0  # still the stored figures
    assert overview.overview_refresh(today) is True
    assert overview.overview(today).overview.total.overdue == 0


def test_the_page_renders_the_figures_once_per_change(
    client, staff, confirmed, reporters, django_assert_max_num_queries
):
    _login(client, staff.committee_member)
    url = reverse("directives:overview")
    first = client.get(url).content.decode()
    assert 'id="total-tasks">4<' in first
    # session, user, the figures' key, the cache, the viewer's indicator checks (and the
    # layout's own): not the ~10 counting statements nor the render
    with django_assert_max_num_queries(6):
        again = client.get(url).content.decode()
    assert 'id="total-tasks">4<' in again  # (the pages differ only by their CSP nonce)
    task = _task_of(confirmed, reporters["unit_a"])
    services.task_report(
        by=reporters["a"], task=task, unit=reporters["unit_a"],
        status=Task.Status.REPORTED_DONE, text="Đã lập danh sách.",
    )  # fmt: skip
    services.task_report(
        by=reporters["b"], task=task, unit=reporters["unit_b"],
        status=Task.Status.REPORTED_DONE, text="Đã lập danh sách.",
    )  # fmt: skip
    after = client.get(url).content.decode()
    assert after != first
    done = overview.overview_compute(timezone.localdate()).total
    assert done.done == 1
    assert f'id="total-on-time">{done.on_time}<' in after
    assert f'id="total-late">{done.late}<' in after
