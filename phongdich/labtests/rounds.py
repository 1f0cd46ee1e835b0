"""Rounds of a screening campaign and their sampling points: create, count, close once.

A round's figures per commune are counted from its samples while it is open (grouped
queries on the (round, commune) index) and frozen into `RoundFigures` when it is closed; the
close is a guarded UPDATE (`status = 'open'`), so of two officers closing at once one wins
and the other is told. Kept apart from services.py (samples, pools, campaigns), which it
calls for nothing but the shared target split."""

from dataclasses import dataclass
from datetime import date, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.accounts.permissions import check_act_on_unit
from phongdich.audit.services import audit_record
from phongdich.lib.text import nfc

from . import rules
from .models import Campaign, Pool, Result, RoundFigures, Sample, SamplingPoint, ScreeningRound
from .services import _targets, _user
from .teams import check_team_for_commune

ALREADY_CLOSED = _("Vòng này đã được kết thúc trước đó; hãy tải lại trang.")


@transaction.atomic
def round_create(
    *,
    by,
    campaign: Campaign,
    starts_on: date,
    ends_on: date,
    units=None,
    target_people: int = 0,
    target_households: int = 0,
) -> ScreeningRound:
    """The campaign's next round. Numbered under the campaign's row lock, so two officers
    adding a round at once get rounds n and n+1, never two rounds n."""
    check_act_on_unit(by, campaign.unit)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("Ngày kết thúc trước ngày bắt đầu.")})
    if starts_on < campaign.starts_on or ends_on > campaign.ends_on:
        raise ValidationError({"starts_on": _("Vòng phải nằm trong thời gian của đợt xét nghiệm.")})
    own = set(campaign.units.values_list("pk", flat=True))
    units = list(units) if units else list(campaign.units.all())
    if not units or any(u.pk not in own for u in units):
        raise ValidationError({"units": _("Chọn xã/phường trong phạm vi của đợt.")})
    last = campaign.round_set.aggregate(n=Max("number"))["n"] or 0
    if last >= campaign.rounds:
        raise ValidationError(
            _("Đợt này có %(n)s vòng; đã tạo đủ số vòng.") % {"n": campaign.rounds}
        )
    round_ = ScreeningRound.objects.create(
        campaign=campaign,
        number=last + 1,
        starts_on=starts_on,
        ends_on=ends_on,
        target_people=target_people,
        target_households=target_households,
    )
    round_.units.set(units)
    audit_record(
        actor=by,
        action="labtests.round_create",
        target=round_,
        changes={"campaign": campaign.pk, "number": round_.number, "units": len(units)},
    )
    return round_


