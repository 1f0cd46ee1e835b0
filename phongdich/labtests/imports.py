"""Import of results from laboratories (CSV/XLSX through lib.imports), idempotent on the
sample's code, written in batches.

A batch of plain results (negative or invalid, a person with no open F0 case, not a
re-sample a positive pool waits for) is one guarded UPDATE per distinct result; the rest
(positives above all) go one by one through `services.sample_result_record`, so a positive
reaches the F0 app's classification exactly as a result typed on the page. A batch that meets
an unknown code or a conflicting result is retried row by row, which reports the faulty lines
by number."""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phongdich.audit.services import audit_record
from phongdich.lib import imports
from phongdich.lib.locks import key_lock

from . import rules, selectors, services
from .models import ResampleOrder, Result, ResultFollowUp, Sample

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000  # one request (docs/architecture.md, "Imports of uploaded tables")
# Rows per batch: one lookup of the codes, of open cases and awaited re-samples, and one
# guarded UPDATE per distinct result (bench/labtests_import.py measured 500 to 5,000).
BATCH = 2000
RESULT_WORDS = {
    "duong tinh": rules.POSITIVE,
    "duong": rules.POSITIVE,
    "positive": rules.POSITIVE,
    "pos": rules.POSITIVE,
    "+": rules.POSITIVE,
    "am tinh": rules.NEGATIVE,
    "am": rules.NEGATIVE,
    "negative": rules.NEGATIVE,
    "neg": rules.NEGATIVE,
    "-": rules.NEGATIVE,
    "khong xac dinh": rules.INVALID,
    "invalid": rules.INVALID,
}


@dataclass
class ResultImport:
    recorded: int = 0
    unchanged: int = 0
    # Results written with the rest whose F0 app's part waits for the worker (ResultFollowUp
    # rows of this `batch`), counted in `recorded` too.
    queued: int = 0
    batch: str = field(default_factory=lambda: uuid.uuid4().hex)
    errors: imports.ErrorReport = field(default_factory=imports.ErrorReport)
    refusal: str = ""

    @property
    def refused(self) -> bool:
        return bool(self.refusal)


def _parse_ct(text: str):
    from decimal import Decimal, InvalidOperation

    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValueError(_("phải là số")) from None
    if not value.is_finite() or not 0 <= value <= rules.CT_MAX:
        raise ValueError(_("phải từ 0 đến 45"))
    return value.quantize(Decimal("0.1"))


def _parse_day(text: str):
    value = imports.parse_date(text)
    if value > timezone.localdate():
        raise ValueError(_("ở tương lai"))
    if value.year < 2020:
        raise ValueError(_("trước năm 2020"))
    return value


def columns() -> list[imports.Column]:
    """Mã mẫu, Kết quả (dương tính / âm tính / không xác định), Ct, Phòng xét nghiệm, Ngày
    trả kết quả (dd/mm/yyyy)."""
    from phongdich.lib.text import fold

    words = {fold(k): v for k, v in RESULT_WORDS.items()}
    limit = imports.model_max_length
    return [
        imports.Column(
            "barcode",
            gettext_lazy("Mã mẫu"),
            headers=("mã mẫu", "mã mẫu gộp", "barcode", "sample id"),
            required=True,
            max_length=limit(Sample, "barcode"),
        ),
        imports.Column(
            "result",
            gettext_lazy("Kết quả"),
            headers=("kết quả", "result"),
            required=True,
            max_length=20,
            parse=lambda text: _choice(words, fold(text)),
        ),
        imports.Column(
            "ct", gettext_lazy("Ct"), headers=("ct", "giá trị ct"), max_length=8, parse=_parse_ct
        ),
        imports.Column(
            "lab",
            gettext_lazy("Phòng xét nghiệm"),
            headers=("phòng xét nghiệm", "nơi xét nghiệm", "lab"),
            max_length=limit(Sample, "lab"),
        ),
        imports.Column(
            "day",
            gettext_lazy("Ngày trả kết quả"),
            headers=("ngày trả kết quả", "ngày có kết quả", "ngày xét nghiệm"),
            parse=_parse_day,
        ),
    ]


