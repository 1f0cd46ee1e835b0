"""Every write on samples, pools, re-sampling orders and screening campaigns.

A result is recorded once: a guarded UPDATE (`result = ''`) lets exactly one of two lab
officers saving at once win; the other finds the result already there. A positive individual
result goes to the F0 app through `cases.services.case_result_apply` (its 11042
classification links the sample to the case), never a case made here."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.audit.services import audit_record
from phongdich.lib.locks import key_lock, key_lock_shared
from phongdich.lib.text import nfc
from phongdich.people.services import person_register

from . import rules
from .models import (
    Campaign,
    CampaignProgress,
    Kind,
    Pool,
    PoolSizeRule,
    ResampleOrder,
    Result,
    ResultFollowUp,
    Sample,
)
from .teams import check_team_for_commune, team_on_shift

# A result import holds this key exclusively from its matching to its commit (imports_stage,
# imports); a result written one at a time (the lab API, the staff pages, the import's own
# line-by-line step) holds it shared. Without it, a lab posting a pool's result locked the
# pool and waited for a member the import had written, while the import waited for the pool
# (the same with a person's row under two positives): a deadlock, PostgreSQL aborting the
# lab's request or failing a good line of the file (tests/test_import_races.py). Writes one
# at a time never wait for each other here; beside an import they wait until it commits.
RESULTS_LOCK = "labtests.results_import"
# One drain of the follow-ups at a time, row after row in id order: a person's results
# reach the F0 app in the order they were written (a positive's new case before the
# negative that follows it).
FOLLOW_UPS_LOCK = "labtests.result_follow_ups"
# A follow-up that failed this many times is left for an operator (its error shown).
FOLLOW_UP_ATTEMPTS = 3


def pool_size_for(pool: Pool) -> int:
    return rules.pool_max(pool.kind, pool_size_rows(_pool_day(pool)))


def pool_size_rows(day: date | None = None) -> dict[str, int]:
    """The pool sizes in force on `day` (today by default), from the active policy rows."""
    rows = PoolSizeRule.objects.filter(active=True).values_list("kind", "valid_from", "max_size")
    return rules.size_rows_on(rows, day or timezone.localdate())


def _pool_day(pool: Pool) -> date:
    # A pool keeps the size in force the day it was started: a smaller size decided later
    # never makes a pool already filled under the old one overfull.
    return timezone.localdate(pool.created_at) if pool.created_at else timezone.localdate()


def _user(by):
    return by if getattr(by, "is_authenticated", False) else None


# --- samples -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """Who the sample is taken from, as typed or scanned at the sampling point."""

    full_name: str
    commune: object  # geo.AdminUnit (where they live)
    birth_year: int | None = None
    sex: str = ""
    phone: str = ""
    id_number: str = ""
    address: str = ""


@transaction.atomic
def sample_take_for_identity(*, by, identity: Identity, **sample) -> Sample:
    """Match the person through the people registry (scoped: a match outside the caller's
    jurisdiction gives a new local record), then take the sample."""
    person, _created = person_register(
        by=by,
        full_name=identity.full_name,
        birth_year=identity.birth_year,
        sex=identity.sex,
        phone=identity.phone,
        id_number=identity.id_number,
        address=identity.address,
        commune=identity.commune,
    )
    return sample_take(by=by, person=person, **sample)


@transaction.atomic
def sample_take(
    *,
    by,
    person,
    barcode: str,
    kind: str,
    reason: str,
    commune,
    taken_at: datetime | None = None,
    place: str = "",
    team: str = "",
    pool: Pool | None = None,
    campaign: Campaign | None = None,
    order: ResampleOrder | None = None,
    point=None,
    symptomatic: bool = False,
    sampling_team=None,
) -> Sample:
    """`point` (a SamplingPoint) files the sample under its round and campaign, with the
    point's name, and the team on shift there (else the point's team) when none is given.
    A sample added to a pool is the pool's team's unless another is given. The team's name
    is kept in `team` as the label."""
    barcode = nfc(barcode).strip()
    if not barcode:
        raise ValidationError({"barcode": _("Cần mã mẫu.")})
    round_ = None
    if point is not None:
        round_ = type(point.round).objects.select_related("campaign").get(pk=point.round_id)
        if round_.status != round_.Status.OPEN:
            raise ValidationError(_("Vòng xét nghiệm này đã kết thúc, không ghi thêm mẫu."))
        campaign = round_.campaign
        place = place or point.name
        if sampling_team is None and not team:
            sampling_team = (
                team_on_shift(point, taken_at or timezone.now(), user=_user(by))
                or point.sampling_team
            )
        team = team or point.team
    if pool is not None:
        # Members are counted under the pool's lock, so two teams adding the last place at
        # once cannot overfill it.
        pool = Pool.objects.select_for_update().get(pk=pool.pk)
        if pool.status != Pool.Status.OPEN:
            raise ValidationError({"pool": _("Mẫu gộp này đã gửi kết quả, không thêm mẫu.")})
        if kind != pool.kind:
            raise ValidationError({"pool": _("Loại xét nghiệm khác với mẫu gộp.")})
        sizes = pool_size_rows(_pool_day(pool))
        if not rules.pool_has_room(pool.kind, pool.members.count(), sizes):
            raise ValidationError(
                {"pool": _("Mẫu gộp đã đủ %(n)s mẫu.") % {"n": rules.pool_max(pool.kind, sizes)}}
            )
        campaign = campaign or pool.campaign
        if sampling_team is None and not team:
            sampling_team, team = pool.sampling_team, pool.team
    if sampling_team is not None:
        team = sampling_team.name
    sample = Sample(
        person=person,
        barcode=barcode,
        kind=kind,
        reason=reason,
        commune=commune,
        place=nfc(place),
        team=nfc(team),
        sampling_team=sampling_team,
        taken_at=taken_at or timezone.now(),
        taken_by=_user(by),
        pool=pool,
        campaign=campaign,
        round=round_,
        point=point,
        symptomatic=symptomatic,
    )
    try:
        with transaction.atomic():
            sample.save()
    except IntegrityError as exc:
        raise ValidationError({"barcode": _("Mã mẫu này đã được dùng.")}) from exc
    if order is not None:
        done = ResampleOrder.objects.filter(
            pk=order.pk, status=ResampleOrder.Status.OPEN, person=person
        ).update(status=ResampleOrder.Status.DONE, new_sample=sample)
        if not done:
            raise ValidationError(_("Lệnh lấy lại mẫu này đã được thực hiện."))
    audit_record(
        actor=by,
        action="labtests.sample_take",
        target=sample,
        changes={"barcode": barcode, "kind": kind, "reason": reason, "pool": pool and pool.code},
    )
    return sample


@transaction.atomic
def sample_receive(*, by, sample: Sample) -> bool:
    done = Sample.objects.filter(pk=sample.pk, status=Sample.Status.TAKEN).update(
        status=Sample.Status.RECEIVED, received_at=timezone.now()
    )
    if done:
        audit_record(actor=by, action="labtests.sample_receive", target=sample)
    return bool(done)


@transaction.atomic
def sample_reject(*, by, sample: Sample, reason: str) -> bool:
    reason = nfc(reason).strip()
    if not reason:
        raise ValidationError({"reason": _("Cần ghi lý do từ chối mẫu.")})
    done = (
        Sample.objects.filter(pk=sample.pk, result="")
        .exclude(status=Sample.Status.REJECTED)
        .update(status=Sample.Status.REJECTED, rejected_reason=reason)
    )
    if done:
        audit_record(
            actor=by, action="labtests.sample_reject", target=sample, changes={"reason": reason}
        )
    return bool(done)


def _check_ct(kind: str, result: str, ct_value) -> Decimal | None:
    if ct_value is None:
        return None
    if kind != Kind.PCR:
        raise ValidationError({"ct_value": _("Chỉ xét nghiệm RT-PCR có giá trị Ct.")})
    ct_value = Decimal(ct_value)
    if not 0 <= ct_value <= rules.CT_MAX:
        raise ValidationError({"ct_value": _("Giá trị Ct phải từ 0 đến 45.")})
    return ct_value


@transaction.atomic
def sample_result_record(
    *,
    by,
    sample: Sample,
    result: str,
    lab: str,
    ct_value=None,
    resulted_at: datetime | None = None,
) -> tuple[Sample, bool]:
    """Record the sample's result once. The same result again changes nothing; a different
    one is refused (a correction is a new sample). Returns (sample, recorded now)."""
    if result not in Result.values:
        raise ValidationError({"result": _("Kết quả không hợp lệ.")})
    ct_value = _check_ct(sample.kind, result, ct_value)
    key_lock_shared(RESULTS_LOCK)  # before any row lock: see RESULTS_LOCK
    lab = nfc(lab).strip()
    resulted_at = resulted_at or timezone.now()
    won = (
        Sample.objects.filter(pk=sample.pk, result="")
        .exclude(status=Sample.Status.REJECTED)
        .update(
            result=result,
            ct_value=ct_value,
            lab=lab,
            resulted_at=resulted_at,
            resulted_by=_user(by),
            status=Sample.Status.RESULTED,
            presumptive=False,
        )
    )
    sample = Sample.objects.select_related("person", "commune", "pool").get(pk=sample.pk)
    if not won:
        if sample.status == Sample.Status.REJECTED:
            raise ValidationError(_("Mẫu đã bị từ chối, không ghi kết quả."))
        if sample.result != result:
            raise ValidationError(_("Mẫu này đã có kết quả khác; không ghi đè."))
        return sample, False
    audit_record(
        actor=by,
        action="labtests.result_record",
        target=sample,
        changes={"barcode": sample.barcode, "result": result, "ct": ct_value and str(ct_value)},
    )
    if not _queued_behind(by=by, sample=sample):
        _to_cases(by=by, sample=sample)
        _resolve_pool_of(sample)
    return sample, True


def _queued_behind(*, by, sample: Sample) -> bool:
    """A result of a person with a result still waiting in the follow-ups (an import's
    positive not yet applied) waits behind it, so the F0 app gets the person's results in
    order: applied now, a negative would miss the case the waiting positive is about to
    open. True when queued."""
    if not ResultFollowUp.objects.filter(person_id=sample.person_id, done_at=None).exists():
        return False
    ResultFollowUp.objects.create(sample=sample, person_id=sample.person_id, by=_user(by))
    transaction.on_commit(follow_ups_enqueue)
    return True


def follow_ups_enqueue() -> None:
    """Wake the worker for the follow-ups (after the commit that wrote them); the periodic
    job applies them too, should this message be lost."""
    from .tasks import apply_result_follow_ups

    apply_result_follow_ups.enqueue()


def result_follow_up_apply_next() -> bool:
    """Apply the oldest waiting follow-up in its own transaction: the F0 app's part of the
    result (`_to_cases`) and the pool a re-sample may resolve, as sample_result_record does
    for a result written one at a time. False when none waits."""
    with transaction.atomic():
        key_lock(FOLLOW_UPS_LOCK)
        key_lock_shared(RESULTS_LOCK)  # before any row lock, as every result write
        row = (
            ResultFollowUp.objects.filter(done_at=None, attempts__lt=FOLLOW_UP_ATTEMPTS)
            .select_related("by")
            .order_by("pk")
            .first()
        )
        if row is None:
            return False
        try:
            with transaction.atomic():
                sample = Sample.objects.select_related("person", "commune", "pool").get(
                    pk=row.sample_id
                )
                audit_record(
                    actor=row.by,
                    action="labtests.result_record",
                    target=sample,
                    changes={
                        "barcode": sample.barcode,
                        "result": sample.result,
                        "ct": sample.ct_value and str(sample.ct_value),
                        "import": row.batch,
                    },
                )
                _to_cases(by=row.by, sample=sample)
                _resolve_pool_of(sample)
        except Exception as exc:  # kept with its error; the next rows still go
            ResultFollowUp.objects.filter(pk=row.pk).update(
                attempts=row.attempts + 1, error=str(exc)[:200]
            )
            return True
        ResultFollowUp.objects.filter(pk=row.pk).update(done_at=timezone.now(), error="")
    return True


def result_follow_ups_drain(*, max_seconds: float | None = None) -> int:
    """Apply waiting follow-ups until none is left (or `max_seconds` passed). The count."""
    import time

    started, done = time.monotonic(), 0
    while result_follow_up_apply_next():
        done += 1
        if max_seconds is not None and time.monotonic() - started > max_seconds:
            break
    return done


def follow_ups_of(*, by, batch: str) -> dict[str, int]:
    """An import's follow-ups (its importer's only): applied, waiting and failed."""
    rows = (
        ResultFollowUp.objects.filter(by=by, batch=batch)
        if batch
        else ResultFollowUp.objects.none()
    )
    counts = rows.aggregate(
        done=Count("pk", filter=Q(done_at__isnull=False)),
        waiting=Count("pk", filter=Q(done_at__isnull=True, attempts__lt=FOLLOW_UP_ATTEMPTS)),
        failed=Count("pk", filter=Q(done_at__isnull=True, attempts__gte=FOLLOW_UP_ATTEMPTS)),
    )
    return {key: value or 0 for key, value in counts.items()}


def _to_cases(*, by, sample: Sample) -> None:
    """A positive result (or any result of a person with an open case) is applied to the
    person's case by the F0 app (its 11042 classification); the sample itself is the
    record, the case app only links it to the case."""
    from phongdich.cases import services as case_services

    if sample.result == Result.INVALID:
        return
    positive = sample.result == Result.POSITIVE
    if not positive and case_services.open_case_for(sample.person) is None:
        return
    case_services.case_result_apply(
        by=by, sample=sample, commune=sample.person.commune or sample.commune
    )


def _resolve_pool_of(sample: Sample) -> None:
    """A re-sample's result may be the last one its positive pool waited for."""
    order = ResampleOrder.objects.filter(new_sample=sample).first()
    if order is None:
        return
    pool_resolve_if_complete(pool=order.pool)


