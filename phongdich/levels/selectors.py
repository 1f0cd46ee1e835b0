"""Reads for the level pages, scoped to the user's jurisdiction (levels are aggregates, no
personal data; a unit outside the jurisdiction answers 404 like any record)."""

from datetime import date, timedelta

from django.db.models import Max
from django.http import Http404

from phongdich.geo.models import AdminUnit
from phongdich.geo.selectors import home_province, units_within

from .centroids import centroids
from .models import Assessment
from .simplify import outline_layer


def unit_in_scope(user, code: str | None) -> AdminUnit:
    root = getattr(user, "jurisdiction", None)
    if root is None:
        raise Http404
    if not code:
        return root
    unit = units_within(root).select_related("parent").filter(code=code[:10]).first()
    if unit is None:
        raise Http404
    return unit


def latest_day(root: AdminUnit) -> date | None:
    return (
        Assessment.objects.filter(unit=root).aggregate(d=Max("day"))["d"]
        if root is not None
        else None
    )


def table(root: AdminUnit, day: date) -> list[tuple[AdminUnit, Assessment | None]]:
    """The unit and its children with their assessment of the day (two queries)."""
    units = [root, *root.children.select_related("parent").order_by("code")]
    found = {
        a.unit_id: a
        for a in Assessment.objects.filter(day=day, unit__in=units).select_related(
            "reviewed_by", "published_by"
        )
    }
    return [(u, found.get(u.pk)) for u in units]


def pending(root: AdminUnit, day: date):
    """The day's assessments of `root` and every unit below it not yet published."""
    return Assessment.objects.filter(
        day=day,
        unit__path__startswith=root.path,
        status__in=(Assessment.Status.PROPOSED, Assessment.Status.REVIEWED),
    )


def assessment_for(unit: AdminUnit, day: date) -> Assessment | None:
    return Assessment.objects.filter(unit=unit, day=day).first()


def history(unit: AdminUnit, day: date, days: int = 90) -> list[Assessment]:
    return list(
        Assessment.objects.filter(
            unit=unit, day__gt=day - timedelta(days=days), day__lte=day
        ).order_by("day")
    )


LEVEL_FIELDS = ("unit_id", "day", "status", "level", "computed_level", "effective_from")


def published_levels(units, on: date | None = None) -> dict[int, Assessment]:
    """Each unit's level in force: its latest published assessment (effective on `on`
    when given). One query. The committee's dashboard reads this per unit."""
    # Without the stored inputs and outcome (JSON): the callers read levels and dates only.
    qs = Assessment.objects.filter(unit__in=units, status=Assessment.Status.PUBLISHED).only(
        *LEVEL_FIELDS
    )
    if on is not None:
        qs = qs.filter(effective_from__lte=on)
    out: dict[int, Assessment] = {}
    for a in qs.order_by("unit_id", "-effective_from", "-day"):
        out.setdefault(a.unit_id, a)
    return out


def levels_for_dashboard(units, day: date) -> dict[int, dict]:
    """{unit id: {"level", "published", "effective_from"}}: the published level in force
    on `day`, else the day's own assessment: published (it takes effect on its date, at
    least 48 hours later) or a proposal marked unpublished. Two queries."""
    out = {
        uid: {"level": a.final_level, "published": True, "effective_from": a.effective_from}
        for uid, a in published_levels(units, day).items()
    }
    for a in Assessment.objects.filter(unit__in=units, day=day).only(*LEVEL_FIELDS):
        published = a.status == Assessment.Status.PUBLISHED
        out.setdefault(
            a.unit_id,
            {
                "level": a.final_level,
                "published": published,
                "effective_from": a.effective_from if published else None,
            },
        )
    return out


def map_points(root: AdminUnit, day: date, kind: str, *, public: bool = False) -> list[dict]:
    """Each unit's outline where one is imported (shapes.py), else a point at its centroid,
    coloured by level. `public` reads published levels only; staff see the day's proposal
    where nothing is published yet."""
    units = list(units_within(root, kind).select_related("parent"))
    if public:
        levels = {
            uid: {"level": a.final_level, "published": True, "effective_from": a.effective_from}
            for uid, a in published_levels(units).items()
        }
    else:
        levels = levels_for_dashboard(units, day)
    where = centroids()
    # The simplified outlines, held per process by shapes version (simplify.py).
    outlines = outline_layer()
    points = []
    for unit in units:
        spot = where.get(unit.code)
        shape = outlines.get(unit.pk)
        if spot is None and shape is None:
            continue
        info = levels.get(unit.pk, {})
        points.append(
            {
                "code": unit.code,
                "name": unit.label() if unit.kind == AdminUnit.Kind.COMMUNE else unit.name,
                "lat": spot[0] if spot else None,
                "lon": spot[1] if spot else None,
                "shape": shape,
                "level": info.get("level"),
                "published": info.get("published", False),
                "effective_from": info["effective_from"].strftime("%d/%m/%Y")
                if info.get("effective_from")
                else "",
            }
        )
    return points


def public_rows(kind: str) -> list[tuple[AdminUnit, Assessment]]:
    """Published levels of the home province's units of one kind, by district."""
    province = home_province()
    if province is None:
        return []
    units = list(units_within(province, kind).select_related("parent").order_by("path"))
    published = published_levels(units)
    return [(u, published[u.pk]) for u in units if u.pk in published]
