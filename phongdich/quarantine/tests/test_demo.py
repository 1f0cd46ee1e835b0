"""The demo gives the quarantine list something to show, once."""

from phongdich.demo.services import build_demo
from phongdich.quarantine.models import Basis, Quarantine, Status


def test_the_demo_quarantines_f1_and_returnees_once(db):
    build_demo(seed=1, scale=0.001, log=lambda *a: None)
    records = Quarantine.objects.count()
    assert Quarantine.objects.filter(basis=Basis.F1, status=Status.ACTIVE).count() >= 3
    assert Quarantine.objects.filter(basis=Basis.RETURNEE).exists()
    assert Quarantine.objects.filter(status=Status.COMPLETED).exists()
    build_demo(seed=1, scale=0.001, log=lambda *a: None)
    assert Quarantine.objects.count() == records