def pool_resolve_if_complete(*, pool: Pool) -> bool:
    members = pool.members.count()
    results = list(
        ResampleOrder.objects.filter(pool=pool).values_list("new_sample__result", flat=True)
    )
    if len(results) < members or not rules.pool_resolved([r or "" for r in results]):
        return False
    return bool(
        Pool.objects.filter(
            pk=pool.pk, status__in=[Pool.Status.POSITIVE_AWAITING, Pool.Status.INVALID]
        ).update(status=Pool.Status.RESOLVED)
    )


# --- pools ---------------------------------------------------------------------------------


@transaction.atomic
def pool_create(
    *,
    by,
    code: str,
    kind: str,
    commune,
    team: str = "",
    campaign: Campaign | None = None,
    sampling_team=None,
) -> Pool:
    code = nfc(code).strip()
    if not code:
        raise ValidationError({"code": _("Cần mã mẫu gộp.")})
    if rules.pool_max(kind, pool_size_rows()) < 2:
        raise ValidationError({"kind": _("Loại xét nghiệm này không gộp mẫu.")})
    check_team_for_commune(sampling_team, commune)
    pool = Pool(
        code=code,
        kind=kind,
        commune=commune,
        team=sampling_team.name if sampling_team is not None else nfc(team),
        sampling_team=sampling_team,
        campaign=campaign,
        created_by=_user(by),
    )
    try:
        with transaction.atomic():
            pool.save()
    except IntegrityError as exc:
        raise ValidationError({"code": _("Mã mẫu gộp này đã được dùng.")}) from exc
    audit_record(actor=by, action="labtests.pool_create", target=pool, changes={"code": code})
    return pool


