"""Reads for the labtests pages, scoped to the user's jurisdiction: samples and pools by the
commune where they were taken, re-sampling orders by the commune where the person lives,
campaigns by the unit that runs them."""

from django.db.models import Q

from phongdich.accounts.permissions import scope_to_jurisdiction

from .models import (
    Campaign,
    Pool,
    ResampleOrder,
    Sample,
    SamplingPoint,
    ScreeningRound,
    TestOrder,
)


def samples_visible_to(user):
    return scope_to_jurisdiction(Sample.objects.all(), user, "commune")


def sample_register(user, *, status: str = ""):
    samples = samples_visible_to(user).select_related("person", "commune__parent", "pool")
    if status:
        samples = samples.filter(status=status)
    return samples.order_by("-taken_at", "-pk")


def sample_get(user, pk: int) -> Sample:
    return (
        samples_visible_to(user)
        .select_related("person", "commune__parent", "pool", "campaign")
        .get(pk=pk)
    )


def sample_by_barcode(user, barcode: str) -> Sample | None:
    return samples_visible_to(user).filter(barcode=barcode).first()


def pools_visible_to(user):
    return scope_to_jurisdiction(Pool.objects.all(), user, "commune")


def pool_get(user, pk: int) -> Pool:
    return pools_visible_to(user).select_related("commune__parent").get(pk=pk)


def pool_by_code(user, code: str) -> Pool | None:
    return pools_visible_to(user).filter(code=code).first()


def orders_visible_to(user):
    return scope_to_jurisdiction(ResampleOrder.objects.all(), user, "commune")


def open_orders(user):
    return (
        orders_visible_to(user)
        .filter(status=ResampleOrder.Status.OPEN)
        .select_related("person", "commune__parent", "pool")
        .order_by("created_at", "pk")
    )


def test_orders_visible_to(user):
    return scope_to_jurisdiction(TestOrder.objects.all(), user, "commune")


def open_test_orders(user):
    return (
        test_orders_visible_to(user)
        .filter(status=TestOrder.Status.OPEN)
        .select_related("person", "commune__parent")
        .order_by("created_at", "pk")
    )


def order_get(user, pk: int) -> ResampleOrder:
    return orders_visible_to(user).select_related("person", "pool", "pooled_sample").get(pk=pk)


def campaigns_visible_to(user):
    return scope_to_jurisdiction(Campaign.objects.all(), user, "unit")


def campaign_get(user, pk: int) -> Campaign:
    return campaigns_visible_to(user).select_related("unit").get(pk=pk)


def campaigns_reaching(user):
    """Campaigns the user's unit runs, and those covering one of its communes (a commune's
    team links the free-text team names of its own rows; the rows stay scoped on their own)."""
    covering = scope_to_jurisdiction(
        Campaign.units.through.objects.all(), user, "adminunit"
    ).values("campaign_id")
    return Campaign.objects.filter(
        Q(pk__in=campaigns_visible_to(user).values("pk")) | Q(pk__in=covering)
    )


def campaign_reaching_get(user, pk: int) -> Campaign:
    return campaigns_reaching(user).select_related("unit").get(pk=pk)


def campaign_progress(campaign: Campaign):
    return campaign.progress.select_related("unit__parent").order_by("unit__name")


def rounds_visible_to(user):
    """Rounds of the campaigns the user's unit runs, and rounds covering one of its communes
    (the commune team sets up its points and reads the round's figures, aggregates only)."""
    own = scope_to_jurisdiction(ScreeningRound.objects.all(), user, "campaign__unit")
    covering = scope_to_jurisdiction(
        ScreeningRound.units.through.objects.all(), user, "adminunit"
    ).values("screeninground_id")
    return ScreeningRound.objects.filter(Q(pk__in=own.values("pk")) | Q(pk__in=covering))


def round_get(user, pk: int) -> ScreeningRound:
    return rounds_visible_to(user).select_related("campaign__unit").get(pk=pk)


def campaign_rounds(campaign: Campaign):
    return campaign.round_set.order_by("number")


def points_visible_to(user):
    return scope_to_jurisdiction(SamplingPoint.objects.all(), user, "commune")


def point_get(user, pk: int) -> SamplingPoint:
    return points_visible_to(user).select_related("round__campaign", "commune__parent").get(pk=pk)


def point_samples(point: SamplingPoint):
    return point.samples.select_related("person").order_by("-taken_at", "-pk")
