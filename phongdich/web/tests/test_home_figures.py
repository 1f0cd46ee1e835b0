"""Every role's home page: a few figures for today, each a link to the filtered list behind
it, and that list shows the same count."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from phongdich.cases.tests.builders import make_case, submit
from phongdich.checkpoints.tests import builders as checkpoint_builders
from phongdich.directives import demo as directives_demo

FIGURE = re.compile(
    r'<a class="figure( urgent)?" href="([^"]+)"><span class="stat">(\d+)</span> '
    r'<span class="figure-label">([^<]+)</span></a>'
)


def _count_listed(response, anchor: str) -> int | None:
    """The count the linked list shows, from the page's own context (None: not a list)."""
    context = response.context
    if "page" in context and not anchor:
        page = context["page"]
        # A Django Page, or a keyset page (lib.pagination) that carries its own count.
        return page.paginator.count if hasattr(page, "paginator") else page.count
    for key in (anchor, "items", "referrals"):
        if key and key in context:
            return len(context[key])
    if "escorts" in context:
        now = context["now"]
        return sum(1 for e in context["escorts"] if e.exited_at is None and e.due_by < now)
    return None


# Figures whose page has no list of exactly them: the checkpoint officer's form (today's
# passages), the directives overview (a summary by unit, not a list of tasks) and the
# committee's dashboard (precomputed aggregates; each card there links to its live list).
NOT_A_LIST = {"/checkpoints/", "/directives/overview/", "/stats/dashboard/"}


@pytest.fixture
def busy_world(world, staff, settings, tmp_path):
    """Some work for each role: F0s in danger, with another alert, pending; arrivals; the
    demo's sample conclusions with a district reporter's tasks."""
    settings.SEEDS_DIR = tmp_path / "nowhere"
    settings.MEDIA_ROOT = tmp_path / "media"
    worker = staff.commune_worker_a
    submit(make_case(world, worker, name="Lê Văn Một"), key="a", spo2=92)
    submit(make_case(world, worker, name="Lê Văn Hai"), key="b", spo2=95)
    make_case(world, worker, name="Lê Văn Ba")
    make_case(world, staff.commune_worker_b, commune=world.commune_b, name="Lê Văn Bốn")
    checkpoint_builders.handover(world, staff)
    users = {"vanthu": staff.directive_clerk, "baocao.huyen": staff.unit_reporter_a}
    directives_demo.build(
        seed=1, scale=0.01, province=world.province, users=users, log=lambda *_: None
    )
    return staff


def test_each_figure_links_to_a_list_with_the_same_count(client, busy_world):
    checked = 0
    for user in vars(busy_world).values():
        if user.jurisdiction is None:
            continue
        client.force_login(user)
        home = client.get("/home/").content.decode()
        figures = FIGURE.findall(home)
        for _urgent, url, value, label in figures:
            url = url.replace("&amp;", "&")
            path, _, anchor = url.partition("#")
            if path.split("?")[0] in NOT_A_LIST:
                continue
            response = client.get(path)
            assert response.status_code == 200, (user.username, url)
            listed = _count_listed(response, anchor)
            assert listed is not None, (user.username, url, "no list to count")
            assert listed == int(value), (user.username, label, url, listed, value)
            checked += 1
    assert checked >= 15


def test_the_care_team_sees_the_f0s_in_danger_first_with_links(client, busy_world):
    client.force_login(busy_world.care_team_a)
    home = client.get("/home/").content.decode()
    figures = FIGURE.findall(home)
    assert 2 <= len(figures) <= 5 * 3
    first = figures[0]
    assert first[0] == " urgent" and first[1] == "/cases/?show=danger" and int(first[2]) >= 1
    danger = client.get("/cases/?show=danger")
    names = [c.person.full_name for c in danger.context["page"].object_list]
    assert "Lê Văn Một" in names and "Lê Văn Ba" not in names
    assert f"<strong>{len(names)}</strong>" in danger.content.decode()
    # The queue refreshes itself every 15 s: the refresh keeps the filter.
    assert 'hx-get="/cases/?commune=&amp;show=danger"' in danger.content.decode()


@pytest.mark.parametrize("show", ["", "danger", "alerts", "nonsense"])
def test_the_queue_filter_never_fails(client, busy_world, show):
    client.force_login(busy_world.care_team_a)
    assert client.get(f"/cases/?show={show}").status_code == 200


def test_a_reporters_overdue_figure_lists_only_overdue_tasks(client, busy_world):
    client.force_login(busy_world.unit_reporter_a)
    response = client.get("/directives/mine/?show=overdue")
    today = timezone.localdate()
    tasks = list(response.context["page"].object_list)
    assert tasks and all(t.deadline and t.deadline < today for t in tasks)
    assert all(t.status not in ("reported_done", "accepted") for t in tasks)
    assert timedelta(0) < today - tasks[0].deadline
