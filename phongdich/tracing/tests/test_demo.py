"""The demo lists contacts of the demo communes' F0, an F2, a cluster and indicators, once."""

from phongdich.demo.services import build_demo
from phongdich.tracing.models import Cluster, Contact, Indicator


def test_the_demo_traces_contacts_once(db):
    build_demo(seed=1, scale=0.001, log=lambda *a: None)
    contacts = Contact.objects.count()
    assert contacts >= 10
    assert Contact.objects.filter(generation=2).exists()
    assert Cluster.objects.filter(cases__isnull=False).exists()
    assert Indicator.objects.exists()
    build_demo(seed=1, scale=0.001, log=lambda *a: None)
    assert Contact.objects.count() == contacts
