"""Free-text team names left without a team record (issue 14): rows typed before teams were
records, or with a name that matches several teams or none, which migration 0009 could not
link. The campaign's page of them lists each name per commune with its counts, and an
officer picks the team: every row of that name is linked in one UPDATE per table. Samples and
pools taken outside any campaign (a sampling point's daily work, a station's rapid tests)
have the same page for the commune or district (`campaign` None: the rows of no campaign;
sampling points always belong to a campaign's round)."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from phongdich.accounts.permissions import check_act_on_unit, scope_to_jurisdiction
from phongdich.audit.services import audit_record
from phongdich.geo.models import AdminUnit
from phongdich.lib.text import nfc

from .models import Campaign, Pool, Sample, SamplingPoint, SamplingTeam


def communes_to_link(user):
    return scope_to_jurisdiction(AdminUnit.objects.filter(kind=AdminUnit.Kind.COMMUNE), user, "pk")


def teams_to_link(user):
    """Teams the user may link names to: those of the jurisdiction, and of the district above
    a commune user. Stopped teams too: old rows were taken by a team that may have stopped."""
    unit = getattr(user, "jurisdiction", None)
    if unit is None:
        return SamplingTeam.objects.none()
    above = Q(unit_id=unit.parent_id) if unit.kind == AdminUnit.Kind.COMMUNE else Q(pk__in=[])
    own = scope_to_jurisdiction(SamplingTeam.objects.all(), user, "unit").values("pk")
    return SamplingTeam.objects.filter(Q(pk__in=own) | above).select_related("unit")


def _fold(name: str) -> str:
    return " ".join(nfc(name or "").split()).casefold()


@dataclass
class UnlinkedName:
    """One free-text team name of a commune in a campaign that points at no team record,
    with how many rows carry it and the teams it may be linked to."""

    commune: AdminUnit
    name: str
    samples: int = 0
    pools: int = 0
    points: int = 0
    options: list = field(default_factory=list)
    matches: list = field(default_factory=list)  # teams of the same name (case, spaces aside)

    @property
    def rows(self) -> int:
        return self.samples + self.pools + self.points

    @property
    def suggested(self):
        return self.matches[0] if len(self.matches) == 1 else None


def _unlinked(qs, user):
    return (
        scope_to_jurisdiction(
            qs.filter(sampling_team__isnull=True).exclude(team=""), user, "commune"
        )
        .values_list("commune_id", "team")
        .annotate(n=Count("pk"))
        .order_by()
    )


def _sources(campaign: Campaign | None):
    """The rows of `campaign` (None: of no campaign) that carry a team name, per table."""
    if campaign is None:
        return (
            ("samples", Sample.objects.filter(campaign__isnull=True)),
            ("pools", Pool.objects.filter(campaign__isnull=True)),
            ("points", SamplingPoint.objects.none()),
        )
    return (
        ("samples", Sample.objects.filter(campaign=campaign)),
        ("pools", Pool.objects.filter(campaign=campaign)),
        ("points", SamplingPoint.objects.filter(round__campaign=campaign)),
    )


def campaign_unlinked_names(user, campaign: Campaign, *, limit: int = 200) -> list[UnlinkedName]:
    return unlinked_names(user, campaign, limit=limit)


def unlinked_names(user, campaign: Campaign | None, *, limit: int = 200) -> list[UnlinkedName]:
    """The team names of the campaign's rows (None: of the rows of no campaign) without a
    team record, per commune of the user's jurisdiction: a grouped query per table, one
    for the communes and one for the teams they may pick, whatever the number of names."""
    found: dict[tuple[int, str], UnlinkedName] = {}
    sources = _sources(campaign)
    for attr, qs in sources:
        for commune_id, name, n in _unlinked(qs, user):
            row = found.setdefault((commune_id, name), UnlinkedName(commune=None, name=name))
            setattr(row, attr, n)
    if not found:
        return []
    communes = AdminUnit.objects.select_related("parent").in_bulk({c for c, _n in found})
    units = {pk for c in communes.values() for pk in (c.pk, c.parent_id) if pk}
    by_unit: dict[int, list] = {}
    for team in SamplingTeam.objects.filter(unit_id__in=units).select_related("unit"):
        by_unit.setdefault(team.unit_id, []).append(team)
    rows = []
    for (commune_id, _name), row in found.items():
        row.commune = communes[commune_id]
        row.options = by_unit.get(commune_id, []) + by_unit.get(row.commune.parent_id, [])
        row.matches = [t for t in row.options if _fold(t.name) == _fold(row.name)]
        rows.append(row)
    rows.sort(key=lambda r: (r.commune.name, -r.rows, r.name))
    return rows[:limit]


@transaction.atomic
def team_name_link(
    *, by, campaign: Campaign | None, commune, name: str, team: SamplingTeam
) -> dict:
    """Point every row of the campaign (None: of no campaign) in `commune` whose free-text
    team is exactly `name` and has no team record at `team`: one UPDATE per table, never a
    save per row. The text
    stays as the label. Rows already linked (by another officer a moment before) are left
    alone, so the second of two identical links changes nothing and says so."""
    check_act_on_unit(by, commune)
    if team.unit_id not in (commune.pk, commune.parent_id):
        raise ValidationError(
            {"team": _("Tổ này không thuộc xã/phường hoặc huyện của xã, không liên kết được.")}
        )
    unlinked = {"sampling_team__isnull": True, "commune": commune, "team": name}
    counts = {
        attr: qs.filter(**unlinked).update(sampling_team=team) for attr, qs in _sources(campaign)
    }
    if not any(counts.values()):
        raise ValidationError(
            _(
                "Không còn mẫu, mẫu gộp hay điểm lấy mẫu nào mang tên tổ “%(name)s” chưa liên "
                "kết (có thể vừa được người khác liên kết)."
            )
            % {"name": name}
        )
    audit_record(
        actor=by,
        action="labtests.team_link",
        target=team,
        changes={
            "campaign": campaign and campaign.pk,
            "commune": commune.pk,
            "name": name,
            **counts,
        },
    )
    return counts
