"""The demo has a campaign with a negative and a positive pool, once."""

from phongdich.demo.services import build_demo
from phongdich.labtests.models import Campaign, Pool, ResampleOrder, Sample


def test_the_demo_builds_a_screening_campaign_once(db):
    build_demo(seed=1, scale=0.001, log=lambda *a: None)
    assert Campaign.objects.count() == 1
    assert set(Pool.objects.values_list("status", flat=True)) == {"negative", "positive_awaiting"}
    assert ResampleOrder.objects.filter(status="open").count() == 4
    assert Sample.objects.filter(presumptive=True).count() == 5
    progress = Campaign.objects.get().progress.get()
    assert progress.sampled == Sample.objects.filter(campaign__isnull=False).count()
    build_demo(seed=1, scale=0.001, log=lambda *a: None)
    assert Campaign.objects.count() == 1
