"""The demo has a campaign with a negative and a positive pool, once, taken by team records
on their shifts."""

from phongdich.demo.services import build_demo
from phongdich.labtests.models import (
    Campaign,
    Pool,
    ResampleOrder,
    Sample,
    SamplingTeam,
    TeamShift,
)


def test_the_demo_builds_a_screening_campaign_once(db):
    build_demo(seed=1, scale=0.001, log=lambda *a: None)
    assert Campaign.objects.count() == 1
    assert set(Pool.objects.values_list("status", flat=True)) == {"negative", "positive_awaiting"}
    assert ResampleOrder.objects.filter(status="open").count() == 4
    assert Sample.objects.filter(presumptive=True).count() == 5
    progress = Campaign.objects.get().progress.get()
    assert progress.sampled == Sample.objects.filter(campaign__isnull=False).count()
    # Every sample and pool points at a team record; none is a free-text name only.
    assert SamplingTeam.objects.count() == 2 and TeamShift.objects.count() == 3
    assert not Sample.objects.filter(sampling_team__isnull=True).exists()
    assert not Pool.objects.filter(sampling_team__isnull=True).exists()
    # The samples taken at the station were filed under the team on shift there.
    station = Sample.objects.filter(point__name="Trạm y tế")
    assert station.exists()
    assert set(station.values_list("sampling_team__name", flat=True)) == {"Tổ lấy mẫu số 2"}
    build_demo(seed=1, scale=0.001, log=lambda *a: None)
    assert Campaign.objects.count() == 1