def _choice(words, folded):
    if folded not in words:
        raise ValueError(_("phải là dương tính, âm tính hoặc không xác định"))
    return words[folded]


def _when(values) -> datetime:
    day = values.get("day")
    if not day:
        return timezone.now()
    return timezone.make_aware(datetime.combine(day, time(12)))


def unknown_code(code: str) -> str:
    return _("Mã mẫu: không có mẫu này trong địa bàn của bạn (“%(code)s”)") % {"code": code[:60]}


def check(row: imports.Row) -> None:
    """The import's cross-cell rule (imports_stage states it in SQL too)."""
    values = row.values
    if values.get("ct") is not None and values.get("result") == rules.INVALID:
        row.errors.append(_("Ct: không ghi cho kết quả không xác định"))


def record_one(by, values: dict) -> bool:
    """One line's result through the services (a sample's code, else a pool's), so its side
    effects are the page's: the F0 app for a positive, the pool's arithmetic. True when
    recorded now, False when the same result was already there; ValidationError with the
    line's message otherwise."""
    sample = selectors.sample_by_barcode(by, values["barcode"])
    common = {
        "result": values["result"],
        "lab": values["lab"],
        "ct_value": values["ct"],
        "resulted_at": _when(values),
    }
    if sample is not None:
        _saved, created = services.sample_result_record(by=by, sample=sample, **common)
    else:
        pool = selectors.pool_by_code(by, values["barcode"])
        if pool is None:
            raise ValidationError(unknown_code(values["barcode"]))
        _saved, created = services.pool_result_record(by=by, pool=pool, **common)
    return created


def import_results(
    *,
    by,
    upload,
    mode: str,
    max_rows: int = MAX_ROWS,
    max_bytes: int = MAX_BYTES,
    copy: bool = True,
) -> ResultImport:
    """`copy`: a UTF-8 CSV on PostgreSQL goes through imports_stage (COPY, checks and writes
    set-based); False reads it with TableStream as XLSX and SQLite always are (the tests
    compare the two)."""
    from . import imports_stage

    kind = imports.check_upload(upload, max_bytes=max_bytes)
    outcome = ResultImport()
    try:
        with transaction.atomic():
            staged = (
                copy
                and kind == "csv"
                and imports_stage.import_staged(
                    by=by, upload=upload, mode=mode, max_rows=max_rows, outcome=outcome
                )
            )
            if not staged:
                _import_streamed(
                    by=by, upload=upload, kind=kind, mode=mode, max_rows=max_rows, outcome=outcome
                )
    except imports.FileRefused as exc:
        outcome.recorded = outcome.unchanged = outcome.queued = 0
        outcome.refusal = exc.messages[0]
        if exc.report is not None:
            outcome.errors = exc.report
    if outcome.queued:
        # The follow-ups are in the database with the results: the worker applies them
        # after this commit (and the periodic job, should the message be lost).
        transaction.on_commit(services.follow_ups_enqueue)
    audit_record(
        actor=by,
        action="labtests.results_import",
        changes={
            "file": getattr(upload, "name", "")[:100],
            "recorded": outcome.recorded,
            "unchanged": outcome.unchanged,
            "queued": outcome.queued,
            "batch": outcome.batch if outcome.queued else "",
            "errors": outcome.errors.total,
            "refused": outcome.refused,
        },
    )
    return outcome


