import pytest

from phongdich.directives import demo
from phongdich.directives.models import Document, ReporterMembership, Task

pytestmark = pytest.mark.usefixtures("seeds")


def test_the_demo_imports_and_confirms_the_seeds_once(staff, world):
    users = {"vanthu": staff.directive_clerk, "baocao.huyen": staff.unit_reporter_a}
    lines = []
    demo.build(seed=1, scale=0.01, province=world.province, users=users, log=lines.append)
    assert Document.objects.filter(status=Document.Status.CONFIRMED).count() == 5
    membership = ReporterMembership.objects.get(user=staff.unit_reporter_a)
    assert membership.unit.name == "UBND Thành phố Thanh Hóa"
    # Group addressees reached the district: the reporter has tasks, some with progress.
    own = Task.objects.filter(is_draft=False, assignments__unit=membership.unit)
    assert own.count() >= 5
    assert own.exclude(status=Task.Status.OPEN).exists()
    demo.build(seed=1, scale=0.01, province=world.province, users=users, log=lines.append)
    assert Document.objects.count() == 5


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
    assert len(rows) > 20
    repr_like = re.compile(r"^[\[{]|\{'|'\}|\['|'\]|\bNone\b")
    bad = [(i, c) for i, row in enumerate(rows) for c in row if c and repr_like.search(str(c))]
    assert not bad, bad[:5]