@transaction.atomic
def point_create(
    *,
    by,
    round: ScreeningRound,
    commune,
    name: str,
    address: str = "",
    team: str = "",
    opens_at: time | None = None,
    closes_at: time | None = None,
    sampling_team=None,
) -> SamplingPoint:
    check_act_on_unit(by, commune)
    if not round.units.filter(pk=commune.pk).exists():
        raise ValidationError({"commune": _("Xã/phường này không thuộc vòng xét nghiệm.")})
    if opens_at and closes_at and closes_at <= opens_at:
        raise ValidationError({"closes_at": _("Giờ đóng phải sau giờ mở.")})
    check_team_for_commune(sampling_team, commune)
    name = nfc(name).strip()
    if not name:
        raise ValidationError({"name": _("Cần tên điểm lấy mẫu.")})
    point = SamplingPoint.objects.create(
        round=round,
        commune=commune,
        name=name,
        address=nfc(address).strip(),
        team=sampling_team.name if sampling_team is not None else nfc(team).strip(),
        sampling_team=sampling_team,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    audit_record(
        actor=by, action="labtests.point_create", target=point, changes={"name": point.name}
    )
    return point


@dataclass
class Figures:
    """A round's figures in one commune (or their sum), with the targets shared out."""

    unit: object
    target_people: int = 0
    target_households: int = 0
    sampled: int = 0
    people: int = 0
    households: int = 0
    resulted: int = 0
    positives: int = 0
    pools_positive: int = 0
    symptomatic: int = 0
    symptomatic_positives: int = 0

    @property
    def coverage_people(self):
        return rules.coverage(self.people, self.target_people)

    @property
    def coverage_households(self):
        return rules.coverage(self.households, self.target_households)

    @property
    def positivity(self):
        return rules.positivity(self.positives, self.resulted)

    @property
    def negative(self) -> bool:
        return rules.round_negative(
            sampled=self.sampled, resulted=self.resulted, positives=self.positives
        )


COUNTED = (
    "sampled",
    "people",
    "households",
    "resulted",
    "positives",
    "pools_positive",
    "symptomatic",
    "symptomatic_positives",
)
# "Found among those with symptoms": flagged at the point, or sampled for symptoms.
SYMPTOMATIC = Q(symptomatic=True) | Q(reason=Sample.Reason.SYMPTOMS)


def _counted(round_: ScreeningRound) -> dict[int, dict]:
    """Grouped counts per commune: one query on the samples, one on the positive pools.
    Households reached are the distinct addresses of the people sampled (the registry keeps
    no household; a person without an address counts as none)."""
    rows = {
        row["commune"]: row
        for row in Sample.objects.filter(round=round_)
        .values("commune")
        .annotate(
            sampled=Count("pk"),
            people=Count("person", distinct=True),
            households=Count("person__address", distinct=True, filter=~Q(person__address="")),
            resulted=Count("pk", filter=~Q(result="")),
            positives=Count("pk", filter=Q(result=Result.POSITIVE)),
            # Named apart from the Sample field `symptomatic` the filters read.
            with_symptoms=Count("pk", filter=SYMPTOMATIC),
            with_symptoms_positive=Count("pk", filter=SYMPTOMATIC & Q(result=Result.POSITIVE)),
        )
    }
    for row in rows.values():
        row["symptomatic"] = row.pop("with_symptoms")
        row["symptomatic_positives"] = row.pop("with_symptoms_positive")
    pools = (
        Pool.objects.filter(members__round=round_, result=Result.POSITIVE)
        .values("commune")
        .annotate(n=Count("pk", distinct=True))
    )
    for row in pools:
        rows.setdefault(row["commune"], {"commune": row["commune"]})["pools_positive"] = row["n"]
    return rows


def round_figures(round_: ScreeningRound) -> list[Figures]:
    """Per commune of the round, by name: frozen figures once closed, counted while open."""
    units = sorted(round_.units.select_related("parent"), key=lambda u: u.name)
    people = _targets(round_.target_people, units)
    households = _targets(round_.target_households, units)
    if round_.status == ScreeningRound.Status.CLOSED:
        counts = {
            f.unit_id: {key: getattr(f, key) for key in COUNTED} for f in round_.figures.all()
        }
    else:
        counts = _counted(round_)
    out = []
    for unit in units:
        row = counts.get(unit.pk, {})
        out.append(
            Figures(
                unit=unit,
                target_people=people.get(unit.pk, 0),
                target_households=households.get(unit.pk, 0),
                **{key: row.get(key, 0) for key in COUNTED},
            )
        )
    return out


def total(figures: list[Figures]) -> Figures:
    whole = Figures(unit=None)
    for row in figures:
        for key in ("target_people", "target_households", *COUNTED):
            setattr(whole, key, getattr(whole, key) + getattr(row, key))
    return whole


def pending_count(round_: ScreeningRound) -> int:
    """Samples of the round still waiting for a result (rejected ones wait for nothing)."""
    return (
        Sample.objects.filter(round=round_, result="")
        .exclude(status=Sample.Status.REJECTED)
        .count()
    )


@transaction.atomic
def round_close(*, by, round: ScreeningRound, pending_seen: int = 0) -> ScreeningRound:
    """Close the round once and keep its figures per commune; a second close is refused.

    With results still pending the officer must have seen how many (`pending_seen`, the
    number the page showed): a different number (none shown, or more came in since) is
    refused with the current one, so a round is never closed over results nobody saw."""
    check_act_on_unit(by, round.campaign.unit)
    pending = pending_count(round)
    if pending and pending_seen != pending:
        raise ValidationError(
            _(
                "Còn %(n)s mẫu chưa có kết quả; số liệu chốt sẽ không tính các kết quả về sau. "
                "Xem lại và xác nhận kết thúc vòng khi vẫn còn mẫu chờ kết quả."
            )
            % {"n": pending}
        )
    won = ScreeningRound.objects.filter(pk=round.pk, status=ScreeningRound.Status.OPEN).update(
        status=ScreeningRound.Status.CLOSED, closed_at=timezone.now(), closed_by=_user(by)
    )
    if not won:
        raise ValidationError(ALREADY_CLOSED)
    counts = _counted(round)
    units = list(round.units.all())
    RoundFigures.objects.bulk_create(
        [
            RoundFigures(
                round=round,
                unit=unit,
                **{key: counts.get(unit.pk, {}).get(key, 0) for key in COUNTED},
            )
            for unit in units
        ]
    )
    round = ScreeningRound.objects.select_related("campaign__unit").get(pk=round.pk)
    whole = total(round_figures(round))
    audit_record(
        actor=by,
        action="labtests.round_close",
        target=round,
        changes={"sampled": whole.sampled, "positives": whole.positives, "pending": pending},
    )
    return round


def last_negative_round_on(commune_ids) -> date | None:
    """The last day of the latest closed round that was negative in every one of these
    communes it covered (the zones' lifting input): none when no such round exists."""
    rows = (
        RoundFigures.objects.filter(
            unit_id__in=list(commune_ids), round__status=ScreeningRound.Status.CLOSED
        )
        .values_list("round_id", "round__ends_on", "sampled", "resulted", "positives")
        .order_by("-round__ends_on")
    )
    by_round: dict[int, list] = {}
    ends: dict[int, date] = {}
    for round_id, ends_on, sampled, resulted, positives in rows[:500]:
        by_round.setdefault(round_id, []).append((sampled, resulted, positives))
        ends[round_id] = ends_on
    negatives = [
        ends[rid]
        for rid, figures in by_round.items()
        if all(rules.round_negative(sampled=s, resulted=r, positives=p) for s, r, p in figures)
    ]
    return max(negatives, default=None)