def pool_for_point(*, by, point, code: str, kind: str) -> Pool:
    """The point's open pool of this code, started now when none has it: the team scans the
    pool's code once, then each member's (sample_take with the pool checks the kind, that it
    is open and its room under its lock: the N+1th is refused). A pool of another commune's
    is refused; two members starting one pool at once share the one that was committed."""
    from .selectors import pool_by_code

    code = nfc(code).strip()
    pool = pool_by_code(by, code)
    if pool is None:
        team = team_on_shift(point, timezone.now(), user=_user(by)) or point.sampling_team
        try:
            pool = pool_create(
                by=by,
                code=code,
                kind=kind,
                commune=point.commune,
                campaign=point.round.campaign,
                sampling_team=team,
                team="" if team else point.team,
            )
        except ValidationError:
            # Started by a colleague meanwhile (the unique code), or not poolable (the kind).
            pool = pool_by_code(by, code)
            if pool is None:
                raise
    if pool.commune_id != point.commune_id:
        raise ValidationError({"pool": _("Mẫu gộp này thuộc xã/phường khác.")})
    return pool


@transaction.atomic
def pool_result_record(
    *, by, pool: Pool, result: str, lab: str, ct_value=None, resulted_at=None
) -> tuple[Pool, bool]:
    """The pool's result, once. Negative: every member presumptively negative. Positive or
    invalid: one re-sampling order per member, at once, for the commune they live in."""
    if result not in Result.values:
        raise ValidationError({"result": _("Kết quả không hợp lệ.")})
    ct_value = _check_ct(pool.kind, result, ct_value)
    if not pool.members.exists():
        raise ValidationError(_("Mẫu gộp chưa có mẫu nào."))
    key_lock_shared(RESULTS_LOCK)  # before any row lock: see RESULTS_LOCK
    outcome = rules.pool_outcome(result)
    resulted_at = resulted_at or timezone.now()
    lab = nfc(lab).strip()
    won = Pool.objects.filter(pk=pool.pk, status=Pool.Status.OPEN, result="").update(
        status=outcome.status, result=result, ct_value=ct_value, lab=lab, resulted_at=resulted_at
    )
    pool = Pool.objects.get(pk=pool.pk)
    if not won:
        if pool.result != result:
            raise ValidationError(_("Mẫu gộp này đã có kết quả khác; không ghi đè."))
        return pool, False
    members = pool.members.filter(result="").exclude(status=Sample.Status.REJECTED)
    if outcome.members_negative:
        members.update(
            result=Result.NEGATIVE,
            presumptive=True,
            lab=lab,
            resulted_at=resulted_at,
            resulted_by=_user(by),
            status=Sample.Status.RESULTED,
        )
    if outcome.resample_members:
        ResampleOrder.objects.bulk_create(
            [
                ResampleOrder(
                    pooled_sample=member,
                    pool=pool,
                    person=member.person,
                    commune=member.person.commune or member.commune,
                )
                for member in members.select_related("person")
            ],
            ignore_conflicts=True,  # the unique pooled sample: an order per member, once
        )
    audit_record(
        actor=by,
        action="labtests.pool_result",
        target=pool,
        changes={"code": pool.code, "result": result, "members": pool.members.count()},
    )
    return pool, True


