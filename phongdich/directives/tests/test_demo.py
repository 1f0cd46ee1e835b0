import re

import pytest

from phongdich.directives import demo
from phongdich.directives.models import Document, ReporterMembership, Task

SAMPLES = sorted(demo.DEMO_DOCUMENTS_DIR.glob("*.txt"))
# Words that would show a user the demo is a test fixture, not a steering committee's paper.
DEVELOPMENT_WORDS = re.compile(r"seed|demo|lorem|chưa xác nhận|TODO|mẫu thử", re.IGNORECASE)


def _build(staff, world, lines):
    users = {"vanthu": staff.directive_clerk, "baocao.huyen": staff.unit_reporter_a}
    demo.build(seed=1, scale=0.01, province=world.province, users=users, log=lines.append)


def test_the_demo_imports_the_samples_and_the_seeds_once(staff, world, seeds):
    lines = []
    _build(staff, world, lines)
    shared = len(list(seeds.glob("*.txt")))
    assert Document.objects.filter(status=Document.Status.CONFIRMED).count() == shared + len(
        SAMPLES
    )
    membership = ReporterMembership.objects.get(user=staff.unit_reporter_a)
    assert membership.unit.name == "UBND Thành phố Thanh Hóa"
    # Group addressees reached the district: the reporter has tasks, some with progress.
    own = Task.objects.filter(is_draft=False, assignments__unit=membership.unit)
    assert own.count() >= 5
    assert own.exclude(status=Task.Status.OPEN).exists()
    _build(staff, world, lines)
    assert Document.objects.count() == shared + len(SAMPLES)


def test_without_the_shared_seeds_the_demo_still_has_conclusions(staff, world, settings, tmp_path):
    settings.SEEDS_DIR = tmp_path / "nowhere"
    lines = []
    _build(staff, world, lines)
    assert 2 <= len(SAMPLES) <= 5
    documents = Document.objects.filter(status=Document.Status.CONFIRMED)
    assert sorted(d.source_name for d in documents) == [p.name for p in SAMPLES]
    for document in documents:
        # Read like a conclusion: numbered, dated, from the head of the committee or a deputy.
        assert re.fullmatch(r"\d+/KL-BCĐ", document.number), document.number
        assert document.issued_date and document.meeting_date
        assert "Ban Chỉ đạo" in document.title
        tasks = document.tasks.filter(is_draft=False)
        assert tasks.count() >= 4
        assert tasks.filter(deadline__isnull=False).exists()
        assert tasks.filter(assignments__unit__name="Sở Y tế").exists()
        assert not DEVELOPMENT_WORDS.search(document.text), document.source_name
    # The district reporter has work of their own to look at.
    membership = ReporterMembership.objects.get(user=staff.unit_reporter_a)
    assert Task.objects.filter(is_draft=False, assignments__unit=membership.unit).count() >= 2
    assert any("the samples only" in line for line in lines)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_a_sample_is_about_the_demo_province(path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("UBND TỈNH THANH HÓA") and "Thanh Hóa, ngày" in text
    assert re.search(r"^1\. ", text, re.MULTILINE) and re.search(r"trước ngày \d", text)


def test_the_overall_export_of_the_demo_has_readable_cells(staff, world):
    """Every cell of the follow-up table reads as text an office would type: no Python
    repr of a dict or list (a structured value once reached a cell as "{'…': …}")."""
    import io
    import re

    from openpyxl import load_workbook

    from phongdich.directives.export import overall_workbook

    users = {"vanthu": staff.directive_clerk, "baocao.huyen": staff.unit_reporter_a}
    demo.build(seed=1, scale=0.01, province=world.province, users=users, log=lambda *a: None)
    rows = list(load_workbook(io.BytesIO(overall_workbook())).active.iter_rows(values_only=True))
    assert len(rows) > 15  # group tasks are one row each
    repr_like = re.compile(r"^[\[{]|\{'|'\}|\['|'\]|\bNone\b")
    bad = [(i, c) for i, row in enumerate(rows) for c in row if c and repr_like.search(str(c))]
    assert not bad, bad[:5]
