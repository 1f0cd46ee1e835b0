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