# --- campaigns -----------------------------------------------------------------------------


@transaction.atomic
def campaign_create(
    *,
    by,
    name: str,
    unit,
    units,
    kind: str,
    starts_on: date,
    ends_on: date,
    rounds: int,
    target_population: int,
) -> Campaign:
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("Ngày kết thúc trước ngày bắt đầu.")})
    units = list(units)
    if not units:
        raise ValidationError({"units": _("Chọn ít nhất một xã/phường.")})
    outside = [u for u in units if not u.path.startswith(unit.path)]
    if outside:
        raise ValidationError({"units": _("Có xã/phường ngoài địa bàn của đơn vị.")})
    campaign = Campaign.objects.create(
        name=nfc(name).strip(),
        unit=unit,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        rounds=rounds,
        target_population=target_population,
        created_by=_user(by),
    )
    campaign.units.set(units)
    audit_record(
        actor=by,
        action="labtests.campaign_create",
        target=campaign,
        changes={"name": campaign.name, "units": [u.code for u in units]},
    )
    return campaign


def _targets(total: int, units) -> dict[int, int]:
    """The campaign's target shared by the communes' populations (even shares without them);
    the rounding remainder goes to the largest commune so the parts add up to the whole."""
    units = list(units)
    weights = {u.pk: (u.population or 0) for u in units}
    if not any(weights.values()):
        weights = {u.pk: 1 for u in units}
    whole = sum(weights.values())
    shares = {pk: total * w // whole for pk, w in weights.items()}
    if units:
        largest = max(weights, key=weights.get)
        shares[largest] += total - sum(shares.values())
    return shares


def campaign_progress_refresh(*, campaign: Campaign) -> int:
    """Rebuild the campaign's figures per commune: two grouped queries, one row per commune."""
    units = list(campaign.units.all())
    targets = _targets(campaign.target_population, units)
    counts = {
        row["commune"]: row
        for row in Sample.objects.filter(campaign=campaign)
        .values("commune")
        .annotate(
            sampled=Count("pk"),
            resulted=Count("pk", filter=~Q(result="")),
            positives=Count("pk", filter=Q(result=Result.POSITIVE)),
        )
    }
    pools = dict(
        Pool.objects.filter(campaign=campaign, result=Result.POSITIVE)
        .values("commune")
        .annotate(n=Count("pk"))
        .values_list("commune", "n")
    )
    now = timezone.now()
    with transaction.atomic():
        for unit in units:
            row = counts.get(unit.pk, {})
            CampaignProgress.objects.update_or_create(
                campaign=campaign,
                unit=unit,
                defaults={
                    "target": targets.get(unit.pk, 0),
                    "sampled": row.get("sampled", 0),
                    "resulted": row.get("resulted", 0),
                    "positives": row.get("positives", 0),
                    "pools_positive": pools.get(unit.pk, 0),
                    "computed_at": now,
                },
            )
        CampaignProgress.objects.filter(campaign=campaign).exclude(unit__in=units).delete()
        Campaign.objects.filter(pk=campaign.pk).update(progress_at=now)
    return len(units)


def screening_refresh(*, today: date | None = None) -> int:
    """Every campaign still running or ended yesterday (late results keep arriving)."""
    from datetime import timedelta

    today = today or timezone.localdate()
    refreshed = 0
    for campaign in Campaign.objects.filter(
        starts_on__lte=today, ends_on__gte=today - timedelta(days=1)
    ):
        refreshed += campaign_progress_refresh(campaign=campaign)
    return refreshed
