"""Lab systems post results (Bearer token of a lab account, `/api/labtests/results`).

Idempotent on the lab's sample id, which is the tube's code (a sample's or a pool's): the
same result posted again is `unchanged`, a different one is `refused` and the first stays
(a correction is a new sample). Up to `MAX_ITEMS` results per request; each is recorded on
its own through `services.sample_result_record` / `pool_result_record` (the guarded UPDATE
that lets one of two identical posts win), so a positive reaches the F0 app's classification
and a pool's re-sampling orders are created within the request, as from the page."""

from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from phongdich.audit.services import audit_record
from phongdich.lib.apierrors import responses
from phongdich.lib.bounds import ApiDateTime, ApiText

from . import selectors, services
from .models import Result, Sample
from .permissions import RESULT_ROLES

router = Router(tags=["labtests"])
MAX_ITEMS = 1000


class ResultItemIn(Schema):
    sample_id: ApiText(Sample, "barcode", min_length=1)
    result: Literal[tuple(Result.values)]
    ct: float | None = Field(None, ge=0, le=45)
    resulted_at: ApiDateTime | None = None


class ResultsIn(Schema):
    lab: ApiText(Sample, "lab", min_length=1)
    results: list[ResultItemIn] = Field(..., min_length=1, max_length=MAX_ITEMS)


class ResultItemOut(Schema):
    sample_id: str
    status: Literal["recorded", "unchanged", "refused"]
    message: str = ""


class ResultsOut(Schema):
    recorded: int
    unchanged: int
    refused: int
    items: list[ResultItemOut]


def _record_one(user, lab: str, item: ResultItemIn, sample, pool) -> tuple[str, str]:
    from decimal import Decimal

    ct = None if item.ct is None else Decimal(str(item.ct)).quantize(Decimal("0.1"))
    common = {"result": item.result, "lab": lab, "ct_value": ct, "resulted_at": item.resulted_at}
    try:
        with transaction.atomic():
            if sample is not None:
                _saved, created = services.sample_result_record(by=user, sample=sample, **common)
            else:
                if pool is None:
                    return "refused", "Không có mẫu này trong địa bàn của tài khoản."
                _saved, created = services.pool_result_record(by=user, pool=pool, **common)
    except (ValidationError, PermissionDenied) as exc:
        messages = getattr(exc, "messages", None) or ["Không có quyền."]
        return "refused", "; ".join(messages)[:300]
    return ("recorded" if created else "unchanged"), ""


@router.post("/results", response=responses({200: ResultsOut}, 413))
def results(request, payload: ResultsIn):
    """Record up to 1,000 results of samples (or pools) this account's jurisdiction holds.
    Each item answers `recorded`, `unchanged` (the same result was there: a repeated post)
    or `refused` with the reason (unknown code, a different result already recorded, a Ct
    value for a rapid test...); the others are recorded all the same."""
    if not request.user.has_role(*RESULT_ROLES):
        raise HttpError(403, "Không có quyền.")
    codes = [item.sample_id for item in payload.results]
    if len(set(codes)) != len(codes):
        raise HttpError(422, "Một mã mẫu xuất hiện hai lần trong cùng yêu cầu.")
    # The codes of the whole request are looked up in two reads (in the account's area), not
    # two per result: a lab posts up to a thousand at once.
    samples = {
        s.barcode: s for s in selectors.samples_visible_to(request.user).filter(barcode__in=codes)
    }
    pools = {
        p.code: p
        for p in selectors.pools_visible_to(request.user).filter(
            code__in=[c for c in codes if c not in samples]
        )
    }
    items = []
    for item in payload.results:
        status, message = _record_one(
            request.user,
            payload.lab,
            item,
            samples.get(item.sample_id),
            pools.get(item.sample_id),
        )
        items.append({"sample_id": item.sample_id, "status": status, "message": message})
    counts = {s: sum(1 for i in items if i["status"] == s) for s in ("recorded", "unchanged")}
    refused = len(items) - sum(counts.values())
    audit_record(
        actor=request.user,
        action="labtests.api_results",
        changes={"lab": payload.lab[:60], **counts, "refused": refused},
    )
    return {**counts, "refused": refused, "items": items}