def _import_streamed(*, by, upload, kind: str, mode: str, max_rows: int, outcome) -> None:
    from phongdich.cases.models import OPEN_STATUSES, Case

    def write_one(row: imports.Row) -> None:
        if record_one(by, row.values):
            outcome.recorded += 1
        else:
            outcome.unchanged += 1

    def write_many(rows: list[imports.Row]) -> None:
        codes = [row.values["barcode"] for row in rows]
        if len(set(codes)) != len(codes):
            raise ValidationError("duplicate codes in one batch")  # row by row tells which
        samples = {
            s.barcode: s
            for s in selectors.samples_visible_to(by)
            .filter(barcode__in=codes)
            .only("pk", "barcode", "result", "status", "kind", "person_id")
        }
        if len(samples) != len(rows):
            raise ValidationError("unknown codes in the batch")  # pools and unknowns: row by row
        with_case = set(
            Case.objects.filter(
                person_id__in={s.person_id for s in samples.values()}, status__in=OPEN_STATUSES
            ).values_list("person_id", flat=True)
        )
        awaited = set(
            ResampleOrder.objects.filter(
                new_sample__in=[s.pk for s in samples.values()]
            ).values_list("new_sample_id", flat=True)
        )
        waiting = set(
            ResultFollowUp.objects.filter(
                person_id__in={s.person_id for s in samples.values()}, done_at=None
            ).values_list("person_id", flat=True)
        )
        # A result the F0 app or a pool hangs on is written with the plain ones and queued
        # for the worker, in line order (as imports_stage does): a positive, the person's
        # open case, an earlier positive of theirs (in this batch or waiting in the queue),
        # a re-sample a pool waits for.
        plain: dict[tuple, list[int]] = defaultdict(list)
        queued: list[imports.Row] = []
        positive_people: set[int] = set()
        unchanged = 0
        for row in rows:
            values, sample = row.values, samples[row.values["barcode"]]
            if sample.status == Sample.Status.REJECTED:
                raise ValidationError("a rejected sample")
            if values["ct"] is not None and sample.kind != rules.PCR:
                raise ValidationError("a Ct value for a rapid test")
            if sample.result:
                if sample.result != values["result"]:
                    raise ValidationError("a conflicting result")
                unchanged += 1
                continue
            key = (values["result"], values["lab"], values["ct"], _when(values))
            plain[key].append(sample.pk)
            if (
                values["result"] == Result.POSITIVE
                or sample.person_id in with_case
                or sample.person_id in waiting
                or sample.person_id in positive_people
                or sample.pk in awaited
            ):
                queued.append(row)
            if values["result"] == Result.POSITIVE:
                positive_people.add(sample.person_id)
        recorded = 0
        user = by if getattr(by, "is_authenticated", False) else None
        for (result, lab, ct, when), ids in plain.items():
            done = (
                Sample.objects.filter(pk__in=ids, result="")
                .exclude(status=Sample.Status.REJECTED)
                .update(
                    result=result,
                    lab=lab,
                    ct_value=ct,
                    resulted_at=when,
                    resulted_by=user,
                    status=Sample.Status.RESULTED,
                    presumptive=False,
                )
            )
            if done != len(ids):
                raise ValidationError("recorded meanwhile")  # row by row sorts it out
            recorded += done
        ResultFollowUp.objects.bulk_create(
            [
                ResultFollowUp(
                    sample_id=samples[row.values["barcode"]].pk,
                    person_id=samples[row.values["barcode"]].person_id,
                    by=user,
                    batch=outcome.batch,
                    line=row.line,
                )
                for row in queued
            ]
        )
        outcome.queued += len(queued)
        outcome.recorded += recorded
        outcome.unchanged += unchanged

    stream = imports.TableStream(upload, columns(), kind=kind, max_rows=max_rows, check=check)
    # The file's writes alternate plain UPDATEs and line-by-line services as the staged
    # path's do: the same exclusive lock, for the same deadlocks (services.RESULTS_LOCK).
    key_lock(services.RESULTS_LOCK)
    # The file is read and written batch by batch (a 200,000-row file is never held), inside
    # the caller's transaction: a refusal met halfway (the row cap, a broken line, a bad row
    # in all-or-nothing) leaves nothing written, as when the file was read first.
    for batch in imports.batches(stream, BATCH):
        if mode == imports.KEEP_GOOD:
            imports.write_rows(
                batch,
                write_one,
                mode=mode,
                report=stream.report,
                write_many=write_many,
                batch_size=BATCH,
            )
        elif not stream.report:
            # All or nothing goes row by row: a pool's code in a batch would otherwise
            # refuse the file. Once a line is bad nothing more is written, but the rest is
            # still read so the report lists every bad line.
            imports.write_rows(batch, write_one, mode=mode, report=stream.report)
    imports.refuse_if_rows_failed(stream, mode)
    outcome.errors = stream.report
